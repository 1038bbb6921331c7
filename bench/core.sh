#!/bin/sh
# bench/core.sh - the agent core's figures: start-up time with every
# plugin that has landed, idle memory of `hinge agent` (RssAnon, with
# VmRSS beside it), and the cost of a host-function call.  Prints the
# figures and writes them into bench/README.md between the CORE markers.
#
#   usage: bench/core.sh [BUILD_DIR]    (default _build; run tests/run.sh first)
# Targets: start-up under 50 ms; RssAnon under 4 MiB.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
hinge=$build/hinge
runs=21
T=$(mktemp -d /tmp/hinge-bench.XXXXXX)
chmod 755 "$T"
. "$top/tests/lib/pg.sh"
trap 'kill $agent 2>/dev/null; pg_stop "$T/pg"; rm -rf "$T"' EXIT
agent=""
# The plugins that need a database get one: a private PostgreSQL with the
# application's schema.
pg_start "$T/pg" >/dev/null
createdb app
psql -q -d app -f "$top/tests/fixtures/app_schema.sql"
conninfo="host=$T/pg user=postgres dbname=app"

dirs="\"$build/tests/plugins/.libs\""
plugins="example: { enabled = true; interval = \"60s\"; };"
for d in "$build"/plugins/*/.libs; do
	[ -d "$d" ] || continue
	dirs="$dirs, \"$d\""
	case $(basename "$(dirname "$d")") in
	migration | feedback | perf) plugins="$plugins $(basename "$(dirname "$d")"): { enabled = true; conninfo = \"$conninfo\"; };" ;;
	logging) plugins="$plugins logging: { enabled = true; pg_conninfo = \"$conninfo\"; };" ;;
	roi) plugins="$plugins roi: { enabled = true; };" ;;
	bias_audit) plugins="$plugins bias_audit: { enabled = true; attributes = [ \"plan\" ]; prediction_column = \"approved\"; };" ;;
	esac
done
cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ $dirs ]; log_level = "error"; };
plugins: { $plugins };
CONF
"$hinge" -c "$T/hinge.conf" plugins >/dev/null # create and migrate the state once

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Start-up: `hinge plugins` = read config, open state, load every plugin.
for i in $(seq $runs); do
	s=$(date +%s%N)
	"$hinge" -c "$T/hinge.conf" plugins >/dev/null
	echo $((($(date +%s%N) - s) / 1000))
done | median >"$T/startup_us"
startup_ms=$(awk '{ printf "%.2f", $1 / 1000 }' "$T/startup_us")

# Idle memory: an agent left alone for a second, five times.
rss_runs=5
for i in $(seq $rss_runs); do
	"$hinge" -c "$T/hinge.conf" agent 2>/dev/null &
	agent=$!
	sleep 1
	awk '/^RssAnon/ { a = $2 } /^VmRSS/ { v = $2 } END { print a, v }' /proc/$agent/status
	kill $agent
	wait $agent 2>/dev/null || true
	agent=""
done >"$T/rss"
rss_anon=$(awk '{ print $1 }' "$T/rss" | median)
vm_rss=$(awk '{ print $2 }' "$T/rss" | median)

"$build/bench/hostcall" "$T/hinge.conf" 10000000 >"$T/hostcall"
host_ns=$(awk '/host_call_ns/ { print $2 }' "$T/hostcall")
direct_ns=$(awk '/direct_call_ns/ { print $2 }' "$T/hostcall")

disk=$(df -h "$T" | awk 'NR == 2 { print $1 " (" $2 ")" }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
report=$(cat <<REPORT
<!-- CORE -->
### Agent core (\`bench/core.sh\`)

Run on $(date -u +%Y-%m-%d), $cpu, $(nproc) cores, state database on $disk,
plugins loaded: example$(for d in "$build"/plugins/*/.libs/*.so; do [ -e "$d" ] && printf ', %s' "$(basename "$d" .so)"; done).

| figure | median of | value | target |
| --- | --- | --- | --- |
| start-up (\`hinge plugins\`: config, state, every plugin) | $runs runs | $startup_ms ms | under 50 ms |
| idle \`hinge agent\`, RssAnon | $rss_runs runs, after 1 s | $rss_anon KiB | under 4096 KiB |
| idle \`hinge agent\`, VmRSS | $rss_runs runs, after 1 s | $vm_rss KiB | (reported) |
| host-function call (\`setting_double\` through the table) | 10,000,000 calls | $host_ns ns | (reported) |
| the same function called directly | 10,000,000 calls | $direct_ns ns | (reported) |
<!-- /CORE -->
REPORT
)
echo "$report"
readme=$top/bench/README.md
[ -f "$readme" ] || printf '# Benchmarks\n\nEach section is written by the script it names.\n\n<!-- CORE -->\n<!-- /CORE -->\n' >"$readme"
python3 "$top/bench/readme_section.py" "$readme" CORE "$report"
