/*
 * engine_watchdog.c - a callback that outlives its step's timeout.  At
 * the deadline the queries the callback's thread runs are cancelled (a
 * DDL waiting or building), besides stopping() turning true.  C cannot
 * stop a thread that does not cooperate beyond that, and a plugin
 * blocked in a system call or a loop would hold its rollout forever;
 * ending the process is the one safe way out, because every transition
 * before the callback was committed (the crash matrix of engine_crash.c
 * proves resumption from each of them).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "agent/clock.h"
#include "agent/engine_sql.h"
#include "agent/engine_watchdog.h"
#include "agent/events.h"
#include "agent/host.h"
#include "agent/log.h"
#include "agent/pg.h"
#include "state/state.h"

#define SLOTS 32

struct watch {
	int used, cancelled;
	pthread_t thread;
	char rollout[16], step[128], what[16], path[4096];
	int idx;
	const char *fail_state; /* the rollout's state when the process ends */
	int64_t deadline_ms, kill_ms; /* clock_mono_ms */
};

static struct watch watches[SLOTS];
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_armed; /* on CLOCK_MONOTONIC, made by start() */
static pthread_once_t started = PTHREAD_ONCE_INIT;

/*
 * Record the failure in the rollout and its step, then end the process.
 * Called with watch_lock held, so that the callback cannot return and
 * commit its own outcome in between.
 */
static void fire(const struct watch *w)
{
	const char *then = strcmp(w->fail_state, "needs_operator") == 0 ? "wait for an operator"
			 : strcmp(w->fail_state, "paused") == 0 ? "pause (on_failure)" : "roll back";
	char msg[400];
	struct state *st = NULL;

	snprintf(msg, sizeof(msg),
		 "step \"%s\": %s did not return %lldms after the step's timeout; the process ends so that the rollout can %s",
		 w->step, w->what, (long long)(w->kill_ms - w->deadline_ms), then);
	hlog(HINGE_LOG_ERROR, "hinge", "rollout %s: %s", w->rollout, msg);
	if (state_open(w->path, 0, &st) == 0 && state_begin(st) == 0) {
		if (sql_run(state_sqlite(st),
			    "UPDATE rollouts SET state = ?, error = ?, failed = 1 WHERE id = ?"
			    " AND state IN ('running', 'rolling_back')",
			    "sss", w->fail_state, msg, w->rollout) == 0 &&
		    sql_run(state_sqlite(st), "UPDATE steps SET error = ? WHERE rollout_id = ? AND idx = ?",
			    "ssi", msg, w->rollout, (int64_t)w->idx) == 0 &&
		    events_raise(st, HINGE_LOG_ERROR,
				 strcmp(w->fail_state, "needs_operator") == 0 ? "rollout.needs_operator" : "rollout.failed",
				 "hinge", w->rollout, msg, NULL, NULL) == 0)
			state_commit(st);
		else
			state_rollback(st);
	}
	_exit(1);
}

/*
 * Sleeps until the earliest deadline or kill time of the watches armed,
 * or until one is armed: an agent with no step running does not wake.
 */
static void *watch_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_lock);
	for (;;) {
		int64_t now = clock_mono_ms(), next = INT64_MAX;

		for (size_t i = 0; i < SLOTS; i++) {
			struct watch *w = &watches[i];

			if (!w->used)
				continue;
			if (now >= w->kill_ms)
				fire(w);
			if (!w->cancelled && now >= w->deadline_ms) {
				pg_cancel_thread(w->thread);
				w->cancelled = 1;
			}
			if (!w->cancelled && w->deadline_ms < next)
				next = w->deadline_ms;
			if (w->kill_ms < next)
				next = w->kill_ms;
		}
		if (next == INT64_MAX) {
			pthread_cond_wait(&watch_armed, &watch_lock);
		} else {
			struct timespec at = { (time_t)(next / 1000), (long)(next % 1000) * 1000000L };

			pthread_cond_timedwait(&watch_armed, &watch_lock, &at);
		}
	}
	return NULL;
}

static void start(void)
{
	pthread_t t;
	pthread_condattr_t attr;
	sigset_t all, old;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&watch_armed, &attr);
	pthread_condattr_destroy(&attr);
	/* Signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, NULL, watch_thread, NULL) == 0)
		pthread_detach(t);
	else
		hlog(HINGE_LOG_ERROR, "hinge", "cannot start the callback watchdog: timeouts hold only cooperative plugins");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int watchdog_arm(const char *state_path, const char *rollout, int idx, const char *step,
		 const char *what, const char *fail_state, int64_t deadline_ms, int64_t grace_ms)
{
	int slot = -1;

	pthread_once(&started, start);
	pthread_mutex_lock(&watch_lock);
	for (int i = 0; i < SLOTS && slot < 0; i++)
		if (!watches[i].used)
			slot = i;
	if (slot >= 0) {
		struct watch *w = &watches[slot];

		snprintf(w->rollout, sizeof(w->rollout), "%s", rollout);
		snprintf(w->step, sizeof(w->step), "%s", step);
		snprintf(w->what, sizeof(w->what), "%s", what);
		snprintf(w->path, sizeof(w->path), "%s", state_path);
		w->idx = idx;
		w->fail_state = fail_state;
		w->thread = pthread_self();
		w->cancelled = 0;
		w->deadline_ms = deadline_ms;
		w->kill_ms = clock_after_ms(deadline_ms, grace_ms);
		w->used = 1;
		pthread_cond_signal(&watch_armed);
	}
	pthread_mutex_unlock(&watch_lock);
	if (slot < 0)
		hlog(HINGE_LOG_WARNING, "hinge", "rollout %s: step \"%s\" runs unwatched (every watchdog slot is taken)",
		     rollout, step);
	host_set_step_deadline(deadline_ms);
	pg_thread_in_step(1);
	return slot;
}

void watchdog_disarm(int slot)
{
	host_set_step_deadline(0);
	pg_thread_in_step(0);
	if (slot < 0)
		return;
	pthread_mutex_lock(&watch_lock);
	watches[slot].used = 0;
	pthread_mutex_unlock(&watch_lock);
}
