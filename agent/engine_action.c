/*
 * engine_action.c - an action step's moves.  Forward:
 *   pending -> capturing -> captured -> rehearsing -> rehearsed
 *           -> applying -> applied -> verifying -> done
 * back: applied/done -> reverting -> reverted.  Each phase is committed
 * before the side effect it announces, so that after a crash the phase
 * says what may have happened: "applying" and "reverting" are the only
 * uncertain ones, and the action's probe (or its idempotence) settles
 * them without doing a side effect twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/clock.h"
#include "agent/config.h"
#include "agent/engine_crash.h"
#include "agent/engine_run.h"
#include "agent/engine_sql.h"
#include "agent/engine_watchdog.h"
#include "agent/host.h"
#include "agent/log.h"
#include "agent/step.h"
#include "state/state.h"

static int on_checkpoint(struct hinge_step *hs, void *data)
{
	struct exec *ex = data;
	int rc = state_begin(ex->st);

	if (rc == 0)
		rc = sql_run(ex->db, "UPDATE steps SET checkpoint = ? WHERE rollout_id = ? AND name = ?",
			     "sss", hs->checkpoint, ex->id, hs->name);
	if (rc == 0)
		rc = state_commit(ex->st);
	if (rc != 0)
		state_rollback(ex->st);
	return rc ? HINGE_EUNAVAIL : 0;
}

static void on_progress(struct hinge_step *hs, void *data)
{
	struct exec *ex = data;

	if (ex->o != NULL && ex->o->obs != NULL && ex->o->obs->progress != NULL)
		ex->o->obs->progress(ex->o->obs->data, ex->id, hs->name, hs->progress_done,
				     hs->progress_total);
}

/* The step as the plugin sees it: parameters, artifact, checkpoint. */
int run_prepare(struct exec *ex, size_t idx, const struct step_row *row,
		struct hinge_step *hs)
{
	const struct plan_step *ps = &ex->plan->steps[idx];
	sqlite3_stmt *s;
	int rc = 0;

	step_init(hs, ps->cs->name, ex->id, ps->params);
	hs->on_checkpoint = on_checkpoint;
	hs->on_progress = on_progress;
	hs->hook_data = ex;
	hs->checkpoint = row->checkpoint ? strdup(row->checkpoint) : NULL;
	s = sql_query(ex->db, "SELECT data, sha256 FROM artifacts WHERE rollout_id = ? AND idx = ?",
		      "si", ex->id, (int64_t)idx);
	if (s == NULL)
		return HINGE_EUNAVAIL;
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = step_artifact_load(hs, sqlite3_column_blob(s, 0),
					(size_t)sqlite3_column_bytes(s, 0), sql_col(s, 1));
	sqlite3_finalize(s);
	return rc;
}

/*
 * Call one of the action's callbacks, holding it to the step's timeout
 * counted from t0 (an apply that waited counts its wait): cancelled at
 * the deadline, the process ended by the watchdog if the callback
 * ignores that for callback_grace.  *returned, when not NULL, gets what
 * the callback itself returned (0 for one that finished over time).
 */
