/*
 * engine_exec.c - the executor's loop: run the step at the cursor, act on
 * operator requests between transitions and during waits, roll back in
 * reverse order when a step or gate fails, and commit every transition
 * with its event before the next side effect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/engine_crash.h"
#include "agent/engine_run.h"
#include "agent/engine_sql.h"
#include "agent/engine_webhook.h"
#include "agent/events.h"
#include "agent/host.h"
#include "agent/log.h"
#include "state/state.h"

static struct engine_conf conf = { 200, 10000, 30000, 3600000, 30000 };

int engine_configure(const struct settings *agent)
{
	conf.request_poll = settings_ms(agent, "request_poll");
	conf.lease_ttl = settings_ms(agent, "lease_ttl");
	conf.lock_wait = settings_ms(agent, "lock_wait");
	conf.rehearse_interval = settings_ms(agent, "rehearse_interval");
	conf.callback_grace = settings_ms(agent, "callback_grace");
	return webhook_configure(agent);
}

const struct engine_conf *engine_conf(void)
{
	return &conf;
}

int rollout_state_ended(const char *state)
{
	return strcmp(state, "completed") == 0 || strcmp(state, "rolled_back") == 0 ||
	       strcmp(state, "finalized") == 0;
}

static void tell(struct exec *ex, const char *step, const char *phase, const char *message)
{
	if (ex->o != NULL && ex->o->obs != NULL && ex->o->obs->transition != NULL)
		ex->o->obs->transition(ex->o->obs->data, ex->id, step, phase, message);
}

int run_step_row(struct exec *ex, size_t idx, struct step_row *row)
{
	sqlite3_stmt *s = sql_query(ex->db,
		"SELECT phase, found_applied, evals, failures, inconclusive, coalesce(started_ms, 0), checkpoint"
		" FROM steps WHERE rollout_id = ? AND idx = ?", "si", ex->id, (int64_t)idx);
	int rc;

	memset(row, 0, sizeof(*row));
	if (s == NULL)
		return HINGE_EUNAVAIL;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(row->phase, sizeof(row->phase), "%s", sql_col(s, 0));
		row->found_applied = sqlite3_column_int(s, 1);
		row->evals = sqlite3_column_int64(s, 2);
		row->failures = sqlite3_column_int64(s, 3);
		row->inconclusive = sqlite3_column_int64(s, 4);
		row->started_ms = sqlite3_column_int64(s, 5);
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			row->checkpoint = strdup(sql_col(s, 6));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : HINGE_EUNAVAIL;
}

int run_step_phase(struct exec *ex, size_t idx, const char *phase,
		   const char *error, int advance, const char *message)
{
	return run_step_commit(ex, idx, phase, error, advance, message, NULL, NULL);
}

int run_step_commit(struct exec *ex, size_t idx, const char *phase, const char *error,
		    int advance, const char *message,
		    int (*extra)(struct exec *, size_t, const void *), const void *arg)
{
	const char *name = ex->plan->steps[idx].cs->name;
	char *detail = NULL;
	int rc = state_begin(ex->st);

	if (rc == 0 && extra != NULL)
		rc = extra(ex, idx, arg);
	if (rc == 0)
		rc = sql_run(ex->db,
			     "UPDATE steps SET phase = ?, error = ?,"
			     " started_ms = coalesce(started_ms, ?),"
			     " ended_ms = CASE WHEN ? IN ('done', 'reverted', 'failed') THEN ? ELSE NULL END"
			     " WHERE rollout_id = ? AND idx = ?", "ssisisi", phase, error, state_now_ms(),
			     phase, state_now_ms(), ex->id, (int64_t)idx);
	if (rc == 0 && advance)
		rc = sql_run(ex->db, "UPDATE rollouts SET cursor = ? WHERE id = ? AND cursor <= ?",
			     "isi", (int64_t)idx + 1, ex->id, (int64_t)idx);
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:i, s:s}", "step", name, "index", (int)idx + 1, "phase", phase);

		detail = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		rc = events_raise(ex->st, error ? HINGE_LOG_WARNING : HINGE_LOG_INFO, "rollout.step",
				  "hinge", ex->id, message, ex->reason, detail);
	}
	free(detail);
	if (rc == 0)
		rc = state_commit(ex->st);
	if (rc != 0) {
		state_rollback(ex->st);
		return HINGE_EUNAVAIL;
	}
	tell(ex, name, phase, message);
	return 0;
}

/* The event kind of a rollout state: what an operator is told of. */
static const char *state_kind(const char *state)
{
	static const char *const kinds[][2] = {
		{ "paused", "rollout.paused" }, { "completed", "rollout.completed" },
		{ "rolled_back", "rollout.rolled_back" }, { "rolling_back", "rollout.failed" },
		{ "needs_operator", "rollout.needs_operator" }, { "finalized", "rollout.finalized" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i][0], state) == 0)
			return kinds[i][1];
	return "rollout.state";
}

