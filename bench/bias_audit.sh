#!/bin/sh
# bench/bias_audit.sh - bias_audit over many decisions: time and peak
# memory of an audit from CSV and from PostgreSQL, peak memory against
# the number of rows and of groups, and in the same run the same counts
# as one SQL GROUP BY through psql (checked equal to the audit's).
# Prints the figures and writes them into bench/bias_audit.md between the
# FIGURES markers.
#
#   usage: bench/bias_audit.sh [BUILD_DIR]   (default _build; build it first)
#   BIAS_BENCH_ROWS  decisions (default 10000000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
rows=${BIAS_BENCH_ROWS:-10000000}
hinge=$build/hinge
T=$(mktemp -d /tmp/hinge-bench-bias.XXXXXX)
chmod 755 "$T"
. "$top/tests/lib/pg.sh"
trap 'pg_stop "$T/pg"; rm -rf "$T"' EXIT
pg_start "$T/pg" >/dev/null
createdb bench
DB="host=$PGHOST user=postgres dbname=bench"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$DB" "$@"; }

# Decisions: two sexes, three ages, 1000 buckets; men's scores are higher.
q -c "SELECT setseed(0.42)" -c "CREATE TABLE decisions AS SELECT i AS id,
	(ARRAY['F','M'])[1 + i % 2] AS sex, (ARRAY['young','mid','old'])[1 + (i / 2) % 3] AS age,
	'b' || (i % 1000) AS bucket,
	round((random() * 0.8 + (i % 2) * 0.2)::numeric, 4)::float8 AS score,
	(random() < 0.5)::int AS outcome FROM generate_series(1, $rows) i"
q -c "\\copy decisions TO '$T/d.csv' CSV HEADER"
head -n $((rows / 10 + 1)) "$T/d.csv" >"$T/tenth.csv"
cat "$T/d.csv" >/dev/null # the first run reads from the page cache like the others

conf() { # attributes, extra settings
	cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$build/plugins/bias_audit/.libs" ]; log_level = "error"; };
plugins: { bias_audit: { enabled = true; attributes = [ $1 ]; score_column = "score";
  label_column = "outcome"; conninfo = "$DB"; query = "SELECT sex, age, bucket, score, outcome FROM decisions";
  min_group_size = 1; $2 }; };
CONF
}
measure() { # label, hinge arguments: prints "label wall-s user-s sys-s peak-KiB"
	_label=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$hinge" -c "$T/hinge.conf" --json "$@" >"$T/out.json" || true
	echo "$_label $(tail -1 "$T/time")"
}

conf '"sex", "age"' ''
measure csv audit run --csv "$T/d.csv" >"$T/fig"
cp "$T/out.json" "$T/csv.json"
measure csv_tenth audit run --csv "$T/tenth.csv" >>"$T/fig"
conf '"sex", "age"' 'source = "postgresql";'
measure postgresql audit run >>"$T/fig"
cp "$T/out.json" "$T/pg.json"
conf '"sex", "bucket"' ''
measure csv_groups audit run --csv "$T/d.csv" >>"$T/fig"

load=$(cut -d' ' -f1 /proc/loadavg)
s=$(date +%s%N)
q -c "SELECT sex, count(*), sum((score >= 0.5)::int),
	sum((score >= 0.5 AND outcome = 1)::int), sum((score >= 0.5 AND outcome = 0)::int),
	sum((score < 0.5 AND outcome = 0)::int), sum((score < 0.5 AND outcome = 1)::int)
	FROM decisions GROUP BY sex ORDER BY sex" >"$T/sql.txt"
sql_s=$(awk "BEGIN { printf \"%.2f\", ($(date +%s%N) - $s) / 1e9 }")
audit_counts() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for g in d["results"]["dimensions"][0]["groups"]:
    print("|".join(str(g[k]) for k in ("value", "n", "selected", "tp", "fp", "tn", "fn")))' "$1"
}
match=no
[ "$(audit_counts "$T/csv.json")" = "$(cat "$T/sql.txt")" ] &&
	[ "$(audit_counts "$T/pg.json")" = "$(cat "$T/sql.txt")" ] && match=yes

fig() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$T/fig"; }
cpu() { awk -v k="$1" '$1 == k { printf "%.2f", $3 + $4 }' "$T/fig"; }
mib() { awk "BEGIN { printf \"%.1f\", $1 / 1024 }"; }
groups=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(x["groups"]) for x in d["results"]["dimensions"]))' "$T/out.json")
table=$(cat <<TABLE
| run | rows | groups | wall (s) | CPU of hinge (s) | peak RSS (MiB) |
|---|---:|---:|---:|---:|---:|
| CSV, sex and age | $rows | 11 | $(fig csv 2) | $(cpu csv) | $(mib "$(fig csv 5)") |
| CSV, sex and age | $((rows / 10)) | 11 | $(fig csv_tenth 2) | $(cpu csv_tenth) | $(mib "$(fig csv_tenth 5)") |
| CSV, sex and 1000 buckets | $rows | $groups | $(fig csv_groups 2) | $(cpu csv_groups) | $(mib "$(fig csv_groups 5)") |
| PostgreSQL query, sex and age | $rows | 11 | $(fig postgresql 2) | $(cpu postgresql) | $(mib "$(fig postgresql 5)") |
| psql: the same counts by sex as one GROUP BY | $rows | 2 | $sql_s | (server) | |

Counts of the audit (CSV and PostgreSQL) equal to the GROUP BY's: $match.
Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(uname -m)) with a load average of $load,
PostgreSQL $(q -c 'SHOW server_version'); time and RSS by /usr/bin/time.
TABLE
)
printf '%s\n' "$table"
doc=$top/bench/bias_audit.md
python3 - "$doc" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
head, rest = text.split("<!-- FIGURES -->", 1)
_, tail = rest.split("<!-- /FIGURES -->", 1)
open(path, "w").write(head + "<!-- FIGURES -->\n" + table + "\n<!-- /FIGURES -->" + tail)
PY
