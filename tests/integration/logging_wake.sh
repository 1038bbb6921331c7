#!/bin/sh
# logging_wake.sh - delivery runs as soon as batch_size events were
# spooled since its last run began, not only every flush_interval: with
# an interval of an hour, five tailed lines (under a batch) wait, and the
# line that makes a batch sends all of them at once.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_wake
SENTRY_PORT=9 LOGGLY_PORT=9 # not used: sampled out
: >"$W/app.log"
lg_config "sentry_sample_rate = 0.0; loggly_sample_rate = 0.0; batch_size = 10;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";"
# no PostgreSQL source: its failed rows would count toward the batch
sed -i 's/flush_interval = "100ms"/flush_interval = "1h"/; /pg_conninfo/d' "$W/hinge.conf"
ok "the config waits an hour between delivery runs" grep -q 'flush_interval = "1h"' "$W/hinge.conf"

runs() { lg_sql "SELECT json_extract(value, '\$.runs') FROM kv WHERE key = 'agent.job.logging.deliver'"; }
# the agent's own warnings are spooled too: only the file's lines count
spooled() { lg_sql "SELECT coalesce(sum(n), 0) FROM logging_hits WHERE fingerprint IN
    (SELECT fingerprint FROM logging_groups WHERE source = 'file')"; }
filed() { if [ -f "$W/events.jsonl" ]; then grep -c 'ERROR wake line' "$W/events.jsonl"; else echo 0; fi; }
# for lg_wait, which runs its command again and again
ran_once() { [ "$(runs)" = 1 ]; }
spooled_5() { [ "$(spooled)" = 5 ]; }
filed_10() { [ "$(filed)" = 10 ]; }
lg_agent_start
# the first run comes at the start; lines appended after it wait for
# the next one
ok "the delivery job ran once at the start" lg_wait 20 ran_once
for i in 1 2 3 4 5; do echo "ERROR wake line $i" >>"$W/app.log"; done
ok "five lines are spooled" lg_wait 20 spooled_5
sleep 1
is "under a batch, they wait for flush_interval" "$(filed)" 0
is "and the job did not run again" "$(runs)" 1
for i in 6 7 8 9 10; do echo "ERROR wake line $i" >>"$W/app.log"; done
ok "a batch spooled wakes delivery: all ten lines arrive" lg_wait 20 filed_10
is "in order, each once" "$(sed -n 's/.*ERROR wake line \([0-9]*\).*/\1/p' "$W/events.jsonl" | tr '\n' ' ')" \
	"1 2 3 4 5 6 7 8 9 10 "
lg_agent_stop
done_testing
