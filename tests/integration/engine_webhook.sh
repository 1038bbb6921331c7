#!/bin/sh
# The webhook: a rollout's completion, failure and pause are posted as
# JSON, retried when the endpoint fails, and a dead endpoint never holds
# up a rollout.  Plain http is refused unless the host is loopback.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup
echo 0 >"$F/metric_value"

serve() { # FAIL_FIRST: start the double, set $URL
	rm -f "$T/port"
	python3 "$HINGE_SRCDIR/tests/doubles/engine_webhook.py" "$T/port" "$T/bodies" "$1" &
	HINGE_PIDS="${HINGE_PIDS:-} $!"
	SERVER=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	URL="http://127.0.0.1:$(cat "$T/port")/hook"
}

with_webhook() { # URL
	sed -i '/webhook_/d' "$T/hinge.conf"
	sed -i "s|^  lock_wait = .*|&\n  webhook_url = \"$1\"; webhook_timeout = \"10s\"; webhook_retries = 3;|" "$T/hinge.conf"
}

change ok '  id = "ok";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "wh-a"; }; } );'
serve 2
with_webhook "$URL"
expect_exit "a rollout completes with a failing webhook" 0 H rollout start "$T/ok.conf"
id=$(last_id)
is "the completion was posted after two failures" "$(jq -r 'select(.kind == "rollout.completed") | .rollout' "$T/bodies")" "$id"
is "three attempts, each as JSON" "$(grep -c '^application/json' "$T/bodies.attempts")" "3"
is "the event carries its actor" "$(jq -r '.actor | split(" ")[0]' "$T/bodies")" "uid=$(id -u)"
is "the outbox says delivered" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM webhook_outbox WHERE delivered_ms IS NOT NULL")" "1"
kill "$SERVER"

# A failure: the failure and the rollback are both posted.
serve 0
with_webhook "$URL"
change bad '  id = "bad";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "wh-b"; fail = "verify"; }; } );'
expect_exit "a failing rollout exits 1" 1 H rollout start "$T/bad.conf"
is "failure and rollback posted" "$(jq -r 'select(.rollout == "'"$(last_id)"'") | .kind' "$T/bodies" | tr '\n' ,)" \
	"rollout.failed,rollout.rolled_back,"
kill "$SERVER"

# A dead endpoint: the rollout completes anyway, the outbox keeps the error.
with_webhook "http://127.0.0.1:1/hook"
change dead '  id = "dead";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "wh-d"; }; } );'
t0=$(date +%s)
expect_exit "a dead webhook does not fail the rollout" 0 H rollout start "$T/dead.conf"
ok "nor holds it up for long" test $(( $(date +%s) - t0 )) -lt 10
is "the outbox records the attempts and the error" \
	"$(sqlite3 "$T/state.db" "SELECT attempts, error IS NOT NULL, delivered_ms IS NULL FROM webhook_outbox ORDER BY id DESC LIMIT 1")" "4|1|1"

# Plain http to a host that is not loopback is refused.
with_webhook "http://example.com/hook"
H rollout start "$T/dead.conf" >/dev/null 2>"$T/err"
is "plain http elsewhere: exit 2" "$?" "2"
ok "the message names the setting" grep -q 'webhook_url: "http://example.com/hook" must be https' "$T/err"
done_testing
