#!/bin/sh
# logging_failures.sh - what the sinks answer decides each event's fate:
# 429 waits for Retry-After, a rate limit on a 200 is honoured, 400 goes
# to the dead letters, 413 splits the batch; a kill -9 with events in the
# spool loses none and keeps their ids; a corrupt row does not stop the
# good ones; past the spool's cap the oldest are dropped and counted.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_failures
lg_double sentry --script "429+ra=1,200+rl=1:error:key,400"
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789 --max-bytes 2500
lg_config
lg_agent_start
ok "Sentry ends with 11 events" lg_wait 20 lg_at_least sentry 11
ok "Loggly ends with all 12" lg_wait 20 lg_at_least loggly 12
ok "one event is dead" lg_wait 10 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT count(*) FROM logging_dead') -eq 1 ]"
lg_agent_stop

gap() { # seconds between request $2 and $3 of double $1
	python3 -c 'import json,sys
t = {}
for line in open(sys.argv[1]):
    r = json.loads(line); t.setdefault(r["n"], r["t"])
print(int(t[int(sys.argv[3])] - t[int(sys.argv[2])] >= 0.95))' "$W/$1.log" "$2" "$3"
}
is "the second request waited out Retry-After" "$(gap sentry 1 2)" 1
is "the third waited out X-Sentry-Rate-Limits" "$(gap sentry 2 3)" 1
is "the dead letter names the reply" \
	"$(lg_sql "SELECT sink || ' ' || substr(reason, 1, 8) FROM logging_dead")" "sentry HTTP 400"
is "the dead event is the one Sentry refused" \
	"$(lg_sql "SELECT event_id FROM logging_dead")" \
	"$(python3 -c 'import json,sys
print([json.loads(l)["event_id"] for l in open(sys.argv[1]) if json.loads(l)["status"] == 400][0])' "$W/sentry.log")"
ok "Loggly answered 413 to the whole batch" grep -q '"status": 413' "$W/loggly.log"
is "Loggly got no event twice" "$(grep -c '"status": 200' "$W/loggly.log")" 12
is "and nothing went dead there" "$(lg_sql "SELECT count(*) FROM logging_dead WHERE sink = 'loggly'")" 0

# Sinks unreachable: the events wait in the spool.  kill -9, corrupt a row,
# come back with the sinks up.
lg_psql "INSERT INTO execution_tasks (task_type, status, error)
         SELECT 'implement_idea', 'failed', 'quota exceeded for user ' || g
         FROM generate_series(1, 8) AS g"
kill "$(echo $LG_PIDS | cut -d' ' -f2)"
LOGGLY_PORT=9 # nothing listens there
lg_config 'spool_max_events = 6; sentry_sample_rate = 0.0;'
lg_agent_start
ok "the new failures are spooled" lg_wait 20 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT coalesce(sum(left), 0) FROM logging_pending') -ge 6 ]"
# The delivery job applies the cap and logs it once committed, then
# drains each sink: the kill comes once the file sink has taken its
# events (else the corrupt row below would wait for two sinks and become
# two dead letters), however long the job takes to run.
lg_wait 20 grep -q "dropped the 2 oldest" "$W/agent.err"
lg_wait 20 sh -c "[ \$(sqlite3 '$W/state.db' \"SELECT count(*) FROM logging_pending WHERE sink = 'file'\") -eq 0 ]"
lg_agent_kill
is "the cap held the spool to 6" "$(lg_sql 'SELECT sum(left) FROM logging_chunk_left')" 6
is "six events wait in the rows" "$(lg_spooled | wc -l)" 6
is "the 2 oldest were counted as dropped" \
	"$(lg_sql "SELECT value FROM logging_counters WHERE name = 'dropped'")" 2
ok "and reported" grep -q "dropped the 2 oldest" "$W/agent.err"
is "sampled out of Sentry" "$(lg_sql "SELECT count(*) FROM logging_pending WHERE sink = 'sentry'")" 0
lg_spooled >"$W/spooled"
lg_spooled corrupt
# The spool as a build before never reused chunk ids left it (each
# chunk's count in its own row): the restart migrates it with these
# events waiting (rows the cap cut into).
version=$(lg_sql "SELECT version FROM plugin_schema WHERE plugin = 'logging'")
lg_sql "BEGIN;
CREATE TABLE old_chunks (id INTEGER PRIMARY KEY, n INTEGER NOT NULL,
 left INTEGER NOT NULL, time_ms INTEGER NOT NULL, ids TEXT NOT NULL,
 bodies TEXT NOT NULL, sum BLOB);
INSERT INTO old_chunks SELECT c.id, c.n, l.left, c.time_ms, c.ids, c.bodies, c.sum
 FROM logging_chunks c JOIN logging_chunk_left l ON l.chunk = c.id;
DROP TABLE logging_chunks;
DROP TABLE logging_chunk_left;
DELETE FROM sqlite_sequence WHERE name = 'logging_chunks';
ALTER TABLE old_chunks RENAME TO logging_chunks;
UPDATE plugin_schema SET version = version - 1 WHERE plugin = 'logging';
COMMIT;"
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789
before=$(lg_accepted loggly)
lg_config
lg_agent_start
ok "the five good ones arrive after the restart" lg_wait 20 lg_at_least loggly $((before + 5))
ok "the corrupt row is a dead letter" lg_wait 10 sh -c "[ \$(sqlite3 '$W/state.db' \"SELECT count(*) FROM logging_dead WHERE reason LIKE 'corrupt spool row%'\") -eq 1 ]"
lg_agent_stop
is "the restart migrated the spool" \
	"$(lg_sql "SELECT version FROM plugin_schema WHERE plugin = 'logging'")" "$version"
is "to chunk ids never reused" "$(lg_sql "SELECT sql LIKE '%AUTOINCREMENT%'
	FROM sqlite_master WHERE name = 'logging_chunks'")" 1
is "and each chunk's count in a row of its own, all delivered" \
	"$(lg_sql "SELECT count(*) FROM logging_chunk_left")" 0
is "the dead letter keeps the broken body under its own id" \
	"$(lg_sql "SELECT event_id || ' ' || body FROM logging_dead WHERE reason LIKE 'corrupt%'")" \
	"$(head -1 "$W/spooled") {\"event_id\": broken"
is "they kept the ids they were spooled with" "$(python3 -c 'import json,sys
sent = {json.loads(l).get("event_id") for l in open(sys.argv[1])}
spooled = open(sys.argv[2]).read().split()[1:]
print(all(i in sent for i in spooled))' "$W/loggly.log" "$W/spooled")" True
is "the spool is empty" "$(lg_sql 'SELECT count(*) FROM logging_pending')" 0
is "and holds no row" "$(lg_sql 'SELECT count(*) FROM logging_chunks')" 0
done_testing
