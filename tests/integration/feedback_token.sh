#!/bin/sh
# feedback_token.sh - `hinge feedback token` through the real binary: the
# v2 token it prints, with and without segment values, verifies with
# Python's hmac as TOKEN.md describes, and bad arguments (an unknown
# segment among them) or a readable secret file are refused.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-token.XXXXXX)
trap 'rm -rf "$dir"' EXIT
printf 'correct horse battery staple\n' >"$dir/key"
chmod 600 "$dir/key"
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "dbname=unused"; token_secret = "$dir/key";
  segments = [ "plan", "ai_model" ]; }; };
CONF

check_token() { # txn user token [key=value...]: exit 0 when the MAC is right and unexpired
	python3 - "$@" <<'PY'
import hmac, hashlib, sys, time
from urllib.parse import quote
txn, user, token = sys.argv[1:4]
segs = dict(a.split("=", 1) for a in sys.argv[4:])
canon = "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe=""))
                 for k, v in sorted(segs.items(), key=lambda kv: kv[0].encode()))
v, expiry, mac = token.split(".")
msg = "\n".join(["hinge-feedback/v2", txn, user, expiry, canon]).encode()
want = hmac.new(b"correct horse battery staple", msg, hashlib.sha256).hexdigest()
sys.exit(0 if v == "v2" and hmac.compare_digest(mac, want) and int(expiry) > time.time() else 1)
PY
}

token=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_3Mml --user 4211 2>>"$TAP_LOG")
is "token command exits 0" "$?" 0
ok "the token verifies with the documented HMAC" check_token ch_3Mml 4211 "$token"
expect_exit "it does not verify for another user" 1 check_token ch_3Mml 4212 "$token"
expect_exit "nor with a segment value" 1 check_token ch_3Mml 4211 "$token" plan=pro

# Segment values, given in any order, bound in the canonical text.
token=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_3Mml --user 4211 \
	--segment plan=pro+ --segment "ai_model=gpt-4o mini/2024" 2>>"$TAP_LOG")
is "token with segments exits 0" "$?" 0
ok "it verifies with the documented canonical text" \
	check_token ch_3Mml 4211 "$token" plan=pro+ "ai_model=gpt-4o mini/2024"
expect_exit "not with another plan" 1 check_token ch_3Mml 4211 "$token" plan=team "ai_model=gpt-4o mini/2024"
expect_exit "not with a segment left out" 1 check_token ch_3Mml 4211 "$token" plan=pro+
out=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --segment flow_step=pay 2>&1)
is "an unknown segment is bad usage" "$?" 2
case $out in *'unknown segment "flow_step"'*"setting segments ("*"hinge.conf"*) t=yes ;; *) t=no ;; esac
is "naming the segment and the setting" "$t" yes
expect_exit "a segment without = is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --segment plan
expect_exit "a segment given twice is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --segment plan=a --segment plan=b
expect_exit "an empty segment value is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --segment plan=

now=$(date +%s)
doc=$("$hinge" -c "$dir/hinge.conf" --json feedback token --transaction t1 --user u1 --ttl 1h --segment plan=team 2>>"$TAP_LOG")
expiry=$(printf '%s' "$doc" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"]=="hinge.feedback.token/1"; print(d["expires"])')
is "--json carries the schema and expiry" "$([ -n "$expiry" ] && echo yes)" yes
is "and the segments" "$(printf '%s' "$doc" | python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"])')" "{'plan': 'team'}"
is "--ttl 1h sets the expiry an hour ahead" "$(( expiry - now >= 3599 && expiry - now <= 3601 ))" 1
ok "the JSON token verifies" check_token t1 u1 "$(printf '%s' "$doc" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')" plan=team

expect_exit "missing --user is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1
expect_exit "an unknown option is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --bogus 1
expect_exit "a bad --ttl is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u --ttl soon
expect_exit "an id with a control character is refused" 2 "$hinge" -c "$dir/hinge.conf" feedback token --transaction "$(printf 'a\tb')" --user u
expect_exit "an unknown subcommand is bad usage" 2 "$hinge" -c "$dir/hinge.conf" feedback frobnicate
chmod 644 "$dir/key"
out=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction t1 --user u 2>&1)
is "a secret file readable by others is refused" "$?" 2
case $out in *"correct horse"*) leaked=1 ;; *) leaked=0 ;; esac
is "the secret never reaches the output" "$leaked" 0
done_testing
