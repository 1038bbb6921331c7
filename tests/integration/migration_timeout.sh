#!/bin/sh
# A migration step over its timeout: at the deadline the engine's
# watchdog cancels the step's query (a DDL or statement that would run
# on), the step fails as a timeout and the rollout rolls back - the
# process is not ended, and the server runs nothing of it afterwards.
# (An irreversible step that failed was never applied: nothing to undo.)
# With on_failure = "pause" the rollout pauses instead.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
TEST_PLUGINS=$HINGE_BUILDDIR/plugins/migration/.libs
ci=$(pg_fresh_db migration_timeout) || bail "no test database"
sql() { psql -X -qtA -h "$HINGE_TEST_PGHOST" -U postgres -d migration_timeout -c "$1"; }
sql "CREATE TABLE t (id int PRIMARY KEY)" >>"$TAP_LOG" 2>&1 || bail "fixture"
hinge_conf "$T/hinge.conf" "plugins: { migration: { enabled = true; conninfo = \"$ci\"; }; };"
J() { _f=$1; shift; H --json "$@" 2>>"$TAP_LOG" | jq -r "$_f"; }
slow() { # NAME ON_FAILURE
	printf 'change: { id = "%s"; on_failure = "%s";
  steps = ( { name = "slow"; action = "migration.sql"; timeout = "500ms"; irreversible = true;
              with = { table = "t"; up = "SELECT pg_sleep(60)"; }; } ); };\n' "$1" "$2" >"$T/$1.conf"
}
running() { sql "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'"; }

slow cancel rollback
s=$(date +%s%N)
expect_exit "the step over its timeout fails the rollout" 1 H rollout start "$T/cancel.conf"
is "cancelled at the deadline, long before the query's 60 s" "$(( ($(date +%s%N) - s) / 1000000 < 20000 ))" "1"
id=$(J '.rollouts[-1].id' rollout history)
is "rolled back by the same process" "$(J .rollout.state rollout status "$id")" "rolled_back"
ok "the step's error names the timeout and the cancelled query" sh -c "$HINGE -c $T/hinge.conf --json rollout status $id | jq -r .rollout.steps[0].error | grep -q 'apply stopped at the step.s timeout of 500ms: .*canceling statement'"
is "the server runs nothing of it any more" "$(running)" "0"

slow paused pause
expect_exit "with on_failure = pause it exits 1 too" 1 H rollout start "$T/paused.conf"
is "and pauses" "$(J .rollout.state rollout status "$(J '.rollouts[-1].id' rollout history)")" "paused"
is "again nothing left running" "$(running)" "0"
done_testing
