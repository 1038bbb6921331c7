#!/bin/sh
# The migration plugin under the real `hinge` binary when things go
# wrong: the executing process killed (kill -9) in the middle of a
# backfill and of a concurrent index build, then `rollout resume` -
# every row changed exactly once, the index valid and built once;
# its PostgreSQL session terminated mid-backfill, then resume; abort
# ending clean and a second abort a no-op; and two hosts (two state
# databases) starting the same change at once: exactly one applies.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
TEST_PLUGINS=$HINGE_BUILDDIR/plugins/migration/.libs
ci=$(pg_fresh_db migration_crash) || bail "no test database"
sql() { psql -X -qtA -v ON_ERROR_STOP=1 -h "$HINGE_TEST_PGHOST" -U postgres -d migration_crash -c "$1"; }
sql "CREATE TABLE items (id bigint PRIMARY KEY, touched int NOT NULL DEFAULT 0, k int);
     INSERT INTO items (id, k) SELECT g, g % 1000 FROM generate_series(1, 300000) g" >>"$TAP_LOG" 2>&1 ||
	bail "fixture"
hinge_conf "$T/hinge.conf" "plugins: { migration: { enabled = true; conninfo = \"$ci\"; lock_timeout = \"200ms\"; lock_retries = 20; }; };"
change() { printf 'change: {\n%s\n};\n' "$2" >"$T/$1.conf"; }
J() { _f=$1; shift; H --json "$@" 2>>"$TAP_LOG" | jq -r "$_f"; }
last_id() { J '.rollouts[-1].id' rollout history; }
wait_for() { # seconds command...
	_n=$(($1 * 20)); shift
	while [ "$_n" -gt 0 ]; do "$@" && return 0; sleep 0.05; _n=$((_n - 1)); done
	return 1
}
past() { [ "$(sql "SELECT count(*) FROM items WHERE touched > 0")" -ge "$1" ]; }

# 1. kill -9 in the middle of a backfill, then resume.
change fill '  id = "fill";
  steps = ( { name = "fill"; action = "migration.backfill"; irreversible = true;
              with = { table = "items"; set = "touched = touched + 1"; where = "touched = 0";
                       batch_size = 2000; pause = "20ms"; }; } );'
"$HINGE" -c "$T/hinge.conf" rollout start "$T/fill.conf" >/dev/null 2>>"$TAP_LOG" &
pid=$!
ok "the backfill is under way" wait_for 30 past 10000
kill -9 "$pid"
wait "$pid" 2>/dev/null
id=$(last_id)
ok "killed before the end" test "$(sql "SELECT count(*) FROM items WHERE touched = 0")" -gt 0
expect_exit "resume completes it" 0 H rollout resume "$id"
is "completed" "$(J .rollout.state rollout status "$id")" "completed"
is "every row changed exactly once" "$(sql "SELECT min(touched) || ' ' || max(touched) FROM items")" "1 1"

# 2. kill -9 in the middle of a concurrent index build, then resume.  A
# reader holding a snapshot keeps the build from finishing, so the kill
# is sure to come during it; the reader sleeps far longer than the test
# needs and is ended by it, once the orphaned build (which runs on until
# the server notices, here by pg_terminate_backend) is gone. The resume
# sorts out what that leaves: an INVALID index is dropped and rebuilt.
PGAPPNAME=reader psql -X -q -h "$HINGE_TEST_PGHOST" -U postgres -d migration_crash -c \
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM items; SELECT pg_sleep(600); COMMIT" \
	>>"$TAP_LOG" 2>&1 &
reader=$!
HINGE_PIDS="$HINGE_PIDS $reader"
holds_snapshot() { [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'reader' AND backend_xmin IS NOT NULL")" -gt 0 ]; }
ok "the reader holds a snapshot" wait_for 30 holds_snapshot
change idx '  id = "idx";
  steps = ( { name = "idx"; action = "migration.create_index";
              with = { table = "items"; name = "items_k"; columns = "k, touched, id"; }; } );'
"$HINGE" -c "$T/hinge.conf" rollout start "$T/idx.conf" >/dev/null 2>>"$TAP_LOG" &
pid=$!
building() { [ "$(sql "SELECT count(*) FROM pg_stat_progress_create_index")" -gt 0 ]; }
ok "the index build is under way" wait_for 30 building
kill -9 "$pid"
wait "$pid" 2>/dev/null
# The two-argument form returns once the backend has exited.
sql "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database()
     AND application_name LIKE 'hinge/%'" >/dev/null
sql "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'reader'" >/dev/null
wait "$reader"
id=$(last_id)
expect_exit "resume completes it" 0 H rollout resume "$id"
is "completed" "$(J .rollout.state rollout status "$id")" "completed"
is "one index, valid" "$(sql "SELECT count(*) || ' ' || bool_and(i.indisvalid) FROM pg_index i
	JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'items_k%'")" "1 true"

