#!/bin/sh
# roi_rollout.sh - roi.net_revenue_delta_pct gating a real rollout.  The
# agent syncs the Stripe double every 100ms; the double makes a charge of
# 10.00 usd (fee 0.30, net 9.70) every second, and 1.00 (net 0.70) from
# the second the marker file $F/checkout appeared while it exists: the
# change whose fault.step creates that marker "breaks checkout".
#
# The change: deploy (fault.step), soak 5000ms, a gate
# roi.net_revenue_delta_pct > -50.  Stripe dates transactions in whole
# seconds, so the soak is seconds long; every other wait is in ms.
#   - deploying key "steady": revenue holds, the gate passes (a second or
#     two not synced yet at most cost 20% each: -40% at worst);
#   - deploying key "checkout": from the rollout's start net falls from
#     9.70 to 0.70 a second (-74% at most after 5 s); the gate fails and
#     the engine reverts the deploy.
# Then `roi report --rollout ID` shows the soak's window before and after.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/integration/roi_lib.sh"

H=$HINGE_BUILDDIR/hinge
d=$(mktemp -d /tmp/hinge-roi-rollout.XXXXXX)
F=$d/fault
mkdir "$F"
dpid=
apid=
trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; [ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
printf 'sk_test_rollout_1\n' >"$d/key"
chmod 600 "$d/key"

python3 "$HINGE_SRCDIR/tests/doubles/roi_stripe.py" --port-file "$d/port" --key-file "$d/key" \
	--log "$d/req.log" --live 1000 --slump "$F/checkout=100" &
dpid=$!
for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.05; done
[ -s "$d/port" ] || bail "the Stripe double did not start"

cat >"$d/hinge.conf" <<CONF
agent: { state_db = "$d/state.db"; log_level = "info";
  plugin_dir = [ "$HINGE_BUILDDIR/plugins/roi/.libs", "$HINGE_BUILDDIR/tests/plugins/.libs" ]; };
plugins: {
  fault: { enabled = true; dir = "$F"; };
  roi: { enabled = true; secret_key = "$d/key"; api_base = "http://127.0.0.1:$(cat "$d/port")";
         sync_interval = "100ms"; backoff = "50ms"; };
};
CONF
change() { # id key
	cat >"$d/$1.conf" <<CONF
change: { id = "$1"; on_failure = "rollback"; steps = (
  { name = "deploy"; action = "fault.step"; with = { key = "$2"; }; },
  { name = "soak"; pause = "5000ms"; },
  { name = "revenue"; gate = [ "roi.net_revenue_delta_pct > -50" ];
    bake = "1000ms"; interval = "250ms"; failure_limit = 0; inconclusive_limit = 2; } ); };
CONF
}
J() { # filter args...: hinge --json args, through jq
	_f=$1
	shift
	"$H" -c "$d/hinge.conf" --json "$@" 2>>"$TAP_LOG" | jq -r "$_f"
}
last_ok() {
	python3 -c 'import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1]).execute("SELECT last_ok_ms FROM roi_sync").fetchone()[0])
except Exception:
    print(0)' "$d/state.db"
}
synced_after() { # ms: wait until a sync completed after then
	for _ in $(seq 200); do [ "$(last_ok)" -gt "$1" ] && return 0; sleep 0.05; done
	return 1
}
run() { # id key: run the change to its end here (--wait: the agent runs); its exit status in $status, id in $id
	change "$1" "$2"
	"$H" -c "$d/hinge.conf" rollout start "$d/$1.conf" --reason test --wait >"$d/$1.out" 2>>"$TAP_LOG"
	status=$?
	id=$(J ".rollouts[] | select(.change == \"$1\") | .id" rollout history)
}

"$H" -c "$d/hinge.conf" agent 2>"$d/agent.err" &
apid=$!
synced_after 0 || bail "the agent did not sync"

run steady steady
is "steady revenue: the rollout completes" "$status" 0
is "its state" "$(J .rollout.state rollout show "$id")" completed
synced_after "$(J .rollout.ended_ms rollout show "$id")" || bail "no sync after the rollout"
J . roi report --rollout "$id" >"$d/steady.json"
is "the report names the rollout" "$(jq -r .rollout "$d/steady.json")" "$id"
is "three stages" "$(jq '.stages | length' "$d/steady.json")" 3
w=$(jq '.stages[1].window_seconds' "$d/steady.json")
ok "the soak's window is 5 or 6 seconds" test "$w" -ge 5 -a "$w" -le 6
is "before the soak: a charge a second, 9.70 net each" \
	"$(jq -r '.stages[1].before.net' "$d/steady.json")" "$(python3 -c "print('%.2f' % ($w * 9.70))")"
is "after it the same" "$(jq -r '.stages[1].after.net' "$d/steady.json")" \
	"$(jq -r '.stages[1].before.net' "$d/steady.json")"
is "no change" "$(jq '.stages[1].delta_pct.net' "$d/steady.json")" 0
is "fresh" "$(jq .stale "$d/steady.json")" false

run slump checkout
is "revenue drops: the gate fails, exit 1" "$status" 1
is "the engine rolled it back" "$(J .rollout.state rollout show "$id")" rolled_back
ok "the deploy was reverted: no marker" test ! -e "$F/checkout"
is "applied once, reverted once" "$(grep -c '^apply checkout$' "$F/log") $(grep -c '^revert checkout$' "$F/log")" "1 1"
err=$(J '.rollout.steps[2].error' rollout show "$id")
ok "the gate says why: $err" sh -c "printf '%s' '$err' | grep -q 'roi.net_revenue_delta_pct > -50'"
v=$(printf '%s' "$err" | sed -n 's/.*"roi.net_revenue_delta_pct > -50":\(-*[0-9.e+-]*\).*/\1/p')
ok "the metric read a drop below -50% ($v)" python3 -c "import sys; assert float(sys.argv[1]) < -50" "$v"

synced_after "$(J .rollout.ended_ms rollout show "$id")" || bail "no sync after the rollout"
J . roi report --rollout "$id" >"$d/slump.json"
is "the deploy's phase" "$(jq -r '.stages[0].phase' "$d/slump.json")" reverted
is "the gate's phase" "$(jq -r '.stages[2].phase' "$d/slump.json")" failed
w=$(jq '.stages[1].window_seconds' "$d/slump.json")
ok "the soak's window is 5 or 6 seconds" test "$w" -ge 5 -a "$w" -le 6
is "after the soak began: 0.70 net a second" \
	"$(jq -r '.stages[1].after.net' "$d/slump.json")" "$(python3 -c "print('%.2f' % ($w * 0.70))")"
ok "the report's net change is below -50%" \
	python3 -c "import sys; assert float(sys.argv[1]) < -50" "$(jq '.stages[1].delta_pct.net' "$d/slump.json")"
"$H" -c "$d/hinge.conf" roi report --rollout "$id" >"$d/slump.txt" 2>>"$TAP_LOG"
ok "the text names the soak and its change" grep -Eq "^2 soak +done +${w}s +.* -[0-9]+\.[0-9]%$" "$d/slump.txt"

"$H" -c "$d/hinge.conf" roi report --rollout r-none 2>"$d/unknown.err"
is "an unknown rollout: exit 2" "$?" 2
ok "naming it" grep -q 'no rollout "r-none"' "$d/unknown.err"
expect_exit "--rollout with --period: exit 2" 2 "$H" -c "$d/hinge.conf" roi report --rollout "$id" --period day

kill -TERM "$apid"
wait "$apid"
is "the agent stops cleanly" "$?" 0
apid=
done_testing
