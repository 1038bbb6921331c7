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
 * Only store ev and queue it for each of the nsinks sinks (nothing with
 * none); counting it is left to an lg_tally the caller flushes in the
 * same transaction.  Returns 0 or HINGE_EUNAVAIL.
 */
int lg_spool_queue(sqlite3 *db, const struct lg_event *ev,
		   const char *const *sinks, size_t nsinks);

/* One spooled event waiting for a sink. */
struct lg_item {
	int64_t rowid;
	char *event_id;
	char *body;
	int64_t attempts;
	int malformed; /* the body is not a JSON object: a corrupt row */
};

/*
 * The oldest (up to limit) events waiting for sink, into a malloc'ed array
 * *items of *n entries; free with lg_items_free.  Returns 0 or
 * HINGE_EUNAVAIL / HINGE_ENOMEM.
 */
int lg_spool_batch(sqlite3 *db, const char *sink, int limit,
		   struct lg_item **items, size_t *n);
void lg_items_free(struct lg_item *items, size_t n);

/* Delivered to sink: forget it there (and the event when no sink waits). */
int lg_spool_done(sqlite3 *db, const char *sink, int64_t rowid);
/* lg_spool_done for n events at once, in two statements. */
int lg_spool_done_many(sqlite3 *db, const char *sink, const int64_t *rowids,
		       size_t n);
/* Not delivered this time: count the attempt; it stays spooled. */
int lg_spool_retry(sqlite3 *db, const char *sink, int64_t rowid);
/* Never deliverable to sink: move it to logging_dead with the reason. */
int lg_spool_dead(sqlite3 *db, const char *sink, int64_t rowid,
		  const char *reason, int64_t now_ms);

/*
 * Keep at most cap events: drop the oldest beyond it and add them to the
 * "dropped" counter.  *dropped gets how many went now.  cap <= 0 keeps
 * everything.
 */
int lg_spool_cap(sqlite3 *db, int64_t cap, int64_t *dropped);

/* Add delta to a named counter ("dropped", "delivered"...), or read it. */
int lg_counter_add(sqlite3 *db, const char *name, int64_t delta);
int64_t lg_counter_get(sqlite3 *db, const char *name);

/* How many events wait for sink (all sinks when sink is NULL). */
int64_t lg_spool_pending(sqlite3 *db, const char *sink);

#endif
