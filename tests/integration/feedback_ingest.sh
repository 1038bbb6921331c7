#!/bin/sh
# feedback_ingest.sh - ratings from a real PostgreSQL through `hinge
# feedback report`: figures per segment, rejects with their reasons,
# nothing counted twice, late rows within the overlap picked up, and a
# missing table, a wrongly typed column or an unknown segment named.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-ingest.XXXXXX)
trap 'rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_ingest) || bail "no test database"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$conninfo" "$@"; }
sql -f "$HINGE_SRCDIR/tests/fixtures/feedback_ratings.sql" || bail "fixture did not load"

config() { # ratings_table [segments]
	segs=${2:-'"plan"'}
	cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo";
  ratings_table = "$1"; segments = [ $segs ]; batch = 7; overlap = "5m"; }; };
CONF
}
report() { "$hinge" -c "$dir/hinge.conf" --json feedback report "$@" 2>>"$TAP_LOG"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

config public.ratings
doc=$(report)
is "report exits 0" "$?" 0
is "schema" "$(printf '%s' "$doc" | field 'd["schema"]')" "hinge.feedback.report/1"
# 50 CSAT ratings, 41 of them 4 or 5 (the rejected ch_bad1 is not one).
is "CSAT counts every valid rating once" \
	"$(printf '%s' "$doc" | field '(d["groups"][0]["csat"]["n"], round(d["groups"][0]["csat"]["value"], 4))')" "(50, 0.82)"
# 40 NPS: 20 promoters, 8 detractors: NPS = 30.
is "NPS over the valid NPS ratings" \
	"$(printf '%s' "$doc" | field '(d["groups"][0]["nps"]["n"], round(d["groups"][0]["nps"]["value"], 6))')" "(40, 30.0)"
is "four rows rejected" "$(printf '%s' "$doc" | field 'd["rejected"]')" 4
is "rejects carry their reasons" \
	"$(sqlite3 "$dir/state.db" "SELECT group_concat(reason, '|') FROM (SELECT reason FROM feedback_rejects ORDER BY source_id)")" \
	"score out of range for csat (1-5)|unknown scale (csat or nps)|second rating for this transaction|transaction id missing or not 1-128 printable characters"

rj=$("$hinge" -c "$dir/hinge.conf" --json feedback rejects --since 2h 2>>"$TAP_LOG")
is "feedback rejects lists them with reasons and transactions" \
	"$(printf '%s' "$rj" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == "hinge.feedback.rejects/1"; print([(r["transaction"], r["detail"]) for r in d["rejects"]])')" \
	"[('ch_bad1', 'scale csat score 6'), ('ch_bad2', 'scale stars score 4'), ('ch_pro_c1', ''), (None, 'scale nps score 5')]"
text=$("$hinge" -c "$dir/hinge.conf" feedback rejects 2>>"$TAP_LOG")
case $text in *"public.ratings #"*"second rating for this transaction"*) t=yes ;; *) t=no ;; esac
is "and as text" "$t" yes

doc=$(report)
is "a second pass counts nothing twice" \
	"$(printf '%s' "$doc" | field '(d["groups"][0]["csat"]["n"], d["groups"][0]["nps"]["n"], d["rejected"])')" "(50, 40, 4)"

# A row that commits now with a time two minutes ago, behind the cursor
# but within the overlap window.
sql -c "INSERT INTO ratings (transaction_id, user_id, scale, score, plan, created_at)
        VALUES ('ch_late', 9, 'csat', 5, 'free', now() - interval '2 minutes')"
doc=$(report)
is "a late row within the overlap is read" "$(printf '%s' "$doc" | field 'd["groups"][0]["csat"]["n"]')" 51
is "ingested rows match the source" "$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_ratings")" 91

doc=$(report --segment plan --since 2h)
is "per segment" "$(printf '%s' "$doc" | field '[(g["segment"], g["csat"]["n"], g["csat"]["sufficient"]) for g in d["groups"]]')" \
	"[('free', 11, False), ('pro', 40, True)]"
text=$("$hinge" -c "$dir/hinge.conf" feedback report --segment plan 2>>"$TAP_LOG")
case $text in *"plan = free"*"insufficient data"*"plan = pro"*) t=yes ;; *) t=no ;; esac
is "text report marks insufficient data" "$t" yes

out=$("$hinge" -c "$dir/hinge.conf" feedback report --segment flow_step 2>&1)
is "an unknown segment is bad usage" "$?" 2
case $out in *"setting segments"*) t=yes ;; *) t=no ;; esac
is "and names the setting" "$t" yes
expect_exit "a bad --since is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback report --since soon

config public.nope
out=$("$hinge" -c "$dir/hinge.conf" feedback report 2>&1)
is "a missing ratings table: exit 2" "$?" 2
case $out in *"ratings table public.nope does not exist (setting ratings_table"*) t=yes ;; *) t=no ;; esac
is "the message names the setting" "$t" yes
case $out in *"n\": 51"*|*"n=51"*) t=yes ;; *) t=no ;; esac
is "the stored figures are still reported" "$t" yes

sql -c "CREATE TABLE ratings_text (LIKE ratings); ALTER TABLE ratings_text ALTER created_at TYPE text"
config public.ratings_text
out=$("$hinge" -c "$dir/hinge.conf" feedback report 2>&1)
is "a wrongly typed column: exit 2" "$?" 2
case $out in *"column created_at of the ratings table is text, not a timestamp (setting ratings_table)"*) t=yes ;; *) t=no ;; esac
is "the message names column and setting" "$t" yes

config public.ratings '"plan", "flow_step"'
out=$("$hinge" -c "$dir/hinge.conf" feedback report 2>&1)
case $out in *"segment flow_step is not a column of the ratings table (setting segments)"*) t=yes ;; *) t=no ;; esac
is "a configured segment that is no column is named" "$t" yes
done_testing
