/*
 * spool.h - the durable spool in the state database: events waiting for
 * each sink, the dead letters, the error groups and a few counters.  Every
 * function works on the caller's sqlite3 connection and inside the
 * caller's transaction, so that a source can spool and checkpoint at once.
 */
#ifndef LOGGING_SPOOL_H
#define LOGGING_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The plugin's state-database migrations (the ABI block's migrations). */
extern const char *const lg_spool_migrations[];

/* One event as spooled; every string is borrowed from the caller. */
struct lg_event {
	const char *event_id;    /* 32 hex digits, fixed here for every retry */
	int64_t time_ms;
	const char *source;      /* "agent", "pg", "file:/var/log/x.log" */
	const char *type;        /* the event kind or task type */
	const char *message;     /* scrubbed */
	const char *normalized;  /* the grouping form of message */
	const char *fingerprint; /* lg_fingerprint of the above */
	const char *body;        /* the scrubbed event as JSON object text */
};

/* Samples kept per group, the latest. */
#define LG_SAMPLES 5

/*
 * Spool ev for each of the nsinks sink names, count it in its group and
 * keep it among the group's samples (lg_tally of one event, then
 * lg_spool_queue).  With no sink the event is only counted.  Returns 0 or
 * HINGE_EUNAVAIL (the database refused: disk full, read-only).
 */
int lg_spool_put(sqlite3 *db, const struct lg_event *ev,
		 const char *const *sinks, size_t nsinks);

/*
 * Only store ev (a chunk of one) and queue it for each of the nsinks
 * sinks (nothing with none); counting it is left to an lg_tally the
 * caller flushes in the same transaction.  Returns 0 or HINGE_EUNAVAIL.
 */
int lg_spool_queue(sqlite3 *db, const struct lg_event *ev,
		   const char *const *sinks, size_t nsinks);

struct lg_chunk;

/*
 * Store the events gathered in c as one row, queued for sinks[j] where
 * bit j of their mask was set (nsinks <= LG_CHUNK_SINKS), and empty c
 * (lg_chunk_empty: its memory is kept for the next events).
 * Nothing is written when c holds no event.  Returns 0, HINGE_ENOMEM or
 * HINGE_EUNAVAIL.
 */
int lg_spool_chunk(sqlite3 *db, struct lg_chunk *c, const char *const *sinks,
		   size_t nsinks);

/* One spooled event waiting for a sink. */
struct lg_item {
	int64_t chunk;    /* the spool row ... */
	size_t index;     /* ... and the event's place in it */
	char *event_id;
	char *body;
	int64_t attempts; /* of the row, for this sink */
	int malformed;    /* the body is not a JSON object: a corrupt row */
	char *mem;        /* set on the first item read from a row: the block
			   * that holds its strings and those of the items
			   * after it from the same row */
};

/*
 * The oldest (up to limit) events waiting for sink, into a malloc'ed array
 * *items of *n entries, in spool order (a row's events are consecutive;
 * NULL and 0 when none waits); free with lg_items_free.  The read stops
 * before a row whose waiting events would take it past limit; only a
 * first row that alone holds more is split.  A row's whole
 * text is copied however few of its events wait (a sink sampled down
 * waits for a few of each), so the read also stops after the row that
 * brings the text copied to max_text bytes (one row at least): fewer
 * than limit events do not mean that none is left.  Returns 0 or
 * HINGE_EUNAVAIL / HINGE_ENOMEM.
 */
int lg_spool_batch(sqlite3 *db, const char *sink, int limit, size_t max_text,
		   struct lg_item **items, size_t *n);
void lg_items_free(struct lg_item *items, size_t n);

/*
 * Forget for sink the items[k] whose gone[k] is set (delivered or dead);
 * an event no sink waits for any more leaves the spool, and a row with
 * none left is deleted.  items as lg_spool_batch gave them.
 */
int lg_spool_done(sqlite3 *db, const char *sink, const struct lg_item *items,
		  const unsigned char *gone, size_t n);
/* Not delivered this time: count an attempt on the row for sink. */
int lg_spool_retry(sqlite3 *db, const char *sink, int64_t chunk);
/* Never deliverable to sink: keep it in logging_dead with the reason (the
 * caller then forgets it with lg_spool_done). */
int lg_spool_dead(sqlite3 *db, const char *sink, const struct lg_item *it,
		  const char *reason, int64_t now_ms);

/*
 * Keep at most cap events (events some sink waits for): drop the oldest
 * beyond it, from every sink, and add them to the "dropped" counter.
 * *dropped gets how many went now.  cap <= 0 keeps everything.
 */
int lg_spool_cap(sqlite3 *db, int64_t cap, int64_t *dropped);

/* Add delta to a named counter ("dropped", "delivered"...), or read it. */
int lg_counter_add(sqlite3 *db, const char *name, int64_t delta);
int64_t lg_counter_get(sqlite3 *db, const char *name);

/* How many events wait for sink (all sinks when sink is NULL). */
int64_t lg_spool_pending(sqlite3 *db, const char *sink);

#endif