# 2b. An INVALID index of that name, and a writer's transaction open on
# the table: dropping the leftover waits for the writer like any locked
# statement (retried, not skipped), so the build does not stumble on it.
sql "DROP INDEX items_k" >/dev/null
sql "CREATE UNIQUE INDEX CONCURRENTLY items_k ON items (k)" >>"$TAP_LOG" 2>&1
is "a failed build left an INVALID items_k" "$(sql "SELECT count(*) || ' ' || bool_and(i.indisvalid) FROM pg_index i
	JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_k'")" "1 false"
psql -X -q -h "$HINGE_TEST_PGHOST" -U postgres -d migration_crash -c \
	"BEGIN; UPDATE items SET k = k WHERE id = 1; SELECT pg_sleep(2); COMMIT" >>"$TAP_LOG" 2>&1 &
writer=$!
wait_for 30 sh -c "[ \"\$(psql -X -qtA -h '$HINGE_TEST_PGHOST' -U postgres -d migration_crash -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'items' AND l.mode = 'RowExclusiveLock' AND l.granted\")\" -gt 0 ]"
sed 's/id = "idx"/id = "idx2"/' "$T/idx.conf" >"$T/idx2.conf"
expect_exit "the build waits out the writer and completes" 0 H rollout start "$T/idx2.conf"
wait "$writer"
is "one index, valid" "$(sql "SELECT count(*) || ' ' || bool_and(i.indisvalid) FROM pg_index i
	JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'items_k%'")" "1 true"

# 3. The session terminated in the middle of a backfill: the step fails
# and (on_failure = pause) the rollout pauses; resume carries the
# backfill on from its last batch; abort, then abort again, ends clean.
sql "UPDATE items SET touched = 0" >/dev/null
change fill2 '  id = "fill2"; on_failure = "pause";
  steps = ( { name = "fill"; action = "migration.backfill"; irreversible = true;
              with = { table = "items"; set = "touched = touched + 1"; where = "touched = 0";
                       batch_size = 2000; pause = "20ms"; }; },
            { name = "hold"; pause = "manual"; } );'
"$HINGE" -c "$T/hinge.conf" rollout start "$T/fill2.conf" >/dev/null 2>>"$TAP_LOG" &
pid=$!
ok "the second backfill is under way" wait_for 30 past 10000
sql "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database()
     AND application_name LIKE 'hinge/%' AND pid <> pg_backend_pid()" >/dev/null
wait "$pid"
is "the terminated step fails the start (exit 1)" "$?" "1"
id=$(last_id)
is "and the rollout pauses" "$(J .rollout.state rollout status "$id")" "paused"
expect_exit "resume carries the backfill on to the manual pause" 0 H rollout resume "$id"
is "it rests at the manual pause" "$(J '.rollout.state + " " + .rollout.steps[1].phase' rollout status "$id")" "paused waiting"
is "every row changed exactly once" "$(sql "SELECT min(touched) || ' ' || max(touched) FROM items")" "1 1"
H rollout abort "$id" --force >/dev/null 2>>"$TAP_LOG"
is "abort --force ends it rolled back" "$(J .rollout.state rollout status "$id")" "rolled_back"
is "the irreversible backfill stays in place" "$(sql "SELECT min(touched) || ' ' || max(touched) FROM items")" "1 1"
before=$(db_dump | grep -v 'INSERT INTO requests\|INSERT INTO events')
H rollout abort "$id" --force >/dev/null 2>>"$TAP_LOG"
is "a second abort changes nothing" "$(db_dump | grep -v 'INSERT INTO requests\|INSERT INTO events')" "$before"

# 4. Two hosts start the same change at once: exactly one applies it.
mkdir -p "$T/b"
sed "s|$T/state.db|$T/b/state.db|" "$T/hinge.conf" >"$T/b/hinge.conf"
change race '  id = "race";
  steps = ( { name = "idx"; action = "migration.create_index";
              with = { table = "items"; name = "items_race"; columns = "touched, k"; }; } );'
applies() { sql "SELECT count(*) FROM hinge.migration_history WHERE action = 'create_index' AND event = 'applied'"; }
before=$(applies)
"$HINGE" -c "$T/hinge.conf" rollout start "$T/race.conf" >/dev/null 2>>"$TAP_LOG" &
a=$!
"$HINGE" -c "$T/b/hinge.conf" rollout start "$T/race.conf" >/dev/null 2>>"$TAP_LOG" &
b=$!
wait "$a"; sa=$?
wait "$b"; sb=$?
case "$sa $sb" in
"0 3" | "3 0" | "0 0") race=ok ;; # the later one exits 3 at once, or finds it applied
*) race="exits $sa and $sb" ;;
esac
is "one host applied it; the other exited 3 or found it applied" "$race" "ok"
is "the history records one apply" "$(($(applies) - before))" "1"
is "one index, valid" "$(sql "SELECT count(*) || ' ' || bool_and(i.indisvalid) FROM pg_index i
	JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'items_race%'")" "1 true"
done_testing
