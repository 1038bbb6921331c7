#!/bin/sh
# Fleet membership and the wave state machine against a real PostgreSQL:
# agents register and heartbeat; hosts are assigned to cumulative waves
# by a stable hash; bad wave lists, selectors, an unreachable fleet
# database or one of a newer schema start nothing; a host
# that stops heartbeating counts as unreachable and halts the rollout;
# abort ends it; two agents may not share a host id.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
conninfo=$(pg_fresh_db hinge_fleet_basic) || bail "no test database"
agent_conf() { # name role [late_after]
	mkdir -p "$T/$1"
	cat >"$T/$1/hinge.conf" <<CONF
agent: { state_db = "$T/$1/state.db"; plugin_dir = [ "$TEST_PLUGINS" ]; log_level = "info"; };
fleet: { conninfo = "$conninfo"; host_id = "$1"; labels = { role = "$2"; };
         heartbeat = "100ms"; late_after = "${3:-3s}"; poll = "100ms"; };
CONF
}
wait_for() {
	_n=$(($1 * 20)); shift
	while [ "$_n" -gt 0 ]; do "$@" && return 0; sleep 0.05; _n=$((_n - 1)); done
	return 1
}
F() { "$HINGE" -c "$T/op/hinge.conf" "$@"; }
host_count() { F --json fleet hosts | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["hosts"]))'; }

# A rollout keeps the late_after of the config that started it. The
# operator's is long, so that the frozen canary (below) cannot halt the
# rollout while the checks of its open state run, however slow a start-up
# of hinge is; the test shortens it in the database when the halt is due.
agent_conf op web 1h
# What `fleet hosts` is asked with once the halt is seen: no longer than
# the shortened late_ms, so the canary is already late by it.
agent_conf watch web 500ms
for h in web1 web2 web3 db1; do
	case $h in web*) agent_conf $h web ;; *) agent_conf $h db ;; esac
	"$HINGE" -c "$T/$h/hinge.conf" agent 2>"$T/$h/agent.err" &
	HINGE_PIDS="$HINGE_PIDS $!"
	eval "pid_$h=$!"
done
ok "four agents register" wait_for 10 sh -c "[ \"\$($HINGE -c $T/op/hinge.conf --json fleet hosts | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"hosts\"]))')\" = 4 ]"
is "labels are kept" "$(F --json fleet hosts | python3 -c 'import json,sys; print(sorted(h["host"] for h in json.load(sys.stdin)["hosts"] if h["labels"]["role"]=="db"))')" "['db1']"
cp "$T/web1/hinge.conf" "$T/dup.conf"
sed -i "s|$T/web1/state.db|$T/dup.db|" "$T/dup.conf"
timeout 10 "$HINGE" -c "$T/dup.conf" agent 2>"$T/dup.err"
is "an agent whose host id a live agent uses exits 2" "$?" "2"
ok "and says why" grep -q 'host id "web1" is used by another live agent' "$T/dup.err"

cat >"$T/change.conf" <<'C'
change: { id = "fleet-demo"; steps = ( { name = "wait"; pause = "10ms"; } ); };
C
before=$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_rollouts")
expect_exit "waves with 0% are refused" 2 F fleet start "$T/change.conf" --waves 0%,100%
expect_exit "a share over 100% is refused" 2 F fleet start "$T/change.conf" --waves 1,150%
expect_exit "waves out of order are refused" 2 F fleet start "$T/change.conf" --waves 50%,10%,100%
expect_exit "waves short of 100% are refused" 2 F fleet start "$T/change.conf" --waves 1,50%
expect_exit "a selector that matches no host is refused" 2 F fleet start "$T/change.conf" --waves 100% --select role=cache
# A fleet database that is unreachable, or of a newer schema version.
sed "s|conninfo = \"[^\"]*\"|conninfo = \"host=$T/nowhere user=postgres dbname=x\"|" "$T/op/hinge.conf" >"$T/unreachable.conf"
expect_exit "an unreachable fleet database: exit 5" 5 "$HINGE" -c "$T/unreachable.conf" fleet start "$T/change.conf" --waves 100%
version=$(psql "$conninfo" -tAc "SELECT version FROM hinge.schema_versions WHERE component = 'fleet'")
psql "$conninfo" -qc "UPDATE hinge.schema_versions SET version = 99 WHERE component = 'fleet'"
F fleet start "$T/change.conf" --waves 100% >/dev/null 2>"$T/newer.err"
is "a fleet schema from a newer Hinge: exit 2" "$?" "2"
ok "the message names the versions" grep -q "version 99 of its tables, newer than this Hinge's $version" "$T/newer.err"
psql "$conninfo" -qc "UPDATE hinge.schema_versions SET version = $version WHERE component = 'fleet'"
is "nothing was started" "$(psql "$conninfo" -tAc "SELECT count(*) FROM hinge.fleet_rollouts")" "$before"

