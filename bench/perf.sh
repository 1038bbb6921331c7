#!/bin/sh
# bench/perf.sh - the perf plugin's analysis time: `hinge perf tasks` over
# 1,000,000 task rows, and `perf snapshot`, `perf queries` and
# `perf advise` over 10,000 distinct statements in pg_stat_statements,
# and the two ways advise checks a candidate index (sampled copy, hypopg).
# Starts a private PostgreSQL of its own (pg_stat_statements.max must be
# raised, which needs a restart), prints the figures and writes them to
# bench/perf_README.md.
#
#   usage: bench/perf.sh [BUILD_DIR]    (default _build; run tests/run.sh first)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
hinge=$build/hinge
runs=5
. "$top/tests/lib/pg.sh"
T=$(mktemp -d /tmp/hinge-bench-perf.XXXXXX)
chmod 755 "$T"
trap 'pg_stop "$T/pg"; rm -rf "$T"' EXIT INT TERM
pg_start "$T/pg"
echo "pg_stat_statements.max = 20000" >>"$T/pg/data/postgresql.conf"
pg_as_postgres "$PG_BINDIR/pg_ctl" -D "$T/pg/data" -m fast -w restart >/dev/null
createdb perf_bench
ci="host=$T/pg user=postgres dbname=perf_bench"
psql -q -X -v ON_ERROR_STOP=1 "$ci" -f "$top/tests/fixtures/app_schema.sql" \
	-c "CREATE EXTENSION pg_stat_statements" >/dev/null

# 1,000,000 finished tasks over two days, 20 types, 5% failed.
psql -q -X -v ON_ERROR_STOP=1 "$ci" >/dev/null <<'SQL'
INSERT INTO execution_tasks (task_type, status, started_at, finished_at)
SELECT 'type_' || (g % 20),
       CASE WHEN g % 20 = 7 OR g % 97 = 0 THEN 'failed' ELSE 'done' END,
       now() - (g % 172800) * interval '1 second',
       now() - (g % 172800) * interval '1 second'
             + (50 + (g::bigint * 7919) % 5000) * interval '1 millisecond'
FROM generate_series(1, 1000000) AS g;
ANALYZE execution_tasks;
SQL
rows=$(psql -X -At "$ci" -c "SELECT count(*) FROM execution_tasks")

cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$build/plugins/perf/.libs" ]; log_level = "error"; };
plugins: { perf: { enabled = true; conninfo = "$ci"; }; };
CONF

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# time_ms N CMD...: the median wall time of N runs, in ms
time_ms() {
	n=$1; shift
	for i in $(seq "$n"); do
		s=$(date +%s%N)
		"$@" >/dev/null
		echo $((($(date +%s%N) - s) / 1000000))
	done | median
}

tasks_ms=$(time_ms $runs "$hinge" -c "$T/hinge.conf" --json perf tasks --since 24h)
rss_kb=$( { /usr/bin/time -f '%M' "$hinge" -c "$T/hinge.conf" --json perf tasks >/dev/null; } 2>&1 | tail -1)

# 10,000 distinct statements: a query's id hashes its tree, not its
# text, so each reads another column of another table.
psql -q -X -v ON_ERROR_STOP=1 "$ci" >/dev/null <<'SQL'
DO $$
BEGIN
  FOR m IN 1..100 LOOP
    EXECUTE format('CREATE TABLE bench_t%s (%s)', m,
      (SELECT string_agg(format('c%s int', k), ', ') FROM generate_series(1, 100) AS k));
  END LOOP;
END $$;
SQL
for m in $(seq 1 100); do
	seq 1 100 | awk -v m="$m" '{ printf "SELECT c%d FROM bench_t%d WHERE c%d = %d;\n", $1, m, $1, $1 }'
done >"$T/stmts.sql"
psql -q -X "$ci" -f "$T/stmts.sql" >/dev/null
stmts=$(psql -X -At "$ci" -c "SELECT count(*) FROM pg_stat_statements")
snap_ms=$(time_ms $runs "$hinge" -c "$T/hinge.conf" perf snapshot)
sleep 1
queries_ms=$(time_ms $runs "$hinge" -c "$T/hinge.conf" --json perf queries --since 500ms)
advise_ms=$(time_ms $runs "$hinge" -c "$T/hinge.conf" --json perf advise)
# One planted slow statement on 200,000 rows: its candidate index checked
# on a sampled copy (sample_rows 100000), then as a hypothetical index.
createdb perf_bench_advise
ci2="host=$T/pg user=postgres dbname=perf_bench_advise"
psql -q -X -v ON_ERROR_STOP=1 "$ci2" -f "$top/tests/fixtures/perf_queries.sql" \
	-c "CREATE EXTENSION pg_stat_statements" >/dev/null
seq 1 20 | awk '{ printf "SELECT count(*) FROM perf_big WHERE k = %d;\n", $1 }' |
	psql -q -X "$ci2" >/dev/null
sed "s|$ci|$ci2|; s|\"$T/state.db\"|\"$T/state2.db\"|" "$T/hinge.conf" >"$T/advise.conf"
copy_ms=$(time_ms $runs "$hinge" -c "$T/advise.conf" --json perf advise)
psql -q -X -c "CREATE EXTENSION hypopg" "$ci2" >/dev/null
hypo_ms=$(time_ms $runs "$hinge" -c "$T/advise.conf" --json perf advise)
method=$("$hinge" -c "$T/advise.conf" --json perf advise | jq -r '.advice[0].check.method')

snapshots=$(sqlite3 "$T/state.db" "SELECT count(*) FROM perf_snapshot")
db_kb=$(($(stat -c %s "$T/state.db") / 1024))

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
figures=$(cat <<FIG
<!-- PERF -->
### perf plugin (\`bench/perf.sh\`)

Run on $(date -u +%Y-%m-%d), $cpu, $(nproc) cores, PostgreSQL $(psql -X -At "$ci" -c "SHOW server_version" | cut -d' ' -f1)
on a Unix socket (fsync off), state database in /tmp.  Medians of $runs runs;
load average $load at the end (other work on the host slows every figure).

| figure | value |
| --- | --- |
| \`perf tasks --since 24h\` over $rows task rows (20 types, both windows read) | $tasks_ms ms |
| its peak RSS | $rss_kb KiB |
| \`perf snapshot\` of $stmts statements | $snap_ms ms |
| \`perf queries\` (snapshot, baseline, windows of $stmts statements) | $queries_ms ms |
| \`perf advise\` (the same, plus EXPLAIN of the top 10) | $advise_ms ms |
| \`perf advise\`, a planted statement on 200000 rows, candidate checked on a sampled copy of 100000 rows | $copy_ms ms |
| the same, checked as a $method (hypopg installed) | $hypo_ms ms |
| state database after $snapshots snapshots | $db_kb KiB |
<!-- /PERF -->
FIG
)
printf '%s\n' "$figures"
printf '# Benchmarks of the perf plugin\n\nWritten by bench/perf.sh; run it after tests/run.sh has built the tree.\n\n%s\n' \
	"$figures" >"$top/bench/perf_README.md"
