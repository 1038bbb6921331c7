/*
 * engine_request.c - how operators reach a running rollout: requests
 * recorded in the state database and acted on by the executor between
 * transitions and during waits; the executor's lease; the freeze flag;
 * and what makes a rollback need --force.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/engine_run.h"
#include "agent/engine_sql.h"
#include "agent/events.h"
#include "agent/log.h"
#include "state/state.h"

static const char *hostname(void)
{
	static char name[256];

	if (name[0] == '\0' && gethostname(name, sizeof(name) - 1) != 0)
		snprintf(name, sizeof(name), "unknown");
	return name;
}

/*
 * Rollouts a thread of this process executes (the agent runs several at
 * once: taken-over ones and fleet ones).  A lease row with our own pid is
 * live only when its rollout is listed here; the list and the lease row
 * change together under here_lock.
 */
#define HERE_MAX 64
static pthread_mutex_t here_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char id[16];
	pthread_t owner; /* the thread that executes it */
} here[HERE_MAX];

static int here_find(const char *id)
{
	for (int i = 0; i < HERE_MAX; i++)
		if (strcmp(here[i].id, id) == 0)
			return i;
	return -1;
}

static void here_set(const char *id, int on)
{
	int i = here_find(id);

	if (on && i < 0)
		i = here_find("");
	if (i < 0)
		return;
	snprintf(here[i].id, sizeof(here[i].id), "%s", on ? id : "");
	here[i].owner = pthread_self();
}

/* Held by another thread of this process (ours is no obstacle). */
static int here_other(const char *id)
{
	int i = here_find(id);

	return i >= 0 && !pthread_equal(here[i].owner, pthread_self());
}

/* A holder on this host is alive while its process is (for this
 * process: while one of its threads executes the rollout); elsewhere,
 * while its lease has not expired. */
static int holder_alive(const char *id, int64_t pid, const char *host, int64_t expires)
{
	if (strcmp(host, hostname()) == 0) {
		if (pid == getpid())
			return here_other(id);
		return kill((pid_t)pid, 0) == 0 || errno == EPERM;
	}
	return expires > state_now_ms();
}

static int holder(struct state *st, const char *id, int64_t *pid, char **host)
{
	sqlite3_stmt *s = sql_query(state_sqlite(st), "SELECT pid, host, expires_ms FROM leases WHERE rollout_id = ?",
				    "s", id);
	int alive = 0;

	*host = NULL;
	if (s == NULL)
		return HINGE_EUNAVAIL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*pid = sqlite3_column_int64(s, 0);
		alive = holder_alive(id, *pid, sql_col(s, 1), sqlite3_column_int64(s, 2));
		if (alive)
			*host = strdup(sql_col(s, 1));
	}
	sqlite3_finalize(s);
	return alive;
}

int lease_held_elsewhere(struct state *st, const char *id)
{
	int64_t pid;
	char *host;
	int alive;

	pthread_mutex_lock(&here_lock);
	alive = holder(st, id, &pid, &host);
	pthread_mutex_unlock(&here_lock);
	free(host);
	return alive == 1;
}

int lease_claim_new(struct state *st, const char *id)
{
	int rc;

	pthread_mutex_lock(&here_lock);
	rc = lease_insert(st, id);
	if (rc == 0)
		here_set(id, 1);
	pthread_mutex_unlock(&here_lock);
	return rc;
}

int lease_insert(struct state *st, const char *id)
{
	return sql_run(state_sqlite(st), "INSERT OR REPLACE INTO leases (rollout_id, pid, host, expires_ms) VALUES (?, ?, ?, ?)",
		       "sisi", id, (int64_t)getpid(), hostname(), state_now_ms() + engine_conf()->lease_ttl);
}

int lease_take(struct state *st, const char *id)
{
	int64_t pid = 0;
	char *host = NULL;
	int rc = state_begin(st), alive;

	if (rc != 0)
		return HINGE_EUNAVAIL;
	pthread_mutex_lock(&here_lock);
	alive = holder(st, id, &pid, &host);
	if (alive != 0) {
		pthread_mutex_unlock(&here_lock);
		state_rollback(st);
		if (alive > 0)
			hlog(HINGE_LOG_ERROR, "hinge", "rollout %s is executed by pid %lld on host %s",
			     id, (long long)pid, host);
		free(host);
		return alive > 0 ? HINGE_EBUSY : HINGE_EUNAVAIL;
	}
	rc = lease_insert(st, id);
	if (rc == 0)
		rc = state_commit(st);
	if (rc != 0)
		state_rollback(st);
	else
		here_set(id, 1);
	pthread_mutex_unlock(&here_lock);
	return rc ? HINGE_EUNAVAIL : 0;
}