static int call(struct exec *ex, size_t idx, struct hinge_step *hs,
		int (*fn)(void *, struct hinge_step *), const char *what, int64_t t0,
		int *returned)
{
	const struct plan_step *ps = &ex->plan->steps[idx];
	/* t0 and the call are on the monotonic clock; t0 may lie before a
	 * wait (an apply that answered "not yet") */
	int64_t m0 = clock_mono_ms(), spent = m0 - t0, took;
	int rc, slot = -1;

	if (fn == NULL)
		return 0;
	if (ps->cs->timeout_ms > 0)
		slot = watchdog_arm(state_path(ex->st), ex->id, (int)idx, ps->cs->name, what,
				    strcmp(what, "revert") == 0 ? "needs_operator"
				    : ex->plan->ch->on_failure_pause ? "paused" : "rolling_back",
				    clock_after_ms(m0, ps->cs->timeout_ms - spent),
				    engine_conf()->callback_grace);
	rc = fn(ps->ra->a.data, hs);
	if (returned)
		*returned = rc;
	if (ps->cs->timeout_ms > 0)
		watchdog_disarm(slot);
	took = spent + (clock_mono_ms() - m0);
	if (rc == HINGE_ENOTYET && fn != ps->ra->a.apply) {
		step_error(hs, "%s answered \"not yet\", which only apply may", what);
		rc = HINGE_EFAIL;
	}
	/* Over time, finished or cancelled at the deadline: a timeout. */
	if (ps->cs->timeout_ms > 0 && took >= ps->cs->timeout_ms &&
	    (rc == 0 || (rc == HINGE_ECANCELED && !host_stop_requested()))) {
		step_error(hs, "%s took %lldms, over the step's timeout of %lldms", what,
			   (long long)took, (long long)ps->cs->timeout_ms);
		rc = HINGE_EFAIL;
	} else if (ps->cs->timeout_ms > 0 && took >= ps->cs->timeout_ms && rc != 0 &&
		   rc != HINGE_ENOTYET && !host_stop_requested()) {
		/* Its queries were cancelled at the deadline: say so first. */
		char *why = hs->error ? strdup(hs->error) : NULL;

		step_error(hs, "%s stopped at the step's timeout of %lldms: %s", what,
			   (long long)ps->cs->timeout_ms, why ? why : "cancelled");
		free(why);
	}
	if (rc != 0 && rc != HINGE_ENOTYET && hs->error == NULL)
		step_error(hs, "%s failed (error %d)", what, rc);
	return rc;
}

/*
 * The step's phase without an event, for the retries of an apply that
 * answered "not yet": "rehearsed" while it waits (nothing was applied,
 * so an abort, a hand-over or a resume must not take it for applied),
 * "applying" again just before each retry.
 */
static int quiet_phase(struct exec *ex, size_t idx, const char *phase)
{
	return sql_run(ex->db, "UPDATE steps SET phase = ? WHERE rollout_id = ? AND idx = ?", "ssi",
		       phase, ex->id, (int64_t)idx) == 0 ? 0 : HINGE_EUNAVAIL;
}

/*
 * Apply, and while it answers "not yet" (a maintenance window that is
 * not open) wait as it asked, the way a gate waits: an operator's
 * request gets through (STEP_INTERRUPT: the phase is "rehearsed", with
 * nothing applied), the lease is kept, and past the step's timeout the
 * step fails with apply's reason.  The first answer is announced.  When
 * the wait itself ends the move (a request, shutdown), *waited_out is set.
 */
static int apply_when_ready(struct exec *ex, size_t idx, struct hinge_step *hs,
			    int *waited_out)
{
	const struct plan_step *ps = &ex->plan->steps[idx];
	int64_t t0 = clock_mono_ms(), timeout = ps->cs->timeout_ms;
	const char *why = "apply is not ready yet";
	int rc, applied, at_deadline = 0;

	for (int tries = 0;; tries++) {
		int64_t now, wake;

		if (tries > 0) {
			/*
			 * Never apply past the deadline, even if it is ready now.
			 * A wait that ran to the deadline is past it, whatever a
			 * millisecond's rounding between the two clocks says: an
			 * apply started then would be cancelled at once.
			 */
			now = clock_mono_ms();
			if (timeout > 0 && (at_deadline || now - t0 >= timeout)) {
				step_error(hs, "still not applied after %lldms, the step's timeout: %s",
					   (long long)(now - t0 > timeout ? now - t0 : timeout), why);
				return HINGE_EFAIL;
			}
			if ((rc = quiet_phase(ex, idx, "applying")) != 0)
				return rc;
		}
		hs->retry_ms = 0;
		rc = call(ex, idx, hs, ps->ra->a.apply, "apply", t0, &applied);
		if (rc != HINGE_ENOTYET && rc != 0 && applied != 0 && tries > 0 && timeout > 0 &&
		    clock_mono_ms() - t0 >= timeout) {
			/* A retry begun just before the deadline was cut by it:
			 * the wait is still the story, the cut try its last line.
			 * (One that applied, over time, says so itself.) */
			char *cut = hs->error ? strdup(hs->error) : NULL;

			step_error(hs, "still not applied after %lldms, the step's timeout: %s; the last try: %s",
				   (long long)timeout, why, cut ? cut : "cancelled");
			free(cut);
		}
		if (rc != HINGE_ENOTYET)
			return rc;
		why = hs->retry_why ? hs->retry_why : "apply is not ready yet";
		now = clock_mono_ms();
		if (timeout > 0 && now - t0 >= timeout) {
			step_error(hs, "still not applied after %lldms, the step's timeout: %s",
				   (long long)(now - t0), why);
			return HINGE_EFAIL;
		}
		rc = tries == 0 ? run_step_phase(ex, idx, "rehearsed", NULL, 0, why)
				: quiet_phase(ex, idx, "rehearsed");
		if (rc != 0)
			return rc;
		wake = clock_after_ms(now, hs->retry_ms > 0 ? hs->retry_ms : engine_conf()->request_poll);
		/* wake - t0, not t0 + timeout: a timeout may be as long as a
		 * duration can be written */
		if (timeout > 0 && wake - t0 >= timeout) {
			wake = t0 + timeout;
			at_deadline = 1;
		}
		/* run_wait takes a wall-clock time: the same distance from now */
		if ((rc = run_wait(ex, clock_after_ms(state_now_ms(), wake - now))) != 0) {
			*waited_out = 1;
			return rc;
		}
	}
}

