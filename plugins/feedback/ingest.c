/*
 * ingest.c - ratings from PostgreSQL into the state database, on
 * (created_at, id) with an overlap window so that rows committed late
 * with an earlier time are still read; rows already seen are skipped by
 * their source id.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "figures.h"
#include "ingest.h"
#include "rating.h"

/* The quoted identifiers of the ratings table and its segment columns. */
struct source {
	char *table_q;   /* "schema"."table" */
	char **segs_q;   /* "column" each */
	const char **segs; /* the names as configured, borrowed */
	size_t nseg;
};

static void source_free(struct source *s)
{
	size_t i;

	free(s->table_q);
	for (i = 0; i < s->nseg; i++)
		PQfreemem(s->segs_q[i]);
	free(s->segs_q);
	free(s->segs);
}

char *fb_quote_table(void *conn, const char *name)
{
	PGconn *c = conn;
	const char *dot = strchr(name, '.');
	char *schema, *table, *out = NULL;

	schema = dot ? PQescapeIdentifier(c, name, (size_t)(dot - name))
		     : PQescapeIdentifier(c, "public", 6);
	table = PQescapeIdentifier(c, dot ? dot + 1 : name,
				   strlen(dot ? dot + 1 : name));
	if (schema != NULL && table != NULL &&
	    (out = malloc(strlen(schema) + strlen(table) + 2)) != NULL)
		sprintf(out, "%s.%s", schema, table);
	PQfreemem(schema);
	PQfreemem(table);
	return out;
}

/* Quote the table and segments and check them against the catalog. */
static int source_open(struct fb *fb, PGconn *c, struct source *s)
{
	json_t *segs = (json_t *)fb->h->setting_json(fb->p, "segments");
	const char *table = fb->h->setting_str(fb->p, "ratings_table");
	struct fb_column *cols = NULL;
	const char *v[1];
	char msg[512];
	PGresult *r;
	size_t i;
	int rc = 0, n;

	memset(s, 0, sizeof(*s));
	s->nseg = json_is_array(segs) ? json_array_size(segs) : 0;
	s->segs = calloc(s->nseg + 1, sizeof(*s->segs));
	s->segs_q = calloc(s->nseg + 1, sizeof(*s->segs_q));
	s->table_q = fb_quote_table(c, table);
	if (s->segs == NULL || s->segs_q == NULL || s->table_q == NULL)
		return HINGE_ENOMEM;
	for (i = 0; i < s->nseg; i++) {
		s->segs[i] = json_string_value(json_array_get(segs, i));
		s->segs_q[i] = PQescapeIdentifier(c, s->segs[i], strlen(s->segs[i]));
		if (s->segs_q[i] == NULL)
			return HINGE_ENOMEM;
	}
	v[0] = s->table_q;
	r = PQexecParams(c, "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)"
			 " FROM pg_attribute a WHERE a.attrelid = to_regclass($1)"
			 " AND a.attnum > 0 AND NOT a.attisdropped",
			 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot read the ratings table's columns: %s",
			   PQerrorMessage(c));
		PQclear(r);
		return HINGE_EUNAVAIL;
	}
	n = PQntuples(r);
	if (n == 0) {
		fb->h->log(fb->p, HINGE_LOG_ERROR,
			   "ratings table %s does not exist (setting ratings_table at %s)",
			   table, fb->h->setting_where(fb->p, "ratings_table"));
		PQclear(r);
		return HINGE_EINVAL;
	}
	if ((cols = calloc((size_t)n, sizeof(*cols))) == NULL) {
		PQclear(r);
		return HINGE_ENOMEM;
	}
	for (i = 0; i < (size_t)n; i++) {
		cols[i].name = PQgetvalue(r, (int)i, 0);
		cols[i].type = PQgetvalue(r, (int)i, 1);
	}
	if (fb_ratings_schema_check(cols, (size_t)n, s->segs, s->nseg, msg,
				    sizeof(msg)) < 0) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "%s: %s (ratings_table at %s)", table, msg,
			   fb->h->setting_where(fb->p, "ratings_table"));
		rc = HINGE_EINVAL;
	}
	free(cols);
	PQclear(r);
	return rc;
}

/* The state database's statements, prepared once per pass. */
struct sink {
	sqlite3 *db;
	sqlite3_stmt *seen, *add, *reject, *cursor_get, *cursor_set;
	const char *source; /* the ratings_table setting */
};

