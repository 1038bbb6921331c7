# engine_lib.sh - shared set-up of the engine's shell tests: a config with
# the fault plugin and millisecond waits, and small helpers.
#   engine_setup          $T, $T/hinge.conf, fault's folder $F
#   change NAME TEXT      write $T/NAME.conf holding change: { TEXT };
#   J FILTER ARGS...      run hinge --json ARGS and apply a jq filter
#   count WHAT KEY        how many "WHAT KEY" lines fault's log holds
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"

engine_setup() {
	hinge_tmp
	TAP_LOG=$T/log
	F=$T/fault
	mkdir -p "$F"
	cat >"$T/hinge.conf" <<CONF
agent: {
  state_db = "$T/state.db";
  plugin_dir = [ "$TEST_PLUGINS" ];
  log_level = "info";
  request_poll = "20ms";
  lease_ttl = "2s";
  lock_wait = "300ms";
};
plugins: { fault: { enabled = true; dir = "$F"; }; };
CONF
}

change() {
	printf 'change: {\n%s\n};\n' "$2" >"$T/$1.conf"
}

J() {
	_filter=$1
	shift
	H --json "$@" 2>>"$TAP_LOG" | jq -r "$_filter"
}

count() {
	grep -cx "$1 $2" "$F/log" 2>/dev/null || true
}

last_id() {
	J '.rollouts[-1].id' rollout history
}
