#!/bin/sh
# bench/feedback_ingest.sh - the feedback plugin ingesting 1,000,000
# ratings from PostgreSQL and reporting on them: wall time and peak
# memory (maximum RSS of the hinge process) of the first pass (ingest
# everything, then the report), of a second pass (nothing new: the
# overlap window re-read) and of the report per segment, those two with
# the response rate over 1,250,000 forms shown.  Prints the
# figures and writes them into bench/feedback_README.md.
#
#   usage: bench/feedback_ingest.sh [BUILD_DIR] [ROWS]
#          (default _build and 1000000; run tests/run.sh first)
# Starts a private PostgreSQL of its own, as tests/run.sh does.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
rows=${2:-1000000}
hinge=$build/hinge
T=$(mktemp -d /tmp/hinge-bench-feedback.XXXXXX)
chmod 755 "$T"
. "$top/tests/lib/pg.sh"
trap 'pg_stop "$T/pg"; rm -rf "$T"' EXIT INT TERM
pg_start "$T/pg"
HINGE_TEST_PGHOST=$T/pg
export HINGE_TEST_PGHOST
conninfo=$(pg_fresh_db feedback_bench)

# Ratings over the last 30 days, ids in time order, a tenth NPS, three
# plans; 0.1% of them invalid (score 0 on the CSAT scale) to exercise
# the rejects path.
psql -X -q -v ON_ERROR_STOP=1 "$conninfo" <<SQL
CREATE TABLE ratings (id bigserial PRIMARY KEY, transaction_id text NOT NULL,
  user_id bigint NOT NULL, scale text NOT NULL, score int, comment text,
  plan text NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO ratings (transaction_id, user_id, scale, score, plan, created_at)
SELECT 'ch_' || g, g % 50000,
       CASE WHEN g % 10 = 0 THEN 'nps' ELSE 'csat' END,
       CASE WHEN g % 1000 = 1 THEN 0 WHEN g % 10 = 0 THEN g % 11 ELSE 1 + (g * 7) % 5 END,
       (ARRAY['free', 'pro', 'team'])[g % 3 + 1],
       now() - interval '30 days' + g * (interval '30 days' / $rows)
FROM generate_series(1, $rows) g;
CREATE INDEX ratings_time ON ratings (created_at, id);
ANALYZE ratings;
SQL
cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = "$build/plugins/feedback/.libs"; log_level = "error"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; ratings_table = "public.ratings";
  segments = [ "plan" ]; }; };
CONF

load=$(cut -d' ' -f1 /proc/loadavg)
measure() { # label, then the hinge arguments: "seconds max_rss_kib"
	/usr/bin/time -f '%e %M' -o "$T/time" "$hinge" -c "$T/hinge.conf" "$@" >"$T/out" 2>"$T/err" ||
		{ cat "$T/err" >&2; exit 1; }
	cat "$T/time"
}
first=$(measure --json feedback report --since 31d)
n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(g["csat"]["n"] + g["nps"]["n"] for g in d["groups"]), d["rejected"])' "$T/out")
# Forms shown (the response rate's denominator, created by the first
# pass's migrations): every rated transaction and a quarter as many never
# rated, each with its plan.
psql -X -q -v ON_ERROR_STOP=1 "$conninfo" <<SQL
INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments, shown_at)
SELECT 'ch_' || g, (g % 50000)::text, jsonb_build_object('plan', (ARRAY['free', 'pro', 'team'])[g % 3 + 1]),
       now() - interval '30 days' + g * (interval '30 days' / ($rows * 5 / 4))
FROM generate_series(1, $rows * 5 / 4) g;
ANALYZE hinge.feedback_shown;
SQL
second=$(measure --json feedback report --since 31d)
shown=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["response_rate"]; print(r["shown"], r["rated"])' "$T/out")
seg=$(measure feedback report --since 31d --segment plan)
db_kib=$(($(stat -c %s "$T/state.db") / 1024))

disk=$(df -h "$T" | awk 'NR == 2 { print $1 " (" $2 ")" }')
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
row() { echo "$2" | awk -v l="$1" '{ printf "| %s | %.2f s | %d KiB |\n", l, $1, $2 }'; }
cat >"$top/bench/feedback_README.md" <<REPORT
# Feedback plugin benchmark (\`bench/feedback_ingest.sh\`)

Run on $(date -u +%Y-%m-%d), $cpu, $(nproc) cores, PostgreSQL $(psql -X -At "$conninfo" -c 'SHOW server_version') and the
state database on $disk. $rows ratings over 30 days in \`public.ratings\`
(a tenth NPS, three plans, 0.1% invalid), default settings (batch 5000,
overlap 5m), \`segments = ["plan"]\`. Ratings counted and rejected after the first pass: $n.
Before the second pass, $(($rows * 5 / 4)) forms shown go into \`hinge.feedback_shown\` (every rated
transaction and a quarter more), so that the second pass and the per-segment report
also count the response rate; forms shown and rated: $shown.
One run each, load average $load at the start; peak memory is the
maximum RSS of the \`hinge\` process.  Each command also pays the core's
\`PRAGMA quick_check\` of the state database once.

| pass | wall time | peak memory |
| --- | --- | --- |
$(row "first \`feedback report\`: ingest all, then report" "$first")
$(row "second \`feedback report\`: nothing new" "$second")
$(row "\`feedback report --segment plan\`" "$seg")

State database after ingestion: $db_kib KiB.
REPORT
cat "$top/bench/feedback_README.md"
