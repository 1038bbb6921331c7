#!/bin/sh
# bench/fleet.sh - what fleet coordination costs the shared PostgreSQL:
# N simulated agents (bench/fleet_sim: threads running the agent's real
# fleet loop, each with its own state database and two connections)
# against a private PostgreSQL with fsync on.  Measures the idle load
# (heartbeats and polling: transactions and server CPU per host), then
# ROUNDS fleet rollouts of a one-step change over waves 1,100%: the
# time from wave 2 opening to every host starting its local rollout,
# and the transactions a rollout adds.  Prints the figures and writes
# them, with the estimate of hosts per server, into bench/README.md
# between the FLEET markers.
#
#   usage: bench/fleet.sh [N [BUILD_DIR]]   (default 200, _build)
#   FLEET_ROUNDS (3) and FLEET_IDLE_S (30) shorten a trial run.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
build=${2:-$top/_build}
rounds=${FLEET_ROUNDS:-3}
idle_s=${FLEET_IDLE_S:-30}
T=$(mktemp -d /tmp/hinge-fleet-bench.XXXXXX)
chmod 755 "$T"
. "$top/tests/lib/pg.sh"
sim=""
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; pg_stop "$T/pg"; rm -rf "$T"' EXIT

pg_start "$T/pg" >/dev/null
cat >>"$T/pg/data/postgresql.conf" <<CONF
fsync = on
full_page_writes = on
max_connections = $((2 * n + 50))
CONF
pg_as_postgres "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" -w restart >/dev/null
createdb fleet
conninfo="host=$T/pg user=postgres dbname=fleet"
q() { psql -d fleet -tAXc "$1"; }

for i in $(seq 0 $((n - 1))); do
	mkdir -p "$T/h$i"
	cat >"$T/h$i/hinge.conf" <<CONF
agent: { state_db = "$T/h$i/state.db"; plugin_dir = [ ]; log_level = "warning"; };
fleet: { conninfo = "$conninfo"; host_id = "sim-$i"; labels = { role = "web"; }; };
CONF
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true # a state database and two connections per host
# shellcheck disable=SC2046
"$build/bench/fleet_sim" $(for i in $(seq 0 $((n - 1))); do echo "$T/h$i/hinge.conf"; done) \
	>"$T/sim.out" 2>"$T/sim.err" &
sim=$!
for i in $(seq 600); do
	[ "$(q 'SELECT count(*) FROM hinge.fleet_hosts' 2>/dev/null || echo 0)" = "$n" ] && break
	sleep 0.2
done
[ "$(q 'SELECT count(*) FROM hinge.fleet_hosts')" = "$n" ] || { tail "$T/sim.err" >&2; exit 1; }
sleep 6 # every host past its first heartbeat and poll

xacts() { q "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'fleet'"; }
# CPU ticks of every server process (postmaster and backends).
pg_ticks() {
	_pm=$(head -1 "$T/pg/data/postmaster.pid")
	for p in $_pm $(pgrep -P "$_pm"); do
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}
sim_ticks() { awk '{ print $14 + $15 }' "/proc/$sim/stat"; }
hz=$(getconf CLK_TCK)