# The canary (first by hash) is frozen before the rollout starts: it will
# not heartbeat, so it must count as unreachable.
canary=$(python3 -c 'import hashlib,sys; print(sorted(sys.argv[1:], key=lambda h: hashlib.sha256(h.encode()).hexdigest())[0])' web1 web2 web3)
eval "kill -STOP \$pid_$canary"
id=$(F fleet start "$T/change.conf" --waves 1,50%,100% --select role=web --reason "canary first")
ok "a fleet rollout starts ($id)" test -n "$id"
waves=$(psql "$conninfo" -tAc "SELECT string_agg(wave::text || ':' || host_id, ' ' ORDER BY wave, host_id) FROM hinge.fleet_assignments WHERE rollout_id = '$id'")
is "cumulative waves: 1 host, then up to half, then the rest" "$(echo "$waves" | tr ' ' '\n' | cut -d: -f1 | tr '\n' ' ')" "1 2 3 "
id2=$(F fleet start "$T/change.conf" --waves 1,50%,100% --select role=web)
is "the same hosts land in the same waves on a re-run" \
	"$(psql "$conninfo" -tAc "SELECT string_agg(wave::text || ':' || host_id, ' ' ORDER BY wave, host_id) FROM hinge.fleet_assignments WHERE rollout_id = '$id2'")" "$waves"
ok "the selector kept db1 out" sh -c "! echo '$waves' | grep -q db1"
is "status shows wave 1 open" "$(F --json fleet status "$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["current_wave"])')" "running 1"
expect_exit "abort of the second rollout" 0 F fleet abort "$id2" --reason "one at a time"
is "it ended aborted" "$(F --json fleet status "$id2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "aborted"

# The frozen canary is unreachable and the budget (0) halts the rollout.
is "the canary is the first host by hash" "$(echo "$waves" | tr ' ' '\n' | sed -n 's/^1://p')" "$canary"
is "the rollout keeps its starter's late_after" "$(psql "$conninfo" -tAc "SELECT late_ms FROM hinge.fleet_rollouts WHERE id = '$id'")" "3600000"
psql "$conninfo" -qc "UPDATE hinge.fleet_rollouts SET late_ms = 500 WHERE id = '$id'"
ok "an unreachable canary halts the rollout" wait_for 30 sh -c "[ \"\$($HINGE -c $T/op/hinge.conf --json fleet status $id | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"state\"])')\" = failed ]"
is "the canary is shown unreachable" "$(F --json fleet status "$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([h["state"] for h in d["hosts"] if h["host"]==sys.argv[1]][0])' "$canary")" "unreachable"
ok "fleet hosts marks it unreachable" sh -c "$HINGE -c $T/watch/hinge.conf --json fleet hosts | python3 -c 'import json,sys; sys.exit(0 if [h for h in json.load(sys.stdin)[\"hosts\"] if h[\"host\"]==\"$canary\"][0][\"unreachable\"] else 1)'"
eval "kill -CONT \$pid_$canary"
ok "events record the start and the halt" sh -c "$HINGE -c $T/op/hinge.conf fleet events $id | grep -q 'kind=failed'"
ok "history lists both rollouts" sh -c "[ \$($HINGE -c $T/op/hinge.conf --json fleet history | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"rollouts\"]))') -ge 2 ]"
hinge_conf "$T/nofleet.conf" ""
expect_exit "without a fleet group: exit 2" 2 "$HINGE" -c "$T/nofleet.conf" fleet hosts
ok "and says so" grep -q "no fleet group" "$TAP_LOG"
for h in web1 web2 web3 db1; do eval "kill -TERM \$pid_$h"; done
wait 2>/dev/null
done_testing
