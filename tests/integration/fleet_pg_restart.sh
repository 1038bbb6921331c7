#!/bin/sh
# PostgreSQL restarted during a fleet rollout: three agents run a
# three-wave rollout whose step takes a while; the fleet's PostgreSQL (a
# cluster of this test's own, so that other tests running at the same
# time keep theirs) stops with pg_ctl -m fast while a wave runs and
# starts again on the same socket folder.  The agents reconnect, report
# what they did meanwhile, and the rollout completes with every host's
# change applied once; also when it stayed down for longer than
# late_after (hosts are not unreachable for the database's absence).
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
. "$HINGE_SRCDIR/tests/lib/fleet.sh"
hinge_tmp
TAP_LOG=$T/log
trap 'pg_stop "$T/pg"; hinge_cleanup' EXIT
pg_start "$T/pg" >>"$TAP_LOG" 2>&1 || bail "cannot start a PostgreSQL of its own"
conninfo="host=$T/pg user=postgres dbname=postgres"
hosts="h1 h2 h3"
fleet_conf op "$conninfo"
second=$(fleet_order $hosts | cut -d' ' -f2); third=$(fleet_order $hosts | cut -d' ' -f3)
# The last host heartbeats every 2 s, so that after a restart it comes
# back well after the others (its reconnection backs off to 2 s).
for h in $hosts; do
	if [ $h = "$third" ]; then FLEET_BEAT=2s fleet_conf $h "$conninfo"; else fleet_conf $h "$conninfo"; fi
	fleet_agent $h
done
ok "three agents register" wait_for 10 has_hosts 3
F() { "$HINGE" -c "$T/op/hinge.conf" "$@"; }
pg_ctl_() { pg_as_postgres "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w "$@" >>"$TAP_LOG" 2>&1; }
wave_of() { psql "$conninfo" -tAc "SELECT current_wave FROM hinge.fleet_rollouts WHERE id = '$1'" 2>/dev/null; }
is_wave() { [ "$(wave_of "$1")" = "$2" ]; }

printf 'change: { id = "r1"; steps = ( { name = "slow"; action = "fault.step"; with = { key = "r1"; sleep = "3s"; }; } ); };\n' >"$T/r1.conf"
id=$(F fleet start "$T/r1.conf" --waves 1,50%,100%)
ok "wave 2 opens" wait_for 20 is_wave "$id" 2
ok "the host of wave 2 claims its part" wait_for 10 sh -c \
	"psql '$conninfo' -tAc \"SELECT state FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND host_id = '$second'\" | grep -qx running"
ok "PostgreSQL stops (fast) during wave 2" pg_ctl_ -m fast stop
ok "before the last wave's host applied" sh -c "! grep -qx 'apply r1' '$T/$third/fault/log'"
sleep "${FLEET_PG_DOWN:-1}"
ok "and starts again on the same socket folder" pg_ctl_ start
ok "the rollout continues to completion" wait_for 40 is_state "$id" completed
is_state "$id" completed || { F fleet status "$id"; F fleet events "$id"; tail -20 "$T/$second/agent.err"; } 2>&1 | sed 's/^/# /'
for h in $hosts; do is "$h applied the change once" "$(grep -cx "apply r1" "$T/$h/fault/log")" "1"; done
for h in $hosts; do ok "$h reconnected" grep -q "fleet: notice: reconnected to the fleet database" "$T/$h/agent.err"; done
is "every wave opened once" \
	"$(psql "$conninfo" -tAc "SELECT count(*), count(DISTINCT message) FROM hinge.fleet_events WHERE rollout_id = '$id' AND kind = 'wave'")" "2|2"
is "no host counted as unreachable or failed" \
	"$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND state <> 'completed'")" "0"
# Down for longer than late_after (3 s): when it is back every host's
# heartbeat is late, yet none of them is unreachable for it, not even the
# slow one, pending in wave 2 when the canary's report opens it.
printf 'change: { id = "r2"; steps = ( { name = "slow"; action = "fault.step"; with = { key = "r2"; sleep = "1500ms"; }; } ); };\n' >"$T/r2.conf"
id2=$(F fleet start "$T/r2.conf" --waves 1,100%)
ok "the canary claims its part" wait_for 10 sh -c \
	"psql '$conninfo' -tAc \"SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id2' AND state = 'running'\" | grep -qx 1"
ok "PostgreSQL stops during wave 1" pg_ctl_ -m fast stop
sleep "${FLEET_PG_LONG:-4}"
ok "and starts again after longer than late_after" pg_ctl_ start
ok "that rollout completes too" wait_for 40 is_state "$id2" completed
is_state "$id2" completed || { F fleet status "$id2"; F fleet events "$id2"; } 2>&1 | sed 's/^/# /'
for h in $hosts; do is "$h applied it once" "$(grep -cx "apply r2" "$T/$h/fault/log")" "1"; done
for h in $hosts; do eval "kill -TERM \$pid_$h" 2>/dev/null; done
wait 2>/dev/null
done_testing
