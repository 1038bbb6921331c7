#!/bin/sh
# roi_sync.sh - the roi plugin through the real `hinge` against a local
# Stripe double (tests/doubles/roi_stripe.py, 250 transactions in three
# pages): 429 with Retry-After and 500 retried, a transaction changed after
# its page was read and fixed by the next sync's overlap, malformed JSON and
# a revoked key reported with the last good figures kept and marked stale,
# the key never in the output, a sync killed between pages resumed without
# counting twice, and the gate metrics.
#
# Hand-computed totals of the 250 (see the double's header): 214 usd
# charges of 10.00 (fee 0.59), 5 eur charges of 20.00 (no fee), 25 refunds
# of 5.00, 5 disputes of 20.00 (fee 15.00), one payout (not revenue).
#   usd: gross 2140.00, refunds 125.00, disputes 100.00,
#        fees 214 * 0.59 + 5 * 15.00 = 126.26 + 75.00 = 201.26,
#        net 2140.00 - 125.00 - 100.00 - 201.26 = 1713.74
#   eur: gross = net = 100.00, at 1.08 = 108.00 usd
#   in usd: gross 2248.00, net 1713.74 + 108.00 = 1821.74
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/integration/roi_lib.sh"

H=$HINGE_BUILDDIR/hinge
d=$(mktemp -d /tmp/hinge-roi-sync.XXXXXX)
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
KEY=sk_test_roi_4f1c0ffee
printf '%s\n' "$KEY" >"$d/key"
chmod 600 "$d/key"
echo '{}' >"$d/faults.json"
base=$(($(date +%s) - 250 * 60 - 600))

roi_double 250 "$base"

conf() { # STATE_DB API_BASE
	roi_conf "$1" "$2" <<CONF
    retries = 3;
    backoff = "10ms";
    backoff_max = "50ms";
    overlap = "1d";
    metric_window = "1d";
CONF
}
# The number of the last request the double took (a request it is still
# delaying counts: the double logs it as it starts to wait).
nreq() { python3 -c 'import json, sys; print(max(json.loads(l)["n"] for l in open(sys.argv[1])))' "$d/req.log"; }
# req N EXPR: EXPR of request N's log entry, bound to e
req() { python3 -c 'import json, sys; print([eval(sys.argv[3]) for e in map(json.loads, open(sys.argv[1])) if e["n"] == int(sys.argv[2]) and "status" in e][0])' "$d/req.log" "$1" "$2"; }
report() { "$H" -c "$d/hinge.conf" --json roi report --period day --since 2d >"$d/r.json" 2>>"$d/err"; }
rows() { sqlite3 "$1" 'SELECT count(*) FROM roi_txn'; }

conf "$d/state.db" "http://127.0.0.1:$port"
cat >"$d/faults.json" <<F
{"2": {"status": 429, "retry_after": 1}, "3": {"status": 500},
 "mutate": {"after": 1, "id": "txn_0000199", "fee": 99}}
F
expect_exit "sync through 429 and 500" 0 "$H" -c "$d/hinge.conf" roi sync
is "requests: page 1, 429, 500, page 2, page 3" \
	"$(python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["status"]) for l in open(sys.argv[1])))' "$d/req.log")" \
	"200 429 500 200 200"
is "page 2 starts after page 1's last id" \
	"$(sed -n 4p "$d/req.log" | python3 -c 'import json, sys; print(json.load(sys.stdin)["query"]["starting_after"])')" \
	"txn_0000151"
is "every request pins Stripe-Version" \
	"$(grep -c '"version": "2024-06-20"' "$d/req.log")" "5"
ok "report --json" report
is "gross in usd" "$(jget "$d/r.json" 'd["total"]["gross"]')" "2248.00"
is "refunds" "$(jget "$d/r.json" 'd["total"]["refunds"]')" "125.00"
is "disputes" "$(jget "$d/r.json" 'd["total"]["disputes"]')" "100.00"
is "fees" "$(jget "$d/r.json" 'd["total"]["fees"]')" "201.26"
is "net in usd" "$(jget "$d/r.json" 'd["total"]["net"]')" "1821.74"
is "net of usd alone" "$(jget "$d/r.json" 'd["total"]["currencies"]["usd"]["net"]')" "1713.74"
is "eur kept in its own currency" "$(jget "$d/r.json" 'd["total"]["currencies"]["eur"]["gross"]')" "100.00"
is "periods of --since 2d" "$(jget "$d/r.json" 'len(d["periods"])')" "3"
is "fresh" "$(jget "$d/r.json" 'd["stale"]')" "False"
is "250 rows" "$(rows "$d/state.db")" "250"

