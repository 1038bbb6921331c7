#!/bin/sh
# Fleet rollouts executed by real agents (the fault plugin as the change):
# a three-wave rollout completes with each host's change applied once; a
# failing host in wave 2 halts the fleet, its own change rolls back and
# wave 3 is never touched; fleet rollback reaches every host that applied;
# an agent killed with -9 during its wave resumes and reports.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/fleet.sh"
hinge_tmp
TAP_LOG=$T/log
conninfo=$(pg_fresh_db hinge_fleet_rollout) || bail "no test database"
hosts="h1 h2 h3"
applied() { cat "$T/$1/fault/log" 2>/dev/null | grep -cx "apply $2"; }
# The wave order the fleet will use: hosts sorted by the SHA-256 of their ids.
order=$(fleet_order $hosts)
first=$(echo "$order" | cut -d' ' -f1); second=$(echo "$order" | cut -d' ' -f2); third=$(echo "$order" | cut -d' ' -f3)

fleet_conf op "$conninfo"
for h in $hosts; do fleet_conf $h "$conninfo"; fleet_agent $h; done
ok "three agents register" wait_for 10 has_hosts 3

printf 'change: { id = "k1"; steps = ( { name = "one"; action = "fault.step"; with = { key = "k1"; }; } ); };\n' >"$T/k1.conf"
id=$("$HINGE" -c "$T/h1/hinge.conf" fleet start "$T/k1.conf" --waves 1,50%,100%)
ok "a three-wave rollout completes" wait_for 30 is_state "$id" completed
for h in $hosts; do
	is "$h applied the change once" "$(applied $h k1)" "1"
	ok "$h holds the change" test -e "$T/$h/fault/k1"
done
is "the waves opened in order" "$("$HINGE" -c "$T/h1/hinge.conf" fleet events "$id" | grep -c 'kind=wave')" "2"
is "the canary was the first host by hash" \
	"$(psql "$conninfo" -tAc "SELECT host_id FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND wave = 1")" "$first"

# A failing host in wave 2: the fleet halts; its change rolled back; wave 3 untouched.
printf 'change: { id = "k2"; steps = ( { name = "one"; action = "fault.step"; with = { key = "k2"; }; } ); };\n' >"$T/k2.conf"
touch "$T/$second/fault/fail_verify_k2"
id2=$("$HINGE" -c "$T/h1/hinge.conf" fleet start "$T/k2.conf" --waves 1,50%,100%)
ok "a failing host in wave 2 halts the fleet" wait_for 30 is_state "$id2" failed
ok "its own change rolled back" test ! -e "$T/$second/fault/k2"
is "wave 3 was never touched" "$(applied $third k2)" "0"
ok "the canary keeps its change" test -e "$T/$first/fault/k2"

# Rollback of the completed rollout reaches every host that applied.
expect_exit "fleet rollback of the completed rollout" 0 "$HINGE" -c "$T/h1/hinge.conf" fleet rollback "$id" --reason "test"
ok "it ends rolled back" wait_for 30 is_state "$id" rolled_back
for h in $hosts; do ok "$h no longer holds the change" test ! -e "$T/$h/fault/k1"; done

# kill -9 during a host's wave: it resumes and reports.
printf 'change: { id = "k3"; steps = ( { name = "slow"; action = "fault.step"; with = { key = "k3"; sleep = "1500ms"; }; } ); };\n' >"$T/k3.conf"
id3=$("$HINGE" -c "$T/h1/hinge.conf" fleet start "$T/k3.conf" --waves 100%)
wait_for 10 grep -q "k3" "$T/$third/fault/log"
eval "kill -9 \$pid_$third"
fleet_agent "$third"
ok "after kill -9 the agent resumes and the rollout completes" wait_for 40 is_state "$id3" completed
is_state "$id3" completed ||
	{ "$HINGE" -c "$T/h1/hinge.conf" fleet status "$id3"; tail -20 "$T/$third/agent.err"; } 2>&1 | sed 's/^/# /' 
ok "the killed host holds the change" test -e "$T/$third/fault/k3"
for h in $hosts; do eval "kill -TERM \$pid_$h" 2>/dev/null; done
wait 2>/dev/null
done_testing
