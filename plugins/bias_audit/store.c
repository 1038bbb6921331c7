/*
 * store.c - the bias_audit_audits table.
 */
#include <stdlib.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/store.h"

const char *const bias_store_migrations[] = {
	"CREATE TABLE bias_audit_audits ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_ms INTEGER NOT NULL,"
	" finished_ms INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" input_sha256 TEXT NOT NULL,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL', 'INCONCLUSIVE')),"
	" rows INTEGER NOT NULL,"
	" policy TEXT NOT NULL,"
	" results TEXT NOT NULL)",
	"CREATE TABLE bias_audit_probes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_ms INTEGER NOT NULL,"
	" finished_ms INTEGER NOT NULL,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL', 'INCONCLUSIVE')),"
	" flip_rate REAL,"
	" result TEXT NOT NULL)",
	NULL,
};

int bias_store_insert(sqlite3 *db, const struct bias_audit_rec *rec, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO bias_audit_audits (started_ms, finished_ms, source, input_sha256,"
		" verdict, rows, policy, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	char *policy = json_dumps(rec->policy, JSON_COMPACT | JSON_SORT_KEYS);
	char *results = json_dumps(rec->results, JSON_COMPACT | JSON_SORT_KEYS);
	sqlite3_stmt *st = NULL;
	int rc = HINGE_EUNAVAIL;

	if (policy == NULL || results == NULL) {
		rc = HINGE_ENOMEM;
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, rec->started_ms);
	sqlite3_bind_int64(st, 2, rec->finished_ms);
	sqlite3_bind_text(st, 3, rec->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rec->input_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json_string_value(json_object_get(rec->results, "verdict")),
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(rec->results, "rows")));
	sqlite3_bind_text(st, 7, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, results, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(db);
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	free(policy);
	free(results);
	return rc;
}

static const char *text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* The summary columns 0-6 of a row as a new object. */
static json_t *summary(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I}",
			 "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "started_ms", (json_int_t)sqlite3_column_int64(st, 1),
			 "finished_ms", (json_int_t)sqlite3_column_int64(st, 2),
			 "source", text(st, 3), "input_sha256", text(st, 4),
			 "verdict", text(st, 5), "rows", (json_int_t)sqlite3_column_int64(st, 6));
}

#define COLUMNS "id, started_ms, finished_ms, source, input_sha256, verdict, rows"

/* The one audit that sql selects, with id bound to ?1. */
static int get_one(sqlite3 *db, const char *sql, int64_t id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc = HINGE_EUNAVAIL, step;

	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = HINGE_ENODATA;
	} else if (step == SQLITE_ROW) {
		json_t *o = summary(st);

		json_object_set_new(o, "schema", json_string("hinge.bias_audit/1"));
		json_object_set_new(o, "policy", json_loads(text(st, 7), 0, NULL));
		json_object_set_new(o, "results", json_loads(text(st, 8), 0, NULL));
		*out = o;
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int bias_store_get(sqlite3 *db, int64_t id, json_t **out)
{
	return get_one(db, "SELECT " COLUMNS ", policy, results FROM bias_audit_audits"
		       " WHERE id = ?1 OR ?1 = 0 ORDER BY id DESC LIMIT 1", id, out);
}

int bias_store_baseline(sqlite3 *db, int64_t id, json_t **out)
{
	return get_one(db, "SELECT " COLUMNS ", policy, results FROM bias_audit_audits"
		       " WHERE id = ?1 OR (?1 = 0 AND verdict = 'PASS') ORDER BY id DESC LIMIT 1",
		       id, out);
}

int bias_store_list(sqlite3 *db, int64_t limit, json_t **out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM bias_audit_audits"
				  " ORDER BY id DESC LIMIT ?";
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int step;

	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return HINGE_EUNAVAIL;
	}
	sqlite3_bind_int64(st, 1, limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, summary(st));
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		json_decref(arr);
		return HINGE_EUNAVAIL;
	}
	*out = arr;
	return 0;
}

int bias_store_probe_insert(sqlite3 *db, json_t *probe)
{
	static const char sql[] = "INSERT INTO bias_audit_probes (started_ms, finished_ms, verdict,"
				  " flip_rate, result) VALUES (?, ?, ?, ?, '{}')";
	const json_t *rate = json_object_get(probe, "flip_rate");
	sqlite3_stmt *st = NULL;
	char *text = NULL;
	int rc = HINGE_EUNAVAIL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(probe, "started_ms")));
	sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(probe, "finished_ms")));
	sqlite3_bind_text(st, 3, json_string_value(json_object_get(probe, "verdict")), -1,
			  SQLITE_STATIC);
	if (json_is_number(rate))
		sqlite3_bind_double(st, 4, json_number_value(rate));
	else
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) == SQLITE_DONE) {
		json_object_set_new(probe, "id", json_integer(sqlite3_last_insert_rowid(db)));
		rc = 0;
	}
	sqlite3_finalize(st);
	/* The result text carries its own id: written once the id is known. */
	if (rc == 0) {
		text = json_dumps(probe, JSON_COMPACT | JSON_SORT_KEYS);
		rc = text ? HINGE_EUNAVAIL : HINGE_ENOMEM;
		if (text != NULL && sqlite3_prepare_v2(db, "UPDATE bias_audit_probes SET result = ?"
					 " WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(probe, "id")));
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
			sqlite3_finalize(st);
		}
	}
	free(text);
	return rc;
}

int bias_store_probe_latest(sqlite3 *db, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc = HINGE_EUNAVAIL, step;

	*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT result FROM bias_audit_probes ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		rc = HINGE_ENODATA;
	else if (step == SQLITE_ROW && (*out = json_loads(text(st, 0), 0, NULL)) != NULL)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}
