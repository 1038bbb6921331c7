# hinge.sh - helpers for shell tests that drive the `hinge` binary.
#   hinge_tmp             make $T, a temporary folder removed at exit
#   hinge_conf FILE EXTRA write a config with state in $T and the test
#                         plugins' folder; EXTRA is appended verbatim
#   H ARGS...             run hinge with $T/hinge.conf
#   db_dump               the state database as SQL text (for before/after)
HINGE=${HINGE_BUILDDIR:?run through make check}/hinge
TEST_PLUGINS=$HINGE_BUILDDIR/tests/plugins/.libs

hinge_tmp() {
	T=$(mktemp -d /tmp/hinge-test.XXXXXX)
	chmod 755 "$T"
	trap 'hinge_cleanup' EXIT
}

hinge_cleanup() {
	for pid in ${HINGE_PIDS:-}; do kill -9 "$pid" 2>/dev/null; done
	rm -rf "$T"
}

hinge_conf() {
	cat >"$1" <<CONF
agent: {
  state_db = "$T/state.db";
  plugin_dir = [ "$TEST_PLUGINS" ];
  log_level = "info";
};
$2
CONF
}

H() {
	"$HINGE" -c "$T/hinge.conf" "$@"
}

db_dump() {
	sqlite3 "${1:-$T/state.db}" .dump 2>/dev/null
}
