#!/bin/sh
# Operators reaching rollouts: abort and pause in the middle of a bake,
# the lease (a second executor gets exit 3), lock targets, rollback of a
# completed rollout (--force over an irreversible step or a later
# rollout of the same target), a tampered artifact (exit 4) and repair,
# and artifacts verify.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup
echo 0 >"$F/metric_value"

baking() { # CHANGE-ID KEY: an action, then a long bake
	change "$1" "  id = \"$1\";
  steps = (
    { name = \"a\"; action = \"fault.step\"; with = { key = \"$2\"; }; },
    { name = \"bake\"; gate = [ \"fault.value < 1\" ]; bake = \"20s\"; interval = \"50ms\"; }
  );"
}

# Start in the background; wait until the gate is baking.
start_bg() { # CHANGE-ID
	"$HINGE" -c "$T/hinge.conf" rollout start "$T/$1.conf" >>"$TAP_LOG" 2>&1 &
	BG=$!
	HINGE_PIDS="${HINGE_PIDS:-} $BG"
	for _ in $(seq 100); do
		id=$(J '.rollouts[] | select(.change == "'"$1"'") | .id' rollout status)
		[ -n "$id" ] && [ "$(J '.rollout.steps[1].phase' rollout status "$id")" = baking ] && return 0
		sleep 0.05
	done
	return 1
}

# Abort in the middle of a bake: acted on at once, rolled back.
baking abort k-abort
ok "the rollout bakes" start_bg abort
expect_exit "abort exits 0" 0 H rollout abort "$id" --reason "bad canary"
# Within a second as designed; the test allows five for a loaded machine
# and a sanitizer build (a bake of 20 s is what it must not wait out).
is "the executor acted on it at once" \
	"$(sqlite3 -cmd ".timeout 5000" "$T/state.db" "SELECT handled_ms - time_ms < 5000 FROM requests WHERE rollout_id = '$id' AND kind = 'abort'")" "1"
wait "$BG"
is "the executing start exits 1" "$?" "1"
is "rolled back" "$(J .rollout.state rollout status "$id")" "rolled_back"
is "the step was reverted once" "$(count apply k-abort)$(count revert k-abort)" "11"
is "the request is on record with its reason" \
	"$(J '[.events[] | select(.kind == "rollout.request")][0] | .message + ": " + .reason' rollout events "$id")" \
	"abort requested: bad canary"

# Pause in the middle of a bake; a second executor is busy.
baking pause k-pause
ok "the rollout bakes" start_bg pause
expect_exit "a second executor exits 3" 3 H rollout resume "$id"
H rollout resume "$id" >/dev/null 2>"$T/err"
ok "it names the holder's pid and host" grep -q "rollout $id is executed by pid $BG on host $(hostname)" "$T/err"
expect_exit "pause exits 0" 0 H rollout pause "$id"
wait "$BG"
is "the executing start exits 0" "$?" "0"
is "paused" "$(J .rollout.state rollout status "$id")" "paused"

# Freeze holds a running rollout before its next step; thaw lets it on.
change frozen '  id = "frozen";
  steps = ( { name = "wait"; pause = "manual"; },
            { name = "b"; action = "fault.step"; with = { key = "frz"; }; } );'
expect_exit "the rollout rests at its pause" 0 H rollout start "$T/frozen.conf"
id=$(last_id)
expect_exit "freeze on" 0 H freeze on --reason "incident"
"$HINGE" -c "$T/hinge.conf" rollout promote "$id" >>"$TAP_LOG" 2>&1 &
BG=$!
HINGE_PIDS="${HINGE_PIDS:-} $BG"
# Wait (30 s at most: start-ups are slow under ASan on a loaded machine)
# until the background promote has marked the pause done.
deadline=$(($(date +%s) + 30))
while kill -0 "$BG" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] &&
	[ "$(J '.rollout.steps[0].phase' rollout status "$id")" != done ]; do
	sleep 0.05
done
is "frozen: promoted, but the next step has not begun" "$(J '.rollout.steps[0].phase + " " + .rollout.steps[1].phase' rollout status "$id")" "done pending"
ok "the promoting process holds while frozen" kill -0 "$BG"
expect_exit "freeze off" 0 H freeze off
wait "$BG"
is "thawed: the rollout completes" "$?/$(count apply frz)" "0/1"

# Lock targets: a rollout resting at a pause holds its targets.
change holder '  id = "holder";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "shared-1"; target = "db/t"; }; },
            { name = "wait"; pause = "manual"; } );'
change waiter '  id = "waiter";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "shared-2"; target = "db/t"; }; } );'
expect_exit "the holder rests at its pause" 0 H rollout start "$T/holder.conf"
holder=$(last_id)
before=$(sqlite3 "$T/state.db" "SELECT count(*) FROM rollouts")
H rollout start "$T/waiter.conf" >/dev/null 2>"$T/err"
is "a rollout of the same target waits, then exits 3" "$?" "3"
ok "it names the target and the holder" grep -q "target db/t is locked by rollout $holder" "$T/err"
is "nothing was recorded" "$(sqlite3 "$T/state.db" "SELECT count(*) FROM rollouts")" "$before"
expect_exit "the same change cannot start while its rollout has not ended" 3 H rollout start "$T/holder.conf"
expect_exit "promote the holder" 0 H rollout promote "$holder"
expect_exit "the waiter starts once the lock is free" 0 H rollout start "$T/waiter.conf"
waiter=$(last_id)

