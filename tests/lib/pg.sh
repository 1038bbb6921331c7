# pg.sh - a private PostgreSQL for tests, on a Unix socket in a temporary
# folder, run as the postgres user (PostgreSQL refuses to run as root).
#
#   pg_start DIR      initdb and start a cluster in DIR; sets PGHOST, PGUSER
#   pg_stop DIR       stop it (fast), whatever state it is in
#   pg_fresh_db NAME  drop and create database NAME; prints its conninfo
#
# The test runner starts one cluster and exports HINGE_TEST_PGHOST; every
# test makes a database of its own in it.
PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	_dir=$1
	mkdir -p "$_dir"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$_dir"
	chmod 0700 "$_dir"
	pg_as_postgres "$PG_BINDIR/initdb" -D "$_dir/data" -U postgres \
		--auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$_dir/initdb.log" 2>&1 ||
		{ cat "$_dir/initdb.log" >&2; return 1; }
	cat >>"$_dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$_dir'
fsync = off
full_page_writes = off
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
max_connections = 300
# No test relies on autovacuum, and an autoanalyze of a fresh fixture
# table takes locks at a time no test chooses: tests that give a
# statement a lock_timeout of a few ms would fail now and then.
autovacuum = off
CONF
	pg_as_postgres "$PG_BINDIR/pg_ctl" -D "$_dir/data" -l "$_dir/server.log" \
		-w -t 60 start >/dev/null || { cat "$_dir/server.log" >&2; return 1; }
	PGHOST=$_dir; PGUSER=postgres
	export PGHOST PGUSER
}

pg_stop() {
	[ -d "$1/data" ] || return 0
	pg_as_postgres "$PG_BINDIR/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_fresh_db() {
	: "${HINGE_TEST_PGHOST:?no test PostgreSQL: run the tests through tests/run.sh}"
	PGHOST=$HINGE_TEST_PGHOST PGUSER=postgres dropdb --if-exists "$1" >/dev/null 2>&1
	PGHOST=$HINGE_TEST_PGHOST PGUSER=postgres createdb "$1" || return 1
	echo "host=$HINGE_TEST_PGHOST user=postgres dbname=$1"
}
