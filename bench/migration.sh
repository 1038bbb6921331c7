#!/bin/sh
# bench/migration.sh - a pgbench workload (point UPDATE + SELECT by key on
# a 1,000,000-row table) running while add_column, create_index and
# set_not_null are made, once by Hinge's migration plugin
# (bench/migration_drive) and once as the same DDL issued plainly with
# psql, with and without a long reader holding the table; then backfill
# throughput against one UPDATE of the same rows.  For each case: the
# workload's p99 latency and its longest stall (the slowest statement).
# Writes bench/migration_results.md.  Run after tests/run.sh built the tree.
#
#   ROWS (1000000)  WORKLOAD_S (10)  CLIENTS (4)  READER_S (4)
#   BACKFILL_RUNS (3)  BACKFILL_ONLY (0; 1: only the backfill comparison,
#   the DDL cases of the last full run kept)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${HINGE_BUILD_DIR:-$top/_build}
drive=$build/bench/migration_drive
ROWS=${ROWS:-1000000}
WORKLOAD_S=${WORKLOAD_S:-10}
CLIENTS=${CLIENTS:-4}
READER_S=${READER_S:-4}
BACKFILL_RUNS=${BACKFILL_RUNS:-3}
[ -x "$drive" ] || { echo "build first: tests/run.sh" >&2; exit 2; }

. "$top/tests/lib/pg.sh"
work=$(mktemp -d /tmp/hinge-bench-mig.XXXXXX)
chmod 755 "$work"
trap 'pg_stop "$work/pg"; rm -rf "$work"' EXIT INT TERM
pg_start "$work/pg"
HINGE_TEST_PGHOST=$PGHOST
export HINGE_TEST_PGHOST
ci=$(pg_fresh_db bench)
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }

q -c "CREATE TABLE big (id bigint PRIMARY KEY, v int NOT NULL DEFAULT 0, w int, note text);
      INSERT INTO big (id, v, w) SELECT g, 0, g FROM generate_series(1, $ROWS) g" \
	-c "VACUUM ANALYZE big"
cat >"$work/workload.sql" <<SQL
\set id random(1, $ROWS)
UPDATE big SET v = v + 1 WHERE id = :id;
SELECT v FROM big WHERE id = :id;
SQL

# Hinge's settings: lock_timeout 500 ms (the default), retries with
# backoff, and a preflight that waits for a long reader instead of
# queueing behind it.
hinge_settings="setting.lock_timeout=500 setting.lock_retries=20 setting.retry_base=200
 setting.retry_max=2000 setting.long_transaction=1000 setting.preflight_wait=20000"

# run NAME READER COMMAND...: the workload for WORKLOAD_S seconds, the
# long reader (if READER=1) from 1 s, COMMAND from 2 s; prints a table row.
run() {
	name=$1 reader=$2
	shift 2
	rm -f "$work"/pgbench_log.*
	(cd "$work" && pgbench -n -f workload.sql -c "$CLIENTS" -j 2 -T "$WORKLOAD_S" -l \
		--log-prefix=pgbench_log bench >"$work/pgbench.out" 2>&1) &
	bench_pid=$!
	sleep 1
	if [ "$reader" = 1 ]; then
		q -c "BEGIN; SELECT count(*) FROM big WHERE id < 10; SELECT pg_sleep($READER_S); COMMIT" \
			>/dev/null &
	fi
	sleep 1
	start=$(date +%s%N)
	"$@" >"$work/cmd.out" 2>&1 || true
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	wait "$bench_pid"
	wait
	cat "$work"/pgbench_log.* | awk '{ printf "%.1f\n", $3 / 1000.0 }' | sort -n >"$work/lat"
	n=$(wc -l <"$work/lat")
	printf '| %s | %d | %s ms | %.0f ms | %d ms |\n' "$name" "$n" \
		"$(sed -n "$((n * 99 / 100))p" "$work/lat")" "$(tail -1 "$work/lat")" "$took"
}