# Rolling back a rollout whose target a later rollout changed again.
H rollout rollback "$holder" >/dev/null 2>"$T/err"
is "rollback refused without --force" "$?" "2"
ok "it names the later rollout" grep -q "a later rollout changed the same target again: $waiter" "$T/err"
is "nothing was reverted" "$(count revert shared-1)" "0"
expect_exit "rollback --force" 0 H rollout rollback "$holder" --force --reason "knowingly"
is "rolled back" "$(J .rollout.state rollout status "$holder") $(count revert shared-1)" "rolled_back 1"

# Irreversible steps: rollback needs --force and leaves them in place.
change oneway '  id = "oneway";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "ow-a"; }; },
            { name = "b"; action = "fault.oneway"; irreversible = true; with = { key = "ow-b"; }; } );'
expect_exit "a change with an irreversible step completes" 0 H rollout start "$T/oneway.conf"
id=$(last_id)
H rollout rollback "$id" >/dev/null 2>"$T/err"
is "rollback across it is refused" "$?" "2"
ok "naming the step" grep -q 'step "b" is irreversible' "$T/err"
expect_exit "rollback --force" 0 H rollout rollback "$id" --force
is "a reverted, b left in place" "$(count revert ow-a) $(test -e "$F/ow-b" && echo kept)" "1 kept"

# An automatic rollback stops at an irreversible step: exit 4.
change stop '  id = "stop";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "st-a"; }; },
            { name = "b"; action = "fault.oneway"; irreversible = true; with = { key = "st-b"; }; },
            { name = "c"; action = "fault.step"; with = { key = "st-c"; fail = "verify"; }; } );'
expect_exit "rollback stops at the irreversible step: exit 4" 4 H rollout start "$T/stop.conf"
id=$(last_id)
is "c reverted, a still applied, needs an operator" \
	"$(J '.rollout.state + " " + .rollout.steps[2].phase + " " + .rollout.steps[0].phase' rollout status "$id")" "needs_operator reverted done"
expect_exit "rollback --force goes past it" 0 H rollout rollback "$id" --force
is "a reverted, b left in place" "$(J .rollout.state rollout status "$id") $(count revert st-a) $(test -e "$F/st-b" && echo kept)" "rolled_back 1 kept"

# Warm artifacts: verify re-rehearses them; drift makes one stale.
change warm '  id = "warm";
  steps = ( { name = "a"; action = "fault.step"; with = { key = "warm-a"; }; } );'
expect_exit "start" 0 H rollout start "$T/warm.conf"
id=$(last_id)
expect_exit "artifacts verify: all fresh" 0 H artifacts verify
is "artifacts verify --json" "$(J '.schema + " " + (.ok | tostring) + " " + (.artifacts | map(.step) | join(","))' artifacts verify "$id")" \
	"hinge.artifacts/1 true a"
touch "$F/stale_warm-a"
expect_exit "a stale artifact: exit 1" 1 H artifacts verify
is "the stale one is named" "$(J '.artifacts[] | select(.ok == false) | .rollout + " " + .step' artifacts verify)" "$id a"
is "an error event was raised" "$(J '[.events[] | select(.kind == "artifact.stale")] | length > 0' rollout events "$id")" "true"
rm "$F/stale_warm-a"

# A tampered artifact stops the rollback with exit 4; repair records a fix.
sqlite3 "$T/state.db" "UPDATE artifacts SET data = X'00' WHERE rollout_id = '$id'"
H rollout rollback "$id" >/dev/null 2>"$T/err"
is "rollback with a tampered artifact exits 4" "$?" "4"
ok "the message names the artifact" grep -q "rollback artifact of step \"a\" (rollout $id) fails its SHA-256 check" "$T/err"
is "needs an operator; nothing reverted" "$(J .rollout.state rollout status "$id") $(count revert warm-a)" "needs_operator 0"
expect_exit "repair needs --reason" 2 H rollout repair "$id" --step a --mark reverted
expect_exit "repair of an unknown step" 2 H rollout repair "$id" --step zz --mark reverted --reason x
rm "$F/warm-a"
expect_exit "repair records the hand-made fix" 0 H rollout repair "$id" --step a --mark reverted --reason "removed by hand"
expect_exit "the rollback completes" 0 H rollout rollback "$id"
is "rolled back without reverting twice" "$(J .rollout.state rollout status "$id") $(count revert warm-a)" "rolled_back 0"
is "the repair is on record" "$(J '[.events[] | select(.kind == "rollout.repair")][0].reason' rollout events "$id")" "removed by hand"
expect_exit "repair of a rollout that needs no operator" 2 H rollout repair "$id" --step a --mark applied --reason x
done_testing
