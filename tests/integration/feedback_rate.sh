#!/bin/sh
# feedback_rate.sh - the response rate per segment against a real
# PostgreSQL: forms shown (hinge.feedback_shown, each with the segments of
# its link) over those of them rated, per segment of the form shown, with
# Wilson intervals worked out below; "insufficient data" per segment; a
# segment with forms shown but no rating; the endpoint recording a link's
# segment, which the token binds (v2): a token issued for one plan is
# refused with another, a v1 token with any, a submission under a
# segment other than the one shown; and an unknown segment refused by
# name while nothing changes.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-rate.XXXXXX)
agent=
trap '[ -n "$agent" ] && kill "$agent" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_rate) || bail "no test database"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$conninfo" "$@"; }
sql -f "$HINGE_SRCDIR/tests/fixtures/feedback_ratings.sql" || bail "fixture did not load"
printf 'rate test key\n' >"$dir/key"
chmod 600 "$dir/key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; ratings_table = "public.ratings";
  segments = [ "plan" ]; min_sample = 10; token_secret = "$dir/key";
  endpoint = true; listen_port = $port; ingest_interval = "250ms";
  form_file = "$HINGE_SRCDIR/config/feedback/form.html"; }; };
CONF
report() { "$hinge" -c "$dir/hinge.conf" --json feedback report "$@" 2>>"$TAP_LOG"; }
# The groups' rates as (segment, shown, rated, value, lo, hi, sufficient),
# rounded to four places.
rates='[(g["segment"],) + ((r["shown"], r["rated"], round(r["value"], 4), round(r["lo"], 4),
	round(r["hi"], 4), r["sufficient"]) if r else ()) for g in d["groups"] for r in [g["response_rate"]]]'
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

report >/dev/null || bail "the first report (schema hinge) failed"
# Forms shown within the last two hours, by the plan in their link:
#   pro:  ch_pro_c1..40, all rated (ch_pro_c1 a second time too, which is
#         rejected and counts once), and ch_pro_u1..10 not rated: 40 of 50
#   free: ch_free_c1..3 rated, ch_bad1 whose only rating was rejected
#         (score 6), ch_free_u1..4 not rated: 3 of 8, below min_sample 10
#   team: ch_team_u1..12, none rated: 0 of 12, a plan no rating names
#   no plan in the link: ch_pro_n1..2 rated, ch_none_u1..3 not: 2 of 5
# and ch_pro_n3 (rated) shown three hours ago, outside --since 2h.
sql <<'SQL' || bail "shown rows did not load"
INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments)
SELECT t, '1', s::jsonb FROM (
  SELECT 'ch_pro_c' || g, '{"plan": "pro"}' FROM generate_series(1, 40) g UNION ALL
  SELECT 'ch_pro_u' || g, '{"plan": "pro"}' FROM generate_series(1, 10) g UNION ALL
  SELECT 'ch_free_c' || g, '{"plan": "free"}' FROM generate_series(1, 3) g UNION ALL
  SELECT 'ch_bad1', '{"plan": "free"}' UNION ALL
  SELECT 'ch_free_u' || g, '{"plan": "free"}' FROM generate_series(1, 4) g UNION ALL
  SELECT 'ch_team_u' || g, '{"plan": "team"}' FROM generate_series(1, 12) g UNION ALL
  SELECT 'ch_pro_n' || g, '{}' FROM generate_series(1, 2) g UNION ALL
  SELECT 'ch_none_u' || g, '{}' FROM generate_series(1, 3) g) x(t, s);
INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments, shown_at)
VALUES ('ch_pro_n3', '1', '{"plan": "pro"}', now() - interval '3 hours');
SQL

# Wilson at 95% (z = 1.959964, z^2 = 3.841459), k of n, p = k/n:
#   centre = (p + z^2/2n) / (1 + z^2/n)
#   half   = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)
# pro 40 of 50: z^2/n = 0.076829; centre = 0.838415 / 1.076829 = 0.778596;
#   half = 1.820125 * sqrt(0.0032 + 0.000384146) = 0.108967
#   -> 0.8 in [0.6696, 0.8876]
# free 3 of 8: z^2/n = 0.480182; centre = 0.615091 / 1.480182 = 0.415551;
#   half = 1.324137 * sqrt(0.029297 + 0.015006) = 0.278707
#   -> 0.375 in [0.1368, 0.6943], insufficient (8 < 10)
# team 0 of 12: z^2/n = 0.320122; centre = 0.160061 / 1.320122 = 0.121247;
#   half = 1.484684 * sqrt(0 + 0.006669) = 0.121247 -> 0 in [0, 0.2425]
# none 2 of 5: z^2/n = 0.768292; centre = 0.784146 / 1.768292 = 0.443448;
#   half = 1.108394 * sqrt(0.048 + 0.038415) = 0.325827
#   -> 0.4 in [0.1176, 0.7693], insufficient (5 < 10)
# all 45 of 75: z^2/n = 0.051219; centre = 0.625610 / 1.051219 = 0.595128;
#   half = 1.864467 * sqrt(0.0032 + 0.000170732) = 0.108247
#   -> 0.6 in [0.4869, 0.7034]
# statsmodels' proportion_confint(k, n, method="wilson") gives the same to
# four places; feedback_statsmodels.sh cross-checks it on seeded data.
doc=$(report --segment plan --since 2h)
is "report --segment plan exits 0" "$?" 0
is "response rate per plan: forms shown of the plan, rated" "$(printf '%s' "$doc" | field "$rates")" \
	"[(None, 5, 2, 0.4, 0.1176, 0.7693, False), ('free', 8, 3, 0.375, 0.1368, 0.6943, False), ('pro', 50, 40, 0.8, 0.6696, 0.8876, True), ('team', 12, 0, 0.0, 0.0, 0.2425, True)]"
