#!/bin/sh
# bias_audit with a PostgreSQL source: the configured query read row by
# row, NULL outcomes as unknown, a failing query and an unreachable
# server (INCONCLUSIVE, never PASS), and the audit the agent schedules,
# with its alarm event.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge_tmp
TAP_LOG=$T/log
PLUGINS=$HINGE_BUILDDIR/plugins/bias_audit/.libs
DB=$(pg_fresh_db bias_audit_pg) || bail "no test database"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$DB" "$@"; }
python3 "$HINGE_SRCDIR/tests/fixtures/bias_audit_synth.py" biased 3000 sql | psql_ >>"$TAP_LOG" 2>&1 ||
	bail "cannot load the decisions"
psql_ -c "INSERT INTO decisions VALUES (3001, 'F', 'old', 0.9, NULL), (3002, 'M', 'old', 0.1, NULL)"

conf() { # extra settings of the plugin
	cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; log_level = "info"; };
plugins: { bias_audit: { enabled = true; source = "postgresql"; attributes = [ "sex" ];
  score_column = "score"; label_column = "outcome"; thresholds = { disparate_impact_min = 0.8; };
  $1 }; };
CONF
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

conf "conninfo = \"$DB\"; query = \"SELECT id, sex, age, score, outcome FROM decisions\";"
expect_exit "biased decisions from PostgreSQL fail: exit 1" 1 H audit run
H --json audit show 1 >"$T/a1.json"
is "every row was read" "$(json 'd["results"]["rows"]' <"$T/a1.json")" "3002"
is "NULL outcomes are unknown" "$(json 'd["results"]["labelled"]' <"$T/a1.json")" "3000"
is "the source is named" "$(json 'd["source"]' <"$T/a1.json")" "postgresql"
# The same decisions as CSV give the same figures.
python3 "$HINGE_SRCDIR/tests/fixtures/bias_audit_synth.py" biased 3000 >"$T/d.csv"
printf '3001,F,old,0.9,\r\n3002,M,old,0.1,\r\n' >>"$T/d.csv"
expect_exit "the same decisions from CSV: exit 1" 1 H audit run --csv "$T/d.csv"
is "PostgreSQL and CSV give the same figures" \
	"$(H --json audit show 2 | json 'd["results"]["dimensions"]')" "$(json 'd["results"]["dimensions"]' <"$T/a1.json")"
expect_exit "a second run" 1 H audit run
is "the same rows give the same checksum" "$(H --json audit show 3 | json 'd["input_sha256"]')" \
	"$(json 'd["input_sha256"]' <"$T/a1.json")"
psql_ -c "UPDATE decisions SET score = 0.5 WHERE id = 1"
expect_exit "a run after a change" 1 H audit run
ok "changed rows change the checksum" test "$(H --json audit show 4 | json 'd["input_sha256"]')" != \
	"$(json 'd["input_sha256"]' <"$T/a1.json")"

conf "conninfo = \"$DB\"; query = \"SELECT id, sex, score, outcome FROM no_such_table\";"
expect_exit "a failing query: exit 1" 1 H audit run
ok "the message quotes PostgreSQL" grep -q 'query: ERROR:  relation "no_such_table" does not exist' "$TAP_LOG"
is "it is stored as INCONCLUSIVE" "$(H --json audit show 5 | json 'd["verdict"]')" "INCONCLUSIVE"
conf "conninfo = \"$DB\"; query = \"SELECT id, sex, 'x' AS score, outcome FROM decisions\";"
expect_exit "a bad value in a row: exit 1" 1 H audit run
ok "the message names the row" grep -q 'row 1: column "score": "x" is not a number' "$TAP_LOG"
conf "conninfo = \"host=$T/nowhere dbname=x connect_timeout=2\"; query = \"SELECT 1\";"
expect_exit "an unreachable server: exit 5" 5 H audit run
is "it is stored as INCONCLUSIVE" "$(H --json audit show 7 | json 'd["verdict"]')" "INCONCLUSIVE"

cat >"$T/bad.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; };
plugins: { bias_audit: { enabled = true; source = "postgresql"; attributes = [ "sex" ]; score_column = "s"; }; };
CONF
expect_exit "postgresql without conninfo and query: exit 2" 2 "$HINGE" -c "$T/bad.conf" audit run
ok "the message names the setting" grep -q 'source: "postgresql" needs conninfo and query' "$TAP_LOG"

# The scheduled audit: the agent runs it every 100 ms and raises an alarm.
conf "conninfo = \"$DB\"; query = \"SELECT id, sex, score, outcome FROM decisions\"; schedule = \"100ms\";"
"$HINGE" -c "$T/hinge.conf" agent 2>"$T/agent.err" &
AGENT=$!
HINGE_PIDS=$AGENT
latest() { sqlite3 "$T/state.db" 'SELECT results FROM bias_audit_audits ORDER BY id DESC LIMIT 1' |
	json '" ".join(x["name"] for x in d["dimensions"])'; }
wait_until() { # command...: up to 10 s
	_n=0
	while [ "$_n" -lt 100 ] && ! "$@" >/dev/null 2>&1; do sleep 0.1; _n=$((_n + 1)); done
	"$@" >/dev/null 2>&1
}
count_ge() { test "$(sqlite3 "$T/state.db" 'SELECT count(*) FROM bias_audit_audits')" -ge "$1"; }
latest_is() { test "$(latest)" = "$1"; }
ok "the agent ran scheduled audits" wait_until count_ge 10
is "a scheduled audit is FAIL" "$(sqlite3 "$T/state.db" 'SELECT verdict FROM bias_audit_audits ORDER BY id DESC LIMIT 1')" "FAIL"
ok "a FAIL raises an alarm event naming the reason" sh -c \
	"sqlite3 '$T/state.db' \"SELECT detail FROM events WHERE kind = 'alarm' AND source = 'bias_audit'\" | grep -q 'sex: disparate_impact'"
# SIGHUP: a new attribute is audited from then on; a bad config is refused
# and the audits go on with the one that worked.
conf "conninfo = \"$DB\"; query = \"SELECT id, sex, age, score, outcome FROM decisions\"; schedule = \"100ms\"; attributes = [ \"sex\", \"age\" ];"
sed -i 's|attributes = \[ "sex" \];||' "$T/hinge.conf"
kill -HUP "$AGENT"
ok "after a reload the audits cover the new attribute" wait_until latest_is "sex age sex+age"
sed -i 's|disparate_impact_min = 0.8|nonsense = 1|' "$T/hinge.conf"
kill -HUP "$AGENT"
sleep 0.5
before=$(sqlite3 "$T/state.db" 'SELECT max(id) FROM bias_audit_audits')
ok "after a bad reload the agent goes on auditing" wait_until count_ge $((before + 3))
is "with the configuration that worked" "$(latest)" "sex age sex+age"
kill -TERM "$AGENT"
wait "$AGENT"
done_testing
