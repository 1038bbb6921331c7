/*
 * spool.c - the durable spool, in SQLite.
 *
 * An event is stored once (logging_events) and queued once per sink
 * (logging_queue); it goes when no sink waits for it any more.  Whatever
 * deletes events deletes their queue rows in the same transaction (no
 * foreign key does it: see the migration that rebuilt the two tables).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "spool.h"
#include "stmt.h"
#include "tally.h"

const char *const lg_spool_migrations[] = {
	"CREATE TABLE logging_events ("
	" id INTEGER PRIMARY KEY,"
	" event_id TEXT NOT NULL UNIQUE,"
	" time_ms INTEGER NOT NULL,"
	" fingerprint TEXT NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE TABLE logging_queue ("
	" sink TEXT NOT NULL,"
	" event INTEGER NOT NULL REFERENCES logging_events (id) ON DELETE CASCADE,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (sink, event)) WITHOUT ROWID;"
	"CREATE INDEX logging_queue_event ON logging_queue (event);"
	"CREATE TABLE logging_dead ("
	" id INTEGER PRIMARY KEY,"
	" sink TEXT NOT NULL,"
	" event_id TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE TABLE logging_groups ("
	" fingerprint TEXT PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" normalized TEXT NOT NULL,"
	" sample TEXT NOT NULL,"
	" count INTEGER NOT NULL,"
	" first_ms INTEGER NOT NULL,"
	" last_ms INTEGER NOT NULL);"
	"CREATE TABLE logging_hits ("
	" time_ms INTEGER NOT NULL,"
	" fingerprint TEXT NOT NULL);"
	"CREATE INDEX logging_hits_time ON logging_hits (time_ms);"
	"CREATE TABLE logging_counters ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL);",
	"CREATE TABLE logging_pg_cursor ("
	" name TEXT PRIMARY KEY,"
	" time_us INTEGER NOT NULL,"
	" id INTEGER NOT NULL);"
	"CREATE TABLE logging_pg_seen ("
	" name TEXT NOT NULL,"
	" id INTEGER NOT NULL,"
	" time_us INTEGER NOT NULL,"
	" PRIMARY KEY (name, id)) WITHOUT ROWID;",
	"CREATE TABLE logging_tail ("
	" path TEXT PRIMARY KEY,"
	" dev INTEGER NOT NULL,"
	" ino INTEGER NOT NULL,"
	" fp TEXT NOT NULL,"
	" fp_len INTEGER NOT NULL,"
	" offset INTEGER NOT NULL);",
	"CREATE TABLE logging_samples ("
	" fingerprint TEXT NOT NULL,"
	" slot INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" event_id TEXT NOT NULL,"
	" message TEXT NOT NULL,"
	" PRIMARY KEY (fingerprint, slot)) WITHOUT ROWID;",
	"CREATE TABLE logging_sinks ("
	" name TEXT PRIMARY KEY,"
	" enabled INTEGER NOT NULL,"
	" sample_rate REAL NOT NULL);",
	/* occurrences of one group at one time counted in one row */
	"ALTER TABLE logging_hits ADD COLUMN n INTEGER NOT NULL DEFAULT 1;",
	/*
	 * The spool without the index on event_id (random ids, unique without
	 * it: each index entry cost a page anywhere in the tree per event
	 * spooled and again per event delivered) and without the cascading
	 * foreign key (a second lookup per event delivered); the code that
	 * deletes events deletes their queue rows itself.  Rows and ids are
	 * copied as they are; the queue goes first so that dropping the events
	 * cascades to nothing.
	 */
	"CREATE TABLE logging_events_new ("
	" id INTEGER PRIMARY KEY,"
	" event_id TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" fingerprint TEXT NOT NULL,"
	" body TEXT NOT NULL);"
	"INSERT INTO logging_events_new (id, event_id, time_ms, fingerprint, body)"
	" SELECT id, event_id, time_ms, fingerprint, body FROM logging_events;"
	"CREATE TABLE logging_queue_new ("
	" sink TEXT NOT NULL,"
	" event INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (sink, event)) WITHOUT ROWID;"
	"INSERT INTO logging_queue_new (sink, event, attempts)"
	" SELECT sink, event, attempts FROM logging_queue;"
	"DROP TABLE logging_queue;"
	"DROP TABLE logging_events;"
	"ALTER TABLE logging_events_new RENAME TO logging_events;"
	"ALTER TABLE logging_queue_new RENAME TO logging_queue;"
	"CREATE INDEX logging_queue_event ON logging_queue (event);",
	NULL,
};

