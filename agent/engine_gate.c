/*
 * engine_gate.c - pause and gate steps.  Both measure time from the
 * step's start as committed, so that a restarted executor waits out the
 * rest of a pause or bake rather than starting over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent/engine_crash.h"
#include "agent/engine_run.h"
#include "agent/engine_sql.h"
#include "agent/registry.h"
#include "agent/units.h"
#include "state/state.h"

static int store_start(struct exec *ex, size_t idx, const void *arg)
{
	const struct step_row *row = arg;
	int rc = sql_run(ex->db, "UPDATE steps SET started_ms = ?, evals = ?, failures = ?, inconclusive = ?"
			 " WHERE rollout_id = ? AND idx = ?", "iiiisi", row->started_ms, row->evals,
			 row->failures, row->inconclusive, ex->id, (int64_t)idx);

	return rc ? rc : sql_run(ex->db, "UPDATE rollouts SET stage_ms = ? WHERE id = ?", "is",
				 row->started_ms, ex->id);
}

/* Commit the step's start and the rollout's stage start, counts cleared. */
static int begin_stage(struct exec *ex, size_t idx, const char *phase,
		       const char *message, struct step_row *row)
{
	row->started_ms = state_now_ms();
	row->evals = row->failures = row->inconclusive = 0;
	snprintf(row->phase, sizeof(row->phase), "%s", phase);
	return run_step_commit(ex, idx, phase, NULL, 0, message, store_start, row);
}

/* Load the step; 1 when it is done already (the cursor then moves on). */
static int enter(struct exec *ex, size_t idx, struct step_row *row)
{
	int rc = run_step_row(ex, idx, row);

	if (rc != 0)
		return rc;
	free(row->checkpoint);
	row->checkpoint = NULL;
	if (strcmp(row->phase, "done") != 0)
		return 0;
	rc = run_step_phase(ex, idx, "done", NULL, 1, "done");
	return rc ? rc : 1;
}

int pause_forward(struct exec *ex, size_t idx)
{
	const struct change_step *cs = ex->plan->steps[idx].cs;
	struct step_row row;
	char text[32], msg[96];
	int rc;

	if ((rc = enter(ex, idx, &row)) != 0)
		return rc == 1 ? 0 : rc;
	if (strcmp(row.phase, "pending") == 0) {
		units_format_ms(cs->pause_ms, text, sizeof(text));
		snprintf(msg, sizeof(msg), cs->manual ? "waiting for promote" : "pausing for %s", text);
		if ((rc = begin_stage(ex, idx, "waiting", msg, &row)) != 0)
			return rc;
		crash_point("pause.begin");
	}
	if (cs->manual)
		return STEP_REST;
	rc = run_wait(ex, row.started_ms + cs->pause_ms);
	if (rc != 0)
		return rc;
	return run_step_phase(ex, idx, "done", NULL, 1, "pause over");
}

enum verdict { V_PASS, V_FAIL, V_INCONCLUSIVE };

static const char *const verdict_names[] = { "pass", "fail", "inconclusive" };

/* Read every condition's metric with the rollout's context. */
static enum verdict evaluate(struct exec *ex, size_t idx, int64_t stage_ms, json_t *values)
{
	const struct plan_step *ps = &ex->plan->steps[idx];
	int fails = 0, unknown = 0;

	for (size_t i = 0; i < ps->cs->nconds; i++) {
		const struct cond *c = &ps->cs->conds[i];
		struct hinge_mquery q = {
			.labels = (const char *const *)c->labels,
			.rollout_start_ms = ex->created_ms,
			.stage_start_ms = stage_ms,
		};
		char key[256];
		double v;
		int rc = registry_metric_read(ps->metrics[i], &q, &v);

		snprintf(key, sizeof(key), "%s %s %g", c->metric, cond_op_name(c->op), c->value);
		if (rc != 0) {
			unknown++;
			json_object_set_new(values, key, json_string(rc == HINGE_ENODATA ? "no data" : "unreadable"));
		} else {
			fails += !cond_holds(c, v);
			json_object_set_new(values, key, json_real(v));
		}
	}
	return fails ? V_FAIL : unknown ? V_INCONCLUSIVE : V_PASS;
}

