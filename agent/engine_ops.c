/*
 * engine_ops.c - operator requests from the command line, repair after
 * exit 4, and the freeze flag.  A request is recorded first, so that an
 * executor elsewhere acts on it; when none is alive, this process
 * executes the rollout itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/engine_exec.h"
#include "agent/engine_sql.h"
#include "agent/events.h"
#include "agent/log.h"
#include "state/state.h"

static const char *const kinds[] = { "promote", "pause", "abort", "rollback", "resume", "finalize" };

static int known_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i], kind) == 0)
			return 1;
	return 0;
}

static int exists(struct state *st, const char *id)
{
	int64_t n = 0;

	sql_int(state_sqlite(st), &n, 0, "SELECT count(*) FROM rollouts WHERE id = ?", "s", id);
	if (n == 0)
		hlog(HINGE_LOG_ERROR, "hinge", "no rollout \"%s\" (see hinge rollout history)", id);
	return n > 0;
}

static int record(struct state *st, const char *id, const char *kind,
		  const struct engine_opts *o, int64_t *rid)
{
	char msg[64];
	int rc = state_begin(st);

	snprintf(msg, sizeof(msg), "%s requested", kind);
	if (rc == 0)
		rc = sql_run(state_sqlite(st),
			     "INSERT INTO requests (rollout_id, kind, force, actor, reason, time_ms) VALUES (?, ?, ?, ?, ?, ?)",
			     "ssissi", id, kind, (int64_t)o->force, events_actor(), o->reason, state_now_ms());
	*rid = sqlite3_last_insert_rowid(state_sqlite(st));
	if (rc == 0)
		rc = events_raise(st, HINGE_LOG_NOTICE, "rollout.request", "hinge", id, msg, o->reason, NULL);
	if (rc == 0)
		rc = state_commit(st);
	if (rc != 0)
		state_rollback(st);
	return rc ? HINGE_EUNAVAIL : 0;
}

/* Wait for the live executor to act (it polls every request_poll). */
static int await(struct state *st, int64_t rid, char **outcome)
{
	int64_t deadline = state_now_ms() + engine_conf()->lease_ttl + 1000;

	for (;;) {
		sql_text(state_sqlite(st), outcome, "SELECT outcome FROM requests WHERE id = ? AND handled_ms IS NOT NULL",
			 "i", rid);
		if (*outcome != NULL)
			return 0;
		if (state_now_ms() >= deadline)
			return HINGE_EBUSY;
		usleep((useconds_t)engine_conf()->request_poll * 1000);
	}
}

int engine_request(struct state *st, const char *id, const char *kind,
		   const struct engine_opts *o)
{
	char *outcome = NULL, *state = NULL;
	int64_t rid;
	int rc, run = 0;

	if (!known_kind(kind) || !exists(st, id))
		return HINGE_EINVAL;
	/* Resume means "execute it here": a live executor makes that busy. */
	if (strcmp(kind, "resume") == 0 && lease_held_elsewhere(st, id))
		return lease_take(st, id);
	if ((rc = record(st, id, kind, o, &rid)) != 0)
		return rc;
	if (!lease_held_elsewhere(st, id)) {
		run = exec_run(st, id, o);
		if (run == HINGE_EBUSY)
			run = 0;
	}
	if ((rc = await(st, rid, &outcome)) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "the process executing rollout %s did not act on the request", id);
		return rc;
	}
	if (strncmp(outcome, "refused", 7) == 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s of rollout %s %s", kind, id, outcome);
		free(outcome);
		return HINGE_EINVAL;
	}
	free(outcome);
	sql_text(state_sqlite(st), &state, "SELECT state FROM rollouts WHERE id = ?", "s", id);
	/* Abort and rollback did what they say once the rollout is back. */
	if ((strcmp(kind, "abort") == 0 || strcmp(kind, "rollback") == 0) && state != NULL &&
	    strcmp(state, "rolled_back") == 0)
		run = 0;
	if (state != NULL && strcmp(state, "needs_operator") == 0)
		run = HINGE_EOPERATOR;
	free(state);
	return run;
}

int engine_repair(struct state *st, const char *id, const char *step,
		  const char *mark, const char *reason)
{
	sqlite3 *db = state_sqlite(st);
	char *state = NULL, msg[256];
	int64_t n = 0;
	int rc;

	if (!exists(st, id))
		return HINGE_EINVAL;
	if (strcmp(mark, "applied") != 0 && strcmp(mark, "reverted") != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "--mark takes applied or reverted, not \"%s\"", mark);
		return HINGE_EINVAL;
	}
	if (lease_held_elsewhere(st, id)) {
		hlog(HINGE_LOG_ERROR, "hinge", "rollout %s is being executed: repair it once it stops", id);
		return HINGE_EBUSY;
	}
	if ((rc = state_begin(st)) != 0)
		return HINGE_EUNAVAIL;
	sql_text(db, &state, "SELECT state FROM rollouts WHERE id = ?", "s", id);
	sql_int(db, &n, 0, "SELECT count(*) FROM steps WHERE rollout_id = ? AND name = ? AND kind = 'action'", "ss", id, step);
	if (state == NULL || strcmp(state, "needs_operator") != 0 || n == 0) {
		state_rollback(st);
		hlog(HINGE_LOG_ERROR, "hinge", n == 0 ? "rollout %s has no action step \"%s\""
						      : "rollout %s does not need an operator (step \"%s\")", id, step);
		free(state);
		return HINGE_EINVAL;
	}
	free(state);
	snprintf(msg, sizeof(msg), "repaired by hand: step \"%s\" marked %s", step, mark);
	rc = sql_run(db, "UPDATE steps SET phase = ?, error = NULL, ended_ms = ? WHERE rollout_id = ? AND name = ?",
		     "siss", strcmp(mark, "applied") == 0 ? "done" : "reverted", state_now_ms(), id, step);
	if (rc == 0)
		rc = events_raise(st, HINGE_LOG_NOTICE, "rollout.repair", "hinge", id, msg, reason, NULL);
	if (rc == 0)
		rc = state_commit(st);
	if (rc != 0) {
		state_rollback(st);
		return HINGE_EUNAVAIL;
	}
	return 0;
}

int engine_freeze(struct state *st, int on, const char *reason, json_t **out)
{
	json_t *v = json_pack("{s:s, s:s?, s:I}", "actor", events_actor(), "reason", reason,
			      "time_ms", (json_int_t)state_now_ms());
	char *text = on ? json_dumps(v, JSON_COMPACT) : NULL;
	int rc = state_begin(st);

	if (rc == 0)
		rc = state_kv_set(st, "freeze", text);
	if (rc == 0)
		rc = events_raise(st, HINGE_LOG_NOTICE, on ? "freeze.on" : "freeze.off", "hinge", NULL,
				  on ? "rollouts frozen" : "rollouts thawed", reason, text);
	if (rc == 0)
		rc = state_commit(st);
	if (rc != 0)
		state_rollback(st);
	*out = json_pack("{s:s, s:b, s:s?, s:s}", "schema", "hinge.freeze/1", "frozen", on,
			 "reason", reason, "actor", events_actor());
	json_decref(v);
	free(text);
	return rc ? HINGE_EUNAVAIL : 0;
}
