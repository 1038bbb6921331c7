#!/bin/sh
# feedback_alarm.sh - the trend chart end to end: 36 hours of steady CSAT
# (0.75 to 0.85 per hourly bucket) then 12 hours at 0.4; reading the
# metrics ingests, charts, raises one "alarm" error event per alarmed
# bucket, starting with the first shifted one, and feedback.alarm counts
# them; reading again raises nothing new.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-alarm.XXXXXX)
trap 'rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_alarm) || bail "no test database"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$conninfo" "$@"; }
sql -c "CREATE TABLE ratings (id bigserial PRIMARY KEY, transaction_id text, user_id text,
          scale text, score int, created_at timestamptz);
        INSERT INTO ratings (transaction_id, user_id, scale, score, created_at)
        SELECT 't' || b || '_' || i, 'u' || i, 'csat',
               CASE WHEN i <= CASE WHEN b >= 36 THEN 8 ELSE (ARRAY[15, 16, 17, 16])[b % 4 + 1] END
                    THEN 5 ELSE 2 END,
               date_trunc('hour', now()) - (48 - b) * interval '1 hour' + i * interval '1 minute'
        FROM generate_series(0, 47) b, generate_series(1, 20) i" || bail "no ratings"
shift_ms=$(sql -c "SELECT (extract(epoch FROM date_trunc('hour', now()) - interval '12 hours') * 1000)::bigint")
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; ratings_table = "public.ratings";
  alarm_bucket = "1h"; alarm_baseline = 24; alarm_min_count = 5; alarm_history = "3d";
  metric_window = "3d"; }; };
CONF
metric() { python3 -c 'import json,sys; d=json.load(sys.stdin); print([(m["value"], m["status"]) for m in d["metrics"] if m["name"] == sys.argv[1]][0])' "$1"; }

doc=$("$hinge" -c "$dir/hinge.conf" --json metrics 2>>"$TAP_LOG")
is "metrics exit 0" "$?" 0
alarms=$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_alarms")
is "the shift raised alarms" "$([ "$alarms" -ge 1 ] && echo yes)" yes
is "the first alarm is at the first shifted bucket" \
	"$(sqlite3 "$dir/state.db" "SELECT min(bucket_ms) FROM feedback_alarms")" "$shift_ms"
is "every alarm is downward" "$(sqlite3 "$dir/state.db" "SELECT count(*) FROM feedback_alarms WHERE direction = -1")" "$alarms"
is "one error event per alarm" \
	"$(sqlite3 "$dir/state.db" "SELECT count(*) FROM events WHERE kind = 'alarm' AND level = 3 AND source = 'feedback'")" "$alarms"
is "feedback.alarm counts them" "$(printf '%s' "$doc" | metric feedback.alarm)" "($alarms.0, 'ok')"
# 960 ratings: 36 buckets of 15, 16, 17, 16 (in turn) and 12 of 8: 576 + 96 = 672.
is "feedback.csat over the window" "$(printf '%s' "$doc" | metric feedback.csat)" "(0.7, 'ok')"
is "feedback.nps has no data" "$(printf '%s' "$doc" | metric feedback.nps)" "(None, 'no data')"
# Wilson 95% of 672 / 960, as statsmodels' proportion_confint gives it:
# [0.670261, 0.728144].
is "feedback.csat_lower_bound is Wilson's" \
	"$(printf '%s' "$doc" | python3 -c 'import json,sys; print([round(m["value"], 6) for m in json.load(sys.stdin)["metrics"] if m["name"] == "feedback.csat_lower_bound"][0])')" 0.670261
"$hinge" -c "$dir/hinge.conf" --json metrics >/dev/null 2>>"$TAP_LOG"
is "reading again raises nothing new" \
	"$(sqlite3 "$dir/state.db" "SELECT count(*) FROM events WHERE kind = 'alarm'")" "$alarms"
done_testing
