#!/bin/sh
# logging_delivery.sh - failed rows of execution_tasks reach Sentry, Loggly
# and a file through the spool; Sentry down for a while loses nothing;
# retries reuse the event id; secrets never leave the host.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_delivery
lg_double sentry --script "503,503,503"
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789
lg_config
lg_psql "INSERT INTO execution_tasks (task_type, status, error)
         VALUES ('implement_idea', 'failed',
                 'charge failed: password=hunter2 key sk_live_4eC39HqLyjWDarjtT1zdp7dc')"
lg_agent_start
ok "the file sink gets the 13 failed rows" lg_wait 20 sh -c "[ \$(wc -l <'$W/events.jsonl') -ge 13 ]"
ok "Sentry gets all 13 once it is back" lg_wait 20 lg_at_least sentry 13
ok "Loggly gets all 13" lg_wait 20 lg_at_least loggly 13
ok "the spool empties" lg_wait 10 sh -c "[ \$(sqlite3 '$W/state.db' 'SELECT count(*) FROM logging_chunks') -eq 0 ]"
lg_agent_stop

is "the file holds each event once" "$(lg_lines "$W/events.jsonl")" 13
first=$(python3 -c 'import json,sys
print(json.loads(open(sys.argv[1]).readline())["event_id"])' "$W/sentry.log")
is "the first three Sentry requests failed" \
	"$(grep -c '"status": 503' "$W/sentry.log")" 3
is "the retried event kept its id" \
	"$(grep "$first" "$W/sentry.log" | grep -c '"status": 200')" 1
is "Sentry saw the DSN's public key" \
	"$(grep -c '"auth": "pubkey123"' "$W/sentry.log")" "$(lg_lines "$W/sentry.log")"
is "Loggly saw the token in the URL" "$(grep -c '"auth": false' "$W/loggly.log")" 0
is "the same ids went to Loggly and Sentry" \
	"$(python3 -c 'import json,sys
ids = lambda f: {json.loads(l).get("event_id") for l in open(f)} - {None}
print(ids(sys.argv[1]) == ids(sys.argv[2]))' "$W/sentry.log" "$W/loggly.log")" True
is "the fixture's failures form three groups of four plus one" \
	"$(lg_sql "SELECT group_concat(count, ',') FROM (SELECT count FROM logging_groups WHERE source = 'pg' ORDER BY count)")" "1,4,4,4"
for f in sentry.log loggly.log events.jsonl state.db; do
	is "no password in $f" "$(grep -c hunter2 "$W/$f")" 0
	is "no Stripe key in $f" "$(grep -c sk_live_4eC39 "$W/$f")" 0
done
ok "the scrubbed message went out" grep -q 'password=\[Filtered\] key \[Filtered\]' "$W/events.jsonl"

# A restart reads nothing twice: the cursor and the seen ids are durable.
lg_agent_start
sleep 1
lg_psql "INSERT INTO execution_tasks (task_type, status, error)
         VALUES ('self_improvement', 'failed', 'timeout after 30s')"
ok "a new failure after a restart arrives" lg_wait 20 sh -c "[ \$(wc -l <'$W/events.jsonl') -ge 14 ]"
sleep 0.5
lg_agent_stop
is "and nothing else came again" "$(lg_lines "$W/events.jsonl")" 14

# What the logging.sink action writes: the file sink off, Sentry on.
lg_sql "INSERT INTO logging_sinks (name, enabled, sample_rate) VALUES ('file', 0, 1)"
lg_agent_start
lg_psql "INSERT INTO execution_tasks (task_type, status, error)
         VALUES ('self_improvement', 'failed', 'after the file sink was disabled')"
ok "Sentry still gets new events" lg_wait 20 lg_at_least sentry 15
sleep 0.5
lg_agent_stop
is "the disabled file sink gets none" "$(lg_lines "$W/events.jsonl")" 14
is "nor are they spooled for it" "$(lg_sql "SELECT count(*) FROM logging_pending WHERE sink = 'file'")" 0
done_testing
