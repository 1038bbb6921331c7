#!/bin/sh
# feedback_browser.sh - the form end to end in headless Chromium (Debian's
# chromium package): the agent serves it, every input is labelled, a
# rating is chosen and sent with the keyboard alone, the endpoint stores
# it and the report counts it.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
command -v chromium >/dev/null || bail "chromium is not installed (apt-get install chromium)"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-browser.XXXXXX)
agent=
trap '[ -n "$agent" ] && kill "$agent" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_browser) || bail "no test database"
printf 'browser test key\n' >"$dir/key"
chmod 600 "$dir/key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; token_secret = "$dir/key";
  endpoint = true; listen_port = $port; min_sample = 1;
  form_file = "$HINGE_SRCDIR/config/feedback/form.html"; }; };
CONF
"$hinge" -c "$dir/hinge.conf" agent 2>>"$TAP_LOG" &
agent=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
tok=$("$hinge" -c "$dir/hinge.conf" feedback token --transaction ch_browser --user 77 2>>"$TAP_LOG")
python3 "$HINGE_SRCDIR/tests/integration/feedback_browser_cdp.py" \
	"http://127.0.0.1:$port/feedback?transaction=ch_browser&user=77&token=$tok" >"$dir/out" 2>>"$TAP_LOG"
is "the browser ran the form" "$?" 0
got() { sed -n "s/^$1=//p" "$dir/out"; }
is "every input is labelled" "$(got labelled)" True
is "the scale has a legend" "$(got legend)" "How satisfied are you with your purchase?"
is "Tab reaches the scale first" "$(got focus1)" score1
is "arrow keys choose a rating" "$(got checked)" 4
is "Tab reaches the comment" "$(got focus2)" comment
is "Tab reaches the button" "$(got focus3)" BUTTON
is "Enter sends it and the page thanks" "$(got answer)" "Thank you for your feedback."
is "the rating is stored" \
	"$(psql -X -At "$conninfo" -c "SELECT transaction_id, user_id, score, comment FROM hinge.feedback_ratings")" \
	"ch_browser|77|4|found it fast"
doc=$("$hinge" -c "$dir/hinge.conf" --json feedback report 2>>"$TAP_LOG")
is "and counted" "$(printf '%s' "$doc" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["groups"][0]["csat"]["n"], d["response_rate"]["value"])')" "1 1.0"
done_testing