void lease_drop(struct state *st, const char *id)
{
	pthread_mutex_lock(&here_lock);
	sql_run(state_sqlite(st), "DELETE FROM leases WHERE rollout_id = ? AND pid = ? AND host = ?",
		"sis", id, (int64_t)getpid(), hostname());
	here_set(id, 0);
	pthread_mutex_unlock(&here_lock);
}

int engine_frozen(struct state *st, char **why)
{
	*why = NULL;
	if (state_kv_get(st, "freeze", why) != 0)
		return HINGE_EUNAVAIL;
	if (*why != NULL && (*why)[0] == '\0') {
		free(*why);
		*why = NULL;
	}
	return 0;
}

char *rollback_obstacle(struct state *st, const char *id)
{
	sqlite3 *db = state_sqlite(st);
	char *name = NULL, *later = NULL, *msg = NULL;

	sql_text(db, &name,
		 "SELECT name FROM steps WHERE rollout_id = ? AND irreversible = 1 AND found_applied = 0"
		 " AND phase IN ('applying', 'applied', 'verifying', 'done') ORDER BY idx DESC", "s", id);
	if (name != NULL) {
		if (asprintf(&msg, "step \"%s\" is irreversible: --force rolls back past it, leaving it in place", name) < 0)
			msg = NULL;
		free(name);
		return msg;
	}
	sql_text(db, &later,
		 "SELECT r2.id || ' (target ' || s2.lock_target || ')' FROM steps s1"
		 " JOIN rollouts r1 ON r1.id = s1.rollout_id"
		 " JOIN steps s2 ON s2.lock_target = s1.lock_target AND s2.rollout_id <> s1.rollout_id"
		 " JOIN rollouts r2 ON r2.id = s2.rollout_id"
		 " WHERE s1.rollout_id = ? AND s1.found_applied = 0 AND s2.found_applied = 0"
		 " AND s1.phase IN ('applying', 'applied', 'verifying', 'done')"
		 " AND s2.phase IN ('applying', 'applied', 'verifying', 'done', 'reverting')"
		 " AND r2.rowid > r1.rowid ORDER BY r2.rowid DESC", "s", id);
	if (later != NULL) {
		if (asprintf(&msg, "a later rollout changed the same target again: %s; --force rolls back anyway", later) < 0)
			msg = NULL;
		free(later);
	}
	return msg;
}

struct request {
	int64_t id, force;
	char kind[16];
	char *reason;
};

static int current_step_waiting(struct exec *ex, int64_t cursor)
{
	int64_t n = 0;

	sql_int(ex->db, &n, 0, "SELECT count(*) FROM steps WHERE rollout_id = ? AND idx = ? AND kind = 'pause' AND phase = 'waiting'",
		"si", ex->id, cursor);
	return n > 0;
}

