/*
 * engine_watchdog.h - a plugin callback held to its step's timeout.
 */
#ifndef HINGE_ENGINE_WATCHDOG_H
#define HINGE_ENGINE_WATCHDOG_H

#include <stdint.h>

/*
 * Watch the calling thread's callback `what` of step number idx (`step`),
 * rollout `rollout` (state database at `state_path`) until
 * watchdog_disarm.  From deadline_ms (on clock_mono_ms) the host's stopping() and
 * sleep_ms() tell the callback to give up, and the PostgreSQL queries of
 * connections the thread made meanwhile are cancelled; a callback still
 * running grace_ms later is beyond reach inside the process, so the
 * watchdog records the rollout as fail_state ("rolling_back", "paused"
 * for on_failure = "pause", "needs_operator" for a revert) with the
 * step's error, and ends the process with exit 1: the next executor, the
 * agent or `hinge rollout resume`, carries on from the committed state as
 * after any crash.  Returns a slot for watchdog_disarm, or -1 when every
 * slot is taken (the callback then runs unwatched; logged).
 */
int watchdog_arm(const char *state_path, const char *rollout, int idx, const char *step,
		 const char *what, const char *fail_state, int64_t deadline_ms, int64_t grace_ms);
void watchdog_disarm(int slot);

#endif
