#!/bin/sh
# bench/logging_tail.sh - events per second from a tailed file through the
# durable spool to a local JSON-lines sink, and CPU per 10,000 events;
# then, when rsyslogd is installed (Debian's rsyslog package), the same
# file forwarded by rsyslog's imfile through a disk-assisted queue to
# omfile.  Figures in bench/logging_results.md.
#
#   N=200000 THREADS=1 BATCH=10000 bench/logging_tail.sh [BUILDDIR]
#
# THREADS is the plugin's tail_threads (default 1, its default); empty
# leaves the setting out, for builds from before it (BUILDDIR).  CPUS,
# when set, pins hinge to those CPUs (taskset -c CPUS: CPUS=0 for the
# one-core target); rsyslog and the watcher stay unpinned.  BATCH is the
# plugin's batch_size (default 10,000, its largest; the plugin's own
# default is 500).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
N=${N:-200000}
THREADS=${THREADS-1}
BATCH=${BATCH:-10000}
W=$(mktemp -d /tmp/hinge-bench-logging.XXXXXX)
trap 'kill $(cat "$W/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT INT TERM
: >"$W/pids"

python3 - "$W/app.log" "$N" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write("2026-11-25T20:%02d:%02d app[%d]: ERROR request %d failed: "
                "upstream timeout after %dms user=u%d\n"
                % (i // 60 % 60, i % 60, 1000 + i % 7, i, 100 + i % 900, i % 50))
PY

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
cpu_s() { # user+system seconds of a process so far
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
wait_lines() { # FILE N T0: until FILE has N lines; prints seconds since T0
	# counts only what was appended since its last look, so that watching
	# costs little of the CPU the two programs measured share
	python3 - "$1" "$2" "$3" <<'PY'
import sys, time
t0, want, seen, f = float(sys.argv[3]), int(sys.argv[2]), 0, None
while seen < want:
    if f is None:
        try:
            f = open(sys.argv[1], "rb")
        except FileNotFoundError:
            pass
    if f is not None:
        seen += f.read().count(b"\n")
    if seen < want:
        time.sleep(0.05)
print("%.3f" % (time.time() - t0))
PY
}

cat >"$W/hinge.conf" <<CONF
agent: { state_db = "$W/state.db"; plugin_dir = "$build/plugins/logging/.libs";
         log_level = "warning"; };
plugins: { logging: {
  enabled = true;
  tail_files = ["$W/app.log"]; tail_from_start = true; tail_interval = "50ms";
  file_path = "$W/hinge.jsonl"; flush_interval = "50ms"; batch_size = $BATCH;
  spool_max_events = 10000000; ${THREADS:+tail_threads = $THREADS;}
}; };
CONF
t0=$(date +%s.%N)
${CPUS:+taskset -c "$CPUS"} "$build/hinge" -c "$W/hinge.conf" agent 2>"$W/hinge.err" &
pid=$!
echo "$pid" >>"$W/pids"
secs=$(wait_lines "$W/hinge.jsonl" "$N" "$t0")
cpu=$(cpu_s "$pid")
kill "$pid"; wait "$pid" 2>/dev/null || true
awk -v n="$N" -v s="$secs" -v c="$cpu" -v t="${THREADS:-unset}" -v p="${CPUS:+, on CPU $CPUS}" -v b="$BATCH" 'BEGIN {
	printf "hinge (tail_threads = %s, batch_size = %s%s) %d events in %.2f s: %.0f events/s, %.3f CPU s per 10,000 events, %.0f events per CPU second\n",
	       t, b, p, n, s, n / s, c / n * 10000, n / c }'

if ! command -v rsyslogd >/dev/null; then
	echo "rsyslog  not installed (apt-get install rsyslog): skipped"
	exit 0
fi
mkdir -p "$W/rsyslog"
cat >"$W/rsyslog.conf" <<CONF
global(workDirectory="$W/rsyslog")
module(load="imfile")
input(type="imfile" file="$W/app.log" tag="app" ruleset="fwd"
      freshStartTail="off")
template(name="json" type="list") {
  constant(value="{\"message\":\"") property(name="msg" format="json")
  constant(value="\"}\n")
}
ruleset(name="fwd" queue.type="LinkedList" queue.filename="fwd"
        queue.saveOnShutdown="on" queue.maxDiskSpace="1g") {
  if \$msg contains "ERROR" then action(type="omfile" file="$W/rsyslog.jsonl" template="json")
}
CONF
t0=$(date +%s.%N)
rsyslogd -n -f "$W/rsyslog.conf" -i "$W/rsyslog.pid" 2>"$W/rsyslog.err" &
pid=$!
echo "$pid" >>"$W/pids"
secs=$(wait_lines "$W/rsyslog.jsonl" "$N" "$t0")
cpu=$(cpu_s "$pid")
kill "$pid"; wait "$pid" 2>/dev/null || true
awk -v n="$N" -v s="$secs" -v c="$cpu" 'BEGIN {
	printf "rsyslog %d events in %.2f s: %.0f events/s, %.3f CPU s per 10,000 events, %.0f events per CPU second\n",
	       n, s, n / s, c / n * 10000, n / c }'