static int probe(struct exec *ex, size_t idx, struct hinge_step *hs)
{
	const struct hinge_action *a = &ex->plan->steps[idx].ra->a;

	return a->probe ? a->probe(a->data, hs) : -1;
}

static int store_artifact(struct exec *ex, size_t idx, const void *arg)
{
	const struct hinge_step *hs = arg;

	return sql_run(ex->db,
		       "INSERT OR REPLACE INTO artifacts (rollout_id, idx, data, sha256, created_ms)"
		       " VALUES (?, ?, ?, ?, ?)", "sibsi", ex->id, (int64_t)idx, hs->artifact,
		       hs->artifact_len, hs->artifact_sha256, state_now_ms());
}

/* The artifact and the "captured" phase commit together. */
static int captured(struct exec *ex, size_t idx, const struct hinge_step *hs)
{
	if (hs->artifact == NULL)
		return run_step_phase(ex, idx, "captured", NULL, 0, "nothing to capture");
	return run_step_commit(ex, idx, "captured", NULL, 0, "rollback artifact captured",
			       store_artifact, hs);
}

/* A failed forward callback: the step keeps `phase` with the error. */
static int failed(struct exec *ex, size_t idx, const char *phase, struct hinge_step *hs)
{
	int rc = run_step_phase(ex, idx, phase, hs->error, 0, hs->error);

	return rc ? rc : HINGE_EFAIL;
}

/* "applying" after a restart: did the apply happen? */
static int settle_applying(struct exec *ex, size_t idx, struct hinge_step *hs, int *need_apply)
{
	const struct hinge_action *a = &ex->plan->steps[idx].ra->a;
	int p;

	*need_apply = 1;
	if (a->flags & HINGE_ACTION_IDEMPOTENT_APPLY)
		return 0;
	p = probe(ex, idx, hs);
	if (p == 0)
		return 0;
	*need_apply = 0;
	if (p == 1)
		return run_step_phase(ex, idx, "applied", NULL, 0, "found applied after a restart");
	step_error(hs, "cannot tell whether the interrupted apply took effect: the probe failed%s%s",
		   hs->error ? ": " : "", hs->error ? hs->error : "");
	run_step_phase(ex, idx, "applying", hs->error, 0, hs->error);
	return HINGE_EOPERATOR;
}

static int do_apply(struct exec *ex, size_t idx, struct hinge_step *hs, int fresh)
{
	int need = 1, waited_out = 0, rc;

	if (!fresh && (rc = settle_applying(ex, idx, hs, &need)) != 0)
		return rc;
	if (!need)
		return 0;
	crash_point("apply.begin");
	rc = apply_when_ready(ex, idx, hs, &waited_out);
	crash_point("apply.done");
	if (waited_out)
		return rc;
	if (rc == 0)
		return run_step_phase(ex, idx, "applied", NULL, 0, "applied");
	/* A failed apply may have done part of its work: the probe says. */
	return failed(ex, idx, probe(ex, idx, hs) == 1 ? "applied" : "failed", hs);
}

