#!/bin/sh
# rollout start with an agent running on the same state database: the
# start returns at the first wait (a timed pause here) and the agent
# carries the rollout on to the end, each side effect once; a start
# without a running agent, or with --wait, waits through the pause itself.
. "$HINGE_SRCDIR/tests/integration/engine_lib.sh"
engine_setup

change soak '  id = "soak";
  steps = (
    { name = "a"; action = "fault.step"; with = { key = "soak-a"; }; },
    { name = "soak"; pause = "6s"; },
    { name = "b"; action = "fault.step"; with = { key = "soak-b"; }; }
  );'

# No agent: start waits through the pause and returns completed.
s=$(date +%s%N)
expect_exit "without an agent, start runs to the end" 0 H rollout start "$T/soak.conf"
is "it waited through the pause" "$(( ($(date +%s%N) - s) / 1000000 >= 6000 ))" "1"
is "completed by the starting process" "$(J .rollout.state rollout status "$(last_id)")" "completed"

"$HINGE" -c "$T/hinge.conf" agent >/dev/null 2>>"$TAP_LOG" &
agent=$!
HINGE_PIDS=$agent
for i in $(seq 100); do [ -s "$T/state.db.agent-lock" ] && break; sleep 0.05; done
ok "the agent runs" kill -0 "$agent"

# a longer pause, so that a slow start-up (sanitizers, a loaded machine)
# still finds the rollout running when it asks
sed 's/soak-/soak2-/; s/id = "soak"/id = "soak2"/; s/pause = "6s"/pause = "12s"/' "$T/soak.conf" >"$T/soak2.conf"
s=$(date +%s%N)
expect_exit "with an agent, start returns at the pause" 0 H rollout start "$T/soak2.conf"
is "well before the pause is over" "$(( ($(date +%s%N) - s) / 1000000 < 10000 ))" "1"
id=$(last_id)
is "the rollout is still running" "$(J .rollout.state rollout status "$id")" "running"
is "the hand-over is an event naming the agent" \
	"$(J '[.events[] | select(.kind == "rollout.handover")][0].message' rollout events "$id")" \
	"handed over to the agent (pid $agent)"
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$end" ]; do
	[ "$(J .rollout.state rollout status "$id")" = completed ] && break
	sleep 0.05
done
is "the agent completed it" "$(J .rollout.state rollout status "$id")" "completed"
is "each side effect once" "$(count apply soak2-a)$(count apply soak2-b)" "11"

sed 's/soak-/soak3-/; s/id = "soak"/id = "soak3"/' "$T/soak.conf" >"$T/soak3.conf"
s=$(date +%s%N)
expect_exit "start --wait runs to the end though an agent runs" 0 H rollout start "$T/soak3.conf" --wait
is "it waited through the pause itself" "$(( ($(date +%s%N) - s) / 1000000 >= 6000 ))" "1"
id=$(last_id)
is "completed, nothing handed over" \
	"$(J .rollout.state rollout status "$id") $(J '[.events[] | select(.kind == "rollout.handover")] | length' rollout events "$id")" \
	"completed 0"
expect_exit "--detach with --wait is a usage error" 2 H rollout start "$T/soak3.conf" --detach --wait

kill "$agent"
wait "$agent"
is "the agent stops cleanly" "$?" "0"
done_testing