x0=$(xacts); c0=$(pg_ticks); s0=$(sim_ticks)
sleep $idle_s
x1=$(xacts); c1=$(pg_ticks); s1=$(sim_ticks)
idle_tps=$(awk -v a="$x0" -v b="$x1" -v t=$idle_s 'BEGIN { printf "%.1f", (b - a) / t }')
idle_cpu=$(awk -v a="$c0" -v b="$c1" -v t=$idle_s -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz / t }')
sim_cpu=$(awk -v a="$s0" -v b="$s1" -v t=$idle_s -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz / t }')

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
: >"$T/rounds"
for r in $(seq $rounds); do
	printf 'change: { id = "sim%s"; steps = ( { name = "p"; pause = "1ms"; } ); };\n' "$r" >"$T/sim$r.conf"
	x0=$(xacts); t0=$(now_ms)
	id=$("$build/hinge" -c "$T/h0/hinge.conf" fleet start "$T/sim$r.conf" --waves 1,100% --reason bench 2>>"$T/cli.err")
	for i in $(seq 1200); do
		[ "$(q "SELECT state FROM hinge.fleet_rollouts WHERE id = '$id'")" = completed ] && break
		sleep 0.05
	done
	t1=$(now_ms)
	[ "$(q "SELECT state FROM hinge.fleet_rollouts WHERE id = '$id'")" = completed ] ||
		{ echo "round $r: rollout $id did not complete:" >&2
		  q "SELECT state, current_wave FROM hinge.fleet_rollouts WHERE id = '$id'" >&2
		  q "SELECT wave, state, count(*) FROM hinge.fleet_assignments WHERE rollout_id = '$id' GROUP BY 1, 2" >&2
		  tail -5 "$T/sim.err" >&2; exit 1; }
	sleep 2 # let the backends flush their statistics
	x1=$(xacts)
	opened=$(q "SELECT (extract(epoch FROM time) * 1000)::bigint FROM hinge.fleet_events
		    WHERE rollout_id = '$id' AND kind = 'wave' AND message = 'wave 2 opened'")
	for h in $(q "SELECT substr(host_id, 5) FROM hinge.fleet_assignments WHERE rollout_id = '$id' AND wave = 2"); do
		s=$(sqlite3 "$T/h$h/state.db" "SELECT created_ms FROM rollouts ORDER BY created_ms DESC LIMIT 1")
		echo $((s - opened))
	done | sort -n >"$T/lat$r"
	total=$(wc -l <"$T/lat$r")
	p50=$(awk -v n="$total" 'NR == int((n + 1) / 2)' "$T/lat$r")
	p95=$(awk -v n="$total" 'NR == int(n * 0.95 + 0.999)' "$T/lat$r")
	max=$(tail -1 "$T/lat$r")
	extra=$(awk -v a="$x0" -v b="$x1" -v i="$idle_tps" -v ms=$((t1 - t0 + 2000)) 'BEGIN { printf "%d", (b - a) - i * ms / 1000 }')
	echo "$r $((t1 - t0)) $p50 $p95 $max $extra $total" >>"$T/rounds"
	echo "round $r: rollout $((t1 - t0)) ms, wave 2 ($total hosts) started p50 $p50 ms, p95 $p95 ms, all $max ms, $extra transactions" >&2
done
dur=$(awk '{ print $2 }' "$T/rounds" | median)
p50=$(awk '{ print $3 }' "$T/rounds" | median)
p95=$(awk '{ print $4 }' "$T/rounds" | median)
max=$(awk '{ print $5 }' "$T/rounds" | median)
extra=$(awk '{ print $6 }' "$T/rounds" | median)

per_host_tps=$(awk -v t="$idle_tps" -v n="$n" 'BEGIN { printf "%.3f", t / n }')
per_host_cpu_ms=$(awk -v c="$idle_cpu" -v n="$n" 'BEGIN { printf "%.3f", c / n * 1000 }')
# One server's budget: half of its cores for coordination, the rest for
# the application it serves; connections: two per host, 100 kept back.
cores=$(nproc)
by_cpu=$(awk -v c="$idle_cpu" -v n="$n" -v k="$cores" 'BEGIN { printf "%d", 0.5 * k / (c / n) }')
by_conn_1k=$(((1000 - 100) / 2))

disk=$(df -h "$T" | awk 'NR == 2 { print $1 " (" $2 ")" }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
pgv=$(q 'SHOW server_version')
report=$(cat <<REPORT
<!-- FLEET -->
### Fleet coordination (\`bench/fleet.sh $n\`)

Run on $(date -u +%Y-%m-%d), $cpu, $cores cores (the agents and the server
share them), PostgreSQL $pgv with fsync on, its data on $disk.
$n simulated hosts: \`bench/fleet_sim\` runs the agent's real fleet loop
in one thread per host (heartbeat thread and connection, LISTEN/NOTIFY
with polling, the row-locked state machine, a local rollout in the
host's own SQLite state database); default intervals (heartbeat 5 s,
poll 2 s). Rollouts: a one-step change (a 1 ms pause) over waves
\`1,100%\`, $rounds rounds, medians shown.

| figure | value |
| --- | --- |
| server connections held | $((2 * n)) (two per host) |
| idle load: transactions per second at the server | $idle_tps ($per_host_tps per host) |
| idle load: server CPU | $idle_cpu cores ($per_host_cpu_ms ms per host per second) |
| idle load: the $n agents' own CPU | $sim_cpu cores |
| wave opening to a host starting: p50 / p95 / all $((n - 1)) hosts | $p50 / $p95 / $max ms |
| a whole rollout, start to completed | $dur ms |
| transactions a rollout adds | $extra ($(awk -v e="$extra" -v n="$n" 'BEGIN { printf "%.1f", e / n }') per host) |

**How many hosts one PostgreSQL carries.** Idle coordination costs
c = $per_host_cpu_ms ms of server CPU per host per second, so hosts
≈ (share of the server's cores given to coordination) / c: with half of
these $cores cores, 0.5 × $cores × 1000 / $per_host_cpu_ms ≈ **$by_cpu hosts**
by CPU, and the cost scales linearly with 1/heartbeat and 1/poll (both
settings). Connections bind first: two per host, so max_connections =
1,000 with 100 kept for the application carries $by_conn_1k hosts. A
wave's opening is a burst of the transactions a rollout adds (per host:
the claim, each step's report, the outcome, the advance), spread over
the p95 start time. Beyond a few hundred hosts: a connection pooler in
session mode for the heartbeat connections (LISTEN needs a session), a
longer heartbeat and poll, and \`late_after\` raised to match; the state
machine's row locks serialise only the advance of one rollout.
<!-- /FLEET -->
REPORT
)
echo "$report"
readme=$top/bench/README.md
python3 "$top/bench/readme_section.py" "$readme" FLEET "$report"
