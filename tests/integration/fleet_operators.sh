#!/bin/sh
# Two operators advancing one fleet rollout at once never open a wave
# twice.  Hosts are registered rows with fresh heartbeats (no agent runs
# them), so the test decides when a wave's hosts complete; then two
# `hinge fleet promote` processes start together, round after round,
# wave after wave, over several rollouts (FLEET_RACE_ROLLOUTS, default 3).
# After each round exactly one more wave is open, and the events hold one
# "wave N opened" per wave.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/fleet.sh"
hinge_tmp
TAP_LOG=$T/log
conninfo=$(pg_fresh_db hinge_fleet_operators) || bail "no test database"
FLEET_LATE=1h fleet_conf op "$conninfo"
F() { "$HINGE" -c "$T/op/hinge.conf" "$@"; }
Q() { psql "$conninfo" -tAc "$1"; }
F fleet hosts >>"$TAP_LOG" 2>&1 || bail "cannot create the fleet tables"
Q "INSERT INTO hinge.fleet_hosts (host_id, version, instance)
   SELECT 'sim' || g, 'test', 'simulated ' || g FROM generate_series(1, 10) g" >/dev/null
printf 'change: { id = "race"; steps = ( { name = "w"; pause = "1ms"; } ); };\n' >"$T/race.conf"

rollouts=${FLEET_RACE_ROLLOUTS:-3}
rounds=0 jumps=0
for r in $(seq 1 "$rollouts"); do
	id=$(F fleet start "$T/race.conf" --waves 1,2,3,4,5,6,7,8,9,100%)
	wave=1
	while [ "$wave" -lt 10 ]; do
		Q "UPDATE hinge.fleet_assignments SET state = 'completed'
		   WHERE rollout_id = '$id' AND wave = $wave" >/dev/null
		F fleet promote "$id" & a=$!
		F fleet promote "$id" & b=$!
		wait $a; wait $b
		now=$(Q "SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$id'")
		# A promote that found the row locked leaves it to the other; one
		# more round then.  A jump of two is a wave opened twice.
		[ "$now" -gt $((wave + 1)) ] && jumps=$((jumps + 1))
		[ "$now" -gt "$wave" ] && wave=$now
		rounds=$((rounds + 1))
		[ "$rounds" -gt $((rollouts * 40)) ] && break 2
	done
	Q "UPDATE hinge.fleet_assignments SET state = 'completed' WHERE rollout_id = '$id' AND wave = 10" >/dev/null
	F fleet promote "$id" & a=$!
	F fleet promote "$id" & b=$!
	wait $a; wait $b
	F fleet promote "$id"
	is "rollout $r: completed" "$(fleet_state "$id")" "completed"
	is "rollout $r: nine waves opened, each once" \
		"$(Q "SELECT count(*), count(DISTINCT message) FROM hinge.fleet_events WHERE rollout_id = '$id' AND kind = 'wave'")" "9|9"
	is "rollout $r: completed once" \
		"$(Q "SELECT count(*) FROM hinge.fleet_events WHERE rollout_id = '$id' AND kind = 'completed'")" "1"
done
is "no promote opened more than one wave ($rounds rounds)" "$jumps" "0"
ok "every round advanced or was left to the other operator" test "$rounds" -le $((rollouts * 40))
done_testing
