/*
 * engine_artifacts.c - keeping rollback artifacts warm: re-rehearse the
 * artifact of every applied step of rollouts that can still be rolled
 * back, record each result, and raise an error event for a stale one
 * (schema drift, a checksum that no longer matches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/engine_run.h"
#include "agent/engine_sql.h"
#include "agent/events.h"
#include "agent/log.h"
#include "agent/step.h"
#include "state/state.h"

/* Rehearse one artifact; the step's error says why it is stale. */
static int rehearse(struct exec *ex, size_t idx, struct hinge_step *hs)
{
	const struct hinge_action *a = &ex->plan->steps[idx].ra->a;
	char sha[65];

	step_sha256_hex(hs->artifact, hs->artifact_len, sha);
	if (strcmp(sha, hs->artifact_sha256) != 0) {
		step_error(hs, "artifact fails its SHA-256 check: recorded %s, data hashes to %s",
			   hs->artifact_sha256, sha);
		return HINGE_EFAIL;
	}
	if (a->rehearse == NULL)
		return 0;
	if (a->rehearse(a->data, hs) != 0) {
		if (hs->error == NULL)
			step_error(hs, "rehearsal failed");
		return HINGE_EFAIL;
	}
	return 0;
}

static int record(struct exec *ex, size_t idx, const struct hinge_step *hs, int ok, json_t *results)
{
	char msg[1200], detail[256];
	int rc = state_begin(ex->st);

	if (rc == 0)
		rc = sql_run(ex->db, "UPDATE artifacts SET rehearsed_ms = ?, rehearse_ok = ?, rehearse_error = ?"
			     " WHERE rollout_id = ? AND idx = ?", "iissi", state_now_ms(), (int64_t)ok,
			     ok ? NULL : hs->error, ex->id, (int64_t)idx);
	snprintf(msg, sizeof(msg), "rollback artifact of step \"%s\" is stale: %s", hs->name,
		 hs->error ? hs->error : "");
	snprintf(detail, sizeof(detail), "{\"step\":\"%s\",\"sha256\":\"%s\"}", hs->name, hs->artifact_sha256);
	if (rc == 0 && !ok)
		rc = events_raise(ex->st, HINGE_LOG_ERROR, "artifact.stale", "hinge", ex->id, msg, NULL, detail);
	if (rc == 0)
		rc = state_commit(ex->st);
	if (rc != 0)
		state_rollback(ex->st);
	json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:b, s:s?}", "rollout", ex->id,
						 "step", hs->name, "sha256", hs->artifact_sha256,
						 "ok", ok, "error", ok ? NULL : hs->error));
	return rc ? HINGE_EUNAVAIL : 0;
}

static int verify_rollout(struct state *st, const char *id, json_t *results, int *stale)
{
	struct exec ex = { .st = st, .db = state_sqlite(st), .id = id };
	int rc = exec_load_plan(st, id, &ex.plan);

	if (rc != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < ex.plan->ch->nsteps; i++) {
		struct step_row row;
		struct hinge_step hs;
		int ok;

		if (ex.plan->steps[i].cs->kind != STEP_ACTION || run_step_row(&ex, i, &row) != 0)
			continue;
		if (row.found_applied || (strcmp(row.phase, "done") != 0 && strcmp(row.phase, "applied") != 0 &&
					  strcmp(row.phase, "verifying") != 0)) {
			free(row.checkpoint);
			continue;
		}
		rc = run_prepare(&ex, i, &row, &hs);
		if (rc == 0 && hs.artifact != NULL) {
			ok = rehearse(&ex, i, &hs) == 0;
			*stale |= !ok;
			rc = record(&ex, i, &hs, ok, results);
		}
		step_clear(&hs);
		free(row.checkpoint);
	}
	plan_free(ex.plan);
	return rc;
}

int engine_artifacts_verify(struct state *st, const char *id, json_t **out)
{
	sqlite3_stmt *s = id ? sql_query(state_sqlite(st), "SELECT id FROM rollouts WHERE id = ?", "s", id)
			     : sql_query(state_sqlite(st), "SELECT id FROM rollouts WHERE state NOT IN"
					 " ('rolled_back', 'finalized') ORDER BY rowid", "");
	json_t *ids = json_array(), *results = json_array(), *e;
	int stale = 0, rc = 0;
	size_t i;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(ids, json_string(sql_col(s, 0)));
	sqlite3_finalize(s);
	if (id != NULL && json_array_size(ids) == 0) {
		json_decref(ids);
		json_decref(results);
		hlog(HINGE_LOG_ERROR, "hinge", "no rollout \"%s\" (see hinge rollout history)", id);
		return HINGE_EINVAL;
	}
	json_array_foreach(ids, i, e)
		if (rc == 0)
			rc = verify_rollout(st, json_string_value(e), results, &stale);
	json_decref(ids);
	*out = json_pack("{s:s, s:o, s:b}", "schema", "hinge.artifacts/1", "artifacts", results, "ok", !stale);
	if (rc != 0)
		return rc;
	return stale ? HINGE_EFAIL : 0;
}