plain() { q -c "SET lock_timeout = 0; $1"; }
hinge() {
	action=$1
	shift
	# shellcheck disable=SC2086
	"$drive" "$ci" "$action" $hinge_settings "$@"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# One backfill comparison: both start from a table whose every row was
# updated and vacuumed, and Hinge's progress row is cleared so that each
# run is a fresh backfill; the two alternate, BACKFILL_RUNS times.
backfill_section() {
	for _ in $(seq "$BACKFILL_RUNS"); do
		q -c "UPDATE big SET note = NULL" -c "VACUUM big"
		s=$(date +%s%N)
		q -c "UPDATE big SET note = 'x' WHERE note IS NULL"
		echo $(( ($(date +%s%N) - s) / 1000000 )) >>"$work/one"
		q -c "UPDATE big SET note = NULL" -c "VACUUM big"
		q -c "DELETE FROM hinge.migration_backfill" 2>/dev/null || true
		hinge backfill table=big "set=note = 'x'" "where=note IS NULL" batch_size=10000 |
			sed -n 's/.* apply_ms=\([0-9]*\).*/\1/p' >>"$work/batched"
	done
	one=$(median <"$work/one")
	batched=$(median <"$work/batched")
	echo "| backfill of $ROWS rows ($(date -u +%Y-%m-%d), median of $BACKFILL_RUNS alternating runs; all: $(tr '\n' ' ' <"$work/one")/ $(tr '\n' ' ' <"$work/batched")ms) | took | rows per second |"
	echo "| --- | --- | --- |"
	echo "| one UPDATE (psql) | $one ms | $(( ROWS * 1000 / (one > 0 ? one : 1) )) |"
	echo "| Hinge apply, batches of 10,000 by key | $batched ms | $(( ROWS * 1000 / (batched > 0 ? batched : 1) )) |"
	echo "| ratio (target >= 0.8) | | $(awk -v a="$one" -v b="$batched" 'BEGIN { printf "%.2f", a / b }') |"
}

results=$top/bench/migration_results.md
if [ "${BACKFILL_ONLY:-0}" = 1 ]; then
	# Keep the DDL cases of the last full run; replace the backfill table.
	sed '/^| backfill of /,$d' "$results" >"$work/kept"
	{ cat "$work/kept"; backfill_section; } >"$work/new"
	cp "$work/new" "$results"
	cat "$results"
	exit 0
fi
{
	echo "### migration (\`bench/migration.sh\`)"
	echo
	echo "Run on $(date -u +%Y-%m-%d), $(nproc) cores, PostgreSQL $(q -c 'SHOW server_version'),"
	echo "$ROWS rows, pgbench $CLIENTS clients for ${WORKLOAD_S} s (point UPDATE + SELECT),"
	echo "long reader: a transaction that read the table and sleeps ${READER_S} s."
	echo
	echo "| case | statements | p99 | longest stall | DDL took |"
	echo "| --- | --- | --- | --- | --- |"
	run "no DDL (baseline)" 0 true
	run "add_column, psql" 0 plain "ALTER TABLE big ADD COLUMN a1 int"
	run "add_column, Hinge" 0 hinge add_column table=big column=a2 type=int
	run "add_column, psql, long reader" 1 plain "ALTER TABLE big ADD COLUMN a3 int"
	run "add_column, Hinge, long reader" 1 hinge add_column table=big column=a4 type=int
	run "create_index, psql" 0 plain "CREATE INDEX big_w1 ON big (w)"
	run "create_index, Hinge (concurrently)" 0 hinge create_index table=big name=big_w2 columns=w
	run "create_index, psql, long reader" 1 plain "CREATE INDEX big_w3 ON big (w)"
	run "create_index, Hinge, long reader" 1 hinge create_index table=big name=big_w4 columns=w
	q -c "DROP INDEX big_w1, big_w2, big_w3, big_w4"
	run "set_not_null, psql" 0 plain "ALTER TABLE big ALTER COLUMN w SET NOT NULL"
	q -c "ALTER TABLE big ALTER COLUMN w DROP NOT NULL"
	run "set_not_null, Hinge (online)" 0 hinge set_not_null table=big column=w
	q -c "ALTER TABLE big ALTER COLUMN w DROP NOT NULL"
	run "set_not_null, psql, long reader" 1 plain "ALTER TABLE big ALTER COLUMN w SET NOT NULL"
	q -c "ALTER TABLE big ALTER COLUMN w DROP NOT NULL"
	run "set_not_null, Hinge, long reader" 1 hinge set_not_null table=big column=w
	echo
	backfill_section
} | tee "$results"
