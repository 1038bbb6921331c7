#!/bin/sh
# Candidate indexes checked with hypopg where the database has it, else
# on a sampled copy: the same planted slow query through both paths;
# "transient" creates the extension only inside each check's rolled-back
# transaction, and a role that may not create it falls back to the copy;
# a bad setting is a config error.
. "$HINGE_SRCDIR/tests/integration/perf_lib.sh"
perf_db perf_hypopg perf_queries.sql
sql() {
	psql -q -X -v ON_ERROR_STOP=1 "$ci" "$@" >>"$TAP_LOG" 2>&1
}
sql -c "CREATE EXTENSION pg_stat_statements"
i=0
while [ "$i" -lt 5 ]; do
	echo "SELECT count(*) FROM perf_big WHERE k = $i;"
	echo "SELECT count(*) FROM public.perf_big WHERE v = 'x$i';"
	echo "SELECT max(v) FROM perf_big WHERE k = $i AND id > 10;"
	i=$((i + 1))
done >"$T/work.sql"
sql -f "$T/work.sql"
extensions() {
	psql -X -At "$ci" -c "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension"
}
before=$(extensions)
advise() { # SETTING: advise with perf.hypopg = SETTING into $T/a.json
	perf_conf "$T/hinge.conf" "${2:-$ci}" "sample_rows = 50000; hypopg = \"$1\";"
	H --json perf advise --limit 50 >"$T/a.json" 2>"$T/err"
}
k='.advice[] | select(.plan.filter == "(perf_big.k = $1)")'
v='.advice[] | select(.plan.filter | test("v = "))'
j() {
	jq -r "$1" "$T/a.json"
}

# Not in the database: the sampled copy, and the report says why.
advise installed
is "without hypopg in the database: exit 0" "$?" "0"
is "the report says it is not created there and how to use it" "$(j .hypopg)" \
	'not created in the database (CREATE EXTENSION hypopg, or perf.hypopg = "transient")'
is "the candidate is checked on a sampled copy" "$(j "$k | .check.method")" "sampled copy"
is "which uses the index" "$(j "$k | .check.uses_index")" "true"
is "a schema-qualified statement cannot be checked on a copy" "$(j "$v | .check.method")" "none"
advise off
is "hypopg = off: the sampled copy" "$(j "$k | .check.method") $(j .hypopg)" \
	"sampled copy off (setting perf.hypopg)"

# transient: created inside each check's transaction, never left behind.
advise transient
is "transient: exit 0" "$?" "0"
is "transient: reported" "$(j .hypopg)" "transient"
is "the candidate is checked as a hypothetical index" "$(j "$k | .check.method")" "hypothetical index"
ok "named as hypopg names it" sh -c "jq -r '$k | .check.index' '$T/a.json' | grep -Eq '^<[0-9]+>btree_perf_big_k$'"
is "the plan uses it, at a lower cost" "$(j "$k | .check | \"\(.uses_index) \(.cost_with < .cost_without)\"")" "true true"
# Hypothetical indexes live in the session: each check drops its own,
# or the next statement on k would be planned with it already there.
is "every check's cost without its index is the table's own" \
	"$(j '[.advice[] | select(.plan.relation == "perf_big") | .check.cost_without == .plan.cost] | "\(length) \(all)"')" "3 true"
is "the statement on k and id gets (k, id)" \
	"$(j '.advice[] | select(.plan.filter | test("id >")) | "\(.index.columns | join(",")) \(.check.method)"')" "k,id hypothetical index"
is "a schema-qualified statement is checked too" "$(j "$v | \"\(.check.method) \(.check.uses_index) \(.advised)\"")" \
	"hypothetical index true true"
is "the database is left without the extension" "$(extensions)" "$before"

# A role that may not create it falls back to the copy, with the reason.
sql -c "DROP ROLE IF EXISTS perf_hypo_reader" -c "CREATE ROLE perf_hypo_reader LOGIN" \
	-c "GRANT pg_read_all_stats TO perf_hypo_reader" \
	-c "GRANT SELECT ON perf_big, perf_small TO perf_hypo_reader"
advise transient "host=$HINGE_TEST_PGHOST user=perf_hypo_reader dbname=perf_hypopg"
is "a role that cannot create hypopg: exit 0" "$?" "0"
is "its candidates are checked on a sampled copy" "$(j "$k | .check.method")" "sampled copy"
ok "the report says why" sh -c "jq -r .hypopg '$T/a.json' | grep -q '^cannot be created: permission denied'"
ok "so does a warning" grep -q 'hypopg cannot be created: permission denied.*sampled copies instead' "$T/err"
sql -c "DROP OWNED BY perf_hypo_reader" -c "DROP ROLE perf_hypo_reader"

# Created in the database: used by default, and left there.
sql -c "CREATE EXTENSION hypopg"
advise installed
is "installed: reported" "$(j .hypopg)" "installed"
is "installed: a hypothetical index" "$(j "$k | \"\(.check.method) \(.check.uses_index)\"")" "hypothetical index true"
H perf propose --queryid "$(j "$v | .statement.queryid")" --out "$T/change.conf" >>"$TAP_LOG" 2>&1
is "propose: exit 0" "$?" "0"
ok "the change says how the index was checked" grep -q 'checked as a hypothetical index (hypopg)' "$T/change.conf"
ok "even for a statement that names its schema, which only hypopg can check" \
	grep -q 'table = "perf_big"; name = "perf_big_v_idx"; columns = "\\"v\\""' "$T/change.conf"
H perf advise >"$T/text" 2>>"$TAP_LOG"
ok "text output: the method and its costs" grep -q '^  hypothetical index: cost [0-9.]* without, [0-9.]* with the index$' "$T/text"
ok "text output: hypopg's status" grep -q '^hypopg: installed$' "$T/text"

perf_conf "$T/hinge.conf" "$ci" 'hypopg = "sometimes";'
H config check >"$T/out" 2>"$T/err"
is "hypopg = sometimes: a config error" "$?" "2"
ok "the message names the file, the line and the setting" \
	grep -q "$T/hinge.conf:[0-9]*: hypopg: \"sometimes\" is not installed, transient or off" "$T/err"
done_testing
