#!/bin/sh
# logging_batch.sh - the tailer's group commit: lines and their offset go
# into the spool one bounded batch (tail_max_bytes) per transaction; a
# kill -9 in the middle of a long file loses no line whose batch was
# committed, and after the restart every line arrives, a line sent twice
# (at-least-once) with the same event id both times.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_batch
SENTRY_PORT=9 LOGGLY_PORT=9 # not used: sampled out
N=60000
LEN=100 # bytes per line, newline included
MAX=4096
lg_fixed_lines "$W/app.log" "$N" "$LEN" batch
lg_config "sentry_sample_rate = 0.0; loggly_sample_rate = 0.0;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";
    tail_max_bytes = $MAX; batch_size = 500;"

lg_agent_start
# Kill once the tailer is a few batches in: its committed offset, not
# the sink (which may lag far behind), says where it is.
ok "the tailer is under way" lg_wait 60 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT coalesce(max(offset), 0) FROM logging_tail' 2>/dev/null || echo 0) -ge $((20 * MAX)) ]"
lg_agent_kill
file_hits="logging_hits WHERE fingerprint IN (SELECT fingerprint FROM logging_groups WHERE source = 'file')"
offset=$(lg_sql "SELECT offset FROM logging_tail")
spooled=$(lg_sql "SELECT coalesce(sum(n), 0) FROM $file_hits")
ok "the kill came while lines were still unread" [ "$offset" -lt $((N * LEN)) ]
is "the offset is at a line's end" $((offset % LEN)) 0
is "the lines before the offset, and only they, were spooled" "$spooled" $((offset / LEN))
ok "one transaction per batch: several of them" \
	[ "$(lg_sql "SELECT count(*) FROM $file_hits")" -ge 2 ]
is "no batch over tail_max_bytes" \
	"$(lg_sql "SELECT max(n) <= $MAX / $LEN FROM $file_hits")" 1

lg_agent_start
ok "after the restart all $N lines arrive" \
	lg_wait 180 sh -c "[ \$(wc -l <'$W/events.jsonl') -ge $N ]"
ok "the spool empties" lg_wait 20 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT count(*) FROM logging_chunks') -eq 0 ]"
lg_agent_stop
is "each line arrived, under one event id" "$(python3 - "$W/events.jsonl" <<'PY'
import json, sys
ids = {}
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["source"] == "file":
        ids.setdefault(e["message"].split()[3], set()).add(e["event_id"])
print(len(ids), max(len(v) for v in ids.values()))
PY
)" "$N 1"
is "counted once per line" "$(lg_sql "SELECT count FROM logging_groups WHERE source = 'file'")" "$N"
done_testing
