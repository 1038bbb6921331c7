/*
 * engine_watchdog.c - a callback that outlives its step's timeout.  C
 * cannot stop a thread that does not cooperate, and a plugin blocked in
 * a system call or a loop without stopping() would hold its rollout
 * forever; ending the process is the one safe way out, because every
 * transition before the callback was committed (the crash matrix of
 * engine_crash.c proves resumption from each of them).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "agent/engine_sql.h"
#include "agent/engine_watchdog.h"
#include "agent/events.h"
#include "agent/host.h"
#include "agent/log.h"
#include "state/state.h"

#define SLOTS 32
#define TICK_MS 20

struct watch {
	int used;
	char rollout[16], step[128], what[16], path[4096];
	int64_t deadline_ms, kill_ms;
};

static struct watch watches[SLOTS];
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t started = PTHREAD_ONCE_INIT;

/* Record the failure in the rollout, then end the process. */
static void fire(const struct watch *w)
{
	int revert = strcmp(w->what, "revert") == 0;
	char msg[400];
	struct state *st = NULL;

	snprintf(msg, sizeof(msg),
		 "step \"%s\": %s did not return %lldms after the step's timeout; the process ends so that the rollout can %s",
		 w->step, w->what, (long long)(w->kill_ms - w->deadline_ms),
		 revert ? "wait for an operator" : "roll back");
	hlog(HINGE_LOG_ERROR, "hinge", "rollout %s: %s", w->rollout, msg);
	if (state_open(w->path, 0, &st) == 0 && state_begin(st) == 0) {
		if (sql_run(state_sqlite(st),
			    "UPDATE rollouts SET state = ?, error = ?, failed = 1 WHERE id = ?"
			    " AND state IN ('running', 'rolling_back')",
			    "sss", revert ? "needs_operator" : "rolling_back", msg, w->rollout) == 0 &&
		    events_raise(st, HINGE_LOG_ERROR, revert ? "rollout.needs_operator" : "rollout.failed",
				 "hinge", w->rollout, msg, NULL, NULL) == 0)
			state_commit(st);
		else
			state_rollback(st);
	}
	_exit(1);
}

static void *watch_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts = { 0, TICK_MS * 1000000L };
		struct watch due = { 0 };
		int64_t now = state_now_ms();

		pthread_mutex_lock(&watch_lock);
		for (size_t i = 0; i < SLOTS && !due.used; i++)
			if (watches[i].used && now >= watches[i].kill_ms)
				due = watches[i];
		pthread_mutex_unlock(&watch_lock);
		if (due.used)
			fire(&due);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void start(void)
{
	pthread_t t;
	sigset_t all, old;

	/* Signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, NULL, watch_thread, NULL) == 0)
		pthread_detach(t);
	else
		hlog(HINGE_LOG_ERROR, "hinge", "cannot start the callback watchdog: timeouts hold only cooperative plugins");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int watchdog_arm(const char *state_path, const char *rollout, const char *step,
		 const char *what, int64_t deadline_ms, int64_t grace_ms)
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
		w->deadline_ms = deadline_ms;
		w->kill_ms = deadline_ms + grace_ms;
		w->used = 1;
	}
	pthread_mutex_unlock(&watch_lock);
	if (slot < 0)
		hlog(HINGE_LOG_WARNING, "hinge", "rollout %s: step \"%s\" runs unwatched (every watchdog slot is taken)",
		     rollout, step);
	host_set_step_deadline(deadline_ms);
	return slot;
}

void watchdog_disarm(int slot)
{
	host_set_step_deadline(0);
	if (slot < 0)
		return;
	pthread_mutex_lock(&watch_lock);
	watches[slot].used = 0;
	pthread_mutex_unlock(&watch_lock);
}
