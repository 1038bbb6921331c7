/*
 * snapshot.c - pg_stat_statements snapshots (see snapshot.h).
 */
#include "plugins/perf/snapshot.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append a statement, copying its text; 0 or HINGE_ENOMEM. */
static int snap_push(struct perf_snap *snap, size_t *cap,
		     const struct perf_stmt *st, const char *text)
{
	if (snap->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		struct perf_stmt *s = realloc(snap->s, ncap * sizeof(*s));
		char **t = s ? realloc(snap->texts, ncap * sizeof(*t)) : NULL;

		if (s)
			snap->s = s;
		if (t == NULL)
			return HINGE_ENOMEM;
		snap->texts = t;
		*cap = ncap;
	}
	snap->texts[snap->n] = strdup(text ? text : "");
	if (snap->texts[snap->n] == NULL)
		return HINGE_ENOMEM;
	snap->s[snap->n] = *st;
	snap->s[snap->n].query = snap->texts[snap->n];
	snap->n++;
	return 0;
}

void perf_snap_free(struct perf_snap *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		free(snap->texts[i]);
	free(snap->texts);
	free(snap->s);
	memset(snap, 0, sizeof(*snap));
}

/* The schema pg_stat_statements is installed in, quoted; NULL if none. */
static char *pgss_schema(const struct perf_ctx *c, PGconn *conn)
{
	PGresult *r = PQexec(conn,
		"SELECT n.nspname FROM pg_extension e"
		" JOIN pg_namespace n ON n.oid = e.extnamespace"
		" WHERE e.extname = 'pg_stat_statements'");
	char *q = NULL, *out = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		q = PQescapeIdentifier(conn, PQgetvalue(r, 0, 0),
				       strlen(PQgetvalue(r, 0, 0)));
	PQclear(r);
	if (q != NULL) {
		out = strdup(q);
		PQfreemem(q);
		return out;
	}
	c->host->log(c->p, HINGE_LOG_ERROR,
		     "pg_stat_statements is not installed in database \"%s\"",
		     PQdb(conn));
	c->host->log(c->p, HINGE_LOG_ERROR,
		     "hint: Add pg_stat_statements to shared_preload_libraries, "
		     "restart PostgreSQL, then run CREATE EXTENSION "
		     "pg_stat_statements in that database.");
	return NULL;
}

static int pgss_error(const struct perf_ctx *c, const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	c->host->log(c->p, HINGE_LOG_ERROR, "cannot read pg_stat_statements: %s",
		     msg ? msg : "no result");
	if (state && strcmp(state, "55000") == 0)
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "hint: Add pg_stat_statements to "
			     "shared_preload_libraries and restart PostgreSQL.");
	else if (state && strcmp(state, "42501") == 0)
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "hint: GRANT pg_read_all_stats TO the role of "
			     "perf.conninfo.");
	return HINGE_EUNAVAIL;
}

/* Fill snap from the rows; count those of other roles that are hidden. */
static int pgss_rows(const struct perf_ctx *c, PGresult *r,
		     struct perf_snap *snap)
{
	size_t cap = 0;
	int hidden = 0;

	for (int i = 0; i < PQntuples(r); i++) {
		struct perf_stmt st = {
			.queryid = strtoll(PQgetvalue(r, i, 0), NULL, 10),
			.calls = strtod(PQgetvalue(r, i, 2), NULL),
			.total_ms = strtod(PQgetvalue(r, i, 3), NULL),
			.sumsq = strtod(PQgetvalue(r, i, 4), NULL),
			.rows = strtod(PQgetvalue(r, i, 5), NULL),
			.blks_read = strtod(PQgetvalue(r, i, 6), NULL),
		};

		if (PQgetisnull(r, i, 0)) {
			hidden++;
			continue;
		}
		if (snap_push(snap, &cap, &st, PQgetvalue(r, i, 1)) != 0)
			return HINGE_ENOMEM;
	}
	if (hidden)
		c->host->log(c->p, HINGE_LOG_WARNING,
			     "statements of other roles are hidden from this "
			     "role: GRANT pg_read_all_stats to see them");
	return 0;
}

