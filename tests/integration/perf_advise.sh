#!/bin/sh
# hinge perf advise and propose through the real binary: the planted
# slow query on an unindexed column gets the right index with its
# evidence, proved on a sampled copy, and the database is left as it was;
# a query EXPLAIN refuses, unused and duplicate indexes are reported;
# propose writes the change file with the index step and the gate.
. "$HINGE_SRCDIR/tests/integration/perf_lib.sh"
perf_db perf_advise perf_queries.sql
sql() {
	psql -q -X -v ON_ERROR_STOP=1 "$ci" "$@" >>"$TAP_LOG" 2>&1
}
sql -c "CREATE EXTENSION pg_stat_statements" \
	-c "CREATE INDEX perf_small_v ON perf_small (v)" \
	-c "CREATE INDEX perf_small_v2 ON perf_small (v)"
perf_conf "$T/hinge.conf" "$ci" 'sample_rows = 50000;'
i=0
while [ "$i" -lt 5 ]; do
	echo "SELECT count(*) FROM perf_big WHERE k = $i;"
	echo "SELECT count(*) FROM public.perf_big WHERE v = 'x$i';"
	echo "SELECT extract(epoch FROM now()) + $i;"
	i=$((i + 1))
done >"$T/work.sql"
i=0
while [ "$i" -lt 20 ]; do
	echo "SELECT v FROM perf_small WHERE id = $i;"
	i=$((i + 1))
done >>"$T/work.sql"
sql -f "$T/work.sql"
catalog() {
	psql -X -At "$ci" -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'perf_big'" \
		-c "SELECT count(*) FROM pg_class WHERE relpersistence = 't'"
}
before=$(catalog)

H --json perf advise --limit 50 >"$T/a.json" 2>>"$TAP_LOG"
is "advise: exit 0" "$?" "0"
j() {
	jq -r "$1" "$T/a.json"
}
k='.advice[] | select(.plan.filter | test("k = "))'
is "advise: schema" "$(j .schema)" "hinge.perf.advice/1"
is "the index for the slow query is on perf_big (k)" "$(j "$k | .index.definition")" \
	'CREATE INDEX CONCURRENTLY "perf_big_k_idx" ON "public"."perf_big" ("k")'
is "it is advised" "$(j "$k | .advised")" "true"
is "evidence: the statement" "$(j "$k | .statement | \"\(.query) \(.calls)\"")" \
	'SELECT count(*) FROM perf_big WHERE k = $1 5'
is "evidence: the plan's node and filter" "$(j "$k | .plan | \"\(.node) \(.filter)\"")" \
	'Seq Scan (perf_big.k = $1)'
is "evidence: the table's rows and scans" "$(j "$k | .table | \"\(.reltuples) \(.seq_scan >= 10)\"")" "200000 true"
ok "evidence: the table's size" test "$(j "$k | .table.size_bytes")" -gt 1000000
is "checked on a sampled copy" "$(j "$k | .check.method")" "sampled copy"
is "the copy uses the index, at a lower cost" \
	"$(j "$k | .check | \"\(.uses_index) \(.cost_with < .cost_without)\"")" "true true"
ok "the copy holds about sample_rows rows" test "$(j "$k | .check.sample_rows | floor")" -le 60000
is "a schema-qualified statement cannot be checked on a copy" \
	"$(j '.advice[] | select(.plan.filter | test("v = ")) | "\(.check.method) \(.index.columns[0])"')" "none v"
is "the primary-key lookup gets no advice" "$(j '[.advice[] | select(.plan.relation == "perf_small")] | length')" "0"
ok "a statement EXPLAIN refuses is reported with the reason" \
	sh -c "jq -e '.refused[] | select(.statement.query | test(\"extract\")) | .error | test(\"syntax error\")' '$T/a.json'"
is "duplicate indexes are reported" "$(j '.duplicate_indexes[0].indexes')" "perf_small_v, perf_small_v2"
ok "unused indexes are reported" sh -c "jq -e '.unused_indexes[] | select(.name == \"perf_small_v\")' '$T/a.json'"
ok "perf_big leads the sequential scans" sh -c "jq -e '.seq_scan_tables[0].name == \"perf_big\"' '$T/a.json'"
is "advise changed nothing in the database" "$(catalog)" "$before"

H perf advise >"$T/text" 2>>"$TAP_LOG"
ok "text output advises the index" grep -q '^advised: CREATE INDEX CONCURRENTLY "perf_big_k_idx"' "$T/text"
ok "text output says which advice was not checked" grep -q '^  not checked: the statement names the table with its schema' "$T/text"

id=$(j "$k | .statement.queryid")
H perf propose --out "$T/change.conf" >"$T/text" 2>>"$TAP_LOG"
is "propose: exit 0" "$?" "0"
ok "propose names the file it wrote" grep -q "wrote $T/change.conf" "$T/text"
ok "the change builds the index with migration.create_index" \
	grep -q 'action = "migration.create_index";' "$T/change.conf"
ok "with the advised table and column" \
	grep -q 'with = { schema = "public"; table = "perf_big"; name = "perf_big_k_idx"; columns = "\\"k\\""; };' "$T/change.conf"
ok "the gate proves the gain of that statement" \
	grep -q "perf.query_gain{queryid=\\\\\"$id\\\\\"} == 1" "$T/change.conf"
ok "and bounds its mean" grep -q "perf.query_mean_ms{queryid=\\\\\"$id\\\\\"} < " "$T/change.conf"
ok "a failure rolls the index back" grep -q 'on_failure = "rollback";' "$T/change.conf"
expect_exit "propose never replaces a file" 2 H perf propose --out "$T/change.conf"
expect_exit "propose for a statement without advice: exit 1" 1 H perf propose --queryid 1
H --json perf propose --queryid "$id" >"$T/p.json" 2>>"$TAP_LOG"
is "propose --json: the change for that statement" \
	"$(jq -r '"\(.schema) \(.file) \(.advice.statement.queryid)"' "$T/p.json")" "hinge.perf.proposal/1 null $id"

# Once the index exists, it is no longer advised.
sql -c "CREATE INDEX perf_big_k ON perf_big (k)"
H --json perf advise >"$T/a.json" 2>>"$TAP_LOG"
is "an index that exists is not advised again" "$(j "[$k] | length")" "0"
done_testing
