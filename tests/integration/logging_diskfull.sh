#!/bin/sh
# logging_diskfull.sh - the state database on a full disk (a 2 MB tmpfs):
# failed rows of execution_tasks are not lost, their cursor waits; events
# the agent raises meanwhile are lost, counted and reported; once there is
# room again everything flows, at least once and each event under one
# id.  A tailed file's lines too (built on two threads): a round that
# fails to commit takes the round read past it along, and both are read
# again once there is room, none lost.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_diskfull
mkdir -p "$W/disk"
mount -t tmpfs -o size=2m tmpfs "$W/disk" || bail "cannot mount a tmpfs (needs root)"
LG_MNT=$W/disk
LG_STATE=$W/disk/state.db
LG_FILE=$W/disk/events.jsonl
lg_double sentry
LOGGLY_PORT=9 # nothing listens: Loggly's share stays in the spool
python3 - "$W/app.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write("2026-11-26T08:00:00 app: ERROR tailed line %d %s\n" % (i, "y" * 80))
PY
lg_config "sentry_sample_rate = 0.0; tail_files = [\"$W/app.log\"]; tail_from_start = true;
    tail_interval = \"50ms\"; tail_max_bytes = \"16k\"; tail_threads = 2;"
lg_psql "INSERT INTO execution_tasks (task_type, status, error)
         SELECT 'implement_idea', 'failed', 'upstream failure ' || g || ' ' || repeat('x', 600)
         FROM generate_series(1, 3000) AS g"
lg_agent_start
ok "the full disk is reported" lg_wait 30 grep -q "pg_source failed" "$W/agent.err"
ok "and the agent's own events it could not spool are counted" \
	lg_wait 10 grep -q "an event could not be spooled ([0-9]* lost so far)" "$W/agent.err"
cursor_before=$(lg_sql "SELECT id FROM logging_pg_cursor" 2>/dev/null || echo 0)
mount -o remount,size=200m "$W/disk"
ok "with room again all 3012 failed rows and 20000 tailed lines reach the file" \
	lg_wait 90 sh -c "[ \$(grep -c '\"source\":\"pg\"' '$LG_FILE') -ge 3012 ] &&
		[ \$(grep -c '\"source\":\"file\"' '$LG_FILE') -ge 20000 ]"
sleep 0.5
lg_agent_stop
ok "a full state database is not blamed on the tailed file" \
	sh -c "! grep -q 'app.log cannot be read' '$W/agent.err'"
ok "but named as what held its lines back" \
	grep -q "app.log cannot be stored in the state database" "$W/agent.err"
# Delivery is at least once: a batch the file took whose spool update
# then failed on the full disk is sent again, under the same event ids.
# So every line and row is there, and its copies share one id.
is "every tailed line, each under one event id" "$(python3 -c 'import json,re,sys
evs = [json.loads(l) for l in open(sys.argv[1]) if "\"source\":\"file\"" in l]
ns = {int(re.search(r"tailed line (\d+)", e["message"]).group(1)) for e in evs}
pairs = {(re.search(r"tailed line (\d+)", e["message"]).group(1), e["event_id"]) for e in evs}
print(len(ns), min(ns), max(ns), len(pairs))' "$LG_FILE")" "20000 0 19999 20000"
is "every failed row, each under one event id" "$(python3 -c 'import json,sys
evs = [json.loads(l) for l in open(sys.argv[1]) if "\"source\":\"pg\"" in l]
print(len({e["detail"]["id"] for e in evs}), len({(e["detail"]["id"], e["event_id"]) for e in evs}))' "$LG_FILE")" "3012 3012"
ok "the cursor had stopped short while the disk was full" \
	[ "${cursor_before:-0}" -lt 3212 ]
is "the cursor reached the last row" "$(lg_sql "SELECT id FROM logging_pg_cursor")" 3212
done_testing
