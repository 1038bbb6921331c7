/*
 * spool.c - the durable spool, in SQLite, in chunks.
 *
 * A source transaction's events (a tail transaction's lines, a PostgreSQL
 * poll, one agent event) are stored as ONE row of logging_chunks: n, the
 * ids as text (one per line), the JSON bodies as text (one per line: a
 * compact JSON body holds no newline; from LG_PACK_MIN bytes on, that
 * text packed into an LZ4 frame, stored as a blob: pack.h) and a SHA-256
 * of the ids and the bodies as stored (packed, when they are).  Per sink, a
 * row of logging_pending holds a bitmap of the chunk's events still
 * waiting there (bit k: event k) and their count, so that sampling per
 * sink per event, partial acceptance, retries and dead letters keep their
 * per-event meaning while SQLite sees a few statements per chunk instead
 * of two inserts and two deletes per event.  logging_chunk_left counts
 * the events some sink still waits for in each chunk; the chunk is
 * deleted when none is left.  Event ids are fixed when the chunk is
 * written and are the same on every retry.
 *
 * Reading a chunk (unpacked first) splits its text in place (no JSON
 * parsing); a chunk
 * whose checksum does not match (altered on disk, migrated from the
 * one-row-per-event tables, which had none, or packed by a Hinge that
 * summed the unpacked text) has each body parsed and
 * found by the event id it carries (a newline added or lost moves the
 * lines after it; one in the ids text moves the ids, and then each body
 * still at its place is taken under its own id); an event without a
 * body that is a JSON object is marked malformed: it goes to the dead
 * letters (logging_dead: one row per event) with its own broken text, or
 * none when that cannot be told apart, and the rest is sent.
 * Whatever changes a chunk's queue rows updates or deletes the chunk in
 * the same transaction (no foreign key does it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "chunk.h"
#include "pack.h"
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
	/*
	 * The spool in chunks: one row per source transaction instead of one
	 * per event (see the top of this file).  Events spooled before it
	 * become chunks of one with the same ids, order (the chunk's id is the
	 * event's) and attempts; their checksum is NULL, so that their bodies
	 * are checked one by one when read.
	 */
	"CREATE TABLE logging_chunks ("
	" id INTEGER PRIMARY KEY,"
	" n INTEGER NOT NULL,"
	" left INTEGER NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" ids TEXT NOT NULL,"
	" bodies TEXT NOT NULL,"
	" sum BLOB);"
	"CREATE TABLE logging_pending ("
	" sink TEXT NOT NULL,"
	" chunk INTEGER NOT NULL,"
	" left INTEGER NOT NULL,"
	" bits BLOB NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (sink, chunk)) WITHOUT ROWID;"
	"CREATE INDEX logging_pending_chunk ON logging_pending (chunk);"
	"INSERT INTO logging_chunks (id, n, left, time_ms, ids, bodies, sum)"
	" SELECT id, 1, 1, time_ms, replace(event_id, char(10), '') || char(10),"
	" replace(body, char(10), ' ') || char(10), NULL FROM logging_events"
	" WHERE id IN (SELECT event FROM logging_queue);"
	"INSERT INTO logging_pending (sink, chunk, left, bits, attempts)"
	" SELECT sink, event, 1, x'01', attempts FROM logging_queue"
	" WHERE event IN (SELECT id FROM logging_chunks);"
	"DROP TABLE logging_queue;"
	"DROP TABLE logging_events;",
	/*
	 * Chunk ids never reused (AUTOINCREMENT, which SQLite adds only by
	 * rebuilding the table).  A delivery batch names its events by chunk
	 * id and place and is acknowledged after its request; had the newest
	 * chunk left the spool meanwhile, the next chunk would get its id and
	 * the acknowledgement would mark that chunk's events delivered.  Today
	 * only the delivery job deletes chunks, between its batches, so this
	 * cannot happen yet; ids that never come back keep it so whatever runs
	 * in parallel later, simpler than checking a generation on every
	 * acknowledgement (it costs a sqlite_sequence row written per chunk).
	 *
	 * The count of events some sink waits for moves to a row of its own
	 * (logging_chunk_left): SQLite rewrites a whole row to change one
	 * column, and a tail round's row holds a megabyte of text, read and
	 * compared again for each batch a sink acknowledged.
	 *
	 * Rows, ids and the logging_pending rows that name them stay as they
	 * are.
	 */
	"CREATE TABLE logging_chunks_new ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" n INTEGER NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" ids TEXT NOT NULL,"
	" bodies TEXT NOT NULL,"
	" sum BLOB);"
	"INSERT INTO logging_chunks_new (id, n, time_ms, ids, bodies, sum)"
	" SELECT id, n, time_ms, ids, bodies, sum FROM logging_chunks;"
	"CREATE TABLE logging_chunk_left ("
	" chunk INTEGER PRIMARY KEY,"
	" left INTEGER NOT NULL);"
	"INSERT INTO logging_chunk_left (chunk, left)"
	" SELECT id, left FROM logging_chunks;"
	"DROP TABLE logging_chunks;"
	"ALTER TABLE logging_chunks_new RENAME TO logging_chunks;",
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