int perf_snap_take(const struct perf_ctx *c, PGconn *conn, int64_t scope,
		   struct perf_snap *out)
{
	char *schema = pgss_schema(c, conn), *sql = NULL, id[24];
	const char *params[1] = { scope ? id : NULL };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (schema == NULL)
		return HINGE_EUNAVAIL;
	if (asprintf(&sql,
		"SELECT queryid::text, min(query), sum(calls)::float8,"
		" sum(total_exec_time)::float8,"
		" sum(calls * (stddev_exec_time ^ 2 + mean_exec_time ^ 2))::float8,"
		" sum(rows)::float8, sum(shared_blks_read)::float8"
		" FROM %s.pg_stat_statements"
		" WHERE dbid = (SELECT oid FROM pg_database"
		"  WHERE datname = current_database())"
		" AND ($1::bigint IS NULL OR queryid = $1)"
		" GROUP BY queryid", schema) < 0)
		sql = NULL;
	free(schema);
	if (sql == NULL)
		return HINGE_ENOMEM;
	snprintf(id, sizeof(id), "%" PRId64, scope);
	out->scope = scope;
	out->taken_ms = perf_now_ms();
	r = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pgss_error(c, r);
	else
		rc = pgss_rows(c, r, out);
	PQclear(r);
	if (rc != 0)
		perf_snap_free(out);
	return rc;
}

/* Prepare, or log and return NULL. */
static sqlite3_stmt *prep(const struct perf_ctx *c, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		c->host->log(c->p, HINGE_LOG_ERROR, "state database: %s",
			     sqlite3_errmsg(db));
		return NULL;
	}
	return s;
}

/* Insert every statement of snap under snapshot id. */
static int store_rows(const struct perf_ctx *c, sqlite3 *db, const char *dbname,
		      int64_t id, const struct perf_snap *snap)
{
	sqlite3_stmt *q = prep(c, db,
		"INSERT INTO perf_query (db, queryid, query) VALUES (?, ?, ?)"
		" ON CONFLICT DO NOTHING");
	sqlite3_stmt *s = q ? prep(c, db,
		"INSERT INTO perf_statement (snapshot_id, queryid, calls,"
		" total_ms, sumsq, rows, blks_read) VALUES (?, ?, ?, ?, ?, ?, ?)")
		: NULL;
	int ok = s != NULL;

	for (size_t i = 0; ok && i < snap->n; i++) {
		const struct perf_stmt *st = &snap->s[i];

		sqlite3_bind_text(q, 1, dbname, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, st->queryid);
		sqlite3_bind_text(q, 3, st->query, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, st->queryid);
		sqlite3_bind_double(s, 3, st->calls);
		sqlite3_bind_double(s, 4, st->total_ms);
		sqlite3_bind_double(s, 5, st->sumsq);
		sqlite3_bind_double(s, 6, st->rows);
		sqlite3_bind_double(s, 7, st->blks_read);
		ok = sqlite3_step(q) == SQLITE_DONE && sqlite3_step(s) == SQLITE_DONE;
		sqlite3_reset(q);
		sqlite3_reset(s);
	}
	if (!ok && s != NULL)
		c->host->log(c->p, HINGE_LOG_ERROR, "cannot store a snapshot: %s",
			     sqlite3_errmsg(db));
	sqlite3_finalize(q);
	sqlite3_finalize(s);
	return ok ? 0 : HINGE_EUNAVAIL;
}

/* Run one statement with ?1 = dbname, ?2 = ms and ?3 = scope (NULL for
 * 0) as far as it has parameters; 0 or HINGE_EUNAVAIL. */
