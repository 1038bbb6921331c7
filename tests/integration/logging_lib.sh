# logging_lib.sh - what the logging plugin's integration tests share:
# doubles of Sentry and Loggly, secret files, a config, the agent.
#   lg_setup NAME             a work folder $W and a fresh database $CONNINFO
#                             (in a cluster of its own without tests/run.sh)
#   lg_double KIND ARGS...    start logging_KIND.py; sets KIND_PORT
#   lg_config [EXTRA]         write $W/hinge.conf (EXTRA: more plugin keys)
#   lg_agent_start / lg_agent_stop / lg_agent_kill
#   lg_wait SECONDS CMD...    until CMD succeeds; 1 when it never did
#   lg_lines FILE             lines in FILE (0 when missing)
#   lg_sql SQL                run SQL on the state database
#   lg_spooled [corrupt]      the ids of the events some sink waits for, in
#                             spool order; with corrupt, break the first
#                             one's body on disk instead
#   LG_STATE, LG_FILE         where lg_config puts the state database and
#                             the file sink (default: in $W)
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
LG_PIDS=""

lg_cleanup() {
	for _p in $LG_PIDS; do kill "$_p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${LG_MNT:-}" ] && umount "$LG_MNT"
	if [ -n "${LG_PG:-}" ]; then
		pg_stop "$LG_PG"
		rm -rf "$LG_PG"
	fi
	[ -n "${LG_KEEP:-}" ] || rm -rf "$W"
}

lg_setup() {
	W=$(mktemp -d "/tmp/hinge-$1.XXXXXX")
	trap lg_cleanup EXIT INT TERM
	# outside tests/run.sh (make distcheck): a cluster of our own
	if [ -z "${HINGE_TEST_PGHOST:-}" ]; then
		LG_PG=$(mktemp -d /tmp/hinge-logging-pg.XXXXXX)
		pg_start "$LG_PG" || bail "no PostgreSQL to test with"
		HINGE_TEST_PGHOST=$LG_PG
		export HINGE_TEST_PGHOST
	fi
	CONNINFO=$(pg_fresh_db "$1") || bail "no test database"
	PGHOST=$HINGE_TEST_PGHOST PGUSER=postgres psql -q -v ON_ERROR_STOP=1 \
		-d "$1" -f "$HINGE_SRCDIR/tests/fixtures/app_schema.sql" \
		-f "$HINGE_SRCDIR/tests/fixtures/app_data.sql" >/dev/null ||
		bail "fixture did not load"
	LG_DB=$1
}

lg_psql() {
	PGHOST=$HINGE_TEST_PGHOST PGUSER=postgres psql -qAt -v ON_ERROR_STOP=1 \
		-d "$LG_DB" -c "$1"
}

lg_double() {
	_kind=$1; shift
	rm -f "$W/$_kind.port"
	python3 "$HINGE_SRCDIR/tests/doubles/logging_$_kind.py" \
		--port-file "$W/$_kind.port" --log "$W/$_kind.log" "$@" &
	LG_PIDS="$LG_PIDS $!"
	lg_wait 10 test -s "$W/$_kind.port" || bail "the $_kind double did not start"
	eval "$(echo "$_kind" | tr a-z A-Z)_PORT=$(cat "$W/$_kind.port")"
}

lg_config() {
	umask 077
	printf 'http://pubkey123@127.0.0.1:%s/42\n' "$SENTRY_PORT" >"$W/dsn"
	printf '0a1b2c3d-4e5f-6789-abcd-ef0123456789\n' >"$W/token"
	cat >"$W/hinge.conf" <<CONF
agent: {
  state_db = "${LG_STATE:-$W/state.db}";
  plugin_dir = "$HINGE_BUILDDIR/plugins/logging/.libs";
  log_level = "info";
  stop_timeout = "2s";
};
plugins: {
  logging: {
    enabled = true;
    pg_conninfo = "$CONNINFO";
    pg_interval = "100ms";
    pg_overlap = "2s";
    flush_interval = "100ms";
    backoff_initial = "100ms";
    backoff_max = "400ms";
    http_timeout = "2s";
    sentry_dsn = "$W/dsn";
    loggly_token = "$W/token";
    loggly_url = "http://127.0.0.1:$LOGGLY_PORT";
    file_path = "${LG_FILE:-$W/events.jsonl}";
    ${1:-}
  };
};
CONF
}

lg_agent_start() {
	"$HINGE_BUILDDIR/hinge" -c "$W/hinge.conf" agent 2>>"$W/agent.err" &
	LG_AGENT=$!
	LG_PIDS="$LG_PIDS $LG_AGENT"
}

lg_agent_stop() {
	kill -TERM "$LG_AGENT" 2>/dev/null
	wait "$LG_AGENT" 2>/dev/null
}

lg_agent_kill() {
	kill -KILL "$LG_AGENT" 2>/dev/null
	wait "$LG_AGENT" 2>/dev/null
}

lg_wait() {
	_n=$(($1 * 10)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

lg_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

lg_fixed_lines() { # FILE N LEN WORD: N lines "ERROR WORD line NNNNNN xx..." of LEN bytes
	python3 - "$@" <<'PY'
import sys
path, n, size, word = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(path, "w") as f:
    for i in range(n):
        head = "ERROR %s line %06d " % (word, i)
        f.write(head + "x" * (size - len(head) - 1) + "\n")
PY
}

lg_sql() {
	sqlite3 "${LG_STATE:-$W/state.db}" "$1"
}

lg_spooled() {
	python3 - "${LG_STATE:-$W/state.db}" "${1:-ids}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
waiting = []  # (chunk, index, id, bodies)
for cid, n, ids, bodies in db.execute(
        "SELECT id, n, ids, bodies FROM logging_chunks ORDER BY id").fetchall():
    bits = 0
    for (b,) in db.execute("SELECT bits FROM logging_pending WHERE chunk = ?", (cid,)):
        bits |= int.from_bytes(b, "little")
    ids = ids.split("\n")
    for k in range(n):
        if bits >> k & 1:
            waiting.append((cid, k, ids[k], bodies))
if sys.argv[2] == "corrupt":
    cid, k, _, bodies = waiting[0]
    lines = bodies.split("\n")
    lines[k] = '{"event_id": broken'
    db.execute("UPDATE logging_chunks SET bodies = ? WHERE id = ?", ("\n".join(lines), cid))
    db.commit()
else:
    for w in waiting:
        print(w[2])
PY
}

# Distinct event ids a double accepted (status 200).
lg_accepted() {
	python3 -c 'import json,sys
ids = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["status"] == 200 and "event_id" in r: ids.add(r["event_id"])
print(len(ids))' "$W/$1.log" 2>/dev/null || echo 0
}

lg_at_least() { # FILE-KIND N: the double accepted at least N events
	[ "$(lg_accepted "$1")" -ge "$2" ]
}