int lg_spool_chunk(sqlite3 *db, struct lg_chunk *c, const char *const *sinks,
		   size_t nsinks)
{
	unsigned char sum[LG_CHUNK_SUM], *any = NULL;
	size_t j, b, nb = (c->n + 7) / 8, packed_len = 0;
	void *packed = NULL;
	sqlite3_stmt *s;
	int64_t id;
	int rc = 0;

	if (nsinks > LG_CHUNK_SINKS)
		nsinks = LG_CHUNK_SINKS;
	if (c->oom || (c->n && !(any = calloc(nb, 1))))
		rc = HINGE_ENOMEM;
	if (rc < 0 || c->n == 0)
		goto out;
	/* the row counts the events some sink waits for: none, no row */
	for (j = 0; j < nsinks; j++)
		for (b = 0; b < nb; b++)
			any[b] |= c->bits[j][b];
	if (lg_bits_count(any, nb) == 0)
		goto out;
	if (c->bodies.len >= LG_PACK_MIN &&
	    (rc = lg_pack(c->bodies.data, c->bodies.len, &packed, &packed_len)) < 0)
		goto out;
	if (packed)
		lg_chunk_sum(c->ids.data, c->ids.len, packed, packed_len, sum);
	else
		lg_chunk_sum(c->ids.data, c->ids.len, c->bodies.data, c->bodies.len, sum);
	s = lg_stmt(db, "INSERT INTO logging_chunks (n, time_ms, ids, bodies, sum)"
		    " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s) {
		rc = HINGE_EUNAVAIL;
		goto out;
	}
	sqlite3_bind_int64(s, 1, (int64_t)c->n);
	sqlite3_bind_int64(s, 2, c->time_ms);
	sqlite3_bind_text64(s, 3, c->ids.data, c->ids.len, SQLITE_STATIC, SQLITE_UTF8);
	/* packed bodies are a blob: the value's type tells the reader */
	if (packed)
		sqlite3_bind_blob64(s, 4, packed, packed_len, SQLITE_STATIC);
	else
		sqlite3_bind_text64(s, 4, c->bodies.data, c->bodies.len, SQLITE_STATIC,
				    SQLITE_UTF8);
	sqlite3_bind_blob(s, 5, sum, sizeof sum, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
	lg_stmt_done(s);
	id = sqlite3_last_insert_rowid(db);
	if (rc == 0)
		rc = run(db, "INSERT INTO logging_chunk_left (chunk, left) VALUES (?1, ?2)",
			 "ii", id, (int64_t)lg_bits_count(any, nb));
	for (j = 0; j < nsinks && rc == 0; j++) {
		if (!c->left[j])
			continue;
		s = lg_stmt(db, "INSERT INTO logging_pending (sink, chunk, left, bits)"
			    " VALUES (?1, ?2, ?3, ?4)");
		if (!s) {
			rc = HINGE_EUNAVAIL;
			break;
		}
		sqlite3_bind_text(s, 1, sinks[j], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, id);
		sqlite3_bind_int64(s, 3, (int64_t)c->left[j]);
		sqlite3_bind_blob(s, 4, c->bits[j], (int)nb, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
		lg_stmt_done(s);
	}
out:
	free(any);
	free(packed);
	lg_chunk_empty(c);
	return rc;
}

int lg_spool_queue(sqlite3 *db, const struct lg_event *ev,
		   const char *const *sinks, size_t nsinks)
{
	struct lg_chunk c = { 0 };
	int rc;

	if (nsinks == 0)
		return 0;
	if (nsinks > LG_CHUNK_SINKS)
		return HINGE_EINVAL;
	rc = lg_chunk_add(&c, ev->event_id, ev->time_ms, ev->body,
			  (1u << nsinks) - 1);
	if (rc == 0)
		rc = lg_spool_chunk(db, &c, sinks, nsinks);
	lg_chunk_free(&c);
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

/* The queue rows of one chunk, loaded to be changed together. */
struct queue_row {
	char *sink;
	unsigned char *bits;
	size_t len;
};

struct queue_rows {
	struct queue_row *r;
	size_t n;
	size_t len; /* the longest bitmap */
};

static void rows_free(struct queue_rows *q)
{
	size_t k;

	for (k = 0; k < q->n; k++) {
		free(q->r[k].sink);
		free(q->r[k].bits);
	}
	free(q->r);
}

static int rows_load(sqlite3 *db, int64_t chunk, struct queue_rows *q)
{
	sqlite3_stmt *s = lg_stmt(db, "SELECT sink, bits FROM logging_pending"
				  " WHERE chunk = ?1");
	struct queue_row *r, *grown;
	int rc = 0, step;

	memset(q, 0, sizeof *q);
	if (!s)
		return HINGE_EUNAVAIL;
	sqlite3_bind_int64(s, 1, chunk);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		grown = realloc(q->r, (q->n + 1) * sizeof *q->r);
		if (!grown) {
			rc = HINGE_ENOMEM;
			break;
		}
		q->r = grown;
		r = &q->r[q->n++];
		r->len = (size_t)sqlite3_column_bytes(s, 1);
		r->sink = strdup((const char *)sqlite3_column_text(s, 0));
		r->bits = malloc(r->len + 1);
		if (!r->sink || !r->bits)
			rc = HINGE_ENOMEM;
		else if (r->len)
			memcpy(r->bits, sqlite3_column_blob(s, 1), r->len);
		if (r->len > q->len)
			q->len = r->len;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = HINGE_EUNAVAIL;
	lg_stmt_done(s);
	if (rc < 0)
		rows_free(q);
	return rc;
}

/* The events some row of q waits for, as a bitmap of q->len bytes. */
static unsigned char *rows_union(const struct queue_rows *q)
{
	unsigned char *u = calloc(q->len + 1, 1);
	size_t k, b;

	for (k = 0; u && k < q->n; k++)
		for (b = 0; b < q->r[k].len; b++)
			u[b] |= q->r[k].bits[b];
	return u;
}

/*
 * Clear the events of drop (dlen bytes) from sink's row of chunk (every
 * row when sink is NULL), deleting rows left empty and the chunk when no
 * sink waits for any of its events.  *gone gets how many events left the
 * spool (no sink waits for them any more).
 */
static int forget(sqlite3 *db, int64_t chunk, struct queue_rows *q,
		  const char *sink, const unsigned char *drop, size_t dlen,
		  int64_t *gone)
{
	unsigned char *before = rows_union(q), *after;
	size_t k, b, was, now;
	int rc = 0;

	if (!before)
		return HINGE_ENOMEM;
	for (k = 0; k < q->n && rc == 0; k++) {
		struct queue_row *r = &q->r[k];

		if (sink && strcmp(r->sink, sink) != 0)
			continue;
		was = lg_bits_count(r->bits, r->len);
		for (b = 0; b < r->len && b < dlen; b++)
			r->bits[b] &= (unsigned char)~drop[b];
		now = lg_bits_count(r->bits, r->len);
		if (now == was)
			continue;
		if (now == 0) {
			rc = run(db, "DELETE FROM logging_pending WHERE sink = ?1"
				 " AND chunk = ?2", "ti", r->sink, chunk);
			continue;
		}
		sqlite3_stmt *s = lg_stmt(db, "UPDATE logging_pending SET bits = ?3,"
					  " left = ?4 WHERE sink = ?1 AND chunk = ?2");
		if (!s) {
			rc = HINGE_EUNAVAIL;
			break;
		}
		sqlite3_bind_text(s, 1, r->sink, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, chunk);
		sqlite3_bind_blob(s, 3, r->bits, (int)r->len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (int64_t)now);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
		lg_stmt_done(s);
	}
	after = rc == 0 ? rows_union(q) : NULL;
	if (rc == 0 && !after)
		rc = HINGE_ENOMEM;
	if (rc == 0) {
		was = lg_bits_count(before, q->len);
		now = lg_bits_count(after, q->len);
		*gone = (int64_t)(was - now);
		if (now == 0) {
			rc = run(db, "DELETE FROM logging_chunks WHERE id = ?1", "i", chunk);
			if (rc == 0)
				rc = run(db, "DELETE FROM logging_chunk_left WHERE chunk = ?1",
					 "i", chunk);
		} else if (now != was) {
			rc = run(db, "UPDATE logging_chunk_left SET left = ?2 WHERE chunk = ?1",
				 "ii", chunk, (int64_t)now);
		}
	}
	free(before);
	free(after);
	return rc;
}

/* Forget for sink the items[i..end) of one chunk whose gone[] is set. */
static int done_chunk(sqlite3 *db, const char *sink, const struct lg_item *items,
		      const unsigned char *gone, size_t i, size_t end)
{
	struct queue_rows q;
	unsigned char *drop;
	size_t k, len = 0;
	int64_t left;
	int rc;

	for (k = i; k < end; k++)
		if (gone[k] && items[k].index / 8 + 1 > len)
			len = items[k].index / 8 + 1;
	if (len == 0)
		return 0;
	drop = calloc(len, 1);
	if (!drop)
		return HINGE_ENOMEM;
	for (k = i; k < end; k++)
		if (gone[k])
			drop[items[k].index / 8] |= (unsigned char)(1u << (items[k].index % 8));
	rc = rows_load(db, items[i].chunk, &q);
	if (rc == 0) {
		rc = forget(db, items[i].chunk, &q, sink, drop, len, &left);
		rows_free(&q);
	}
	free(drop);
	return rc;
}

int lg_spool_done(sqlite3 *db, const char *sink, const struct lg_item *items,
		  const unsigned char *gone, size_t n)
{
	size_t i = 0, end;
	int rc = 0;

	while (i < n && rc == 0) {
		for (end = i; end < n && items[end].chunk == items[i].chunk; end++)
			;
		rc = done_chunk(db, sink, items, gone, i, end);
		i = end;
	}
	return rc;
}

int lg_spool_retry(sqlite3 *db, const char *sink, int64_t chunk)
{
	return run(db, "UPDATE logging_pending SET attempts = attempts + 1"
		   " WHERE sink = ?1 AND chunk = ?2", "ti", sink, chunk);
}

int lg_spool_dead(sqlite3 *db, const char *sink, const struct lg_item *it,
		  const char *reason, int64_t now_ms)
{
	int rc = run(db, "INSERT INTO logging_dead (sink, event_id, time_ms,"
		     " reason, body) VALUES (?1, ?2, ?3, ?4, ?5)", "ttitt",
		     sink, it->event_id, now_ms, reason, it->body);

	return rc == 0 ? lg_counter_add(db, "dead", 1) : rc;
}

/* Drop the oldest want events of the oldest chunk; *gone: how many went,
 * -1 when the spool is empty. */
static int drop_oldest(sqlite3 *db, int64_t want, int64_t *gone)
{
	sqlite3_stmt *s = lg_stmt(db, "SELECT id FROM logging_chunks ORDER BY id"
				  " LIMIT 1");
	struct queue_rows q;
	unsigned char *u;
	int64_t chunk;
	size_t b, bit;
	int rc;

	*gone = -1;
	if (!s)
		return HINGE_EUNAVAIL;
	rc = sqlite3_step(s);
	chunk = sqlite3_column_int64(s, 0);
	lg_stmt_done(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
	*gone = 0;
	rc = rows_load(db, chunk, &q);
	if (rc < 0)
		return rc;
	u = rows_union(&q);
	if (!u) {
		rows_free(&q);
		return HINGE_ENOMEM;
	}
	/* keep in u only its first want events: those go */
	for (b = 0; b < q.len * 8; b++) {
		bit = (size_t)1 << (b % 8);
		if (!(u[b / 8] & bit))
			continue;
		if (want > 0)
			want--;
		else
			u[b / 8] &= (unsigned char)~bit;
	}
	rc = forget(db, chunk, &q, NULL, u, q.len, gone);
	free(u);
	rows_free(&q);
	return rc;
}

int lg_spool_cap(sqlite3 *db, int64_t cap, int64_t *dropped)
{
	int64_t count, over, gone;
	int rc = 0;

	*dropped = 0;
	if (cap <= 0)
		return 0;
	count = scalar(db, "SELECT coalesce(sum(left), 0) FROM logging_chunk_left", NULL);
	if (count < 0)
		return HINGE_EUNAVAIL;
	/* each round drops events or deletes a chunk that held none */
	for (over = count - cap; over > 0 && rc == 0; over -= gone) {
		rc = drop_oldest(db, over, &gone);
		if (gone < 0)
			break;
		*dropped += gone;
	}
	if (rc == 0 && *dropped)
		rc = lg_counter_add(db, "dropped", *dropped);
	if (rc < 0)
		*dropped = 0;
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
		return scalar(db, "SELECT coalesce(sum(left), 0) FROM logging_chunk_left",
			      NULL);
	return scalar(db, "SELECT coalesce(sum(left), 0) FROM logging_pending"
		      " WHERE sink = ?1", sink);
}
