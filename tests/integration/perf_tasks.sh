#!/bin/sh
# hinge perf tasks through the real binary against the test PostgreSQL:
# hand-computed statistics, rankings, the previous window, the task
# metrics, the fixture's execution_tasks, and bad input.
. "$HINGE_SRCDIR/tests/integration/perf_lib.sh"
perf_db perf_tasks app_schema.sql app_data.sql perf_tasks.sql
conf() { # file extra-settings
	perf_conf "$1" "$ci" "$2"
}
conf "$T/hinge.conf" 'task_table = "public.perf_jobs"; task_type_column = "kind";
  task_start_column = "began"; task_end_column = "ended";
  task_status_column = "state"; task_failed_status = "error";'
j() { # jq filter over the saved report
	jq -r "$1" "$T/tasks.json"
}

H --json perf tasks >"$T/tasks.json" 2>>"$TAP_LOG"
is "perf tasks --json exits 0" "$?" "0"
is "schema" "$(j .schema)" "hinge.perf.tasks/1"
is "two types in the window" "$(j .type_count)" "2"
is "slow first by impact (1000 + 1 x 250 ms)" "$(j '.by_impact[0] | "\(.type) \(.impact_ms) \(.impact_rank)"')" "slow 1250 1"
is "fast second (210 + 2 x 10.5 ms)" "$(j '.by_impact[1] | "\(.type) \(.impact_ms)"')" "fast 231"
is "fast first by frequency" "$(j '.by_frequency | join(",")')" "fast,slow"
is "fast: count, failures, failure rate" "$(j '.by_impact[1] | "\(.count) \(.failures) \(.failure_rate)"')" "20 2 0.1"
is "fast: nearest-rank p50 p95 p99" "$(j '.by_impact[1] | "\(.p50_ms) \(.p95_ms) \(.p99_ms)"')" "10 19 20"
is "slow: p50 p95 p99 total" "$(j '.by_impact[0] | "\(.p50_ms) \(.p95_ms) \(.p99_ms) \(.total_ms)"')" "200 400 400 1000"
is "slow: failure rate" "$(j '.by_impact[0].failure_rate')" "0.25"
is "slow: previous window" "$(j '.by_impact[0].previous | "\(.count) \(.mean_ms)"')" "4 11.5"
is "slow is slower than before (Welch, 95%)" "$(j '.by_impact[0].slower')" "true"
is "fast is not slower than before" "$(j '.by_impact[1].slower')" "false"

H --json perf tasks --since 3h --limit 1 >"$T/tasks.json" 2>>"$TAP_LOG"
is "--limit 1 shows one type" "$(j '.by_impact | length')" "1"
is "--since 3h: the window" "$(j .window_ms)" "10800000"
is "--since 3h: no previous window within 3h..6h" "$(j '.by_impact[0].previous')" "null"
H --json perf tasks --since 4d >"$T/tasks.json" 2>>"$TAP_LOG"
is "--since 4d counts the old task too" "$(j '.by_impact[] | select(.type == "slow") | .count')" "9"

H perf tasks >"$T/text" 2>>"$TAP_LOG"
ok "text output ranks slow first" sh -c "sed -n 3p '$T/text' | grep -q '^ *1 slow '"

# Task metrics outside a rollout cover the window: all 24 tasks of 24h.
H --json metrics >"$T/metrics.json" 2>>"$TAP_LOG"
is "task_p95_ms of all types: rank ceil(0.95 x 24) = 23" \
	"$(jq -r '.metrics[] | select(.name == "perf.task_p95_ms") | .value' "$T/metrics.json")" "300"
is "task_failure_rate of all types: 3 / 24" \
	"$(jq -r '.metrics[] | select(.name == "perf.task_failure_rate") | .value' "$T/metrics.json")" "0.125"

# The application's own table with the default settings.
conf "$T/app.conf" ''
"$HINGE" -c "$T/app.conf" --json perf tasks >"$T/tasks.json" 2>>"$TAP_LOG"
is "execution_tasks: the three task types" "$(j '[.by_impact[].type] | sort | join(",")')" \
	"idea_implementation,implement_idea,self_improvement"
is "execution_tasks: 212 finished tasks, 12 failed" \
	"$(j '[.by_impact[].count] | add'),$(j '[.by_impact[].failures] | add')" "212,12"

# Bad input: other column names, no database, bad options.
conf "$T/bad.conf" 'task_table = "public.perf_jobs";'
"$HINGE" -c "$T/bad.conf" perf tasks >"$T/out" 2>"$T/err"
is "a table with other column names: exit 2" "$?" "2"
ok "the message names the missing column" grep -q 'column t.task_type does not exist' "$T/err"
ok "the hint names the settings" grep -q 'task_type_column' "$T/err"
conf "$T/bad.conf" 'task_table = "no_such_table";'
expect_exit "a missing table: exit 2" 2 "$HINGE" -c "$T/bad.conf" perf tasks
conf "$T/bad.conf" 'task_table = "no_such_schema.t";'
expect_exit "a missing schema: exit 2" 2 "$HINGE" -c "$T/bad.conf" perf tasks
psql -q -X "$ci" -c "DROP ROLE IF EXISTS perf_nobody" -c "CREATE ROLE perf_nobody LOGIN" >>"$TAP_LOG" 2>&1
perf_conf "$T/bad.conf" "$ci user=perf_nobody" ''
"$HINGE" -c "$T/bad.conf" perf tasks >"$T/out" 2>"$T/err"
is "no permission on the task table: exit 5" "$?" "5"
ok "the hint names the grant" grep -q 'GRANT SELECT ON the task table' "$T/err"
perf_conf "$T/down.conf" "host=$HINGE_TEST_PGHOST user=postgres dbname=perf_no_such_db" ''
expect_exit "an unreachable database: exit 5" 5 "$HINGE" -c "$T/down.conf" perf tasks
expect_exit "a bad --since: exit 2" 2 H perf tasks --since 5x
expect_exit "an unknown subcommand: exit 2" 2 H perf frobnicate
expect_exit "an option of propose given to tasks: exit 2" 2 H perf tasks --out "$T/x"
expect_exit "no subcommand: exit 2" 2 H perf
expect_exit "perf --help" 0 H perf --help
done_testing