static int exec1(const struct perf_ctx *c, sqlite3 *db, const char *sql,
		 const char *dbname, int64_t ms, int64_t scope)
{
	sqlite3_stmt *s = prep(c, db, sql);
	int rc;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, dbname, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, ms);
	if (sqlite3_bind_parameter_count(s) > 2 && scope != 0)
		sqlite3_bind_int64(s, 3, scope);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
	if (rc != 0)
		c->host->log(c->p, HINGE_LOG_ERROR, "state database: %s",
			     sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

/* The snapshot row, its statements, then pruning: old snapshots, and
 * the texts of statements no snapshot holds any more. */
static int store_tx(const struct perf_ctx *c, sqlite3 *db, const char *dbname,
		    const struct perf_snap *snap)
{
	int64_t keep = snap->taken_ms -
		       c->host->setting_ms(c->p, "snapshot_retention");
	int rc = exec1(c, db, "INSERT INTO perf_snapshot (db, taken_ms, scope)"
		       " VALUES (?1, ?2, ?3)", dbname, snap->taken_ms, snap->scope);

	if (rc == 0)
		rc = store_rows(c, db, dbname, sqlite3_last_insert_rowid(db), snap);
	if (rc == 0)
		rc = exec1(c, db, "DELETE FROM perf_snapshot WHERE db = ?1"
			   " AND taken_ms < ?2", dbname, keep, 0);
	if (rc != 0 || sqlite3_changes(db) == 0)
		return rc;
	return exec1(c, db,
		"DELETE FROM perf_query WHERE db = ?1 AND NOT EXISTS ("
		" SELECT 1 FROM perf_statement st JOIN perf_snapshot sn"
		" ON sn.id = st.snapshot_id"
		" WHERE st.queryid = perf_query.queryid AND sn.db = ?1)",
		dbname, 0, 0);
}

int perf_snap_store(const struct perf_ctx *c, const char *dbname,
		    const struct perf_snap *snap)
{
	struct hinge_db *hdb;
	int rc = c->host->db_open(c->p, &hdb);

	if (rc != 0)
		return rc;
	rc = c->host->db_begin(hdb);
	if (rc == 0) {
		rc = store_tx(c, c->host->db_sqlite(hdb), dbname, snap);
		if (rc == 0)
			rc = c->host->db_commit(hdb);
		else
			c->host->db_rollback(hdb);
	}
	c->host->db_close(hdb);
	return rc;
}

/* Read the statements of snapshot id into out. */
static int load_rows(const struct perf_ctx *c, sqlite3 *db, const char *dbname,
		     int64_t id, struct perf_snap *out)
{
	sqlite3_stmt *s = prep(c, db,
		"SELECT s.queryid, q.query, s.calls, s.total_ms, s.sumsq,"
		" s.rows, s.blks_read FROM perf_statement s"
		" JOIN perf_query q ON q.db = ? AND q.queryid = s.queryid"
		" WHERE s.snapshot_id = ?");
	size_t cap = 0;
	int rc = 0, step;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, dbname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct perf_stmt st = {
			.queryid = sqlite3_column_int64(s, 0),
			.calls = sqlite3_column_double(s, 2),
			.total_ms = sqlite3_column_double(s, 3),
			.sumsq = sqlite3_column_double(s, 4),
			.rows = sqlite3_column_double(s, 5),
			.blks_read = sqlite3_column_double(s, 6),
		};

		rc = snap_push(out, &cap, &st,
			       (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return rc;
}

static int load_from(const struct perf_ctx *c, sqlite3 *db, const char *dbname,
		     int64_t after_ms, int64_t before_ms, int64_t scope,
		     struct perf_snap *out)
{
	/* ?4 stays NULL for scope 0: then only full snapshots match. */
	sqlite3_stmt *s = prep(c, db, after_ms == 0 ?
		"SELECT id, taken_ms, scope FROM perf_snapshot WHERE db = ?1"
		" AND (scope IS NULL OR scope = ?4)"
		" AND taken_ms <= ?3 ORDER BY taken_ms DESC LIMIT 1" :
		"SELECT id, taken_ms, scope FROM perf_snapshot WHERE db = ?1"
		" AND (scope IS NULL OR scope = ?4)"
		" AND taken_ms >= ?2 AND taken_ms < ?3 ORDER BY taken_ms LIMIT 1");
	int64_t id;

	if (s == NULL)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, dbname, -1, SQLITE_STATIC);
	if (after_ms != 0)
		sqlite3_bind_int64(s, 2, after_ms);
	sqlite3_bind_int64(s, 3, before_ms);
	if (scope != 0)
		sqlite3_bind_int64(s, 4, scope);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return HINGE_ENODATA;
	}
	id = sqlite3_column_int64(s, 0);
	out->taken_ms = sqlite3_column_int64(s, 1);
	out->scope = sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	return load_rows(c, db, dbname, id, out);
}

int perf_snap_load(const struct perf_ctx *c, const char *dbname, int64_t after_ms,
		   int64_t before_ms, int64_t scope, struct perf_snap *out)
{
	struct hinge_db *hdb;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = c->host->db_open(c->p, &hdb)) != 0)
		return rc;
	rc = load_from(c, c->host->db_sqlite(hdb), dbname, after_ms, before_ms,
		       scope, out);
	c->host->db_close(hdb);
	if (rc != 0)
		perf_snap_free(out);
	return rc;
}
