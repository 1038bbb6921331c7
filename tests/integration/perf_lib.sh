# perf_lib.sh - what the perf plugin's integration tests share.
#   perf_db NAME FIXTURE...   a fresh database with the fixtures loaded;
#                             sets $ci to its conninfo
#   perf_conf FILE CONNINFO EXTRA
#                             a config loading only the perf plugin, with
#                             EXTRA settings in its group
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log

perf_db() {
	ci=$(pg_fresh_db "$1") || bail "no test database"
	shift
	for f in "$@"; do
		psql -q -X -v ON_ERROR_STOP=1 "$ci" -f "$HINGE_SRCDIR/tests/fixtures/$f" \
			>>"$TAP_LOG" 2>&1 || bail "fixture $f"
	done
}

perf_conf() {
	cat >"$1" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$HINGE_BUILDDIR/plugins/perf/.libs" ]; log_level = "info"; };
plugins: { perf: { enabled = true; conninfo = "$2"; $3 }; };
CONF
}
