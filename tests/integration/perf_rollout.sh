#!/bin/sh
# The loop closed for real: `hinge perf propose` writes the change, and
# `hinge rollout start` runs it through the engine with the migration
# plugin's migration.create_index, while a background loop issues the
# planted slow query through the gate's bake.  An index that does not
# help the gated statement fails its gate and the engine drops it again;
# the advised index passes its gate and stays, valid in the catalog.
. "$HINGE_SRCDIR/tests/integration/perf_lib.sh"
perf_db perf_rollout perf_queries.sql
sql() {
	psql -q -X -v ON_ERROR_STOP=1 "$ci" "$@" >>"$TAP_LOG" 2>&1
}
# Statistics from here on only: the fixture's bulk load is not the
# workload.  This database's only: other tests share the cluster.
sql -c "CREATE EXTENSION pg_stat_statements" \
	-c "SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = current_database()"
cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; log_level = "info";
  plugin_dir = [ "$HINGE_BUILDDIR/plugins/perf/.libs", "$HINGE_BUILDDIR/plugins/migration/.libs" ]; };
plugins: {
  perf: { enabled = true; conninfo = "$ci"; min_calls = 15; gain_margin = 0.3;
    sample_rows = 50000; propose_bake = "1500ms"; propose_interval = "150ms";
    propose_failure_limit = 1; propose_inconclusive_limit = 60; };
  migration: { enabled = true; conninfo = "$ci"; lock_timeout = "2s"; };
};
CONF
# The workload: pgbench in simple-query mode, so that the literal key is
# normalised into the same statement as psql's (k = $1).  -R paces it.
printf '\\set k random(0, 999)\nSELECT count(*) FROM perf_big WHERE k = :k;\n' >"$T/slow.sql"
printf 'SELECT v FROM perf_small WHERE id = 1;\n' >"$T/fast.sql"
bench() { # pgbench ARGS...: one client, its output to the log
	"$PG_BINDIR/pgbench" -n -M simple -c 1 "$@" "$ci" >>"$TAP_LOG" 2>&1
}
loop_start() { # a background loop issuing the slow query ($! is pgbench's)
	"$PG_BINDIR/pgbench" -n -M simple -c 1 -R 80 -T 600 -f "$T/slow.sql" "$ci" \
		>>"$TAP_LOG" 2>&1 &
	loop=$!
	HINGE_PIDS="$HINGE_PIDS $loop"
}
loop_stop() {
	kill "$loop" 2>/dev/null
	wait "$loop" 2>/dev/null
}
roll() { # CHANGE: rollout start with the loop running; $rc, $T/s.json
	loop_start
	H rollout start "$1" --reason "perf_rollout" >>"$TAP_LOG" 2>&1
	rc=$?
	loop_stop
	H --json rollout history 2>>"$TAP_LOG" | jq -r '.rollouts[-1].id' >"$T/rid"
	H --json rollout status "$(cat "$T/rid")" >"$T/s.json" 2>>"$TAP_LOG"
}
indexes() { # the names of perf_big's indexes and whether each is valid
	psql -X -At "$ci" -c "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = 'public.perf_big'::regclass"
}

# The baseline: a snapshot, the slow query and a frequent fast one, a
# snapshot.  The gates compare their stage with this window.
expect_exit "a snapshot before the work" 0 H perf snapshot
bench -t 40 -f "$T/slow.sql"
bench -t 200 -f "$T/fast.sql"
expect_exit "a snapshot after it" 0 H perf snapshot

H --json perf queries >"$T/q.json" 2>>"$TAP_LOG"
is "the planted slow query ranks first by total time" \
	"$(jq -r '.by_total_time[0].query' "$T/q.json")" 'SELECT count(*) FROM perf_big WHERE k = $1'
is "the frequent fast one ranks first by calls" \
	"$(jq -r '.by_calls[0].query' "$T/q.json")" 'SELECT v FROM perf_small WHERE id = $1'
id=$(jq -r '.by_total_time[0].queryid' "$T/q.json")

H --json perf propose --out "$T/good.conf" >"$T/p.json" 2>>"$TAP_LOG"
is "propose: exit 0" "$?" "0"
is "the proposal is for the slow statement" "$(jq -r '.advice.statement.queryid' "$T/p.json")" "$id"
is "the advised index is on perf_big (k)" "$(jq -r '.advice.index.definition' "$T/p.json")" \
	'CREATE INDEX CONCURRENTLY "perf_big_k_idx" ON "public"."perf_big" ("k")'
expect_exit "the proposed change passes plan (the migration plugin accepts its parameters)" 0 \
	H rollout plan "$T/good.conf"

# A useless index: the same gate on the slow statement, an index on v.
sed -e 's/perf_big_k_idx/perf_big_v_idx/g' -e 's/columns = "\\"k\\""/columns = "\\"v\\""/' \
	"$T/good.conf" >"$T/useless.conf"
ok "the useless change indexes v" grep -q 'columns = "\\"v\\""' "$T/useless.conf"
before=$(indexes)
roll "$T/useless.conf"
is "the useless index fails its gate: exit 1" "$rc" "1"
is "the engine rolled it back" "$(jq -r .rollout.state "$T/s.json")" "rolled_back"
is "the index step was reverted" "$(jq -r '.rollout.steps[0].phase' "$T/s.json")" "reverted"
is "the gate failed on the statement's readings, not on missing data" \
	"$(jq -r '.rollout.steps[1] | "\(.phase) \(.failures)"' "$T/s.json")" "failed 2"
is "the useless index is gone from the catalog" "$(indexes)" "$before"

roll "$T/good.conf"
is "the advised index passes its gate: exit 0" "$rc" "0"
is "the rollout completed" "$(jq -r .rollout.state "$T/s.json")" "completed"
is "the index is in the catalog, valid" "$(indexes)" "perf_big_k_idx:true"
is "the gate passed with no failed evaluation" \
	"$(jq -r '.rollout.steps[1] | "\(.phase) \(.failures)"' "$T/s.json")" "done 0"
H --json perf advise >"$T/a.json" 2>>"$TAP_LOG"
is "the index in place is not advised again" \
	"$(jq -r "[.advice[] | select(.statement.queryid == \"$id\")] | length" "$T/a.json")" "0"
done_testing