/*
 * The forward moves: each commits its intent phase, calls the plugin
 * between two crash points, and commits its result phase.
 */
static const struct move {
	const char *intent, *result, *begin, *end, *what, *said;
	const char *on_fail; /* where a failure leaves the step */
} moves[] = {
	{ "capturing", "captured", "capture.begin", "capture.done", "capture", "captured", "failed" },
	{ "rehearsing", "rehearsed", "rehearse.begin", "rehearse.done", "rehearse", "rollback rehearsed", "failed" },
	{ "applying", "applied", "apply.begin", "apply.done", "apply", "applied", NULL },
	{ "verifying", "done", "verify.begin", "verify.done", "verify", "verified", "applied" },
};

static int (*callback(const struct hinge_action *a, size_t k))(void *, struct hinge_step *)
{
	return k == 0 ? a->capture : k == 1 ? a->rehearse : k == 2 ? a->apply : a->verify;
}

static int perform(struct exec *ex, size_t idx, size_t k, struct hinge_step *hs, int fresh)
{
	const struct move *m = &moves[k];
	int rc;

	if (k == 2)
		return do_apply(ex, idx, hs, fresh);
	crash_point(m->begin);
	rc = call(ex, idx, hs, callback(&ex->plan->steps[idx].ra->a, k), m->what, clock_mono_ms(), NULL);
	crash_point(m->end);
	if (rc != 0)
		return failed(ex, idx, m->on_fail, hs);
	if (k == 0)
		return captured(ex, idx, hs);
	if ((rc = run_step_phase(ex, idx, m->result, NULL, k == 3, m->said)) == 0 && k == 3)
		crash_point("step.done");
	return rc;
}

/* Probe first: a step whose effect is already in place is not redone. */
static int start_step(struct exec *ex, size_t idx, struct hinge_step *hs, int *done)
{
	int p = ex->plan->steps[idx].ra->a.probe ? probe(ex, idx, hs) : 0, rc;

	*done = p == 1;
	if (p < 0)
		return failed(ex, idx, "failed", hs);
	if (p == 0)
		return 0;
	rc = sql_run(ex->db, "UPDATE steps SET found_applied = 1 WHERE rollout_id = ? AND idx = ?",
		     "si", ex->id, (int64_t)idx);
	return rc ? rc : run_step_phase(ex, idx, "done", NULL, 1, "found applied already: nothing to do");
}

static int forward(struct exec *ex, size_t idx, struct step_row *row, struct hinge_step *hs)
{
	const char *ph = row->phase;
	int rc, done;

	/* A step that failed before it applied is tried afresh on resume. */
	if (strcmp(ph, "failed") == 0)
		ph = "pending";
	if (strcmp(ph, "done") == 0)
		return run_step_phase(ex, idx, "done", NULL, 1, "done");
	if (strcmp(ph, "pending") == 0) {
		if ((rc = start_step(ex, idx, hs, &done)) != 0 || done)
			return rc;
	}
	for (size_t k = 0; k < sizeof(moves) / sizeof(moves[0]); k++) {
		const char *before = k == 0 ? "pending" : moves[k - 1].result;
		int fresh = 0;

		if (strcmp(ph, before) == 0) {
			if ((rc = run_step_phase(ex, idx, moves[k].intent, NULL, 0, moves[k].intent)) != 0)
				return rc;
			ph = moves[k].intent;
			fresh = 1;
		}
		if (strcmp(ph, moves[k].intent) == 0) {
			if ((rc = perform(ex, idx, k, hs, fresh)) != 0)
				return rc;
			ph = moves[k].result;
		}
	}
	if (strcmp(ph, "done") == 0)
		return 0;
	step_error(hs, "step is in phase \"%s\"", ph);
	return HINGE_EFAIL;
}

