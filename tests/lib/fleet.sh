# fleet.sh - helpers for tests that run several fleet agents on one
# machine, each with its own folder $T/HOST (state database, fault
# plugin folder, hinge.conf) and host id.
#
#   fleet_conf HOST CONNINFO [FAULT_DIR]  write $T/HOST/hinge.conf; the fault
#                              plugin keeps its effects in FAULT_DIR
#                              (default $T/HOST/fault); FLEET_BEAT and
#                              FLEET_LATE replace heartbeat and late_after
#   fleet_agent HOST           start its agent; pid in pid_HOST
#   wait_for SECONDS CMD...    run CMD every 50 ms until it succeeds, for SECONDS
#   fleet_state ID             the fleet rollout's state (through $T/op)
#   is_state ID STATE          it is STATE
#   fleet_order HOST...        the hosts in wave order (SHA-256 of their ids)
#   has_hosts N                N hosts are registered
fleet_conf() {
	_fault=${3:-$T/$1/fault}
	mkdir -p "$T/$1" "$_fault"
	cat >"$T/$1/hinge.conf" <<CONF
agent: { state_db = "$T/$1/state.db"; plugin_dir = [ "$TEST_PLUGINS" ]; log_level = "info";
         request_poll = "20ms"; lease_ttl = "2s"; lock_wait = "300ms"; };
plugins: { fault: { enabled = true; dir = "$_fault"; }; };
fleet: { conninfo = "$2"; host_id = "$1"; heartbeat = "${FLEET_BEAT:-100ms}"; late_after = "${FLEET_LATE:-3s}"; poll = "100ms"; };
CONF
}

fleet_agent() {
	"$HINGE" -c "$T/$1/hinge.conf" agent 2>>"$T/$1/agent.err" &
	eval "pid_$1=$!"
	HINGE_PIDS="${HINGE_PIDS:-} $!"
}

wait_for() { # bounded by the clock: a loaded machine makes each try slow
	_end=$(($(date +%s) + $1)); shift
	while [ "$(date +%s)" -le "$_end" ]; do "$@" && return 0; sleep 0.05; done
	return 1
}

fleet_state() {
	"$HINGE" -c "$T/op/hinge.conf" --json fleet status "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'
}

is_state() { [ "$(fleet_state "$1")" = "$2" ]; }

fleet_order() {
	python3 -c 'import hashlib,sys; print(" ".join(sorted(sys.argv[1:], key=lambda h: hashlib.sha256(h.encode()).hexdigest())))' "$@"
}

has_hosts() {
	[ "$("$HINGE" -c "$T/op/hinge.conf" --json fleet hosts |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["hosts"]))')" = "$1" ]
}
