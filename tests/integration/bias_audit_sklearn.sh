#!/bin/sh
# Every count and figure of an audit cross-checked with scikit-learn
# (Debian's python3-sklearn): confusion matrices per group and per
# intersection of the COMPAS data and of synthetic biased decisions, TPR
# and precision from its scorers, and the cross-group differences and
# ratios recomputed from them.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
COMPAS=${HINGE_COMPAS_CSV:-/work/shared/data/compas/compas-scores-two-years.csv}
PLUGINS=$HINGE_BUILDDIR/plugins/bias_audit/.libs
# Debian's python3, where python3-sklearn installs.
PY=/usr/bin/python3
$PY -c 'import sklearn' 2>>"$TAP_LOG" || bail "python3-sklearn is not installed (apt-get install python3-sklearn)"

audit() { # csv attributes score threshold label -> $T/audit.json
	cat >"$T/hinge.conf" <<CONF
agent: { state_db = "$T/state.db"; plugin_dir = [ "$PLUGINS" ]; log_level = "error"; };
plugins: { bias_audit: { enabled = true; attributes = [ $2 ]; score_column = "$3";
  score_threshold = $4; label_column = "$5"; min_group_size = 1; }; };
CONF
	H --json audit run --csv "$1" >"$T/audit.json"
}

# The checker prints one TAP-less line per check: "ok NAME" or "not ok NAME: why".
check() { # csv attributes(comma-separated) score threshold label
	$PY - "$T/audit.json" "$@" <<'PY'
import csv, itertools, json, sys
from sklearn.metrics import confusion_matrix, precision_score, recall_score

audit, path, attrs, score, threshold, label = sys.argv[1:7]
attrs = attrs.split(",")
doc = json.load(open(audit))["results"]
rows = list(csv.reader(open(path, newline="")))
h = rows[0]
ai = [h.index(a) for a in attrs]
si, li = h.index(score), h.index(label)
dims = {d["name"]: d for d in doc["dimensions"]}

def close(a, b):
    return abs(a - b) < 1e-9

def check(name, cond, why=""):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))

def groups(key):
    out = {}
    for r in rows[1:]:
        out.setdefault(key(r), []).append(r)
    return out

def dim_check(dname, key):
    d = dims[dname]
    rates = {}
    for value, members in sorted(groups(key).items()):
        y_pred = [int(float(r[si]) >= float(threshold)) for r in members]
        y_true = [int(r[li]) for r in members]
        tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
        g = [x for x in d["groups"] if x["value"] == value][0]
        got = (g["n"], g["selected"], g["tp"], g["fp"], g["tn"], g["fn"])
        want = (len(members), sum(y_pred), tp, fp, tn, fn)
        check("%s=%s confusion matrix" % (dname, value), got == want, "%s != %s" % (got, want))
        if tp + fn and tp + fp:
            tpr = recall_score(y_true, y_pred, zero_division=0)
            prec = precision_score(y_true, y_pred, zero_division=0)
            check("%s=%s TPR and precision" % (dname, value),
                  close(g["tpr"]["value"], tpr) and close(g["precision"]["value"], prec))
        if tp + fn and fp + tn:
            rates[value] = (sum(y_pred) / len(members), tp / (tp + fn), fp / (fp + tn))
    sel = [r[0] for r in rates.values()]
    tpr = [r[1] for r in rates.values()]
    fpr = [r[2] for r in rates.values()]
    f = d["figures"]
    check(dname + " demographic parity difference", close(f["demographic_parity_diff"]["value"], max(sel) - min(sel)))
    check(dname + " disparate impact", close(f["disparate_impact"]["value"], min(sel) / max(sel)))
    check(dname + " equalized odds difference",
          close(f["equalized_odds_diff"]["value"], max(max(tpr) - min(tpr), max(fpr) - min(fpr))))

for a, i in zip(attrs, ai):
    dim_check(a, lambda r, i=i: r[i])
if len(attrs) > 1:
    dim_check("+".join(attrs), lambda r: ", ".join(r[i] for i in ai))
PY
}

tap_lines() { # checker output -> TAP results
	while read -r st rest; do
		case $st in
		ok) tap_result 0 "$rest" ;;
		*) tap_result 1 "${rest#ok }" ;;
		esac
	done
}

# min_group_size = 1: every group counts, as in the computation above.
audit "$COMPAS" '"race", "sex"' decile_score 5 two_year_recid
check "$COMPAS" race,sex decile_score 5 two_year_recid >"$T/compas.out"
tap_lines <"$T/compas.out"
$PY "$HINGE_SRCDIR/tests/fixtures/bias_audit_synth.py" biased 5000 >"$T/synth.csv"
audit "$T/synth.csv" '"sex", "age"' score 0.5 outcome
check "$T/synth.csv" sex,age score 0.5 outcome >"$T/synth.out"
tap_lines <"$T/synth.out"
ok "the checker checked" test "$(wc -l <"$T/compas.out")" -gt 40
done_testing
