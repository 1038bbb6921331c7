#!/bin/sh
# bench/logging_chunk_ids.sh - what chunk ids that are never reused cost
# the spool: logging_chunks with AUTOINCREMENT (one sqlite_sequence row
# written per chunk) against the table before it, in the state database's
# settings (WAL, synchronous=FULL), with the sqlite3 shell.  Each commit
# spools one chunk and deletes what delivery would have taken (all but
# the newest four), as in a running agent:
#   tail:  chunks of 1,000 events (33,000 bytes of ids, 256,000 of bodies:
#          one tail_max_bytes round);
#   agent: chunks of one event (33 + 400 bytes: an error the agent logs).
# ROUNDS interleaved rounds (default 5), the median of each; the figures
# go into bench/logging_results.md.
#
#   ROUNDS=5 TAIL=300 AGENT=1000 bench/logging_chunk_ids.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5}
TAIL=${TAIL:-300}
AGENT=${AGENT:-1000}
W=$(mktemp -d /tmp/hinge-bench-chunkids.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM

# schema KEYWORD: the table, with or without AUTOINCREMENT
schema() {
	printf 'PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
CREATE TABLE logging_chunks (id INTEGER PRIMARY KEY %s, n INTEGER NOT NULL,
 left INTEGER NOT NULL, time_ms INTEGER NOT NULL, ids TEXT NOT NULL,
 bodies TEXT NOT NULL, sum BLOB);\n' "$1"
}

# work COMMITS N IDS BODIES: one chunk of N events per commit
work() {
	awk -v c="$1" -v n="$2" -v i="$3" -v b="$4" 'BEGIN {
		for (k = 0; k < c; k++)
			printf "BEGIN; INSERT INTO logging_chunks (n, left, time_ms, ids," \
			       " bodies, sum) VALUES (%d, %d, %d, printf(\"%%.%dc\", \"i\")," \
			       " printf(\"%%.%dc\", \"b\"), zeroblob(32)); DELETE FROM" \
			       " logging_chunks WHERE id < (SELECT max(id) - 3 FROM" \
			       " logging_chunks); COMMIT;\n", n, n, k, i, b
	}'
}

work "$TAIL" 1000 33000 256000 >"$W/tail.sql"
work "$AGENT" 1 33 400 >"$W/agent.sql"

# run KIND KEYWORD: milliseconds for KIND's commits on a new database
run() {
	rm -f "$W/db" "$W/db-wal" "$W/db-shm"
	schema "$2" | sqlite3 "$W/db" >/dev/null
	t0=$(date +%s%N)
	sqlite3 "$W/db" <"$W/$1.sql" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for r in $(seq "$ROUNDS"); do
	for kind in tail agent; do
		echo "$kind plain $(run "$kind" '')" >>"$W/times"
		echo "$kind auto $(run "$kind" AUTOINCREMENT)" >>"$W/times"
	done
done

row() { # KIND COMMITS: a table row
	plain=$(awk -v k="$1" '$1 == k && $2 == "plain" { print $3 }' "$W/times" | median)
	auto=$(awk -v k="$1" '$1 == k && $2 == "auto" { print $3 }' "$W/times" | median)
	all=$(awk -v k="$1" '$1 == k { printf "%s%s %s", sep, $2, $3; sep = ", " }' "$W/times")
	awk -v k="$1" -v c="$2" -v p="$plain" -v a="$auto" -v all="$all" 'BEGIN {
		printf "| %s | %d | %.0f | %.0f | %.2f | %s |\n", k, c, 1000 * p / c,
		       1000 * a / c, a / p, all
	}'
}

report="<!-- CHUNK_IDS -->
## Chunk ids never reused (\`bench/logging_chunk_ids.sh\`, $(date -u '+%Y-%m-%d %H:%M') UTC)

What the AUTOINCREMENT on logging_chunks costs per spooled chunk: the
sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), WAL, synchronous=FULL, one chunk
per commit and the delivered ones deleted; $ROUNDS interleaved rounds,
median microseconds per commit (load average $(cut -d' ' -f1 /proc/loadavg) at the end).

| chunk | commits | plain us | AUTOINCREMENT us | ratio | every run (ms) |
| --- | ---: | ---: | ---: | ---: | --- |
$(row tail "$TAIL")
$(row agent "$AGENT")
<!-- /CHUNK_IDS -->"
printf '%s\n' "$report"
python3 "$top/bench/readme_section.py" "$top/bench/logging_results.md" CHUNK_IDS "$report"
