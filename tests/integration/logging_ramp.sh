#!/bin/sh
# logging_ramp.sh - a file read from behind starts with small rounds:
# 64 KiB of lines, doubled each round up to tail_max_bytes (1 MiB by
# default), so that its first lines reach the sinks after one small
# round through the tailer's pipeline, not after three full ones.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_ramp
SENTRY_PORT=9 LOGGLY_PORT=9 # not used: sampled out
N=30000
LEN=100 # bytes per line, newline included
lg_fixed_lines "$W/app.log" "$N" "$LEN" ramp
lg_config "sentry_sample_rate = 0.0; loggly_sample_rate = 0.0;
    tail_files = [\"$W/app.log\"]; tail_from_start = true; tail_interval = \"50ms\";"

lg_agent_start
ok "all $N lines arrive" lg_wait 60 sh -c "[ \$(wc -l <'$W/events.jsonl' 2>/dev/null || echo 0) -ge $N ]"
lg_agent_stop
# one row of occurrences per round: 65536, 131072, ... bytes of lines
is "rounds of 64 KiB doubling to 1 MiB, then what is left" \
	"$(lg_sql "SELECT group_concat(n, ' ') FROM (SELECT n FROM logging_hits
		WHERE fingerprint IN (SELECT fingerprint FROM logging_groups
				      WHERE source = 'file') ORDER BY rowid)")" \
	"655 1310 2621 5242 10485 9687"
done_testing
