/*
 * engine_query.c - what status, show, history and events print: rows of
 * the engine's tables as JSON documents, the same data for --json and
 * for the text the command line renders.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/engine_exec.h"
#include "agent/engine_sql.h"
#include "agent/log.h"
#include "state/state.h"

static json_t *col_json(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL: return json_null();
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, i));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(s, i));
	default: return json_string(sql_col(s, i));
	}
}

/*
 * Every row of the query as an object keyed by column name, into *out.
 * A read that fails (busy past the timeout, I/O) is an error, never a
 * shorter answer: "no rollout" must not stand for "could not read".
 */
static int rows(sqlite3 *db, const char *sql, const char *id, json_t **out)
{
	sqlite3_stmt *s = id ? sql_query(db, sql, "s", id) : sql_query(db, sql, "");
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (s == NULL || arr == NULL) {
		sqlite3_finalize(s);
		json_decref(arr);
		hlog(HINGE_LOG_ERROR, "hinge", "cannot read the state database: %s", sqlite3_errmsg(db));
		return HINGE_EUNAVAIL;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (int i = 0; i < sqlite3_column_count(s); i++)
			json_object_set_new(o, sqlite3_column_name(s, i), col_json(s, i));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot read the state database: %s", sqlite3_errstr(rc));
		json_decref(arr);
		return HINGE_EUNAVAIL;
	}
	*out = arr;
	return 0;
}

#define ROLLOUT_COLS "id, change_id AS change, state, failed, error, cursor, file, sha256," \
	" on_failure, actor, reason, created_ms, ended_ms"

static int unknown(const char *id)
{
	hlog(HINGE_LOG_ERROR, "hinge", "no rollout \"%s\" (see hinge rollout history)", id);
	return HINGE_EINVAL;
}

/* Rollout id with its steps and executor into *out, NULL if there is none. */
static int rollout_json(struct state *st, const char *id, json_t **out)
{
	sqlite3 *db = state_sqlite(st);
	json_t *r, *one, *steps;
	int rc;

	*out = NULL;
	if ((rc = rows(db, "SELECT " ROLLOUT_COLS " FROM rollouts WHERE id = ?", id, &r)) != 0)
		return rc;
	one = json_incref(json_array_get(r, 0));
	json_decref(r);
	if (one == NULL)
		return 0;
	json_object_set_new(one, "failed", json_boolean(json_integer_value(json_object_get(one, "failed"))));
	rc = rows(db, "SELECT s.idx + 1 AS number, s.name, s.kind, s.action, s.phase, s.error, s.irreversible,"
		  " s.found_applied, s.lock_target, s.inverse, s.evals, s.failures, s.inconclusive,"
		  " s.started_ms, s.ended_ms, a.sha256 AS artifact_sha256, a.rehearsed_ms, a.rehearse_ok"
		  " FROM steps s LEFT JOIN artifacts a ON a.rollout_id = s.rollout_id AND a.idx = s.idx"
		  " WHERE s.rollout_id = ? ORDER BY s.idx", id, &steps);
	if (rc == 0) {
		json_object_set_new(one, "steps", steps);
		rc = rows(db, "SELECT pid, host, expires_ms FROM leases WHERE rollout_id = ?", id, &r);
	}
	if (rc != 0) {
		json_decref(one);
		return rc;
	}
	json_object_set(one, "executor", json_array_size(r) && lease_held_elsewhere(st, id)
					       ? json_array_get(r, 0) : json_null());
	json_decref(r);
	*out = one;
	return 0;
}

int engine_status(struct state *st, const char *id, json_t **out)
{
	json_t *list, *ids, *e, *one;
	char *frozen;
	size_t i;
	int rc;

	*out = NULL;
	if (id != NULL) {
		if ((rc = rollout_json(st, id, &one)) != 0)
			return rc;
		if (one == NULL)
			return unknown(id);
		*out = json_pack("{s:s, s:o}", "schema", "hinge.rollout/1", "rollout", one);
		return 0;
	}
	if ((rc = rows(state_sqlite(st), "SELECT id FROM rollouts WHERE state NOT IN"
		       " ('completed', 'rolled_back', 'finalized') ORDER BY rowid", NULL, &ids)) != 0)
		return rc;
	list = json_array();
	json_array_foreach(ids, i, e) {
		if ((rc = rollout_json(st, json_string_value(json_object_get(e, "id")), &one)) != 0)
			break;
		if (one != NULL) /* pruned since the list was read */
			json_array_append_new(list, one);
	}
	json_decref(ids);
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	if ((rc = engine_frozen(st, &frozen)) != 0) {
		json_decref(list);
		return rc;
	}
	*out = json_pack("{s:s, s:o, s:o}", "schema", "hinge.rollout-status/1", "rollouts", list,
			 "frozen", frozen ? json_loads(frozen, 0, NULL) : json_false());
	free(frozen);
	return 0;
}

int engine_show(struct state *st, const char *id, json_t **out)
{
	json_t *one, *t;
	int rc;

	*out = NULL;
	if ((rc = rollout_json(st, id, &one)) != 0)
		return rc;
	if (one == NULL)
		return unknown(id);
	if ((rc = rows(state_sqlite(st), "SELECT text FROM rollouts WHERE id = ?", id, &t)) != 0) {
		json_decref(one);
		return rc;
	}
	json_object_set(one, "text", json_object_get(json_array_get(t, 0), "text"));
	json_decref(t);
	*out = json_pack("{s:s, s:o}", "schema", "hinge.rollout-show/1", "rollout", one);
	return 0;
}

int engine_history(struct state *st, json_t **out)
{
	json_t *r;
	int rc;

	*out = NULL;
	if ((rc = rows(state_sqlite(st), "SELECT " ROLLOUT_COLS " FROM rollouts ORDER BY rowid", NULL, &r)) != 0)
		return rc;
	*out = json_pack("{s:s, s:o}", "schema", "hinge.rollout-history/1", "rollouts", r);
	return 0;
}

int engine_events(struct state *st, const char *id, json_t **out)
{
	json_t *one, *ev, *e;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = rollout_json(st, id, &one)) != 0)
		return rc;
	if (one == NULL)
		return unknown(id);
	json_decref(one);
	if ((rc = rows(state_sqlite(st), "SELECT time_ms, level, kind, source, message, actor, reason, detail"
		       " FROM events WHERE rollout_id = ? ORDER BY id", id, &ev)) != 0)
		return rc;
	json_array_foreach(ev, i, e) {
		const char *d = json_string_value(json_object_get(e, "detail"));

		if (d != NULL)
			json_object_set_new(e, "detail", json_loads(d, 0, NULL));
	}
	*out = json_pack("{s:s, s:s, s:o}", "schema", "hinge.rollout-events/1", "rollout", id, "events", ev);
	return 0;
}

int engine_steps(struct state *st, const char *id, json_t **out)
{
	sqlite3 *db = state_sqlite(st);
	json_t *r;
	int rc, found;

	*out = NULL;
	if ((rc = rows(db, "SELECT id FROM rollouts WHERE id = ?", id, &r)) != 0)
		return rc;
	found = json_array_size(r) > 0;
	json_decref(r);
	if (!found)
		return unknown(id);
	return rows(db, "SELECT idx + 1 AS number, name, kind, phase,"
		    " coalesce(started_ms, 0) AS started_ms, coalesce(ended_ms, 0) AS ended_ms"
		    " FROM steps WHERE rollout_id = ? ORDER BY idx", id, out);
}
