#!/bin/sh
# Run-once changes (run_once = true): several agents on one machine share
# one fault folder, standing for the shared database a migration changes.
# Exactly one host of the first wave applies the change (the others'
# local journals hold no rollout of it), the others wait for its outcome
# and the fleet completes; a failing run-once change rolls back on its
# executor and halts the fleet with every waiting host failed; a run_once
# that is not a boolean starts nothing.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/fleet.sh"
hinge_tmp
TAP_LOG=$T/log
conninfo=$(pg_fresh_db hinge_fleet_once) || bail "no test database"
hosts="h1 h2 h3 h4"
fleet_conf op "$conninfo"
for h in $hosts; do fleet_conf $h "$conninfo" "$T/shared"; fleet_agent $h; done
ok "four agents register" wait_for 10 has_hosts 4
F() { "$HINGE" -c "$T/op/hinge.conf" "$@"; }
applies() { grep -cx "$1 $2" "$T/shared/log" 2>/dev/null; }
# Hosts whose local journal holds a rollout of change $1.
journals() {
	for h in $hosts; do
		"$HINGE" -c "$T/$h/hinge.conf" --json rollout history |
			python3 -c 'import json,sys; sys.exit(0 if any(r["change"] == sys.argv[1] for r in json.load(sys.stdin)["rollouts"]) else 1)' "$1" &&
			printf '%s ' "$h"
	done
}
assignments() { psql "$conninfo" -tAc "SELECT string_agg(host_id || ':' || state, ' ' ORDER BY host_id) FROM hinge.fleet_assignments WHERE rollout_id = '$1'"; }

printf 'change: { id = "m1"; run_once = true;\n  steps = ( { name = "migrate"; action = "fault.step"; with = { key = "m1"; sleep = "1s"; }; } ); };\n' >"$T/m1.conf"
# the executor's apply answers "not yet" until the others are seen waiting
touch "$T/shared/notyet_m1"
id=$(F fleet start "$T/m1.conf" --waves 3,100%)
ok "the other hosts of wave 1 wait for its outcome" wait_for 30 sh -c \
	"psql '$conninfo' -tAc \"SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND state = 'waiting'\" | grep -qx 2"
rm -f "$T/shared/notyet_m1"
ok "a run-once rollout completes" wait_for 30 is_state "$id" completed
is "the change was applied exactly once" "$(applies apply m1)" "1"
executor=$(psql "$conninfo" -tAc "SELECT once_host FROM hinge.fleet_rollouts WHERE id = '$id'")
is "only the executor's local journal holds it" "$(journals m1)" "$executor "
is "the executor is a host of the first wave" \
	"$(psql "$conninfo" -tAc "SELECT wave FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND host_id = '$executor'")" "1"
is "every host counts as done" "$(assignments "$id" | tr ' ' '\n' | cut -d: -f2 | sort -u)" "completed"
is "the others say where it ran" \
	"$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND detail = 'ran once on $executor'")" "3"
is "events name the executor once" "$(F fleet events "$id" | grep -c "kind=run-once")" "1"

# A failing run-once change: rolled back where it ran; the fleet halts.
touch "$T/shared/fail_verify_m2"
printf 'change: { id = "m2"; run_once = true;\n  steps = ( { name = "migrate"; action = "fault.step"; with = { key = "m2"; sleep = "200ms"; }; } ); };\n' >"$T/m2.conf"
id2=$(F fleet start "$T/m2.conf" --waves 3,100%)
ok "a failing run-once change halts the fleet" wait_for 30 is_state "$id2" failed
is "it was applied once" "$(applies apply m2)" "1"
is "and reverted once" "$(applies revert m2)" "1"
ok "its effect is gone" test ! -e "$T/shared/m2"
executor2=$(psql "$conninfo" -tAc "SELECT once_host FROM hinge.fleet_rollouts WHERE id = '$id2'")
is "only the executor ran it" "$(journals m2)" "$executor2 "
is "the waiting hosts of wave 1 failed with it" \
	"$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id2' AND wave = 1 AND state = 'failed'")" "3"
is "the last wave never opened" "$(psql "$conninfo" -tAc "SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$id2'")" "1"
ok "events say why it halted" sh -c "$HINGE -c $T/op/hinge.conf fleet events $id2 | grep -q 'the run-once change failed on $executor2'"

# Bad input: run_once must be a boolean; nothing starts.
before=$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_rollouts")
printf 'change: { id = "m3";\n  run_once = "yes";\n  steps = ( { name = "x"; pause = "1ms"; } ); };\n' >"$T/m3.conf"
expect_exit "run_once that is not a boolean: exit 2" 2 F fleet start "$T/m3.conf" --waves 100%
ok "the message names file, line and field" grep -q "m3.conf:2: change.run_once: must be true or false" "$TAP_LOG"
is "nothing was started" "$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_rollouts")" "$before"
expect_exit "a local rollout of it is refused too" 2 "$HINGE" -c "$T/h1/hinge.conf" rollout start "$T/m3.conf"
for h in $hosts; do eval "kill -TERM \$pid_$h" 2>/dev/null; done
wait 2>/dev/null
done_testing
