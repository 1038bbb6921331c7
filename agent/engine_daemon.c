/*
 * engine_daemon.c - the agent's share of the engine: executing rollouts
 * nobody executes (detached ones, or those whose process died), each in
 * a thread with its own state connection, and keeping rollback artifacts
 * warm on a schedule.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/engine_exec.h"
#include "agent/engine_sql.h"
#include "agent/log.h"
#include "state/state.h"

#define MAX_RUNNERS 16

struct runner {
	pthread_t thread;
	char id[16];
	char *path;
	int done; /* set by the runner as it ends (atomic) */
	int used;
};

static struct runner runners[MAX_RUNNERS];

static void *run(void *arg)
{
	struct runner *r = arg;
	struct engine_opts o = { .reason = "taken over by the agent" };
	struct state *st;

	if (state_open(r->path, 0, &st) == 0) {
		exec_run(st, r->id, &o);
		state_close(st);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Join finished runners; 1 when one is executing id. */
static int reap(const char *id)
{
	int busy = 0;

	for (size_t i = 0; i < MAX_RUNNERS; i++) {
		struct runner *r = &runners[i];

		if (r->used && __atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
			pthread_join(r->thread, NULL);
			free(r->path);
			memset(r, 0, sizeof(*r));
		}
		busy |= r->used && id != NULL && strcmp(r->id, id) == 0;
	}
	return busy;
}

static void take_over(struct state *st, const char *id)
{
	for (size_t i = 0; i < MAX_RUNNERS; i++) {
		struct runner *r = &runners[i];

		if (r->used)
			continue;
		snprintf(r->id, sizeof(r->id), "%s", id);
		r->path = strdup(state_path(st));
		r->used = r->path != NULL && pthread_create(&r->thread, NULL, run, r) == 0;
		if (r->used)
			hlog(HINGE_LOG_NOTICE, "hinge", "rollout %s: taken over by the agent", id);
		return;
	}
}

static void rehearse_due(struct state *st)
{
	char *last = NULL, now_text[32];
	int64_t now = state_now_ms();
	json_t *doc = NULL;

	state_kv_get(st, "engine.rehearsed_ms", &last);
	if (last != NULL && now < atoll(last) + engine_conf()->rehearse_interval) {
		free(last);
		return;
	}
	free(last);
	snprintf(now_text, sizeof(now_text), "%lld", (long long)now);
	state_kv_set(st, "engine.rehearsed_ms", now_text);
	/* Stale artifacts raise their own error events. */
	engine_artifacts_verify(st, NULL, &doc);
	json_decref(doc);
}

int engine_daemon_poll(struct state *st)
{
	sqlite3_stmt *s = sql_query(state_sqlite(st), "SELECT id FROM rollouts WHERE state IN ('running', 'rolling_back')"
				    " ORDER BY rowid", "");
	char *ids[MAX_RUNNERS];
	size_t n = 0;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	while (n < MAX_RUNNERS && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = strdup(sql_col(s, 0));
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		if (ids[i] != NULL && !reap(ids[i]) && !lease_held_elsewhere(st, ids[i]))
			take_over(st, ids[i]);
		free(ids[i]);
	}
	reap(NULL);
	rehearse_due(st);
	return 0;
}

size_t engine_daemon_stop(int64_t timeout_ms)
{
	int64_t deadline = state_now_ms() + timeout_ms;
	size_t stuck = 0;

	for (size_t i = 0; i < MAX_RUNNERS; i++) {
		struct runner *r = &runners[i];

		while (r->used && !__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) &&
		       state_now_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (r->used && !__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
			stuck++;
	}
	if (stuck == 0)
		reap(NULL);
	return stuck;
}
