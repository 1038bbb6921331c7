#!/bin/sh
# logging_ramp.sh - a file read from behind starts with small rounds:
# 64 KiB of lines, doubled each round up to tail_max_bytes (1 MiB by
# default), so that its first lines reach the sinks after one small
# round through the tailer's pipeline, not after three full ones; less
# than tail_max_bytes waiting is read in one round.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_ramp
SENTRY_PORT=9 LOGGLY_PORT=9 # not used: sampled out
N=30000
LEN=100 # bytes per line, newline included
lg_fixed_lines "$W/app.log" "$N" "$LEN" ramp
lg_config "sentry_sample_rate = 0.0; loggly_sample_rate = 0.0;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";"

rounds() { # the lines of each round, in order: one row of occurrences each
	lg_sql "SELECT group_concat(n, ' ') FROM (SELECT n FROM logging_hits
		WHERE fingerprint IN (SELECT fingerprint FROM logging_groups
				      WHERE source = 'file') ORDER BY rowid)"
}

lg_agent_start
ok "all $N lines arrive" lg_wait 60 sh -c "[ \$(wc -l <'$W/events.jsonl' 2>/dev/null || echo 0) -ge $N ]"
lg_agent_stop
is "rounds of 64 KiB doubling to 1 MiB, then what is left" "$(rounds)" \
	"655 1310 2621 5242 10485 9687"

# less than tail_max_bytes waiting: one round, one transaction
lg_fixed_lines "$W/more.log" 5000 "$LEN" ramp
cat "$W/more.log" >>"$W/app.log"
lg_agent_start
ok "the 5000 lines added arrive" lg_wait 60 sh -c "[ \$(wc -l <'$W/events.jsonl') -ge $((N + 5000)) ]"
lg_agent_stop
is "they went in one round" "$(rounds)" "655 1310 2621 5242 10485 9687 5000"
done_testing
