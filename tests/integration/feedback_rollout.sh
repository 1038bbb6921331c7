#!/bin/sh
# feedback_rollout.sh - config/changes/feedback-form.conf through the real
# engine (`hinge rollout start`), its waits shortened: ratings that arrive
# during the soak pauses pass the CSAT gates and the form reaches 100%;
# poor ratings fail the first gate and the engine puts the flag back as
# it was; rolling the completed rollout back removes the flag.  A gate's
# labels pick a segment: feedback.csat{plan="pro"}; a label that is no
# segment is refused by name.
#
# The soak pauses are made manual: start rests at the pause, the ratings
# go in, and `rollout promote` runs the gates here, its exit status the
# outcome.  (With timed pauses the ratings raced the soak: a slow start-up
# or psql could leave a gate without ratings from inside the rollout.)
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/pg.sh"
hinge=$HINGE_BUILDDIR/hinge
dir=$(mktemp -d /tmp/hinge-feedback-rollout.XXXXXX)
trap 'wait 2>/dev/null; rm -rf "$dir"' EXIT
conninfo=$(pg_fresh_db feedback_rollout) || bail "no test database"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$conninfo" "$@"; }
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; min_sample = 20; }; };
CONF
change() { # id: the shipped change with its waits shortened
	sed "s/pause = \"1d\"/pause = \"manual\"/; s/bake = \"2h\"; interval = \"10m\"/bake = \"300ms\"; interval = \"100ms\"/;
	     s/id = \"feedback-form\"/id = \"$1\"/" "$HINGE_SRCDIR/config/changes/feedback-form.conf" >"$dir/$1.conf"
}
rate() { # prefix low: 40 CSAT ratings of low or low+1
	sql -c "INSERT INTO hinge.feedback_ratings (transaction_id, user_id, scale, score)
	        SELECT '$1' || g, 'u' || g, 'csat', $2 + g % 2 FROM generate_series(1, 40) g"
}
flag() { sql -c "SELECT coalesce((SELECT percentage::text FROM hinge.flags WHERE name = 'feedback_form'), 'none')"; }
rollout_id() { # change id: its latest rollout's id
	"$hinge" -c "$dir/hinge.conf" --json rollout history 2>>"$TAP_LOG" |
		python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)["rollouts"] if r["change"] == sys.argv[1]][-1])' "$1"
}
promote() { "$hinge" -c "$dir/hinge.conf" rollout promote "$1" --reason test >"$dir/out" 2>>"$TAP_LOG"; }
"$hinge" -c "$dir/hinge.conf" feedback report >/dev/null 2>>"$TAP_LOG" # creates schema hinge

change good
expect_exit "the plan shows every step" 0 "$hinge" -c "$dir/hinge.conf" rollout plan "$dir/good.conf"
expect_exit "start rests at soak-5" 0 "$hinge" -c "$dir/hinge.conf" rollout start "$dir/good.conf" --reason test
id=$(rollout_id good)
rate a 4                          # during soak-5
promote "$id"
is "promoted, it passes health-5 and rests at soak-25" "$?/$(flag)" 0/25.000
rate b 4                          # during soak-25
promote "$id"
is "the rollout completes" "$?" 0
is "the form reaches every user" "$(flag)" 100.000

sql -c "TRUNCATE hinge.feedback_ratings"
change poor
expect_exit "start rests at soak-5" 0 "$hinge" -c "$dir/hinge.conf" rollout start "$dir/poor.conf" --reason test
rate c 1                          # during soak-5
promote "$(rollout_id poor)"
is "poor ratings fail the gate: exit 1" "$?" 1
is "the flag is back where it was" "$(flag)" 100.000

expect_exit "rolling the completed rollout back" 0 "$hinge" -c "$dir/hinge.conf" rollout rollback "$id" --reason test
is "removes the flag it created" "$(flag)" none

# Segments: pro users rate 4-5, free users 1-2.
sql -c "CREATE TABLE ratings (id bigserial PRIMARY KEY, transaction_id text, user_id text,
        scale text, score int, plan text, created_at timestamptz NOT NULL DEFAULT now())"
cat >"$dir/hinge.conf" <<CONF
agent: { state_db = "$dir/state.db"; plugin_dir = "$HINGE_BUILDDIR/plugins/feedback/.libs"; };
plugins: { feedback: { enabled = true; conninfo = "$conninfo"; min_sample = 20;
  ratings_table = "public.ratings"; segments = [ "plan" ]; }; };
CONF
segment_change() { # id plan
	cat >"$dir/$1.conf" <<CONF
change: { id = "$1"; on_failure = "rollback"; steps = (
  { name = "expose"; action = "feedback.exposure"; with = { percentage = 10; }; },
  { name = "soak"; pause = "manual"; },
  { name = "health"; gate = [ "feedback.csat{plan=\"$2\"} >= 0.9" ];
    bake = "300ms"; interval = "100ms"; failure_limit = 0; } ); };
CONF
}
run_segment() { # id plan: the exit status of the rollout
	segment_change "$1" "$2"
	"$hinge" -c "$dir/hinge.conf" rollout start "$dir/$1.conf" --reason test >"$dir/out" 2>>"$TAP_LOG" ||
		return 99 # start rests at the soak pause: exit 0
	sql -c "INSERT INTO ratings (transaction_id, user_id, scale, score, plan)
	        SELECT '$1' || g, 'u' || g, 'csat', CASE WHEN g % 2 = 0 THEN 4 + g % 4 / 2 ELSE 1 + g % 4 / 2 END,
	               CASE WHEN g % 2 = 0 THEN 'pro' ELSE 'free' END FROM generate_series(1, 80) g"
	promote "$(rollout_id "$1")"
}
run_segment seg-pro pro
is "a gate on the pro segment passes" "$?" 0
run_segment seg-free free
is "a gate on the free segment fails" "$?" 1

# A label that is no segment is refused, not ignored (which would judge
# every rating): the metric is unreadable and the message names the setting.
cat >"$dir/typo.conf" <<CONF
change: { id = "seg-typo"; on_failure = "rollback"; steps = (
  { name = "expose"; action = "feedback.exposure"; with = { percentage = 10; }; },
  { name = "health"; gate = [ "feedback.csat{plna=\"pro\"} >= 0.1" ];
    bake = "300ms"; interval = "100ms"; inconclusive_limit = 0; } ); };
CONF
"$hinge" -c "$dir/hinge.conf" rollout start "$dir/typo.conf" --reason test >"$dir/out" 2>"$dir/err"
is "a gate on a misspelt segment label is inconclusive, for an operator: exit 4" "$?" 4
case $(cat "$dir/err") in *"feedback.csat: label plna is not a segment (setting segments at "*) t=yes ;; *) t=no ;; esac
is "and the message names label and setting" "$t" yes
cat "$dir/err" >>"$TAP_LOG"
done_testing
