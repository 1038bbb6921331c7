#!/bin/sh
# bias_audit through the `hinge` binary with CSV input: the COMPAS data
# (figures checked against a computation in Python), synthetic biased and
# unbiased decisions, bad input that is INCONCLUSIVE and names the row,
# history, show, the Markdown report, the gate metrics and bad config.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
COMPAS=${HINGE_COMPAS_CSV:-/work/shared/data/compas/compas-scores-two-years.csv}
SYNTH=$HINGE_SRCDIR/tests/fixtures/bias_audit_synth.py
PLUGINS=$HINGE_BUILDDIR/plugins/bias_audit/.libs

conf() { # extra settings of the plugin
	cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; log_level = "info"; };
plugins: { bias_audit: { enabled = true; $1 }; };
CONF
}
json() { # python expression on the JSON document d read from stdin
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# --- COMPAS: the decision is decile_score >= 5 (ProPublica's medium/high).
conf "csv_path = \"$COMPAS\"; attributes = [ \"race\", \"sex\" ];
  score_column = \"decile_score\"; score_threshold = 5.0; label_column = \"two_year_recid\";
  score_min = 0.5; score_max = 10.5; reference = { race = \"Caucasian\"; };
  thresholds = { disparate_impact_min = 0.8; fpr_ratio_min = 0.8; };"
expect_exit "COMPAS fails the four-fifths rule: exit 1" 1 H audit run
H --json audit show 1 >"$T/compas.json"
is "the stored audit is FAIL" "$(json 'd["verdict"]' <"$T/compas.json")" "FAIL"
is "the audit carries the input's SHA-256" "$(json 'd["input_sha256"]' <"$T/compas.json")" \
	"$(sha256sum "$COMPAS" | cut -d' ' -f1)"
is "7214 rows were read" "$(json 'd["results"]["rows"]' <"$T/compas.json")" "7214"
is "the policy is stored with it" "$(json 'd["policy"]["thresholds"]["fpr_ratio_min"]' <"$T/compas.json")" "0.8"
# The same figures computed independently from the file (csv module; the
# first decile_score column): ProPublica's FPR 44.85% vs 23.45%.
want=$(python3 - "$COMPAS" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
race, score, y = h.index("race"), h.index("decile_score"), h.index("two_year_recid")
def fig(g):
    r = [x for x in rows[1:] if x[race] == g]
    p = [int(x[score]) >= 5 for x in r]
    t = [x[y] == "1" for x in r]
    fp = sum(a and not b for a, b in zip(p, t)); tn = sum(not a and not b for a, b in zip(p, t))
    tp = sum(a and b for a, b in zip(p, t)); fn = sum(not a and b for a, b in zip(p, t))
    return "%d %.4f %.4f %.4f" % (len(r), sum(p) / len(r), fp / (fp + tn), fn / (fn + tp))
print(fig("African-American"), "|", fig("Caucasian"))
PY
)
got=$(json '" | ".join("%d %.4f %.4f %.4f" % (g["n"], g["selection_rate"]["value"], g["fpr"]["value"], g["fnr"]["value"]) for g in d["results"]["dimensions"][0]["groups"] if g["value"] in ("African-American", "Caucasian"))' <"$T/compas.json")
is "group figures match an independent computation" "$got" "$want"
is "FPR of African-American defendants is ProPublica's 44.85%" \
	"$(json '[round(g["fpr"]["value"]*100, 2) for g in d["results"]["dimensions"][0]["groups"] if g["value"]=="African-American"][0]' <"$T/compas.json")" "44.85"
is "disparate impact against the reference" \
	"$(json '"%.4f %s" % (d["results"]["dimensions"][0]["figures"]["disparate_impact"]["value"], d["results"]["dimensions"][0]["reference"])' <"$T/compas.json")" \
	"0.5916 Caucasian"
is "a group of 18 is insufficient data" \
	"$(json '[g["insufficient"] for g in d["results"]["dimensions"][0]["groups"] if g["value"]=="Native American"][0]' <"$T/compas.json")" "True"
is "the intersection is audited" "$(json 'd["results"]["dimensions"][2]["name"]' <"$T/compas.json")" "race+sex"
H audit show 1 >"$T/compas.md"
ok "the Markdown report names the verdict" grep -q '^# Bias audit 1: FAIL$' "$T/compas.md"
ok "the Markdown report gives the reasons" grep -q '^- race: disparate_impact 0.5916 < 0.8 (Caucasian vs African-American)$' "$T/compas.md"
ok "the Markdown report has a group table" grep -q '^| African-American | 3696 | 0.5882 \[0.5723, 0.6040\]' "$T/compas.md"

# --- Synthetic decisions.
python3 "$SYNTH" unbiased 4000 >"$T/fair.csv"
python3 "$SYNTH" biased 4000 >"$T/biased.csv"
conf "attributes = [ \"sex\", \"age\" ]; score_column = \"score\"; label_column = \"outcome\";
  thresholds = { disparate_impact_min = 0.8; equalized_odds_diff_max = 0.1; };"
expect_exit "unbiased decisions pass: exit 0" 0 H audit run --csv "$T/fair.csv"
H --json audit show 2 >"$T/fair2.json"
is "bias_audit.pass reads 1" "$(H --json metrics | json '[m["value"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]')" "1.0"
expect_exit "biased decisions fail: exit 1" 1 H audit run --csv "$T/biased.csv"
H --json audit show 3 >"$T/biased.json"
is "the biased audit fails on sex, not age" \
	"$(json '" ".join(sorted(set(r.split(":")[0] for r in d["results"]["reasons"])))' <"$T/biased.json")" "sex sex+age"
is "drift is measured against the audit that passed" "$(json 'd["results"]["drift"]["baseline"]' <"$T/biased.json")" "2"
ok "the score distribution drifted (PSI > 0.2)" \
	python3 -c "import json; d=json.load(open('$T/biased.json')); assert d['results']['drift']['score_psi'] > 0.2"
ok "selections moved from women to men (PSI > 0.2)" \
	python3 -c "import json; d=json.load(open('$T/biased.json')); assert d['results']['drift']['selection_psi']['sex'] > 0.2"
ok "the worsened disparate impact is an alarm" \
	python3 -c "import json; d=json.load(open('$T/biased.json')); assert any(a.startswith('sex: disparate_impact worsened by') for a in d['results']['drift']['alarms'])"
is "the drift raised an alarm event" \
	"$(sqlite3 "$T/state.db" "SELECT count(*) FROM events WHERE kind = 'alarm' AND message = 'bias audit 3: drift against its baseline'")" "1"
H audit show 3 >"$T/biased.md"
ok "the Markdown report shows the drift" grep -q '^## Drift against audit 2$' "$T/biased.md"
is "trend gives each figure across audits" \
	"$(H --json audit trend --limit 2 | json 'd["audits"], [round(x, 4) for s in d["series"] if s["dimension"]=="sex" and s["figure"]=="disparate_impact" for x in s["values"]] == [round(a["results"]["dimensions"][0]["figures"]["disparate_impact"]["value"], 4) for a in (json.loads(open("'"$T"'/fair2.json").read()), json.load(open("'"$T"'/biased.json")))]')" \
	"[2, 3] True"
H --json metrics >"$T/metrics.json"
is "bias_audit.pass reads 0" "$(json '[m["value"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]' <"$T/metrics.json")" "0.0"
is "bias_audit.disparate_impact_min is the audit's" \
	"$(json '"%.4f" % [m["value"] for m in d["metrics"] if m["name"]=="bias_audit.disparate_impact_min"][0]' <"$T/metrics.json")" \
	"$(json '"%.4f" % d["results"]["summary"]["disparate_impact_min"]' <"$T/biased.json")"
ok "bias_audit.eq_odds_diff_max is above the threshold" \
	python3 -c "import json; d=json.load(open('$T/metrics.json')); assert [m['value'] for m in d['metrics'] if m['name']=='bias_audit.eq_odds_diff_max'][0] > 0.1"
is "run --json prints the stored audit" "$(H --json audit run --csv "$T/fair.csv" | json 'd["schema"], d["id"], d["verdict"]')" \
	"hinge.bias_audit/1 4 PASS"

# --- Bad input: INCONCLUSIVE (exit 1), the row named, never a PASS.
printf 'id,sex,age,score,outcome\r\n1,F,old,0.7,1\r\n2,M,young,0.2\r\n' >"$T/ragged.csv"
expect_exit "a ragged row: exit 1" 1 H audit run --csv "$T/ragged.csv"
ok "the message names the row" grep -q 'row 3 (line 3): 4 fields where the header has 5' "$TAP_LOG"
printf 'id,sex,age,score,outcome\n1,F,old,high,1\n' >"$T/badnum.csv"
expect_exit "a bad number: exit 1" 1 H audit run --csv "$T/badnum.csv"
ok "the message names row and column" grep -q 'row 2: column "score": "high" is not a number' "$TAP_LOG"
printf 'id,gender,age,score,outcome\n1,F,old,0.5,1\n' >"$T/nocol.csv"
expect_exit "a missing column: exit 1" 1 H audit run --csv "$T/nocol.csv"
ok "the message names the column" grep -q 'column "sex" (attributes) is not in the header' "$TAP_LOG"
is "each is stored as INCONCLUSIVE" "$(H --json audit history --limit 3 | json '" ".join(a["verdict"] for a in d["audits"])')" \
	"INCONCLUSIVE INCONCLUSIVE INCONCLUSIVE"
is "bias_audit.pass reads 0 after an INCONCLUSIVE audit" \
	"$(H --json metrics | json '[m["value"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]')" "0.0"
expect_exit "a missing file: exit 5" 5 H audit run --csv "$T/nonexistent.csv"
is "history lists every audit, newest first" "$(H --json audit history | json '[a["id"] for a in d["audits"]]')" "[8, 7, 6, 5, 4, 3, 2, 1]"
ok "history in text names verdicts" sh -c "'$HINGE' -c '$T/hinge.conf' audit history | grep -q '^3 .* FAIL '"
expect_exit "show of an unknown audit: exit 2" 2 H audit show 99
expect_exit "show without an id: exit 2" 2 H audit show
expect_exit "an unknown subcommand: exit 2" 2 H audit frobnicate

# --- inconclusive_fails = false: an INCONCLUSIVE audit does not hold the gate.
conf "attributes = [ \"sex\" ]; score_column = \"score\"; inconclusive_fails = false;"
is "pass reads 1 after INCONCLUSIVE when the policy says so" \
	"$(H --json metrics | json '[m["value"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]')" "1.0"

# --- max_age: an audit older than that is no data for a gate.  The audit
# is aged by back-dating its row two hours (a max_age of seconds would
# make "fresh" depend on how fast two start-ups are).
conf "attributes = [ \"sex\" ]; score_column = \"score\"; max_age = \"1h\";"
expect_exit "a fresh audit" 0 H audit run --csv "$T/fair.csv"
is "a fresh audit is read" "$(H --json metrics | json '[m["status"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]')" "ok"
sqlite3 -cmd ".timeout 5000" "$T/state.db" "UPDATE bias_audit_audits SET started_ms = started_ms - 7200000,
	finished_ms = finished_ms - 7200000 WHERE id = (SELECT max(id) FROM bias_audit_audits)"
is "an audit older than max_age is no data" \
	"$(H --json metrics | json '[m["status"] for m in d["metrics"] if m["name"]=="bias_audit.pass"][0]')" "no data"

# --- Bad config: exit 2 naming the setting.
conf "attributes = [ \"sex\" ]; score_column = \"score\";"
before=$(H --json audit history | json 'len(d["audits"])')
expect_exit "no csv_path and no --csv: exit 2" 2 H audit run
ok "the message names the setting" grep -q 'csv_path: no CSV file: set csv_path or give --csv FILE' "$TAP_LOG"
is "and nothing is stored" "$(H --json audit history | json 'len(d["audits"])')" "$before"
conf "attributes = [ \"sex\" ];"
expect_exit "no decision column: exit 2" 2 H audit history
ok "the message names the setting" grep -q 'prediction_column: set prediction_column or score_column' "$TAP_LOG"
conf "attributes = [ \"sex\" ]; score_column = \"score\"; thresholds = { disparate_impact = 0.8; };"
expect_exit "an unknown threshold: exit 2" 2 H audit history
ok "the message names the figure" grep -q 'thresholds: unknown figure "disparate_impact"' "$TAP_LOG"
done_testing
