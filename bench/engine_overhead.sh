#!/bin/sh
# bench/engine_overhead.sh - the rollout engine's overhead per step: a
# change of 1,000 fault.noop steps run by `hinge rollout start` on the
# state database's real disk (synchronous=FULL), against the bound
# "commits per step x one commit's time" measured in the same run.
# Commits per step are counted from the events the rollout recorded
# (every engine commit appends exactly one).  Prints the figures and
# writes them into bench/README.md between the ENGINE markers.
#
#   usage: bench/engine_overhead.sh [BUILD_DIR]  (default _build; run tests/run.sh first)
# Target: the time per step within 1.5x of the bound.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
hinge=$build/hinge
steps=1000
rounds=3
T=$(mktemp -d "${TMPDIR:-/var/tmp}/hinge-bench.XXXXXX")
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
mkdir "$T/fault"
cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$build/tests/plugins/.libs" ]; log_level = "error"; };
plugins: { fault: { enabled = true; dir = "$T/fault"; }; };
CONF
write_change() { # ID
	{
		echo "change: { id = \"$1\"; steps = ("
		for i in $(seq $steps); do
			sep=,; [ "$i" -eq $steps ] && sep=
			echo "  { name = \"s$i\"; action = \"fault.noop\"; }$sep"
		done
		echo '); };'
	} >"$T/$1.conf"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
commit() { "$build/bench/engine_commit" "$T/state.db" 200 | awk '{ print $2 }'; }
"$hinge" -c "$T/hinge.conf" rollout history >/dev/null # create and migrate once

# Rounds of: commits, the rollout, commits -- the disk's speed drifts, so
# the bound is measured around each run and medians are compared.
: >"$T/per_step"
: >"$T/commits"
for r in $(seq $rounds); do
	write_change "bench$r"
	commit >>"$T/commits"
	s=$(date +%s%N)
	"$hinge" -c "$T/hinge.conf" rollout start "$T/bench$r.conf" >/dev/null 2>&1
	echo $((($(date +%s%N) - s) / 1000 / steps)) >>"$T/per_step"
	commit >>"$T/commits"
	id=$(sqlite3 "$T/state.db" "SELECT id FROM rollouts WHERE change_id = 'bench$r'")
	state=$(sqlite3 "$T/state.db" "SELECT state FROM rollouts WHERE id = '$id'")
	[ "$state" = completed ] || { echo "the rollout ended $state" >&2; exit 1; }
	events=$(sqlite3 "$T/state.db" "SELECT count(*) FROM events WHERE rollout_id = '$id'")
done
per_us=$(median <"$T/per_step")
commit_us=$(median <"$T/commits")
figures=$(awk -v per="$per_us" -v n=$steps -v e="$events" -v c="$commit_us" 'BEGIN {
	cps = e / n; bound = cps * c
	printf "%.0f %.2f %.0f %.0f %.2f", per, cps, c, bound, per / bound }')
set -- $figures
disk=$(df -h "$T" | awk 'NR == 2 { print $1 " (" $2 ")" }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
report=$(cat <<REPORT
<!-- ENGINE -->
### Rollout engine overhead (\`bench/engine_overhead.sh\`)

Run on $(date -u +%Y-%m-%d), $cpu, $(nproc) cores, state database on $disk
(WAL, synchronous=FULL): one \`hinge rollout start\` of $steps \`fault.noop\`
steps (each capture, rehearse, apply, verify with every transition
committed), start-up and planning included.

| figure | value | target |
| --- | --- | --- |
| time per step (median of $rounds runs) | $1 µs | |
| commits per step (events recorded / steps) | $2 | |
| one commit (median of $((rounds * 2)) medians of 200, taken around each run) | $3 µs | |
| bound: commits per step × one commit | $4 µs | |
| time per step / bound | $5× | within 1.5× |
<!-- /ENGINE -->
REPORT
)
echo "$report"
python3 "$top/bench/readme_section.py" "$top/bench/README.md" ENGINE "$report"
