#!/bin/sh
# logging_tail.sh - error lines of log files reach the sinks through
# rotation by rename and by copytruncate and through a kill -9, each line
# once; an unreadable file and a bad pattern are reported, the rest runs.
. "$HINGE_SRCDIR/tests/integration/logging_lib.sh"
lg_setup logging_tail
lg_double sentry
lg_double loggly --token 0a1b2c3d-4e5f-6789-abcd-ef0123456789
mkdir -p "$W/logs" "$W/logs/dir.log"
log=$W/logs/app.log
lg_config "tail_files = [\"$W/logs/*.log\"]; tail_from_start = true; tail_interval = \"50ms\"; tail_rotate_wait = \"300ms\";"

from_file() { # the messages of file-sourced events the file sink got
	grep '"source":"file"' "$W/events.jsonl" 2>/dev/null |
		python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l)["message"])'
}
count_is() { [ "$(from_file | wc -l)" -ge "$1" ]; }

printf 'info starting\nERROR db timeout 1\nwarn slow\nERROR db timeout 2\nfatal: out of memory\n' >"$log"
lg_agent_start
ok "three error lines arrive" lg_wait 20 count_is 3

printf 'ERROR before rename 1\nERROR before rename 2\n' >>"$log"
mv "$log" "$log.1"
printf 'ERROR after rename\n' >"$log"
# the writer had not reopened the path yet (logrotate renames, then signals)
printf 'ERROR late to the renamed file\n' >>"$log.1"
ok "rotation by rename loses nothing, late writes to the renamed file either" lg_wait 20 count_is 7

sleep 0.3
cp "$log" "$log.2"
: >"$log"
printf 'ERROR after copytruncate\n' >>"$log"
ok "rotation by copytruncate is followed" lg_wait 20 count_is 8

ok "an unreadable file is reported" grep -q "dir.log cannot be read" "$W/agent.err"
is "once, not at every check" "$(grep -c "dir.log cannot be read" "$W/agent.err")" 1
lg_agent_kill
# one line in Latin-1 (not UTF-8, which JSON needs): repaired, not a stop
printf 'ERROR while down\nfine line\nERROR caf\351 latin1\nERROR while down 2\n' >>"$log"
lg_agent_start
ok "lines written while the agent was down arrive" lg_wait 20 count_is 11
sleep 0.5
lg_agent_stop
is "each line arrived once" "$(from_file | sort | uniq -d | wc -l)" 0
is "eleven error lines in all" "$(from_file | wc -l)" 11
is "the Latin-1 byte arrived as U+FFFD" "$(from_file | grep latin1)" "ERROR caf$(printf '\357\277\275') latin1"
is "the other lines stayed out" "$(from_file | grep -c 'fine line\|starting\|slow')" 0
is "a line's group is its file and normalised text" \
	"$(lg_sql "SELECT count FROM logging_groups WHERE source = 'file' AND normalized = 'ERROR db timeout <num>'")" 2

lg_config 'tail_files = ["/nonexistent/*.log"]; tail_pattern = "(unclosed";'
: >"$W/agent.err"
lg_agent_start
lg_psql "INSERT INTO execution_tasks (task_type, status, error) VALUES ('x', 'failed', 'after a bad pattern')"
ok "with a bad pattern the other sources still run" lg_wait 20 grep -q "after a bad pattern" "$W/events.jsonl"
lg_agent_stop
ok "the bad pattern is named" grep -q "tail_pattern: the expression does not compile at offset" "$W/agent.err"

# events carry the host name as JSON text: one in Latin-1 is bad input
lg_config "hostname = \"caf$(printf '\351')\";"
"$HINGE_BUILDDIR/hinge" -c "$W/hinge.conf" plugins >/dev/null 2>"$W/host.err"
is "a host name that is not UTF-8: exit 2" "$?" 2
ok "the message names the setting and its line" grep -q "hostname: not valid UTF-8 ($W/hinge.conf:[0-9]*)" "$W/host.err"
done_testing
