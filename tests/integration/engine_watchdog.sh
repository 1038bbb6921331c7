#!/bin/sh
# A step's timeout holds its callbacks: a cooperative one is cancelled
# at the deadline (host->sleep_ms returns early) and the step fails; one
# deaf to cancellation is ended with the process after callback_grace,
# the rollout recorded as failed, and the next executor rolls it back.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup
sed -i 's/^  lock_wait = "300ms";/  lock_wait = "300ms";\n  callback_grace = "300ms";/' "$T/hinge.conf"

change coop '  id = "coop";
  steps = (
    { name = "a"; action = "fault.step"; with = { key = "coop-a"; }; },
    { name = "s"; action = "fault.step"; timeout = "100ms"; with = { key = "coop-s"; sleep = "60s"; }; }
  );'
s=$(date +%s%N)
expect_exit "a cooperative callback over its timeout fails the step" 1 H rollout start "$T/coop.conf"
is "it was cancelled at the deadline, not after its 60 s" "$(( ($(date +%s%N) - s) / 1000000 < 30000 ))" "1"
id=$(last_id)
is "rolled back, failed" "$(J '.rollout.state + " " + (.rollout.failed | tostring)' rollout status "$id")" "rolled_back true"
is "the cancelled apply left no effect; a was reverted" "$(count apply coop-s) $(count revert coop-a)" "0 1"
ok "the error names the timeout" sh -c "$HINGE -c $T/hinge.conf --json rollout status $id | jq -r .rollout.steps[1].error | grep -q 'over the step.s timeout of 100ms'"

change deaf '  id = "deaf";
  steps = (
    { name = "a"; action = "fault.step"; with = { key = "deaf-a"; }; },
    { name = "h"; action = "fault.step"; timeout = "100ms"; with = { key = "deaf-h"; hang = "60s"; }; }
  );'
s=$(date +%s%N)
expect_exit "a callback deaf to cancellation ends the process with exit 1" 1 H rollout start "$T/deaf.conf"
is "after timeout and grace, long before the 60 s hang" "$(( ($(date +%s%N) - s) / 1000000 < 30000 ))" "1"
id=$(last_id)
is "the rollout is recorded failed, to roll back" "$(J '.rollout.state + " " + (.rollout.failed | tostring)' rollout status "$id")" "rolling_back true"
is "its error says why" "$(J .rollout.error rollout status "$id")" \
	'step "h": apply did not return 300ms after the step'"'"'s timeout; the process ends so that the rollout can roll back'
is "an error event was raised" "$(J '[.events[] | select(.kind == "rollout.failed")] | length' rollout events "$id")" "1"
expect_exit "resume rolls it back" 1 H rollout resume "$id"
is "rolled back" "$(J .rollout.state rollout status "$id")" "rolled_back"
is "the hung apply never took effect; a was reverted once" "$(count apply deaf-h) $(count revert deaf-a)" "0 1"

# With on_failure = "pause" the rollout is recorded paused, the step's error kept.
change deafp '  id = "deafp"; on_failure = "pause";
  steps = ( { name = "h"; action = "fault.step"; timeout = "100ms"; with = { key = "deafp-h"; hang = "60s"; }; } );'
expect_exit "on_failure = pause: the process ends with exit 1 too" 1 H rollout start "$T/deafp.conf"
id=$(last_id)
is "the rollout is recorded paused" "$(J '.rollout.state + " " + (.rollout.failed | tostring)' rollout status "$id")" "paused true"
ok "the step keeps the error" sh -c "$HINGE -c $T/hinge.conf --json rollout status $id | jq -r .rollout.steps[0].error | grep -q 'did not return 300ms after'"

# An apply that answered "not yet" and was retried just before the
# deadline is cut by it; the error still tells of the wait (apply takes
# 2000 ms, asks again after 50: the second try starts at 2050 ms and is
# cut at the 3000 ms deadline, with 950 ms to spare for a slow machine).
change cut '  id = "cut";
  steps = ( { name = "w"; action = "fault.step"; timeout = "3000ms"; with = { key = "cut-w"; sleep = "2000ms"; }; } );'
touch "$F/notyet_cut-w"
expect_exit "a retried apply cut by the deadline fails the step" 1 H rollout start "$T/cut.conf"
id=$(last_id)
is "rolled back, nothing applied" "$(J .rollout.state rollout status "$id") $(count apply cut-w)" "rolled_back 0"
is "the error tells of the wait, then of the cut try" \
	"$(J '.rollout.steps[0].error' rollout status "$id" | sed 's/took [0-9]*ms/took Nms/')" \
	"still not applied after 3000ms, the step's timeout: fault: cut-w is not ready yet; the last try: apply took Nms, over the step's timeout of 3000ms"

# The longest timeout the parser takes is "never" to the watchdog: its
# deadline (now + timeout + callback_grace) must not wrap around to the past.
change forever '  id = "forever";
  steps = ( { name = "f"; action = "fault.step"; timeout = "9223372036854775807ms"; with = { key = "forever"; sleep = "200ms"; }; } );'
expect_exit "a step with the largest timeout runs to its end" 0 H rollout start "$T/forever.conf"
is "completed, applied once" "$(J .rollout.state rollout status "$(last_id)") $(count apply forever)" "completed 1"
done_testing
