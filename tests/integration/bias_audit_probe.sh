#!/bin/sh
# The counterfactual probe against a local model server that is, and one
# that is not, sensitive to the protected attribute; a model that answers
# garbage, no score, an error or too late makes the probe INCONCLUSIVE
# with the row and the setting named; bias_audit.flip_rate for gates.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
PLUGINS=$HINGE_BUILDDIR/plugins/bias_audit/.libs
python3 "$HINGE_SRCDIR/tests/doubles/bias_model.py" "$T/port" 2>"$T/model.err" &
HINGE_PIDS=$!
n=0
while [ ! -s "$T/port" ] && [ "$n" -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
[ -s "$T/port" ] || bail "the model double did not start"
PORT=$(cat "$T/port")
python3 "$HINGE_SRCDIR/tests/fixtures/bias_audit_synth.py" unbiased 1000 >"$T/d.csv"

conf() { # path, then extra settings
	cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; log_level = "info"; };
plugins: { bias_audit: { enabled = true; csv_path = "$T/d.csv"; attributes = [ "sex" ];
  score_column = "score"; probe_url = "http://127.0.0.1:$PORT/$1"; probe_attribute = "sex";
  probe_swap = { F = "M"; M = "F"; }; probe_sample = 50; probe_score_path = "result.score";
  probe_request = { features = { sex = "{{sex}}"; age = "{{age}}"; score = "{{score:number}}"; }; };
  $2 }; };
CONF
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
flip_rate() { H --json metrics | json '[m.get("value") for m in d["metrics"] if m["name"]=="bias_audit.flip_rate"][0]'; }

conf insensitive
expect_exit "a model blind to sex passes: exit 0" 0 H audit probe
H --json audit probe >"$T/p.json"
is "no decision flips" "$(json 'd["verdict"], d["probed"], d["flips_up"], d["flips_down"], d["flip_rate"]' <"$T/p.json")" \
	"PASS 50 0 0 0.0"
is "the model got the record and its counterfactual" \
	"$(python3 -c "import json; r=[json.loads(l) for l in open('$T/port.log')][:2]; print(r[0]['features']['sex'] != r[1]['features']['sex'], r[0]['features']['score'] == r[1]['features']['score'], type(r[0]['features']['score']).__name__)")" \
	"True True float"
is "bias_audit.flip_rate reads 0" "$(flip_rate)" "0.0"

conf sensitive
expect_exit "a model sensitive to sex fails: exit 1" 1 H audit probe
H --json audit probe >"$T/p.json"
is "decisions flip both ways" "$(json 'd["verdict"], d["flips_up"] > 0, d["flips_down"] > 0, d["probed"]' <"$T/p.json")" \
	"FAIL True True 50"
is "flip rate is flips over records" "$(json 'd["flip_rate"] == (d["flips_up"] + d["flips_down"]) / 50' <"$T/p.json")" "True"
ok "the flip rate is above the policy's 0.05" \
	python3 -c "import json; d=json.load(open('$T/p.json')); assert d['flip_rate'] > 0.05 and d['reasons'][0].startswith('flip rate ')"
is "bias_audit.flip_rate reads it" "$(flip_rate)" "$(json 'd["flip_rate"]' <"$T/p.json")"
H --json audit probe >"$T/p2.json"
is "the same seed probes the same records" "$(json 'd["flips_up"], d["flips_down"]' <"$T/p2.json")" \
	"$(json 'd["flips_up"], d["flips_down"]' <"$T/p.json")"
conf sensitive "flip_rate_max = 0.9;"
expect_exit "flip_rate_max = 0.9 passes it: exit 0" 0 H audit probe

bad() { # name path expected-message [extra]
	conf "$2" "${4:-}"
	expect_exit "$1: exit 1" 1 H audit probe
	ok "$1: the message names row and setting" grep -q "$3" "$TAP_LOG"
	is "$1: INCONCLUSIVE" "$(H --json audit probe 2>/dev/null | json 'd["verdict"], d["flip_rate"]')" "INCONCLUSIVE None"
}
bad "garbage" garbage "row [0-9]*: probe_url: the model's answer is not JSON"
bad "no score" noscore 'row [0-9]*: probe_score_path: the answer has no number at "result.score"'
bad "HTTP 500" error "row [0-9]*: probe_url: the model answered HTTP 500"
bad "too slow" slow "row [0-9]*: probe_url: no answer within probe_timeout (200 ms)" 'probe_timeout = "200ms";'
is "bias_audit.flip_rate has no data after an INCONCLUSIVE probe" "$(flip_rate)" "None"

# A model that cannot be reached: exit 5.
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$T/free"
cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; log_level = "info"; };
plugins: { bias_audit: { enabled = true; csv_path = "$T/d.csv"; attributes = [ "sex" ];
  score_column = "score"; probe_url = "http://127.0.0.1:$(cat "$T/free")/x"; probe_attribute = "sex";
  probe_swap = { F = "M"; }; probe_request = { features = { sex = "{{sex}}"; score = "{{score}}"; }; }; }; };
CONF
expect_exit "an unreachable model: exit 5" 5 H audit probe
ok "the message says so" grep -q 'probe_url: the model cannot be reached' "$TAP_LOG"

# Bad config: exit 2.
sed -i 's|probe_url = "http://127.0.0.1:[0-9]*/x"|probe_url = "http://model.example.com/x"|' "$T/hinge.conf"
expect_exit "plain http to a remote host: exit 2" 2 H audit probe
ok "the message names the setting" grep -q 'probe_url: use https (plain http only to a loopback address)' "$TAP_LOG"
sed -i 's|probe_url = "http://model.example.com/x";||' "$T/hinge.conf"
expect_exit "no probe_url: exit 2" 2 H audit probe
expect_exit "probe with an extra argument: exit 2" 2 H audit probe extra
done_testing
