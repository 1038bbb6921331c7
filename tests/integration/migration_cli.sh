#!/bin/sh
# The migration plugin loaded by the real `hinge` binary: it registers its
# actions and metric, its settings are checked by the host, and
# migration.lock_waiters reads the test PostgreSQL through host->pg_connect.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
TEST_PLUGINS=$HINGE_BUILDDIR/plugins/migration/.libs
ci=$(pg_fresh_db migration_cli) || bail "no test database"
psql_app() { psql -X -q -v ON_ERROR_STOP=1 -h "$HINGE_TEST_PGHOST" -U postgres -d migration_cli "$@"; }
psql_app -f "$HINGE_SRCDIR/tests/fixtures/app_schema.sql" >>"$TAP_LOG" 2>&1 || bail "app schema"

hinge_conf "$T/hinge.conf" "plugins: { migration: { enabled = true; conninfo = \"$ci\"; lock_timeout = \"100ms\"; }; };"
expect_exit "config check passes" 0 H config check
is "plugins lists the actions" \
	"$(H --json plugins | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["plugins"] if x["name"]=="migration"][0]; print(" ".join(sorted(p["actions"])), " ".join(p["metrics"]))')" \
	"migration.add_check migration.add_column migration.add_foreign_key migration.backfill migration.create_index migration.drop_column migration.drop_index migration.drop_not_null migration.set_not_null migration.sql migration.lock_waiters"

metric() { # the value of migration.lock_waiters, or its status
	H --json metrics | python3 -c 'import json,sys
m=[m for m in json.load(sys.stdin)["metrics"] if m["name"]=="migration.lock_waiters"][0]
print(int(m["value"]) if m["status"]=="ok" else m["status"])'
}
is "no session waits on a quiet database" "$(metric)" "0"

until_true() { # seconds query: poll until the query prints t
	_end=$(($(date +%s) + $1))
	until [ "$(psql_app -tAc "$2")" = t ]; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.05
	done
}

# A session holds execution_tasks; a second one queues behind it. The
# holder sleeps far longer than the test needs and is ended by the test,
# so the lock lasts however slow each start-up of hinge is.
PGAPPNAME=locker psql_app -c "BEGIN; LOCK TABLE execution_tasks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >>"$TAP_LOG" 2>&1 &
HINGE_PIDS="$HINGE_PIDS $!"
ok "the locker holds the table" until_true 30 "SELECT EXISTS (SELECT 1 FROM pg_locks l
	JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'locker'
	AND l.relation = 'execution_tasks'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted)"
psql_app -c "SELECT count(*) FROM execution_tasks" >>"$TAP_LOG" 2>&1 &
HINGE_PIDS="$HINGE_PIDS $!"
end=$(($(date +%s) + 30)); got=0
while [ "$got" != 1 ] && [ "$(date +%s)" -lt "$end" ]; do got=$(metric); [ "$got" = 1 ] || sleep 0.1; done
is "a session waiting on the table is counted" "$got" "1"
# The two-argument form returns once the backend has exited.
is "the locker is ended" "$(psql_app -tAc "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'locker'" 2>>"$TAP_LOG")" "t"
wait
is "the count falls back once the lock is gone" "$(metric)" "0"

# The host checks the plugin's settings table.
hinge_conf "$T/bad.conf" "plugins: { migration: { enabled = true; conninfo = \"$ci\"; lock_timeout = \"soon\"; }; };"
"$HINGE" -c "$T/bad.conf" config check >"$T/out" 2>"$T/err"
is "a bad lock_timeout is a config error" "$?" "2"
ok "the message names the key" grep -q lock_timeout "$T/err"
hinge_conf "$T/bad.conf" "plugins: { migration: { enabled = true; }; };"
"$HINGE" -c "$T/bad.conf" config check >"$T/out" 2>"$T/err"
is "conninfo is required" "$?" "2"

# An unreachable database makes the metric unreadable, never a number.
hinge_conf "$T/hinge.conf" "plugins: { migration: { enabled = true; conninfo = \"host=$T/nowhere dbname=x\"; }; };"
is "an unreachable database leaves the metric unreadable" "$(metric)" "unreadable"
done_testing