# txn_0000199 changed (fee 0.59 -> 0.99) after page 1 was read: the next
# sync reads it again within the overlap and replaces it: fees 201.66,
# net 1821.34, still 250 rows.
expect_exit "second sync" 0 "$H" -c "$d/hinge.conf" roi sync
ok "report" report
is "changed transaction replaced: fees" "$(jget "$d/r.json" 'd["total"]["fees"]')" "201.66"
is "changed transaction replaced: net" "$(jget "$d/r.json" 'd["total"]["net"]')" "1821.34"
is "nothing counted twice" "$(rows "$d/state.db")" "250"
is "the second sync started within the overlap" \
	"$(tail -3 "$d/req.log" | head -1 | python3 -c 'import json, sys; print(int(json.load(sys.stdin)["query"]["created[gte]"]) <= '"$((base + 60))"')')" "True"

# What a rollout at the middle (between transactions 125 and 126) did, by
# hand (after the change above):
#   before, 1..125: 106 usd charges (fees 62.54), 3 eur (64.80 usd),
#     12 refunds (60.00), 3 disputes (60.00, fees 45.00):
#     1060.00 - 60.00 - 60.00 - 62.54 - 45.00 + 64.80 = 897.26
#   after, 126..250: 108 usd charges (fees 63.72 + 0.40), 2 eur (43.20),
#     13 refunds (65.00), 2 disputes (40.00, fees 30.00):
#     1080.00 - 65.00 - 40.00 - 64.12 - 30.00 + 43.20 = 924.08
#   net +2682 / 89726 = +2.989 %
at=$((base + 125 * 60 + 30))
"$H" -c "$d/hinge.conf" --json roi compare --at "$at" >"$d/c.json" 2>>"$d/err"
is "compare: before" "$(jget "$d/c.json" 'd["periods"][0]["net"]')" "897.26"
is "compare: after" "$(jget "$d/c.json" 'd["periods"][1]["net"]')" "924.08"
is "compare: net change" "$(jget "$d/c.json" '"%.3f" % d["delta_pct"]["net"]')" "2.989"
is "compare: equal windows" \
	"$(jget "$d/c.json" '[__import__("calendar").timegm(__import__("time").strptime(p[k], "%Y-%m-%dT%H:%M:%SZ")) for p in d["periods"] for k in ("start", "end")]' |
	python3 -c 'import sys; a, b, c, e = eval(sys.stdin.read()); print(b - a == e - c, b == c)')" "True True"
"$H" -c "$d/hinge.conf" --json roi compare --at "$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" --window 30m \
	>"$d/c.json" 2>>"$d/err"
# 30 minutes each side: transactions 96..125 and 126..155, all charges
# (eur 101 and 151 among them) but refunds 100, 110, 120 / 130, 140, 150
# and the dispute 125: 30 - 4 = 26 and 30 - 3 = 27
is "compare --window 30m: charges each side" \
	"$(jget "$d/c.json" '[p["charges"] for p in d["periods"]]')" "[26, 27]"
"$H" -c "$d/hinge.conf" roi compare --at "$at" >"$d/text" 2>>"$d/err"
ok "compare as text" grep -q '^net after vs before: +3.0%$' "$d/text"
expect_exit "compare without --at" 2 "$H" -c "$d/hinge.conf" roi compare
expect_exit "compare in the future" 2 "$H" -c "$d/hinge.conf" roi compare --at "$(($(date +%s) + 3600))"
expect_exit "compare with a bad time" 2 "$H" -c "$d/hinge.conf" roi compare --at yesterday

"$H" -c "$d/hinge.conf" --json metrics >"$d/m.json" 2>>"$d/err"
# 1821.34 a day is 1821.34 / 24 = 75.889166 an hour; refunds 125.00 of 2248.00
is "net_revenue_per_hour" \
	"$(jget "$d/m.json" '"%.4f" % [m["value"] for m in d["metrics"] if m["name"] == "roi.net_revenue_per_hour"][0]')" "75.8892"
is "refund_rate" \
	"$(jget "$d/m.json" '"%.6f" % [m["value"] for m in d["metrics"] if m["name"] == "roi.refund_rate"][0]')" "0.055605"
is "net_revenue_delta_pct has no data outside a rollout" \
	"$(jget "$d/m.json" '[m["status"] for m in d["metrics"] if m["name"] == "roi.net_revenue_delta_pct"][0]')" "no data"

