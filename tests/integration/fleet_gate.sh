#!/bin/sh
# Wave gates over fleet-wide metrics: each agent publishes the value of
# fault.value (its file metric_value) for the gates of the rollouts it
# applied; after each wave the fleet gate aggregates the values of the
# hosts that applied (max, mean, sum, share over a threshold), and the
# next wave opens once every gate held for the bake.  A gate that fails
# halts the fleet before the next wave; a gate that does not parse
# starts nothing.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/fleet.sh"
hinge_tmp
TAP_LOG=$T/log
conninfo=$(pg_fresh_db hinge_fleet_gate) || bail "no test database"
hosts="h1 h2 h3"
fleet_conf op "$conninfo"
for h in $hosts; do fleet_conf $h "$conninfo"; fleet_agent $h; done
ok "three agents register" wait_for 10 has_hosts 3
F() { "$HINGE" -c "$T/op/hinge.conf" "$@"; }
Q() { psql "$conninfo" -tAc "$1"; }
first=$(fleet_order $hosts | cut -d' ' -f1)
echo 1 >"$T/h1/fault/metric_value"; echo 2 >"$T/h2/fault/metric_value"; echo 3 >"$T/h3/fault/metric_value"
change() { printf 'change: { id = "%s"; steps = ( { name = "one"; action = "fault.step"; with = { key = "%s"; }; } ); };\n' "$1" "$1" >"$T/$1.conf"; }

change g1
id=$(F fleet start "$T/g1.conf" --waves 1,100% --gate 'max(fault.value) < 5' --gate 'mean(fault.value) <= 2' \
	--gate 'sum(fault.value) <= 6' --gate 'share(fault.value >= 3) < 0.5' --bake 600ms --interval 100ms)
ok "gates that hold let every wave through" wait_for 30 is_state "$id" completed
is "each wave baked, then passed" "$(Q "SELECT string_agg(kind || ' ' || message, ', ' ORDER BY id) FROM hinge.fleet_events WHERE rollout_id = '$id' AND kind LIKE 'gate%'")" \
	"gate-baking wave 1, gate-passed wave 1, gate-baking wave 2, gate-passed wave 2"
is "for at least the bake" "$(Q "SELECT bool_and(p.time - b.time >= interval '600 ms') FROM hinge.fleet_events b JOIN hinge.fleet_events p
	ON p.rollout_id = b.rollout_id AND p.message = b.message AND p.kind = 'gate-passed' WHERE b.rollout_id = '$id' AND b.kind = 'gate-baking'")" "t"
is "status shows the gates and the bake" "$(F --json fleet status "$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["gates"]), d["gates"][0], d["bake_ms"])')" \
	"4 max(fault.value) < 5 600"
is "every host published its value" "$(Q "SELECT string_agg(host_id || '=' || value, ' ' ORDER BY host_id) FROM hinge.fleet_metrics WHERE rollout_id = '$id'")" \
	"h1=1 h2=2 h3=3"

# share over a threshold: the canary alone is over it, so wave 2 never opens.
change g2
echo 7 >"$T/$first/fault/metric_value"
id2=$(F fleet start "$T/g2.conf" --waves 1,100% --gate 'share(fault.value > 5) < 0.5' --bake 300ms --interval 100ms)
ok "a failing gate halts the fleet" wait_for 30 is_state "$id2" failed
is "the last wave never opened" "$(Q "SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$id2'")" "1"
ok "the event says which gate and what it saw" sh -c "$HINGE -c $T/op/hinge.conf fleet events $id2 | grep -q 'the gate share(fault.value > 5) < 0.5 failed: 1 over 1 hosts'"
is "the other hosts never applied it" "$(cat "$T"/h*/fault/log | grep -cx 'apply g2')" "1"

# A gate over a value no host has: the wave waits (inconclusive) instead
# of passing, until every host that applied has published one.
change g3
id3=$(F fleet start "$T/g3.conf" --waves 1,100% --gate 'max(fault.value{name="absent"}) < 5' --bake 100ms --interval 100ms)
sleep 1.5
is "without data the gate waits" "$(fleet_state "$id3") $(Q "SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$id3'")" "running 1"
echo 1 >"$T/$first/fault/metric_absent"
ok "and passes once the value is there" wait_for 30 sh -c "psql '$conninfo' -tAc \"SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$id3'\" | grep -qx 2"
for h in $hosts; do echo 1 >"$T/$h/fault/metric_absent"; done
ok "every host of wave 2 too" wait_for 30 is_state "$id3" completed

before=$(Q "SELECT count(*) FROM hinge.fleet_rollouts")
expect_exit "an unknown aggregate: exit 2" 2 F fleet start "$T/g1.conf" --waves 100% --gate 'avg(fault.value) < 1'
ok "naming the gate" grep -q -- '--gate "avg(fault.value) < 1": the aggregate must be max, mean, sum or share' "$TAP_LOG"
expect_exit "a gate without a number: exit 2" 2 F fleet start "$T/g1.conf" --waves 100% --gate 'max(fault.value) <'
expect_exit "a bake that is not a duration: exit 2" 2 F fleet start "$T/g1.conf" --waves 100% --gate 'max(fault.value) < 1' --bake soon
is "nothing was started" "$(Q "SELECT count(*) FROM hinge.fleet_rollouts")" "$before"
for h in $hosts; do eval "kill -TERM \$pid_$h" 2>/dev/null; done
wait 2>/dev/null
done_testing
