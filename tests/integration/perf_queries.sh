#!/bin/sh
# hinge perf queries and snapshot through the real binary: the planted
# slow query ranks first by total time, the frequent one first by calls,
# reports cover the window between snapshots, a missing extension and a
# role that cannot see other roles' statements are told clearly.
. "$HINGE_SRCDIR/tests/integration/perf_lib.sh"
perf_db perf_queries perf_queries.sql
sql() {
	psql -q -X -v ON_ERROR_STOP=1 "$ci" "$@" >>"$TAP_LOG" 2>&1
}
perf_conf "$T/hinge.conf" "$ci" ''
slow() { # run the slow query N times
	i=0
	while [ "$i" -lt "$1" ]; do
		echo "/* task=implement_idea */ SELECT count(*) FROM perf_big WHERE k = $i;"
		i=$((i + 1))
	done >"$T/slow.sql"
	sql -f "$T/slow.sql"
}
j() {
	jq -r "$1" "$T/q.json"
}

# No extension yet: exit 5, what is missing and how to enable it.
H perf queries >"$T/out" 2>"$T/err"
is "no pg_stat_statements: exit 5" "$?" "5"
ok "the message says it is not installed" grep -q 'pg_stat_statements is not installed in database "perf_queries"' "$T/err"
ok "the hint says how to enable it" grep -q 'CREATE EXTENSION pg_stat_statements' "$T/err"
expect_exit "no pg_stat_statements: snapshot exits 5" 5 H perf snapshot

sql -c "CREATE EXTENSION pg_stat_statements"
H --json perf snapshot >"$T/q.json" 2>>"$TAP_LOG"
is "snapshot: exit 0" "$?" "0"
is "snapshot: schema and database" "$(j '"\(.schema) \(.database)"')" "hinge.perf.snapshot/1 perf_queries"
is "the snapshot is in the state database" \
	"$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")" "1"

slow 5
i=0
while [ "$i" -lt 60 ]; do
	echo "SELECT v FROM perf_small WHERE id = $((i % 100 + 1));"
	i=$((i + 1))
done >"$T/fast.sql"
sql -f "$T/fast.sql"

H --json perf queries --since 1h >"$T/q.json" 2>>"$TAP_LOG"
is "queries: exit 0" "$?" "0"
is "queries: schema" "$(j .schema)" "hinge.perf.queries/1"
is "queries: no snapshot is an hour old: the window starts at the last reset" "$(j .covers)" "since the last reset"
is "since the reset, the fixture's statements count too" \
	"$(j '.by_total_time[] | select(.query | test("perf_big WHERE")) | .calls')" "5"
# Age the first snapshot by two hours: it starts an hour's window.
age() { # ms: make every snapshot older, or only the first one
	sqlite3 "$T/state.db" "UPDATE perf_snapshot SET taken_ms = taken_ms - $1 ${2:-}"
}
age 7200000 "WHERE id = (SELECT min(id) FROM perf_snapshot)"
H --json perf queries --since 1h --limit 3 >"$T/q.json" 2>>"$TAP_LOG"
is "queries: the window starts at the snapshot before the work" "$(j .covers)" "snapshots"
is "the planted slow query ranks first by total time" \
	"$(j '.by_total_time[0].query')" "/* task=implement_idea */ SELECT count(*) FROM perf_big WHERE k = \$1"
is "its calls in the window" "$(j '.by_total_time[0].calls')" "5"
is "it is attributed to its task type by its comment" "$(j '.by_total_time[0].task_type')" "implement_idea"
ok "its mean is total / calls" sh -c "[ \"\$(jq '.by_total_time[0] | (.mean_ms - .total_ms / .calls) | fabs < 1e-9' '$T/q.json')\" = true ]"
ok "it read rows and carries blocks read" sh -c "[ \"\$(jq '.by_total_time[0] | .rows == 5 and .shared_blks_read >= 0' '$T/q.json')\" = true ]"
is "the frequent query ranks first by calls" \
	"$(j '.by_calls[0] | "\(.query) \(.calls)"')" "SELECT v FROM perf_small WHERE id = \$1 60"
is "an untagged query has no task type" "$(j '.by_calls[0].task_type')" "null"

# A window of its own: the snapshot just taken (aged) is its start.
age 7200000
slow 3
H --json perf queries --since 1h >"$T/q.json" 2>>"$TAP_LOG"
is "the window counts only the calls since the last snapshot before it" \
	"$(j '.by_total_time[] | select(.query | test("perf_big")) | .calls')" "3"
is "and says it is covered by snapshots" "$(j .covers)" "snapshots"
H perf queries --limit 2 >"$T/text" 2>>"$TAP_LOG"
ok "text output lists perf_big by total time" grep -q 'perf_big' "$T/text"
is "snapshots kept" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")" "5"

# Forget one statement: its text must go with the snapshots that held it.
sql -c "SELECT pg_stat_statements_reset(0, d.oid, s.queryid) FROM pg_database d
	JOIN pg_stat_statements s ON s.dbid = d.oid
	WHERE d.datname = current_database() AND s.query LIKE 'SELECT v FROM perf_small%'"
is "the forgotten statement's text is kept so far" \
	"$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_query WHERE query LIKE 'SELECT v FROM perf_small%'")" "1"
perf_conf "$T/short.conf" "$ci" 'snapshot_retention = "1ms";'
sleep 0.1
expect_exit "snapshot with a short retention" 0 "$HINGE" -c "$T/short.conf" perf snapshot
is "older snapshots are pruned" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")" "1"
is "with the texts only they held" \
	"$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_query WHERE query LIKE 'SELECT v FROM perf_small%'")" "0"
ok "the texts the last one holds stay" test "$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_query")" -gt 0

# A role without pg_read_all_stats sees its own statements only.
sql -c "CREATE ROLE perf_reader LOGIN"
perf_conf "$T/reader.conf" "host=$HINGE_TEST_PGHOST user=perf_reader dbname=perf_queries" ''
"$HINGE" -c "$T/reader.conf" --json perf queries >"$T/q.json" 2>"$T/err"
is "a role without pg_read_all_stats: the report is still made" "$?" "0"
ok "the warning says what to grant" grep -q 'GRANT pg_read_all_stats' "$T/err"

# The agent's job keeps snapshots every snapshot_interval.
perf_conf "$T/agent.conf" "$ci" 'snapshot_interval = "200ms";'
n0=$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")
"$HINGE" -c "$T/agent.conf" agent >>"$TAP_LOG" 2>&1 &
agent=$!
snapshots() { [ "$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")" -ge $((n0 + 2)) ]; }
end=$(($(date +%s) + 30))
until snapshots || [ "$(date +%s)" -ge "$end" ]; do sleep 0.1; done
kill -TERM "$agent"
wait "$agent"
ok "the agent's job took snapshots" snapshots

H --json metrics >"$T/q.json" 2>>"$TAP_LOG"
is "query_mean_ms without a queryid label is unreadable, not a pass" \
	"$(j '.metrics[] | select(.name == "perf.query_mean_ms") | .status')" "unreadable"
done_testing