/* The event as sinks get it, queued for the webhook. */
static int notify(struct exec *ex, enum hinge_log_level level, const char *kind,
		  const char *message, const char *detail)
{
	json_t *ev = json_pack("{s:I, s:i, s:s, s:s, s:s, s:s, s:s, s:s?, s:o?}",
			       "time", (json_int_t)state_now_ms(), "level", (int)level, "kind", kind,
			       "source", "hinge", "message", message, "rollout", ex->id,
			       "actor", events_actor(), "reason", ex->reason,
			       "detail", json_loads(detail, 0, NULL));
	char *text = json_dumps(ev, JSON_COMPACT);
	int rc = text ? webhook_enqueue(ex->st, text) : HINGE_ENOMEM;

	free(text);
	json_decref(ev);
	return rc;
}

int run_set_state(struct exec *ex, const char *state, const char *error,
		  int failed, enum hinge_log_level level, const char *message)
{
	int ended = rollout_state_ended(state);
	char detail[256];
	int rc = state_begin(ex->st);

	if (rc == 0)
		rc = sql_run(ex->db,
			     "UPDATE rollouts SET state = ?, error = ?,"
			     " failed = CASE WHEN ? < 0 THEN failed ELSE ? END,"
			     " ended_ms = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
			     "ssiiiis", state, error, (int64_t)failed, (int64_t)failed, (int64_t)ended,
			     state_now_ms(), ex->id);
	if (rc == 0 && ended)
		rc = sql_run(ex->db, "DELETE FROM locks WHERE rollout_id = ?", "s", ex->id);
	snprintf(detail, sizeof(detail), "{\"state\":\"%s\",\"change\":\"%s\"}", state,
		 ex->plan->ch->id);
	if (rc == 0)
		rc = events_raise(ex->st, level, state_kind(state), "hinge", ex->id, message,
				  ex->reason, detail);
	if (rc == 0 && strcmp(state, "running") != 0)
		rc = notify(ex, level, state_kind(state), message, detail);
	if (rc == 0)
		rc = state_commit(ex->st);
	if (rc != 0) {
		state_rollback(ex->st);
		return HINGE_EUNAVAIL;
	}
	tell(ex, NULL, state, message);
	return 0;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int renew_lease(struct exec *ex)
{
	return sql_run(ex->db, "UPDATE leases SET expires_ms = ? WHERE rollout_id = ?", "is",
		       state_now_ms() + conf.lease_ttl, ex->id);
}

int run_wait(struct exec *ex, int64_t deadline)
{
	if (ex->o != NULL && ex->o->handover && (ex->agent_pid = daemon_agent_pid(state_path(ex->st))) != 0)
		return STEP_HANDOVER;
	for (;;) {
		int64_t now, left;
		int r = run_requests(ex);

		if (r < 0)
			return r;
		if (r > 0)
			return STEP_INTERRUPT;
		if (renew_lease(ex) != 0)
			return HINGE_EUNAVAIL;
		now = state_now_ms();
		if (now >= deadline)
			return 0;
		if (host_stop_requested())
			return HINGE_ECANCELED;
		left = deadline - now;
		sleep_ms(left < conf.request_poll ? left : conf.request_poll);
	}
}

struct rollout_row {
	char state[24];
	size_t cursor;
	int failed, force;
};

static int load_rollout(struct exec *ex, struct rollout_row *r)
{
	sqlite3_stmt *s = sql_query(ex->db, "SELECT state, cursor, failed, force FROM rollouts WHERE id = ?",
				    "s", ex->id);
	int rc;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(r->state, sizeof(r->state), "%s", sql_col(s, 0));
		r->cursor = (size_t)sqlite3_column_int64(s, 1);
		r->failed = sqlite3_column_int(s, 2);
		r->force = sqlite3_column_int(s, 3);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : HINGE_EUNAVAIL;
}

/* Revert every applied action step, last first. */
static int rollback_all(struct exec *ex)
{
	for (size_t i = ex->plan->ch->nsteps; i-- > 0;) {
		int rc;

		if (ex->plan->steps[i].cs->kind != STEP_ACTION)
			continue;
		if ((rc = action_back(ex, i)) != 0)
			return rc;
	}
	return 0;
}

static int step_forward(struct exec *ex, size_t idx)
{
	switch (ex->plan->steps[idx].cs->kind) {
	case STEP_ACTION: return action_forward(ex, idx);
	case STEP_PAUSE: return pause_forward(ex, idx);
	default: return gate_forward(ex, idx);
	}
}

/*
 * Hold while frozen, or while the flag cannot be read (a freeze unread is
 * not lifted); requests (abort, rollback) still get through.
 */
static int wait_thaw(struct exec *ex)
{
	char *frozen;

	while (engine_frozen(ex->st, &frozen) != 0 || frozen != NULL) {
		int rc;

		free(frozen);
		if ((rc = run_wait(ex, state_now_ms() + conf.request_poll)) != 0)
			return rc;
	}
	return 0;
}

/* A forward step's failure, by on_failure. */
static int forward_failed(struct exec *ex, size_t idx, int rc, int *outcome)
{
	const char *name = ex->plan->steps[idx].cs->name;
	char msg[1400], *why = NULL;

	if (rc == STEP_INCONCLUSIVE) {
		snprintf(msg, sizeof(msg), "paused for an operator: gate \"%s\" stays inconclusive", name);
		*outcome = HINGE_EOPERATOR;
		return run_set_state(ex, "paused", msg, -1, HINGE_LOG_WARNING, msg);
	}
	if (rc == HINGE_EOPERATOR) {
		snprintf(msg, sizeof(msg), "needs an operator at step \"%s\": see rollout status", name);
		*outcome = HINGE_EOPERATOR;
		return run_set_state(ex, "needs_operator", msg, 1, HINGE_LOG_ERROR, msg);
	}
	sql_text(ex->db, &why, "SELECT error FROM steps WHERE rollout_id = ? AND idx = ?", "si",
		 ex->id, (int64_t)idx);
	snprintf(msg, sizeof(msg), "step \"%s\" failed%s%s", name, why ? ": " : "", why ? why : "");
	free(why);
	*outcome = HINGE_EFAIL;
	if (ex->plan->ch->on_failure_pause)
		return run_set_state(ex, "paused", msg, 1, HINGE_LOG_ERROR, msg);
	rc = run_set_state(ex, "rolling_back", msg, 1, HINGE_LOG_ERROR, msg);
	if (rc == 0)
		crash_point("rollback.begin");
	return rc;
}

static int back_done(struct exec *ex, int rc, int failed, int *outcome)
{
	if (rc == 0) {
		char *why = NULL;

		/* The failure that caused the rollback stays on record. */
		sql_text(ex->db, &why, "SELECT error FROM rollouts WHERE id = ?", "s", ex->id);
		*outcome = failed ? HINGE_EFAIL : 0;
		rc = run_set_state(ex, "rolled_back", why, -1, HINGE_LOG_NOTICE, "rolled back");
		free(why);
		return rc;
	}
	*outcome = HINGE_EOPERATOR;
	return run_set_state(ex, "needs_operator",
			     rc == STEP_STOP ? "rollback stopped at an irreversible step: rollback --force goes past it"
					     : "a rollback step failed: see rollout status; repair records a fix",
			     -1, HINGE_LOG_ERROR, "rollback could not complete: needs an operator");
}

/*
 * A wait (a timed pause, a gate's bake, a freeze) with an agent running:
 * the agent carries the rollout on once this process drops its lease.
 */
static int hand_over(struct exec *ex)
{
	char msg[96];

	if (ex->agent_pid > 0)
		snprintf(msg, sizeof(msg), "handed over to the agent (pid %ld)", ex->agent_pid);
	else
		snprintf(msg, sizeof(msg), "handed over to the agent");
	if (events_raise(ex->st, HINGE_LOG_NOTICE, "rollout.handover", "hinge", ex->id, msg,
			 ex->reason, NULL) != 0)
		return HINGE_EUNAVAIL;
	tell(ex, NULL, "running", msg);
	return 0;
}

/* One turn of the loop: 1 to go on, 0 when the executor stops. */
static int turn(struct exec *ex, int *outcome)
{
	struct rollout_row r;
	int rc;

	if ((rc = run_requests(ex)) < 0 || (rc = load_rollout(ex, &r)) != 0) {
		*outcome = rc;
		return 0;
	}
	ex->force = r.force;
	if (strcmp(r.state, "running") == 0) {
		if (r.cursor >= ex->plan->ch->nsteps) {
			*outcome = run_set_state(ex, "completed", NULL, -1, HINGE_LOG_NOTICE, "completed");
			if (*outcome == 0)
				crash_point("rollout.end");
			return 0;
		}
		if ((rc = wait_thaw(ex)) == STEP_INTERRUPT)
			return 1;
		if (rc == 0)
			rc = step_forward(ex, r.cursor);
		if (rc == 0 || rc == STEP_INTERRUPT)
			return 1;
		if (rc == STEP_HANDOVER) {
			*outcome = hand_over(ex);
			return 0;
		}
		if (rc == STEP_REST) {
			*outcome = 0;
			run_set_state(ex, "paused", NULL, -1, HINGE_LOG_NOTICE, "waiting for promote");
			return 0;
		}
		if (rc == HINGE_EFAIL || rc == HINGE_EOPERATOR || rc == STEP_INCONCLUSIVE) {
			if (forward_failed(ex, r.cursor, rc, outcome) != 0)
				*outcome = HINGE_EUNAVAIL;
			/* on_failure = "rollback": the next turn rolls back. */
			return *outcome == HINGE_EFAIL && !ex->plan->ch->on_failure_pause;
		}
		*outcome = rc;
		return 0;
	}
	if (strcmp(r.state, "rolling_back") == 0) {
		rc = rollback_all(ex);
		if (rc < 0 && rc != HINGE_EOPERATOR) {
			*outcome = rc;
			return 0;
		}
		if (back_done(ex, rc, r.failed, outcome) == 0 && rc == 0)
			crash_point("rollout.end");
		return 0;
	}
	*outcome = strcmp(r.state, "needs_operator") == 0 ? HINGE_EOPERATOR
		 : strcmp(r.state, "rolled_back") == 0 && r.failed ? HINGE_EFAIL
		 : strcmp(r.state, "paused") == 0 && r.failed ? HINGE_EFAIL : 0;
	return 0;
}

int exec_load_plan(struct state *st, const char *id, struct plan **out)
{
	sqlite3_stmt *s = sql_query(state_sqlite(st), "SELECT file, text FROM rollouts WHERE id = ?", "s", id);
	struct change *ch = NULL;
	int rc;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		hlog(HINGE_LOG_ERROR, "hinge", "no rollout \"%s\" (see hinge rollout history)", id);
		return HINGE_EINVAL;
	}
	rc = change_parse(sql_col(s, 0), sql_col(s, 1), &ch);
	sqlite3_finalize(s);
	if (rc != 0)
		return rc;
	return plan_resolve(ch, id, 0, out);
}

int exec_run(struct state *st, const char *id, const struct engine_opts *o)
{
	struct exec ex = { .st = st, .db = state_sqlite(st), .id = id, .o = o,
			   .reason = o ? o->reason : NULL };
	int outcome = 0, rc;

	if ((rc = lease_take(st, id)) != 0)
		return rc;
	if ((rc = exec_load_plan(st, id, &ex.plan)) != 0) {
		lease_drop(st, id);
		return rc;
	}
	webhook_start(state_path(st));
	sql_int(ex.db, &ex.created_ms, 0, "SELECT created_ms FROM rollouts WHERE id = ?", "s", id);
	while (turn(&ex, &outcome))
		;
	plan_free(ex.plan);
	lease_drop(st, id);
	webhook_stop();
	return outcome;
}