static int store_counts(struct exec *ex, size_t idx, const void *arg)
{
	const struct step_row *row = arg;

	return sql_run(ex->db, "UPDATE steps SET evals = ?, failures = ?, inconclusive = ? WHERE rollout_id = ? AND idx = ?",
		       "iiisi", row->evals, row->failures, row->inconclusive, ex->id, (int64_t)idx);
}

/* Commit one evaluation's counts with an event naming the values. */
static int record(struct exec *ex, size_t idx, struct step_row *row, enum verdict v, json_t *values)
{
	char *text = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS), msg[1200];
	int rc;

	row->evals++;
	row->failures += v == V_FAIL;
	row->inconclusive += v == V_INCONCLUSIVE;
	snprintf(msg, sizeof(msg), "evaluation %lld: %s %s", (long long)row->evals,
		 verdict_names[v], text ? text : "");
	free(text);
	rc = run_step_commit(ex, idx, "baking", NULL, 0, msg, store_counts, row);
	if (rc == 0)
		crash_point("gate.eval");
	return rc;
}

static int verdict_of(struct exec *ex, size_t idx, const struct step_row *row, json_t *values)
{
	const struct change_step *cs = ex->plan->steps[idx].cs;
	char msg[1200], *text;

	if (row->failures > cs->failure_limit) {
		text = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS);
		snprintf(msg, sizeof(msg), "gate failed: %lld failed evaluations, more than failure_limit %lld; last %s",
			 (long long)row->failures, (long long)cs->failure_limit, text ? text : "");
		free(text);
		run_step_phase(ex, idx, "failed", msg, 0, msg);
		return HINGE_EFAIL;
	}
	if (row->inconclusive > cs->inconclusive_limit) {
		snprintf(msg, sizeof(msg), "gate inconclusive: %lld evaluations could not read a metric, more than inconclusive_limit %lld",
			 (long long)row->inconclusive, (long long)cs->inconclusive_limit);
		run_step_phase(ex, idx, "baking", msg, 0, msg);
		return STEP_INCONCLUSIVE;
	}
	return 0;
}

int gate_forward(struct exec *ex, size_t idx)
{
	const struct change_step *cs = ex->plan->steps[idx].cs;
	struct step_row row;
	int rc;

	if ((rc = enter(ex, idx, &row)) != 0)
		return rc == 1 ? 0 : rc;
	if (strcmp(row.phase, "pending") == 0 || strcmp(row.phase, "failed") == 0) {
		if ((rc = begin_stage(ex, idx, "baking", "baking", &row)) != 0)
			return rc;
	}
	for (;;) {
		json_t *values = json_object();
		enum verdict v = evaluate(ex, idx, row.started_ms, values);
		int64_t now, end = row.started_ms + cs->bake_ms, next;

		rc = record(ex, idx, &row, v, values);
		if (rc == 0)
			rc = verdict_of(ex, idx, &row, values);
		json_decref(values);
		if (rc != 0)
			return rc;
		now = state_now_ms();
		/* A gate passes on a passing evaluation, never on missing data. */
		if (now >= end && row.evals > row.failures + row.inconclusive)
			return run_step_phase(ex, idx, "done", NULL, 1, "gate passed");
		if (cs->timeout_ms > 0 && now - row.started_ms >= cs->timeout_ms) {
			char msg[128];

			snprintf(msg, sizeof(msg), "gate did not pass within its timeout of %lldms",
				 (long long)cs->timeout_ms);
			run_step_phase(ex, idx, "failed", msg, 0, msg);
			return HINGE_EFAIL;
		}
		next = now + cs->interval_ms;
		if (end > now && end < next)
			next = end;
		if ((rc = run_wait(ex, next)) != 0)
			return rc;
	}
}
