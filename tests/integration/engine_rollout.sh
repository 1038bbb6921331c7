#!/bin/sh
# rollout start through the real binary with the fault plugin: action
# steps capture -> rehearse -> apply -> verify, timed and manual pauses,
# gates with bake, interval and limits, automatic rollback in reverse
# order, on_failure = "pause", and what status, show, history and events
# print.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup

steps_of() { # CHANGE-ID GATE-METRIC-NAME B-EXTRA
	change "$1" "  id = \"$1\";
  steps = (
    { name = \"a\"; action = \"fault.step\"; with = { key = \"$1-a\"; }; },
    { name = \"soak\"; pause = \"50ms\"; },
    { name = \"health\"; gate = [ \"fault.value{name=\\\"$2\\\"} < 1\" ]; bake = \"100ms\"; interval = \"20ms\"; failure_limit = 2; },
    { name = \"b\"; action = \"fault.step\"; with = { key = \"$1-b\"; $3 }; }
  );"
}

# The happy path.
echo 0 >"$F/metric_ok"
steps_of happy ok ""
expect_exit "start runs the change to the end" 0 H rollout start "$T/happy.conf" --reason "ticket 42"
id=$(last_id)
is "status: completed" "$(J .rollout.state rollout status "$id")" "completed"
is "every step done" "$(J '[.rollout.steps[].phase] | join(",")' rollout status "$id")" "done,done,done,done"
is "each side effect once" "$(count apply happy-a)$(count apply happy-b)" "11"
ok "both steps in place" test -e "$F/happy-a" -a -e "$F/happy-b"
is "the artifact's SHA-256 is recorded" "$(J '.rollout.steps[0].artifact_sha256' rollout status "$id")" \
	"$(printf happy-a | sha256sum | cut -d' ' -f1)"
is "the gate baked for its whole bake" "$(J '.rollout.steps[2] | .ended_ms - .started_ms >= 100' rollout status "$id")" "true"
is "id is short" "$(printf %s "$id" | wc -c)" "7"
is "events: one per transition, in order" \
	"$(J '[.events[] | select(.detail.step == "a") | .detail.phase] | join(",")' rollout events "$id")" \
	"capturing,captured,rehearsing,rehearsed,applying,applied,verifying,done"
is "events: the reason and the actor" "$(J '[.events[] | select(.kind == "rollout.completed")][0] | .reason + " " + (.actor | split(" ")[0])' rollout events "$id")" \
	"ticket 42 uid=$(id -u)"
is "events --json schema" "$(J .schema rollout events "$id")" "hinge.rollout-events/1"
is "show: the change text and its SHA-256" "$(J .rollout.sha256 rollout show "$id")" "$(sha256sum <"$T/happy.conf" | cut -d' ' -f1)"
echo "# edited later" >>"$T/happy.conf"
is "show: editing the file later changes nothing" "$(J .rollout.text rollout show "$id")" \
	"$(head -n -1 "$T/happy.conf")"
is "history --json lists it" "$(J '.schema + " " + .rollouts[-1].id' rollout history)" "hinge.rollout-history/1 $id"
is "status: nothing in progress" "$(J '.rollouts | length' rollout status)" "0"
expect_exit "status of an unknown rollout exits 2" 2 H rollout status rnothing

is "start --json prints one document: the rollout's status" \
	"$(H --json rollout start "$T/happy.conf" 2>/dev/null | jq -r '.schema + " " + .rollout.state')" "hinge.rollout/1 completed"

# Started again: every step finds itself applied and completes at once.
expect_exit "a completed change starts again" 0 H rollout start "$T/happy.conf"
is "its steps were found applied" "$(J '[.rollout.steps[] | select(.kind == "action") | .found_applied] | join(",")' rollout status "$(last_id)")" "1,1"
is "no side effect repeated" "$(count apply happy-a)$(count apply happy-b)" "11"

# A failing gate rolls back in reverse order.
echo 5 >"$F/metric_bad"
steps_of gatefail bad ""
expect_exit "a failed gate exits 1" 1 H rollout start "$T/gatefail.conf"
id=$(last_id)
is "rolled back, marked failed" "$(J '.rollout.state + " " + (.rollout.failed | tostring)' rollout status "$id")" "rolled_back true"
is "more than failure_limit failed evaluations" "$(J '.rollout.steps[2].failures' rollout status "$id")" "3"
is "a reverted once, b never applied" "$(count revert gatefail-a)$(count apply gatefail-b)" "10"
ok "a's effect is gone" test ! -e "$F/gatefail-a"
is "an operator hears of the failure" "$(J '[.events[] | .kind] | map(select(. == "rollout.failed" or . == "rollout.rolled_back")) | join(",")' rollout events "$id")" \
	"rollout.failed,rollout.rolled_back"

# Reverse order: both actions applied, then the last step fails verify.
change order '  id = "order";
  steps = (
    { name = "x"; action = "fault.step"; with = { key = "order-x"; }; },
    { name = "y"; action = "fault.step"; with = { key = "order-y"; }; },
    { name = "z"; action = "fault.step"; with = { key = "order-z"; fail = "verify"; }; }
  );'
expect_exit "a failed verify exits 1" 1 H rollout start "$T/order.conf"
is "reverted last first" "$(grep revert "$F/log" | grep order- | tr '\n' ,)" "revert order-z,revert order-y,revert order-x,"

# A failed rehearsal stops the step before it is applied.
steps_of rehearse ok 'fail = "rehearse";'
expect_exit "a failed rehearsal exits 1" 1 H rollout start "$T/rehearse.conf"
is "the step was never applied" "$(count apply rehearse-b)" "0"
is "its error says why" "$(J '.rollout.steps[3].error' rollout status "$(last_id)")" "fault: rehearse of rehearse-b fails as asked"

# on_failure = "pause": stop and wait; resume once fixed.
change pausefail '  id = "pausefail";
  on_failure = "pause";
  steps = (
    { name = "a"; action = "fault.step"; with = { key = "pf-a"; }; },
    { name = "b"; action = "fault.step"; with = { key = "pf-b"; }; }
  );'
touch "$F/fail_verify_pf-b"
expect_exit "on_failure pause exits 1" 1 H rollout start "$T/pausefail.conf"
id=$(last_id)
is "paused with b applied" "$(J '.rollout.state + " " + .rollout.steps[1].phase' rollout status "$id")" "paused applied"
rm "$F/fail_verify_pf-b"
expect_exit "resume after the fix completes" 0 H rollout resume "$id" --reason fixed
is "completed, b applied once" "$(J .rollout.state rollout status "$id") $(count apply pf-b)" "completed 1"

# A manual pause rests (exit 0) until promote.
change manual '  id = "manual";
  steps = (
    { name = "a"; action = "fault.step"; with = { key = "m-a"; }; },
    { name = "wait"; pause = "manual"; },
    { name = "b"; action = "fault.step"; with = { key = "m-b"; }; }
  );'
expect_exit "start rests at a manual pause" 0 H rollout start "$T/manual.conf"
id=$(last_id)
is "paused at the pause, b pending" "$(J '.rollout.state + " " + .rollout.steps[1].phase + " " + .rollout.steps[2].phase' rollout status "$id")" "paused waiting pending"
is "status lists it in progress" "$(J '.rollouts[0].id' rollout status)" "$id"
expect_exit "promote runs it on" 0 H rollout promote "$id"
is "completed after promote" "$(J .rollout.state rollout status "$id")" "completed"
expect_exit "finalize" 0 H rollout finalize "$id"
is "finalized" "$(J .rollout.state rollout status "$id")" "finalized"
expect_exit "promote of a finalized rollout exits 2" 2 H rollout promote "$id"

# A metric without data is inconclusive, never a pass.
change noData '  id = "nodata";
  steps = (
    { name = "g"; gate = [ "fault.value{name=\"later\"} < 1" ]; interval = "10ms"; inconclusive_limit = 2; }
  );'
expect_exit "too many inconclusive evaluations: exit 4" 4 H rollout start "$T/noData.conf"
id=$(last_id)
is "paused for an operator" "$(J '.rollout.state + " " + (.rollout.steps[0].inconclusive | tostring)' rollout status "$id")" "paused 3"
echo 0 >"$F/metric_later"
expect_exit "resume once the metric has data" 0 H rollout resume "$id"
is "the gate passed" "$(J .rollout.steps[0].phase rollout status "$id")" "done"

# A step over its timeout fails and is rolled back.
change slow '  id = "slow";
  steps = ( { name = "s"; action = "fault.step"; timeout = "20ms"; with = { key = "slow"; sleep = "5s"; }; } );'
expect_exit "a step over its timeout exits 1" 1 H rollout start "$T/slow.conf"
is "cancelled at its timeout: nothing applied, nothing reverted" "$(count apply slow)$(count revert slow)" "00"
J .rollout.error rollout status "$(last_id)" >"$T/error"
ok "the rollout's error names the timeout" grep -q 'step "s" failed: apply took [0-9]*ms, over the step.s timeout of 20ms' "$T/error"
# A gate that cannot pass within its timeout fails.
change gatetime '  id = "gatetime";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "gt-a"; }; },
            { name = "g"; gate = [ "fault.value{name=\"never\"} < 1" ]; interval = "10ms"; inconclusive_limit = 1000; timeout = "100ms"; } );'
expect_exit "a gate over its timeout exits 1" 1 H rollout start "$T/gatetime.conf"
is "it failed on its timeout and a was reverted" "$(J .rollout.steps[1].error rollout status "$(last_id)") $(count revert gt-a)" \
	"gate did not pass within its timeout of 100ms 1"

# --detach records the rollout and leaves it to the agent (or resume).
change detached '  id = "detached";
  steps = ( { name = "d"; action = "fault.step"; with = { key = "det"; }; } );'
expect_exit "start --detach returns at once" 0 H rollout start "$T/detached.conf" --detach
id=$(last_id)
is "recorded, nothing applied yet" "$(J '.rollout.state + " " + .rollout.steps[0].phase' rollout status "$id") $(count apply det)" "running pending 0"
expect_exit "resume executes it" 0 H rollout resume "$id"
is "completed" "$(J .rollout.state rollout status "$id") $(count apply det)" "completed 1"
# A read that fails is an error (exit 5), never a shorter answer.
sqlite3 "$T/state.db" 'ALTER TABLE leases RENAME TO leases_gone'
H rollout status "$id" >"$T/out" 2>"$T/err"
is "status cannot read the leases: exit 5, nothing printed" "$? $(wc -c <"$T/out")" "5 0"
ok "it says it could not read the state database" grep -q "cannot read the state database" "$T/err"
sqlite3 "$T/state.db" 'ALTER TABLE leases_gone RENAME TO leases'
expect_exit "status reads again" 0 H rollout status "$id"
# The freeze flag unread is no freeze: status fails, start starts nothing.
sqlite3 "$T/state.db" 'ALTER TABLE kv RENAME TO kv_gone'
before=$(J '.rollouts | length' rollout history)
H rollout status >"$T/out" 2>"$T/err"
is "status cannot read the freeze flag: exit 5, nothing printed" "$? $(wc -c <"$T/out")" "5 0"
expect_exit "start cannot tell whether rollouts are frozen: exit 5" 5 H rollout start "$T/happy.conf"
is "nothing was started" "$(J '.rollouts | length' rollout history)" "$before"
sqlite3 "$T/state.db" 'ALTER TABLE kv_gone RENAME TO kv'
expect_exit "status reads the flag again" 0 H rollout status
done_testing
