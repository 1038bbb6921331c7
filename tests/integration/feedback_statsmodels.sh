#!/bin/sh
# feedback_statsmodels.sh - the report's intervals against
# python3-statsmodels on seeded random ratings: CSAT's Wilson interval
# (proportion_confint, method "wilson") and NPS's standard error (numpy's
# population standard deviation of the +1/0/-1 scores over sqrt(n)), and
# the response rate's Wilson interval over seeded forms shown, per
# segment, at 95% and at 90%.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
/usr/bin/python3 -c 'import statsmodels' 2>/dev/null ||
	bail "python3-statsmodels is not installed (apt-get install python3-statsmodels)"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-statsmodels.XXXXXX)
trap 'rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_statsmodels) || bail "no test database"
psql -X -q -v ON_ERROR_STOP=1 "$conninfo" >>"$TAP_LOG" <<'SQL' || bail "no ratings"
SELECT setseed(0.25);
CREATE TABLE ratings AS
SELECT g AS id, 'ch_' || g AS transaction_id, g % 997 AS user_id,
       CASE WHEN random() < 0.6 THEN 'csat' ELSE 'nps' END AS scale,
       NULL::int AS score, (ARRAY['free', 'pro', 'team'])[1 + g % 3] AS plan,
       now() - interval '1 day' + g * interval '1 second' AS created_at
FROM generate_series(1, 3000) g;
UPDATE ratings SET score = CASE WHEN scale = 'csat' THEN 1 + floor(random() * 5)
                                ELSE floor(random() * 11) END;
SQL
psql -X -At -F ' ' "$conninfo" -c "SELECT plan, scale, score FROM ratings" >"$dir/ratings"
config() { # confidence
	cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; ratings_table = "public.ratings";
  segments = [ "plan" ]; confidence = $1; }; };
CONF
}
config 0.95
"$hinge" -c "$dir/hinge.conf" feedback report >/dev/null 2>>"$TAP_LOG" || bail "no schema hinge"
# Forms shown: about 80% of ch_1..ch_4500, of which ch_1..ch_3000 are rated.
psql -X -q -v ON_ERROR_STOP=1 "$conninfo" >>"$TAP_LOG" <<'SQL' || bail "no forms shown"
SELECT setseed(0.5);
INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments)
SELECT 'ch_' || g, '1', jsonb_build_object('plan', (ARRAY['free', 'pro', 'team'])[1 + g % 3])
FROM generate_series(1, 4500) g WHERE random() < 0.8;
SQL
psql -X -At -F ' ' "$conninfo" -c "SELECT segments->>'plan', substr(transaction_id, 4)::int <= 3000
	FROM hinge.feedback_shown" >"$dir/shown"

for confidence in 0.95 0.9; do
	config "$confidence"
	"$hinge" -c "$dir/hinge.conf" --json feedback report --segment plan --since 2d >"$dir/report" 2>>"$TAP_LOG"
	/usr/bin/python3 - "$dir/report" "$dir/ratings" "$confidence" "$dir/shown" >"$dir/diff" <<'PY'
import json, sys
import numpy as np
from statsmodels.stats.proportion import proportion_confint
from scipy.stats import norm
report = json.load(open(sys.argv[1]))
conf = float(sys.argv[3])
rows = [l.split() for l in open(sys.argv[2])]
z = norm.ppf(1 - (1 - conf) / 2)
for g in report["groups"]:
    csat = [int(s) for p, sc, s in rows if p == g["segment"] and sc == "csat"]
    nps = np.array([1 if int(s) >= 9 else -1 if int(s) <= 6 else 0
                    for p, sc, s in rows if p == g["segment"] and sc == "nps"])
    k = sum(1 for s in csat if s >= 4)
    lo, hi = proportion_confint(k, len(csat), alpha=1 - conf, method="wilson")
    se = 100 * nps.std() / np.sqrt(len(nps))
    want = [len(csat), k / len(csat), lo, hi, len(nps), 100 * nps.mean(), se,
            100 * nps.mean() - z * se, 100 * nps.mean() + z * se]
    shown = [r for p, r in (l.split() for l in open(sys.argv[4])) if p == g["segment"]]
    rated = shown.count("t")
    rlo, rhi = proportion_confint(rated, len(shown), alpha=1 - conf, method="wilson")
    want += [len(shown), rated, rated / len(shown), rlo, rhi]
    c, n, r = g["csat"], g["nps"], g["response_rate"]
    got = [c["n"], c["value"], c["lo"], c["hi"], n["n"], n["value"], n["se"], n["lo"], n["hi"],
           r["shown"], r["rated"], r["value"], r["lo"], r["hi"]]
    for w, o in zip(want, got):
        if abs(w - o) > 1e-9:
            print(g["segment"], "want", w, "got", o)
print("groups", len(report["groups"]))
PY
	is "three segments at $confidence" "$(tail -1 "$dir/diff")" "groups 3"
	is "CSAT, NPS and response rate intervals match statsmodels at $confidence" "$(grep -vc '^groups' "$dir/diff")" 0
done
done_testing