static const char *const sink_sql[] = {
	"SELECT EXISTS (SELECT 1 FROM feedback_ratings WHERE source = ?1 AND source_id = ?2)"
	" OR EXISTS (SELECT 1 FROM feedback_rejects WHERE source = ?1 AND source_id = ?2)",
	"INSERT INTO feedback_ratings (source, source_id, transaction_id, user_id, scale,"
	" score, created_ms, segments) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	"INSERT OR IGNORE INTO feedback_rejects (source, source_id, transaction_id, reason,"
	" detail, created_ms, rejected_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	"SELECT time_us, id FROM feedback_cursor WHERE source = ?1",
	"INSERT INTO feedback_cursor (source, time_us, id) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (source) DO UPDATE SET time_us = excluded.time_us, id = excluded.id"
	" WHERE (excluded.time_us, excluded.id) > (feedback_cursor.time_us, feedback_cursor.id)",
};

static void sink_close(struct sink *k)
{
	sqlite3_finalize(k->seen);
	sqlite3_finalize(k->add);
	sqlite3_finalize(k->reject);
	sqlite3_finalize(k->cursor_get);
	sqlite3_finalize(k->cursor_set);
}

static int sink_open(struct sink *k, sqlite3 *db, const char *source)
{
	sqlite3_stmt **slots[] = { &k->seen, &k->add, &k->reject, &k->cursor_get,
				   &k->cursor_set };
	size_t i;

	k->db = db;
	k->source = source;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (sqlite3_prepare_v2(db, sink_sql[i], -1, slots[i], NULL) != SQLITE_OK)
			return -1;
	return 0;
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

static const char *cell(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int reject(struct sink *k, int64_t id, const char *txn,
		  const char *reason, const char *detail, int64_t created_ms)
{
	sqlite3_bind_text(k->reject, 1, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(k->reject, 2, id);
	sqlite3_bind_text(k->reject, 3, txn, -1, SQLITE_STATIC);
	sqlite3_bind_text(k->reject, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(k->reject, 5, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(k->reject, 6, created_ms);
	sqlite3_bind_int64(k->reject, 7, fb_now_ms());
	if (step_done(k->reject) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(k->db) > 0 ? 2 : 0;
}

/* 1 when the source row is stored already (as a rating or a reject). */
static int seen(struct sink *k, int64_t id)
{
	int rc;

	sqlite3_bind_text(k->seen, 1, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(k->seen, 2, id);
	rc = sqlite3_step(k->seen) == SQLITE_ROW ? sqlite3_column_int(k->seen, 0) != 0 : -1;
	sqlite3_reset(k->seen);
	sqlite3_clear_bindings(k->seen);
	return rc;
}

/*
 * One source row: 0 when seen before, 1 when added, 2 when rejected, -1
 * on a state database error.  New rows are the common case: the insert
 * is tried first, and only a conflict asks whether the row was seen (the
 * overlap re-reads) or its transaction was rated by another row.
 */
static int take_row(struct sink *k, const struct source *s, PGresult *r, int row)
{
	int64_t id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	int64_t created_ms = strtoll(PQgetvalue(r, row, 1), NULL, 10) / 1000;
	const char *txn = cell(r, row, 2), *user = cell(r, row, 3);
	const char *scale = cell(r, row, 4), *score_text = cell(r, row, 5);
	const char *reason;
	json_t *segs;
	char *segs_text, detail[64];
	int score = 0, rc;
	size_t i;

	reason = fb_rating_reject_reason(txn, user, scale, score_text, &score);
	if (reason != NULL) {
		snprintf(detail, sizeof(detail), "scale %.12s score %.12s",
			 scale ? scale : "NULL", score_text ? score_text : "NULL");
		return reject(k, id, txn, reason, detail, created_ms);
	}
	segs = json_object();
	for (i = 0; i < s->nseg; i++) {
		const char *v = cell(r, row, 6 + (int)i);

		json_object_set_new(segs, s->segs[i], v ? json_string(v) : json_null());
	}
	segs_text = json_dumps(segs, JSON_COMPACT);
	json_decref(segs);
	if (segs_text == NULL)
		return -1;
	sqlite3_bind_text(k->add, 1, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(k->add, 2, id);
	sqlite3_bind_text(k->add, 3, txn, -1, SQLITE_STATIC);
	sqlite3_bind_text(k->add, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(k->add, 5, scale, -1, SQLITE_STATIC);
	sqlite3_bind_int(k->add, 6, score);
	sqlite3_bind_int64(k->add, 7, created_ms);
	sqlite3_bind_text(k->add, 8, segs_text, -1, SQLITE_STATIC);
	rc = step_done(k->add);
	free(segs_text);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_CONSTRAINT)
		return -1;
	switch (seen(k, id)) {
	case 0:
		return reject(k, id, txn, "second rating for this transaction", "", created_ms);
	case 1:
		return 0;
	default:
		return -1;
	}
}

/* One batch of source rows in one state transaction. */
static int batch(struct fb *fb, struct hinge_db *hdb, struct sink *k,
		 const struct source *s, PGresult *r, struct fb_ingest_result *res)
{
	int i, n = PQntuples(r), rc = 0;

	if ((rc = fb->h->db_begin(hdb)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		int t = take_row(k, s, r, i);

		if (t < 0)
			rc = HINGE_EUNAVAIL;
		res->added += t == 1;
		res->rejected += t == 2;
	}
	if (rc == 0 && n > 0) {
		sqlite3_bind_text(k->cursor_set, 1, k->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(k->cursor_set, 2, strtoll(PQgetvalue(r, n - 1, 1), NULL, 10));
		sqlite3_bind_int64(k->cursor_set, 3, strtoll(PQgetvalue(r, n - 1, 0), NULL, 10));
		if (step_done(k->cursor_set) != SQLITE_DONE)
			rc = HINGE_EUNAVAIL;
	}
	if (rc < 0) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot record ratings in the state database: %s",
			   sqlite3_errmsg(k->db));
		fb->h->db_rollback(hdb);
		return rc;
	}
	res->read += n;
	return fb->h->db_commit(hdb);
}

/* Read batches from the cursor minus the overlap until one comes short. */
static int pass(struct fb *fb, PGconn *c, struct hinge_db *hdb, struct sink *k,
		const struct source *s, struct fb_ingest_result *res)
{
	int64_t overlap_us = fb->h->setting_ms(fb->p, "overlap") * 1000;
	int64_t t = 0, id = 0, size = fb->h->setting_int(fb->p, "batch");
	char tb[32], ib[32], sb[32], *sql;
	const char *v[3] = { tb, ib, sb };
	PGresult *r;
	int rc = 0, n;

	sqlite3_bind_text(k->cursor_get, 1, k->source, -1, SQLITE_STATIC);
	if (sqlite3_step(k->cursor_get) == SQLITE_ROW) {
		t = sqlite3_column_int64(k->cursor_get, 0) - overlap_us;
		id = 0;
	} else {
		t = -2208988800000000; /* 1900-01-01: before any rating */
	}
	step_done(k->cursor_get);
	if ((sql = fb_ingest_sql(s->table_q, (const char *const *)s->segs_q, s->nseg)) == NULL)
		return HINGE_ENOMEM;
	snprintf(sb, sizeof(sb), "%" PRId64, size);
	do {
		snprintf(tb, sizeof(tb), "%" PRId64, t);
		snprintf(ib, sizeof(ib), "%" PRId64, id);
		r = PQexecParams(c, sql, 3, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot read ratings (setting ratings_table at %s): %s",
				   fb->h->setting_where(fb->p, "ratings_table"), PQerrorMessage(c));
			PQclear(r);
			rc = HINGE_EUNAVAIL;
			break;
		}
		n = PQntuples(r);
		rc = batch(fb, hdb, k, s, r, res);
		if (n > 0) {
			t = strtoll(PQgetvalue(r, n - 1, 1), NULL, 10);
			id = strtoll(PQgetvalue(r, n - 1, 0), NULL, 10);
		}
		PQclear(r);
	} while (rc == 0 && n == size && !fb->h->stopping(fb->p));
	free(sql);
	return rc;
}

int fb_ingest(struct fb *fb, struct fb_ingest_result *res)
{
	struct source s = { 0 };
	struct sink k = { 0 };
	struct hinge_db *hdb = NULL;
	PGresult *r;
	void *conn;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = fb_pg_open(fb, &conn)) < 0)
		return rc;
	r = PQexec(conn, "SET TIME ZONE 'UTC'");
	PQclear(r);
	if ((rc = source_open(fb, conn, &s)) < 0)
		goto out;
	if ((rc = fb->h->db_open(fb->p, &hdb)) < 0)
		goto out;
	if (sink_open(&k, fb->h->db_sqlite(hdb),
		      fb->h->setting_str(fb->p, "ratings_table")) < 0) {
		fb->h->log(fb->p, HINGE_LOG_ERROR, "cannot prepare the state database: %s",
			   sqlite3_errmsg(k.db));
		rc = HINGE_EUNAVAIL;
		goto out;
	}
	rc = pass(fb, conn, hdb, &k, &s, res);
	if (res->rejected > 0)
		fb->h->log(fb->p, HINGE_LOG_WARNING,
			   "%" PRId64 " rating(s) rejected; see feedback_rejects", res->rejected);
out:
	sink_close(&k);
	fb->h->db_close(hdb);
	source_free(&s);
	PQfinish(conn);
	return rc;
}
