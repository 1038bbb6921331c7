#!/bin/sh
# logging_sink_off.sh - a sink the logging.sink action turned off gets no
# event from the agent's start on: the tailer reads the sinks' state
# before it spools, not only the delivery job at its runs.  A lock held
# on the state database while the agent starts makes the delivery job's
# first run wait, so the tailer's first round comes first.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_sink_off
SENTRY_PORT=9 LOGGLY_PORT=9 # not used: sampled out
for i in $(seq 1 50); do echo "ERROR early line $i"; done >"$W/app.log"
lg_config "sentry_sample_rate = 0.0; loggly_sample_rate = 0.0;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";"
sed -i '/pg_conninfo/d' "$W/hinge.conf"
"$HINGE_BUILDDIR/hinge" -c "$W/hinge.conf" errors top >/dev/null 2>&1 # the state database
lg_sql "INSERT INTO logging_sinks (name, enabled, sample_rate) VALUES ('file', 0, 1)"
python3 - "$W/state.db" "$W/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(2)
c.execute("COMMIT")
PY
locker=$!
LG_PIDS="$LG_PIDS $locker"
ok "the state database is locked" lg_wait 20 test -e "$W/locked"
lg_agent_start
wait "$locker"
file_hits() { lg_sql "SELECT coalesce(sum(n), 0) FROM logging_hits WHERE fingerprint IN
    (SELECT fingerprint FROM logging_groups WHERE source = 'file')"; }
all_spooled() { [ "$(file_hits)" -ge 50 ]; }
ok "the lines are spooled" lg_wait 20 all_spooled
lg_agent_stop
is "none waits for the file sink, which is off" \
	"$(lg_sql "SELECT count(*) FROM logging_pending WHERE sink = 'file'")" 0
is "none was written to its file" "$(lg_lines "$W/events.jsonl")" 0
done_testing