/* Act on one request; *out says what happened.  1 when the state changed. */
static int act(struct exec *ex, const struct request *q, const char *state, int64_t cursor,
	       char *out, size_t outlen)
{
	int is = 0;
	char *why;

	if (strcmp(q->kind, "pause") == 0 && strcmp(state, "running") == 0) {
		snprintf(out, outlen, "paused");
		return run_set_state(ex, "paused", "paused by an operator", -1, HINGE_LOG_NOTICE, "paused by an operator") == 0;
	}
	if (strcmp(q->kind, "resume") == 0 &&
	    (strcmp(state, "paused") == 0 || strcmp(state, "needs_operator") == 0)) {
		sql_run(ex->db, "UPDATE steps SET inconclusive = 0 WHERE rollout_id = ? AND idx = ?", "si", ex->id, cursor);
		snprintf(out, outlen, "resumed");
		return run_set_state(ex, "running", NULL, 0, HINGE_LOG_NOTICE, "resumed") == 0;
	}
	/* No live executor had it (this one took the lease): carry on. */
	if (strcmp(q->kind, "resume") == 0 &&
	    (strcmp(state, "running") == 0 || strcmp(state, "rolling_back") == 0)) {
		snprintf(out, outlen, "taken over");
		return 0;
	}
	if (strcmp(q->kind, "promote") == 0 &&
	    (strcmp(state, "paused") == 0 || strcmp(state, "running") == 0)) {
		if (current_step_waiting(ex, cursor))
			run_step_phase(ex, (size_t)cursor, "done", NULL, 1, "promoted");
		snprintf(out, outlen, "promoted");
		run_set_state(ex, "running", NULL, -1, HINGE_LOG_NOTICE, "promoted");
		return 1;
	}
	is = strcmp(q->kind, "abort") == 0 ? 1 : strcmp(q->kind, "rollback") == 0 ? 2 : 0;
	if ((is == 1 && (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0 ||
			 strcmp(state, "needs_operator") == 0)) ||
	    (is == 2 && !rollout_state_ended(state)) || (is == 2 && strcmp(state, "completed") == 0)) {
		if (!q->force && (why = rollback_obstacle(ex->st, ex->id)) != NULL) {
			snprintf(out, outlen, "refused: %s", why);
			free(why);
			return 0;
		}
		if (q->force)
			sql_run(ex->db, "UPDATE rollouts SET force = 1 WHERE id = ?", "s", ex->id);
		snprintf(out, outlen, "%s", is == 1 ? "aborted" : "rolling back");
		return run_set_state(ex, "rolling_back", is == 1 ? "aborted by an operator" : NULL, is == 1 ? 1 : -1,
				     HINGE_LOG_WARNING, is == 1 ? "aborted by an operator: rolling back"
							       : "rollback requested: rolling back") == 0;
	}
	if (strcmp(q->kind, "finalize") == 0 && strcmp(state, "completed") == 0) {
		snprintf(out, outlen, "finalized");
		return run_set_state(ex, "finalized", NULL, -1, HINGE_LOG_NOTICE, "finalized") == 0;
	}
	snprintf(out, outlen, "refused: the rollout is %s", state);
	return 0;
}

static int load_requests(struct exec *ex, struct request *rq, size_t max, size_t *n)
{
	sqlite3_stmt *s = sql_query(ex->db,
		"SELECT id, kind, force, reason FROM requests WHERE rollout_id = ? AND handled_ms IS NULL ORDER BY id",
		"s", ex->id);

	*n = 0;
	if (s == NULL)
		return HINGE_EUNAVAIL;
	while (*n < max && sqlite3_step(s) == SQLITE_ROW) {
		struct request *q = &rq[(*n)++];

		q->id = sqlite3_column_int64(s, 0);
		snprintf(q->kind, sizeof(q->kind), "%s", sql_col(s, 1));
		q->force = sqlite3_column_int64(s, 2);
		q->reason = sqlite3_column_type(s, 3) == SQLITE_NULL ? NULL : strdup(sql_col(s, 3));
	}
	sqlite3_finalize(s);
	return 0;
}

int run_requests(struct exec *ex)
{
	struct request rq[8];
	size_t n;
	int changed = 0, rc = load_requests(ex, rq, 8, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *saved = ex->reason;
		char state[24] = "", *st_text = NULL, out[512];
		int64_t cursor = 0;

		sql_text(ex->db, &st_text, "SELECT state FROM rollouts WHERE id = ?", "s", ex->id);
		sql_int(ex->db, &cursor, 0, "SELECT cursor FROM rollouts WHERE id = ?", "s", ex->id);
		snprintf(state, sizeof(state), "%s", st_text ? st_text : "");
		free(st_text);
		ex->reason = rq[i].reason;
		changed |= act(ex, &rq[i], state, cursor, out, sizeof(out));
		ex->reason = saved;
		rc = sql_run(ex->db, "UPDATE requests SET handled_ms = ?, outcome = ? WHERE id = ?", "isi",
			     state_now_ms(), out, rq[i].id);
	}
	for (size_t i = 0; i < n; i++)
		free(rq[i].reason);
	return rc ? rc : changed;
}
