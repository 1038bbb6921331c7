#!/bin/sh
# feedback_endpoint.sh - the form endpoint inside `hinge agent`, against
# a real PostgreSQL: the form served filled in, a rating stored once and
# counted by the report, and forged, expired, malformed, reused,
# oversized, mistyped and too frequent submissions refused with their
# status codes; a non-loopback address refused at start.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-endpoint.XXXXXX)
agent=
trap '[ -n "$agent" ] && kill "$agent" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_endpoint) || bail "no test database"
key="endpoint test key"
printf '%s\n' "$key" >"$dir/key"
chmod 600 "$dir/key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
config() { # listen_address [more settings]
	cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; token_secret = "$dir/key";
  endpoint = true; listen_address = "$1"; listen_port = $port; max_body = "1k";
  rate_limit = 20; rate_window = "1m"; min_sample = 1; ingest_interval = "250ms";
  form_file = "$HINGE_SRCDIR/config/feedback/form.html"; ${2:-} }; };
CONF
}
sign() { # txn user expiry
	python3 -c 'import hmac,hashlib,sys
t,u,e=sys.argv[1:]
print("v1.%s.%s" % (e, hmac.new(sys.stdin.read().rstrip("\n").encode(), "\n".join(["hinge-feedback/v1",t,u,e]).encode(), hashlib.sha256).hexdigest()))' "$@" <<KEY
$key
KEY
}
code() { # curl args...: the status code; each request counted in $dir/count
	echo >>"$dir/count"
	curl -s -o "$dir/body" -w '%{http_code}' "$@"
}
url=http://127.0.0.1:$port/feedback
later=$(( $(date +%s) + 3600 ))

config 127.0.0.1
"$hinge" -c "$dir/hinge.conf" agent 2>>"$TAP_LOG" &
agent=$!
up=no
for _ in $(seq 50); do
	[ "$(code "http://127.0.0.1:$port/")" = 404 ] && { up=yes; break; }
	sleep 0.1
done
echo >"$dir/count" # attempts before the agent listened reached no limiter
is "the agent serves the endpoint" "$up" yes

tok=$(sign ch_1 42 "$later")
is "GET serves the form" "$(code "$url?transaction=ch_1&user=42&token=$tok")" 200
ok "the form carries the signed fields" grep -q "name=\"token\" value=\"$tok\"" "$dir/body"
ok "the scale is a fieldset with a legend" grep -q '<legend>How satisfied' "$dir/body"
is "GET without the fields is 400" "$(code "$url?transaction=ch_1")" 400
is "GET with a forged token is 403" "$(code "$url?transaction=ch_9&user=42&token=$tok")" 403
is "GET with an expired token is 410" "$(code "$url?transaction=ch_9&user=42&token=$(sign ch_9 42 1000)")" 410

is "a valid rating is stored: 201" \
	"$(code --data-urlencode transaction=ch_1 --data-urlencode user=42 --data-urlencode "token=$tok" -d score=5 -d scale=csat --data-urlencode 'comment=quick & easy' "$url")" 201
is "the row is in the ratings table" \
	"$(psql -X -At "$conninfo" -c "SELECT transaction_id, user_id, scale, score, comment FROM hinge.feedback_ratings")" \
	"ch_1|42|csat|5|quick & easy"
ingested=0
for _ in $(seq 40); do
	ingested=$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_ratings" 2>/dev/null || echo 0)
	[ "$ingested" = 1 ] && break
	sleep 0.1
done
is "the agent's ingest job picks it up (ingest_interval 250ms)" "$ingested" 1
is "a second rating for the transaction: 409" \
	"$(code -d transaction=ch_1 -d user=42 -d "token=$tok" -d score=1 "$url")" 409
is "a forged token: 403" \
	"$(code -d transaction=ch_2 -d user=42 -d "token=$tok" -d score=4 "$url")" 403
is "a token of another user: 403" \
	"$(code -d transaction=ch_1 -d user=43 -d "token=$tok" -d score=4 "$url")" 403
old=$(sign ch_3 42 1000)
is "an expired token: 410" "$(code -d transaction=ch_3 -d user=42 -d "token=$old" -d score=4 "$url")" 410
is "a malformed token: 400" "$(code -d transaction=ch_3 -d user=42 -d token=v1.x -d score=4 "$url")" 400
tok4=$(sign ch_4 42 "$later")
is "a score out of range: 400" "$(code -d transaction=ch_4 -d user=42 -d "token=$tok4" -d score=9 "$url")" 400
is "no score: 400" "$(code -d transaction=ch_4 -d user=42 -d "token=$tok4" "$url")" 400
python3 -c 'print("x" * 2000, end="")' >"$dir/big"
is "an oversized body: 413" \
	"$(code -d transaction=ch_4 -d user=42 -d "token=$tok4" -d score=4 --data-urlencode "comment@$dir/big" "$url")" 413
is "not a form body: 415" "$(code -H 'Content-Type: application/json' -d '{}' "$url")" 415
is "another method: 405" "$(code -X PUT -d score=4 "$url")" 405
is "another path: 404" "$(code "http://127.0.0.1:$port/admin")" 404
is "nothing refused was stored" "$(psql -X -At "$conninfo" -c "SELECT count(*) FROM hinge.feedback_ratings")" 1

doc=$("$hinge" -c "$dir/hinge.conf" --json feedback report 2>>"$TAP_LOG")
is "the report counts the endpoint's rating" \
	"$(printf '%s' "$doc" | python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"][0]["csat"]; print(g["n"], g["value"])')" "1 1.0"