is "a plan with forms shown but no rating has its group" \
	"$(printf '%s' "$doc" | field '[(g["csat"]["n"], g["nps"]["n"]) for g in d["groups"] if g["segment"] == "team"]')" "[(0, 0)]"
is "the total is over every form shown in the window" \
	"$(printf '%s' "$doc" | field '(d["response_rate"]["shown"], d["response_rate"]["rated"], round(d["response_rate"]["lo"], 4), round(d["response_rate"]["hi"], 4))')" \
	"(75, 45, 0.4869, 0.7034)"
doc=$(report --since 2h)
is "without --segment one group holds them all" "$(printf '%s' "$doc" | field "$rates")" \
	"[(None, 75, 45, 0.6, 0.4869, 0.7034, True)]"
doc=$(report --segment plan --since 4h)
is "a longer window takes the older form" \
	"$(printf '%s' "$doc" | field '[(r["shown"], r["rated"]) for g in d["groups"] for r in [g["response_rate"]] if g["segment"] == "pro"]')" \
	"[(51, 41)]"

text=$("$hinge" -c "$dir/hinge.conf" feedback report --segment plan --since 2h 2>>"$TAP_LOG")
case $text in
*"plan = free"*"rate  0.375  [0.137, 0.694]  n=8  insufficient data"*"plan = pro"*"rate  0.800  [0.670, 0.888]  n=50"*) t=yes ;;
*) t=no ;;
esac
is "the text report prints each plan's rate, insufficient data marked" "$t" yes

# An unknown segment: named with its setting, bad usage, nothing changed
# (a rating added meanwhile is not ingested by the refused command).
sql -c "INSERT INTO ratings (transaction_id, user_id, scale, score, plan) VALUES ('ch_new', 5, 'csat', 5, 'pro')"
before=$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_ratings")
out=$("$hinge" -c "$dir/hinge.conf" feedback report --segment ai_model 2>&1)
is "an unknown segment is bad usage" "$?" 2
case $out in *'unknown segment "ai_model"'*"setting segments ("*"hinge.conf"*) t=yes ;; *) t=no ;; esac
is "the message names the segment and the setting" "$t" yes
is "and changes nothing" "$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_ratings")" "$before"
doc=$(report --segment plan --since 2h)
is "the next report runs on" "$(printf '%s' "$doc" | field '(d["groups"][2]["segment"], d["groups"][2]["csat"]["n"])')" "('pro', 41)"

# The endpoint records the plan of the form link with the form shown.
"$hinge" -c "$dir/hinge.conf" agent 2>"$dir/agent.log" &
agent=$!
url=http://127.0.0.1:$port/feedback
up=no
for _ in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 404 ] && { up=yes; break; }
	sleep 0.1
done
is "the agent serves the endpoint" "$up" yes
tok=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_team_e1 --user 77 --segment plan=team 2>>"$TAP_LOG")
case $tok in v2.*) t=yes ;; *) t=no ;; esac
is "feedback token issues v2" "$t" yes
shown() { sql -c "SELECT count(*) FROM hinge.feedback_shown"; }
rated() { sql -c "SELECT count(*) FROM ratings"; }
before="$(shown) $(rated)"
is "the token for plan=team with plan=pro: 403" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_team_e1&user=77&token=$tok&plan=pro")" 403
is "without the plan: 403" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_team_e1&user=77&token=$tok")" 403
is "a rating before any form was shown (no segments recorded): 403" \
	"$(curl -s -o /dev/null -w '%{http_code}' -d transaction=ch_team_e1 -d user=77 \
	--data-urlencode "token=$tok" -d score=1 "$url")" 403
is "nothing was counted as shown or stored as rated" "$(shown) $(rated)" "$before"
long=$(python3 -c 'print("x" * 129)')
is "a segment value over 128 characters: 400" \
	"$(curl -s -o "$dir/body" -w '%{http_code}' "$url?transaction=ch_team_e1&user=77&token=$tok&plan=$long")" 400