/* Run one statement with text and integer parameters ("t", "i" in kinds). */
static int run(sqlite3 *db, const char *sql, const char *kinds, ...)
{
	sqlite3_stmt *s = lg_stmt(db, sql);
	va_list ap;
	int rc, k;

	if (!s)
		return HINGE_EUNAVAIL;
	va_start(ap, kinds);
	for (k = 0; kinds[k]; k++) {
		if (kinds[k] == 't')
			sqlite3_bind_text(s, k + 1, va_arg(ap, const char *), -1,
					  SQLITE_STATIC);
		else
			sqlite3_bind_int64(s, k + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	rc = sqlite3_step(s);
	lg_stmt_done(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : HINGE_EUNAVAIL;
}

static int64_t scalar(sqlite3 *db, const char *sql, const char *text)
{
	sqlite3_stmt *s = lg_stmt(db, sql);
	int64_t v = -1;

	if (!s)
		return -1;
	if (text)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	lg_stmt_done(s);
	return v;
}

int lg_spool_queue(sqlite3 *db, const struct lg_event *ev,
		   const char *const *sinks, size_t nsinks)
{
	int64_t id;
	size_t k;
	int rc;

	if (nsinks == 0)
		return 0;
	rc = run(db, "INSERT INTO logging_events (event_id, time_ms,"
		 " fingerprint, body) VALUES (?1, ?2, ?3, ?4)", "titt",
		 ev->event_id, ev->time_ms, ev->fingerprint, ev->body);
	if (rc < 0)
		return rc;
	id = sqlite3_last_insert_rowid(db);
	for (k = 0; k < nsinks && rc == 0; k++)
		rc = run(db, "INSERT INTO logging_queue (sink, event) VALUES (?1, ?2)",
			 "ti", sinks[k], id);
	return rc;
}

int lg_spool_put(sqlite3 *db, const struct lg_event *ev,
		 const char *const *sinks, size_t nsinks)
{
	struct lg_tally t = { 0 };
	int rc = lg_tally_add(db, &t, ev);

	if (rc == 0)
		rc = lg_tally_flush(db, &t);
	lg_tally_free(&t);
	return rc == 0 ? lg_spool_queue(db, ev, sinks, nsinks) : rc;
}

void lg_items_free(struct lg_item *items, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		free(items[k].event_id);
		free(items[k].body);
	}
	free(items);
}

int lg_spool_batch(sqlite3 *db, const char *sink, int limit,
		   struct lg_item **items, size_t *n)
{
	sqlite3_stmt *s;
	struct lg_item *v;
	size_t k = 0;
	int rc;

	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	v = calloc((size_t)limit, sizeof *v);
	if (!v)
		return HINGE_ENOMEM;
	/* valid JSON that opens with a brace is an object: SQLite checks it
	 * in one pass, without building the tree jansson would */
	if (sqlite3_prepare_v2(db, "SELECT e.id, e.event_id, e.body, q.attempts,"
			       " json_valid(e.body) AND substr(ltrim(e.body,"
			       " ' ' || char(9, 10, 13)), 1, 1) = '{'"
			       " FROM logging_queue q JOIN logging_events e"
			       " ON e.id = q.event WHERE q.sink = ?1"
			       " ORDER BY q.event LIMIT ?2", -1, &s, NULL) != SQLITE_OK) {
		free(v);
		return HINGE_EUNAVAIL;
	}
	sqlite3_bind_text(s, 1, sink, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 1);
		const char *body = (const char *)sqlite3_column_text(s, 2);

		v[k].rowid = sqlite3_column_int64(s, 0);
		v[k].event_id = strdup(id ? id : "");
		v[k].body = strdup(body ? body : "");
		v[k].attempts = sqlite3_column_int64(s, 3);
		v[k].malformed = !sqlite3_column_int(s, 4);
		if (!v[k].event_id || !v[k].body) {
			sqlite3_finalize(s);
			lg_items_free(v, k + 1);
			return HINGE_ENOMEM;
		}
		k++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		lg_items_free(v, k);
		return HINGE_EUNAVAIL;
	}
	*items = v;
	*n = k;
	return 0;
}

int lg_spool_done(sqlite3 *db, const char *sink, int64_t rowid)
{
	int rc = run(db, "DELETE FROM logging_queue WHERE sink = ?1 AND event = ?2",
		     "ti", sink, rowid);

	if (rc == 0)
		rc = run(db, "DELETE FROM logging_events WHERE id = ?1 AND NOT EXISTS"
			 " (SELECT 1 FROM logging_queue WHERE event = ?1)",
			 "i", rowid);
	return rc;
}

int lg_spool_done_many(sqlite3 *db, const char *sink, const int64_t *rowids,
		       size_t n)
{
	struct lg_buf b = { 0 };
	char num[24];
	size_t k;
	int rc;

	if (n == 0)
		return 0;
	lg_buf_addc(&b, '[');
	for (k = 0; k < n; k++) {
		snprintf(num, sizeof num, "%s%lld", k ? "," : "", (long long)rowids[k]);
		lg_buf_adds(&b, num);
	}
	lg_buf_addc(&b, ']');
	if (b.oom) {
		lg_buf_free(&b);
		return HINGE_ENOMEM;
	}
	rc = run(db, "DELETE FROM logging_queue WHERE sink = ?1 AND event IN"
		 " (SELECT value FROM json_each(?2))", "tt", sink, b.data);
	if (rc == 0)
		rc = run(db, "DELETE FROM logging_events WHERE id IN"
			 " (SELECT value FROM json_each(?1)) AND NOT EXISTS"
			 " (SELECT 1 FROM logging_queue q WHERE q.event = logging_events.id)",
			 "t", b.data);
	lg_buf_free(&b);
	return rc;
}

int lg_spool_retry(sqlite3 *db, const char *sink, int64_t rowid)
{
	return run(db, "UPDATE logging_queue SET attempts = attempts + 1"
		   " WHERE sink = ?1 AND event = ?2", "ti", sink, rowid);
}

int lg_spool_dead(sqlite3 *db, const char *sink, int64_t rowid,
		  const char *reason, int64_t now_ms)
{
	int rc = run(db, "INSERT INTO logging_dead (sink, event_id, time_ms,"
		     " reason, body) SELECT ?1, event_id, ?3, ?4, body"
		     " FROM logging_events WHERE id = ?2", "tiit",
		     sink, rowid, now_ms, reason);

	if (rc == 0)
		rc = lg_counter_add(db, "dead", 1);
	return rc == 0 ? lg_spool_done(db, sink, rowid) : rc;
}

int lg_spool_cap(sqlite3 *db, int64_t cap, int64_t *dropped)
{
	int64_t count, over;
	int rc;

	*dropped = 0;
	if (cap <= 0)
		return 0;
	count = scalar(db, "SELECT count(*) FROM logging_events", NULL);
	if (count < 0)
		return HINGE_EUNAVAIL;
	if (count <= cap)
		return 0;
	over = count - cap;
	rc = run(db, "DELETE FROM logging_queue WHERE event IN (SELECT id FROM"
		 " logging_events ORDER BY id LIMIT ?1)", "i", over);
	if (rc == 0)
		rc = run(db, "DELETE FROM logging_events WHERE id IN (SELECT id FROM"
			 " logging_events ORDER BY id LIMIT ?1)", "i", over);
	if (rc == 0)
		rc = lg_counter_add(db, "dropped", over);
	if (rc == 0)
		*dropped = over;
	return rc;
}

int lg_counter_add(sqlite3 *db, const char *name, int64_t delta)
{
	return run(db, "INSERT INTO logging_counters (name, value) VALUES (?1, ?2)"
		   " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
		   "ti", name, delta);
}

int64_t lg_counter_get(sqlite3 *db, const char *name)
{
	int64_t v = scalar(db, "SELECT value FROM logging_counters WHERE name = ?1",
			   name);

	return v < 0 ? 0 : v;
}

int64_t lg_spool_pending(sqlite3 *db, const char *sink)
{
	if (!sink)
		return scalar(db, "SELECT count(*) FROM logging_events", NULL);
	return scalar(db, "SELECT count(*) FROM logging_queue WHERE sink = ?1", sink);
}