# One form shown (ch_1; refused GETs count nothing), one rating: 1 of 1.
is "the response rate is ratings over forms shown" \
	"$(printf '%s' "$doc" | python3 -c 'import json,sys; r=json.load(sys.stdin)["response_rate"]; print(r["n"], r["value"])')" "1 1.0"

first429=
while [ "$(wc -l <"$dir/count")" -lt 25 ]; do
	c=$(code "$url?transaction=ch_1&user=42&token=$tok")
	if [ "$c" = 429 ]; then first429=$(wc -l <"$dir/count"); break; fi
done
is "request 21 from one address in the window is 429" "$first429" 21
ok "a 429 says when to retry" sh -c "curl -s -D - -o /dev/null '$url' | grep -qi '^Retry-After: 60'"

kill "$agent"
wait "$agent"
is "the agent stops cleanly on SIGTERM" "$?" 0
agent=

config 0.0.0.0
out=$("$hinge" -c "$dir/hinge.conf" plugins 2>&1)
case $out in *"listen_address 0.0.0.0 is not loopback"*) t=yes ;; *) t=no ;; esac
is "a non-loopback address without TLS is refused, naming the setting" "$t" yes

# With a certificate and key the endpoint speaks HTTPS, on any address.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>>"$TAP_LOG"
chmod 600 "$dir/tls.key"
config 0.0.0.0 "tls_cert = \"$dir/tls.crt\"; tls_key = \"$dir/tls.key\";"
expect_exit "the key alone is refused" 2 sh -c "sed 's/tls_cert = [^;]*;//' '$dir/hinge.conf' >'$dir/half.conf' && '$hinge' -c '$dir/half.conf' plugins"
"$hinge" -c "$dir/hinge.conf" agent 2>>"$TAP_LOG" &
agent=$!
tls=no
for _ in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" "https://127.0.0.1:$port/")" = 404 ] &&
		{ tls=yes; break; }
	sleep 0.1
done
is "HTTPS on 0.0.0.0 with a verified certificate" "$tls" yes
tok5=$(sign ch_5 42 "$later")
is "a rating over HTTPS: 201" "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" \
	-d transaction=ch_5 -d user=42 -d "token=$tok5" -d score=4 "https://127.0.0.1:$port/feedback")" 201
is "plain HTTP gets no page" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/feedback")" 000
kill "$agent"
wait "$agent"
agent=
done_testing