ok "naming the segment" grep -q "The segment plan must be" "$dir/body"
is "the form with plan=team: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_team_e1&user=77&token=$tok&plan=team")" 200
is "shown with its plan" \
	"$(sql -c "SELECT user_id, segments->>'plan' FROM hinge.feedback_shown WHERE transaction_id = 'ch_team_e1'")" "77|team"
is "its rating: 201" "$(curl -s -o /dev/null -w '%{http_code}' -d transaction=ch_team_e1 -d user=77 \
	--data-urlencode "token=$tok" -d score=5 "$url")" 201
is "the endpoint stored the rating with the plan its form was shown with" \
	"$(sql -c "SELECT plan, score FROM ratings WHERE transaction_id = 'ch_team_e1'")" "team|5"

# A v1 token (TOKEN.md's recipe) still opens a link without segments, but
# not one with a plan: 403, the reason in the log, the token not.
v1=$(python3 -c 'import hmac, hashlib, sys
t, u, e = sys.argv[1:]
msg = "\n".join(["hinge-feedback/v1", t, u, e]).encode()
print("v1.%s.%s" % (e, hmac.new(b"rate test key", msg, hashlib.sha256).hexdigest()))' ch_v1 78 $(( $(date +%s) + 3600 )))
before="$(shown) $(rated)"
is "a v1 token with plan=pro: 403" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_v1&user=78&token=$v1&plan=pro")" 403
is "nothing recorded" "$(shown) $(rated)" "$before"
ok "the log says why" grep -q "refused a v1 token for transaction ch_v1: its form has segment values (plan=pro)" "$dir/agent.log"
expect_exit "and holds no token" 1 grep -q "${v1#v1.*.}" "$dir/agent.log"
is "the v1 token without a plan: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_v1&user=78&token=$v1")" 200
is "and its rating: 201" "$(curl -s -o /dev/null -w '%{http_code}' -d transaction=ch_v1 -d user=78 \
	--data-urlencode "token=$v1" -d score=4 "$url")" 201
is "stored without a plan" "$(sql -c "SELECT coalesce(plan, '-') FROM ratings WHERE transaction_id = 'ch_v1'")" "-"

# The submission is verified against the segments recorded when the form
# was shown: a form shown as team (here recorded by the application) does
# not take a rating under a token for pro, and nothing is stored.
sql -c "INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments) VALUES ('ch_swap', '79', '{\"plan\": \"team\"}')"
pro=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_swap --user 79 --segment plan=pro 2>>"$TAP_LOG")
before=$(rated)
is "a rating under another plan than shown: 403" "$(curl -s -o /dev/null -w '%{http_code}' -d transaction=ch_swap \
	-d user=79 --data-urlencode "token=$pro" -d score=5 "$url")" 403
is "not stored" "$(rated)" "$before"

doc=$(report --segment plan --since 2h)
is "so team's CSAT counts it too" \
	"$(printf '%s' "$doc" | field '[g["csat"]["n"] for g in d["groups"] if g["segment"] == "team"]')" "[1]"
# team: 1 of 14 now (ch_team_e1 rated, ch_swap not).
is "and counted in its plan's rate" \
	"$(printf '%s' "$doc" | field '[(r["shown"], r["rated"]) for g in d["groups"] for r in [g["response_rate"]] if g["segment"] == "team"]')" \
	"[(14, 1)]"

# A key the application recorded beside the configured ones is not bound:
# the token from `feedback token --segment plan=team` takes the rating.
sql -c "INSERT INTO hinge.feedback_shown (transaction_id, user_id, segments) VALUES ('ch_extra', '80', '{\"plan\": \"team\", \"campaign\": \"x\"}')"
tok=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_extra --user 80 --segment plan=team 2>>"$TAP_LOG")
is "a recorded key that is not a segment is left out of the token: 201" \
	"$(curl -s -o /dev/null -w '%{http_code}' -d transaction=ch_extra -d user=80 --data-urlencode "token=$tok" -d score=4 "$url")" 201

# When the form shown cannot be recorded, a link with segments is not
# served (its rating could not be verified later); one without still is.
sql -c "CREATE FUNCTION public.shown_down() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'down'; END\$\$" \
    -c "CREATE TRIGGER shown_down BEFORE INSERT ON hinge.feedback_shown FOR EACH ROW EXECUTE FUNCTION public.shown_down()"
before="$(shown) $(rated)"
tok=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_down --user 81 --segment plan=team 2>>"$TAP_LOG")
is "the shown row cannot be written: a link with segments gets 503" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_down&user=81&token=$tok&plan=team")" 503
tok=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_down2 --user 82 2>>"$TAP_LOG")
is "a link without segments is still served: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url?transaction=ch_down2&user=82&token=$tok")" 200
is "and nothing was recorded" "$(shown) $(rated)" "$before"
sql -c "DROP TRIGGER shown_down ON hinge.feedback_shown" -c "DROP FUNCTION public.shown_down()"
kill "$agent"
wait "$agent"
agent=
cat "$dir/agent.log" >>"$TAP_LOG"
done_testing