/* Load the step's row, prepare it for the plugin, and make one move. */
static int with_step(struct exec *ex, size_t idx,
		     int (*fn)(struct exec *, size_t, struct step_row *, struct hinge_step *))
{
	struct step_row row;
	struct hinge_step hs;
	int rc;

	if ((rc = run_step_row(ex, idx, &row)) != 0)
		return rc;
	rc = run_prepare(ex, idx, &row, &hs);
	if (rc == 0)
		rc = fn(ex, idx, &row, &hs);
	step_clear(&hs);
	free(row.checkpoint);
	return rc;
}

int action_forward(struct exec *ex, size_t idx)
{
	return with_step(ex, idx, forward);
}

/* The artifact is checked before anything is reverted with it. */
static int check_artifact(struct exec *ex, size_t idx, const char *phase,
			  struct hinge_step *hs)
{
	char now[65];

	if (hs->artifact == NULL)
		return 0;
	step_sha256_hex(hs->artifact, hs->artifact_len, now);
	if (strcmp(now, hs->artifact_sha256) == 0)
		return 0;
	step_error(hs, "rollback artifact of step \"%s\" (rollout %s) fails its SHA-256 check:"
		   " recorded %s, stored data hashes to %s; nothing was reverted with it",
		   hs->name, ex->id, hs->artifact_sha256, now);
	run_step_phase(ex, idx, phase, hs->error, 0, hs->error);
	return HINGE_EOPERATOR;
}

/* An uncertain phase after a restart: is the step's effect in place? */
static int settle_back(struct exec *ex, size_t idx, const char *phase,
		       struct hinge_step *hs, int *need)
{
	const struct hinge_action *a = &ex->plan->steps[idx].ra->a;
	int p;

	*need = 1;
	if (strcmp(phase, "reverting") == 0 && (a->flags & HINGE_ACTION_IDEMPOTENT_REVERT))
		return 0;
	if (strcmp(phase, "reverting") != 0 && strcmp(phase, "applying") != 0)
		return 0;
	p = probe(ex, idx, hs);
	if (p == 1)
		return 0;
	*need = 0;
	if (p == 0)
		return run_step_phase(ex, idx, "reverted", NULL, 0, "found reverted after a restart");
	step_error(hs, "cannot tell whether the step's effect is in place: the probe failed%s%s",
		   hs->error ? ": " : "", hs->error ? hs->error : "");
	run_step_phase(ex, idx, phase, hs->error, 0, hs->error);
	return HINGE_EOPERATOR;
}

static int back(struct exec *ex, size_t idx, struct step_row *row, struct hinge_step *hs)
{
	const struct plan_step *ps = &ex->plan->steps[idx];
	static const char *const applied[] = { "applying", "applied", "verifying", "done", "reverting" };
	int is_applied = 0, need, rc;

	for (size_t i = 0; i < sizeof(applied) / sizeof(applied[0]); i++)
		is_applied |= strcmp(row->phase, applied[i]) == 0;
	if (!is_applied || row->found_applied)
		return 0;
	if (ps->cs->irreversible) {
		if (!ex->force) {
			step_error(hs, "step \"%s\" is irreversible: rollback --force goes past it, leaving it in place",
				   ps->cs->name);
			run_step_phase(ex, idx, row->phase, hs->error, 0, hs->error);
			return STEP_STOP;
		}
		return run_step_phase(ex, idx, row->phase, NULL, 0,
				      "irreversible: left in place (--force)");
	}
	if ((rc = settle_back(ex, idx, row->phase, hs, &need)) != 0 || !need)
		return rc;
	if ((rc = check_artifact(ex, idx, row->phase, hs)) != 0)
		return rc;
	if (strcmp(row->phase, "reverting") != 0 &&
	    (rc = run_step_phase(ex, idx, "reverting", NULL, 0, "reverting")) != 0)
		return rc;
	crash_point("revert.begin");
	rc = call(ex, idx, hs, ps->ra->a.revert, "revert", clock_mono_ms(), NULL);
	crash_point("revert.done");
	if (rc != 0) {
		run_step_phase(ex, idx, "reverting", hs->error, 0, hs->error);
		return HINGE_EOPERATOR;
	}
	return run_step_phase(ex, idx, "reverted", NULL, 0, "reverted");
}

int action_back(struct exec *ex, size_t idx)
{
	return with_step(ex, idx, back);
}