# Malformed JSON: exit 5, a clear message, the figures kept and stale.
echo "{\"$(($(nreq) + 1))\": {\"malformed\": true}}" >"$d/faults.json"
"$H" -c "$d/hinge.conf" roi sync >"$d/out" 2>"$d/stderr"
is "malformed JSON: exit 5" "$?" "5"
ok "malformed JSON: said so" grep -q "malformed JSON" "$d/stderr"
ok "report after the failure" report
is "last good figures kept" "$(jget "$d/r.json" 'd["total"]["net"]')" "1821.34"
is "marked stale" "$(jget "$d/r.json" 'd["stale"]')" "True"
ok "with the reason" grep -q "malformed JSON" "$d/r.json"
"$H" -c "$d/hinge.conf" --json metrics >"$d/m.json" 2>>"$d/err"
is "stale figures make a gate inconclusive" \
	"$(jget "$d/m.json" '[m["status"] for m in d["metrics"] if m["name"] == "roi.net_revenue_per_hour"][0]')" "unreadable"

# A revoked key: 401, not retried, a clear message, the key never shown.
echo '{}' >"$d/faults.json"
n=$(nreq)
printf 'sk_test_revoked_77aa\n' >"$d/key"
"$H" -c "$d/hinge.conf" roi sync >"$d/out" 2>"$d/stderr"
is "401: exit 5" "$?" "5"
ok "401: said so" grep -q "Stripe refused the API key (HTTP 401 authentication_error)" "$d/stderr"
is "401: not retried" "$(nreq)" "$((n + 1))"
ok "report after 401" report
is "401: figures kept" "$(jget "$d/r.json" 'd["total"]["net"]')" "1821.34"
ok "the key is in no output" sh -c "! grep -rq -e sk_test_revoked -e $KEY '$d/out' '$d/stderr' '$d/r.json' '$d/err'"
printf '%s\n' "$KEY" >"$d/key"
chmod 644 "$d/key"
expect_exit "a key file others can read is refused" 2 "$H" -c "$d/hinge.conf" roi sync
chmod 600 "$d/key"
expect_exit "recovered" 0 "$H" -c "$d/hinge.conf" roi sync
ok "report after recovery" report
is "fresh again" "$(jget "$d/r.json" 'd["stale"]')" "False"

# Plain http to a host that is not loopback is refused before any request.
conf "$d/state.db" "http://stripe.example.com"
n=$(nreq)
expect_exit "plain http off loopback: exit 2" 2 "$H" -c "$d/hinge.conf" roi sync
is "no request made" "$(nreq)" "$n"

# Killed between pages: page 2 hangs, the process is killed; the next sync
# resumes after page 1's last id and counts nothing twice.
conf "$d/crash.db" "http://127.0.0.1:$port"
echo "{\"$(($(nreq) + 2))\": {\"delay_ms\": 4000}}" >"$d/faults.json"
"$H" -c "$d/hinge.conf" roi sync >/dev/null 2>&1 &
spid=$!
for _ in $(seq 100); do grep -q '"delaying"' "$d/req.log" && break; sleep 0.05; done
kill -9 "$spid"
wait "$spid" 2>/dev/null
is "page 1 stored before the kill" "$(rows "$d/crash.db")" "100"
n=$(nreq)
expect_exit "sync after the kill" 0 "$H" -c "$d/hinge.conf" roi sync
is "it resumed after page 1" \
	"$(req $((n + 1)) 'e["query"].get("starting_after")')" \
	"txn_0000151"
is "all 250 once" "$(rows "$d/crash.db")" "250"
ok "report of the resumed sync" report
is "the same net" "$(jget "$d/r.json" 'd["total"]["net"]')" "1821.34"

# A cut sync whose last id Stripe no longer takes (400): started over.
sqlite3 "$d/crash.db" "UPDATE roi_sync SET running = 1, run_after = 'txn_gone'"
n=$(nreq)
expect_exit "resume after an id Stripe refuses" 0 "$H" -c "$d/hinge.conf" roi sync
is "refused, then from the first page" \
	"$(req $((n + 1)) '"%s:%s" % (e["status"], e["query"].get("starting_after"))') $(req $((n + 2)) '"%s:%s" % (e["status"], e["query"].get("starting_after"))')" \
	"400:txn_gone 200:None"
is "still 250 once" "$(rows "$d/crash.db")" "250"

# Pages that do not move on (the same page again) end the sync, not loop.
echo "{\"$(($(nreq) + 2))\": {\"ignore_after\": true}}" >"$d/faults.json"
"$H" -c "$d/hinge.conf" roi sync >"$d/out" 2>"$d/stderr"
is "stuck pages: exit 5" "$?" "5"
ok "stuck pages: said so" grep -q "pages do not move on past" "$d/stderr"

done_testing
