#!/bin/sh
# The maintenance window through the real engine and PostgreSQL: a step
# with window = true outside its window waits with nothing applied (the
# phase stays "applying", an event says why), an abort gets through the
# wait, the step's timeout ends it as a failure, and a window that opens
# lets the step go on.  Bad window settings are errors naming the key.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge_tmp
TAP_LOG=$T/log
TEST_PLUGINS=$HINGE_BUILDDIR/plugins/migration/.libs
ci=$(pg_fresh_db migration_window_cli) || bail "no test database"
psql_app() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$HINGE_TEST_PGHOST" -U postgres -d migration_window_cli "$@"; }
psql_app -c "CREATE TABLE jobs (id bigserial PRIMARY KEY, state text)" >>"$TAP_LOG" 2>&1 || bail "schema"

# The window from now + $1 to now + $2 seconds on the database's clock in Berlin.
hours() {
	psql_app -c "SELECT to_char(l + interval '$1 s', 'HH24:MI:SS') || '-' || to_char(l + interval '$2 s', 'HH24:MI:SS')
		FROM (SELECT now() AT TIME ZONE 'Europe/Berlin' AS l) n"
}
conf() { # HOURS [TZ]
	cat >"$T/hinge.conf" <<CONF
agent: {
  state_db = "$T/state.db";
  plugin_dir = [ "$TEST_PLUGINS" ];
  request_poll = "20ms";
  lease_ttl = "2s";
};
plugins: { migration: { enabled = true; conninfo = "$ci"; window_days = "*";
  window_hours = "$1"; window_tz = "${2:-Europe/Berlin}"; window_poll = "50ms"; }; };
CONF
}
win_change() { # ID TIMEOUT
	change "$1" "  id = \"$1\";
  steps = ( { name = \"expand\"; action = \"migration.add_column\"; timeout = \"$2\";
    with = { table = \"jobs\"; column = \"ai_model\"; type = \"varchar(255)\"; window = true; }; } );"
}
column() { psql_app -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'jobs'::regclass AND attname = 'ai_model'"; }

# Bad settings: exit 2, the message names the key.
win_change bad 0ms
conf "$(hours 3600 7200)" "Mars/Olympus"
H rollout plan "$T/bad.conf" >"$T/out" 2>"$T/err"
is "an unknown time zone fails plan with exit 2" "$?" "2"
ok "the message names window_tz and the zone" grep -q 'migration.window_tz (.*hinge.conf:[0-9]*): "Mars/Olympus" is not a time zone' "$T/err"
conf "05:00-25:00"
H config check >"$T/out" 2>"$T/err"
is "bad hours fail config check with exit 2" "$?" "2"
ok "the message names window_hours" grep -q 'migration.window_hours (.*hinge.conf:[0-9]*): "05:00-25:00" is not HH:MM-HH:MM' "$T/err"

# Outside the window: the step waits, nothing applied; an abort gets through.
win_change waits 0ms
conf "$(hours 3600 7200)"
"$HINGE" -c "$T/hinge.conf" rollout start "$T/waits.conf" >>"$TAP_LOG" 2>&1 &
BG=$!
HINGE_PIDS="$HINGE_PIDS $BG"
id=
for _ in $(seq 100); do
	id=$(J '.rollouts[] | select(.change == "waits") | .id' rollout status)
	[ -n "$id" ] && J '.events[].message' rollout events "$id" | grep -q "waiting for the maintenance window" && break
	sleep 0.05
done
# Between retries the step is back in phase rehearsed: nothing applied.
phase=
for _ in $(seq 20); do
	phase=$(J '.rollout.steps[0].phase' rollout status "$id")
	[ "$phase" = rehearsed ] && break
done
is "the step waits in phase rehearsed" "$phase" "rehearsed"
ok "an event says what it waits for" sh -c "'$HINGE' -c '$T/hinge.conf' --json rollout events '$id' | grep -q '(\\* [0-9:-]* Europe/Berlin): it is '"
sleep 0.3
is "nothing is applied while it waits" "$(column)" "0"
expect_exit "abort exits 0" 0 H rollout abort "$id" --reason "not tonight"
wait "$BG"
is "the waiting start exits 1" "$?" "1"
is "rolled back" "$(J .rollout.state rollout status "$id")" "rolled_back"
is "the column was never added" "$(column)" "0"

# The step's timeout bounds the wait.
win_change late 1s
t0=$(date +%s)
H rollout start "$T/late.conf" >>"$TAP_LOG" 2>&1
is "a wait past the timeout fails the rollout" "$?" "1"
id=$(last_id)
ok "within a few seconds" test $(($(date +%s) - t0)) -lt 20
is "the step's error names the timeout and the window" \
	"$(J '.rollout.steps[0].error' rollout status "$id" | sed 's/after [0-9]*ms/after Nms/; s/(\* .*/.../')" \
	"still not applied after Nms, the step's timeout: waiting for the maintenance window ..."
is "rolled back with nothing applied" "$(J .rollout.state rollout status "$id")/$(column)" "rolled_back/0"

# The window opens ten seconds from now: the step waits, then goes on.
win_change opens 60s
conf "$(hours 10 3600)"
expect_exit "the rollout completes once the window opens" 0 H rollout start "$T/opens.conf"
id=$(last_id)
ok "it waited for the window" sh -c "'$HINGE' -c '$T/hinge.conf' --json rollout events '$id' | grep -q 'waiting for the maintenance window'"
is "the column is there" "$(column)" "1"

# With the longest timeout a duration can write, the step still waits
# window_poll between tries (t0 + timeout must not wrap into the past and
# turn the wait into a busy loop): a look at the clock every 500 ms, a
# few until the window opens at most 2 s later (dozens when it spun).
psql_app -c "ALTER TABLE jobs DROP COLUMN ai_model" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
	-c "SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = current_database()" >>"$TAP_LOG" 2>&1 || bail "pg_stat_statements"
win_change forever 9223372036854775807ms
conf "$(hours 2 3600)"
sed -i 's/window_poll = "50ms"/window_poll = "500ms"/' "$T/hinge.conf"
expect_exit "with the largest timeout the rollout completes once the window opens" 0 H rollout start "$T/forever.conf"
looks=$(psql_app -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
	WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND query LIKE 'SELECT extract(\$2 FROM l)%'")
ok "it polled the window, not spun ($looks looks)" test "$looks" -lt 15
done_testing
