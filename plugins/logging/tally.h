/*
 * tally.h - group counts, occurrences and samples gathered over one
 * transaction and written once per group when it ends.
 *
 * Counting every event on its own took five statements per event (group
 * upsert, occurrence, sample, ...) and was a fifth of a tailed line's CPU;
 * a transaction of a few thousand lines touches a few groups, so the
 * tally turns those into a few statements per group.  What the tables
 * hold afterwards is what counting the events one by one would have left:
 * the same counts, first and last times, latest sample message, and the
 * same LG_SAMPLES latest samples in the same slots.
 */
#ifndef LOGGING_TALLY_H
#define LOGGING_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "spool.h"

struct lg_tally_group; /* one group's share of the transaction */

struct lg_tally {
	struct lg_tally_group **slots; /* open addressing by fingerprint */
	size_t cap, n;
};

/*
 * Count ev in its group (strings are copied).  An occurrence whose time
 * differs from the group's previous one in this tally writes the earlier
 * occurrences to logging_hits now, inside the caller's transaction.
 * Returns 0, HINGE_ENOMEM or HINGE_EUNAVAIL.
 */
int lg_tally_add(sqlite3 *db, struct lg_tally *t, const struct lg_event *ev);

/*
 * Write what t holds (groups, occurrences, samples) inside the caller's
 * transaction and empty t.  Returns 0 or HINGE_EUNAVAIL; t is emptied
 * either way (the caller rolls back on failure).
 */
int lg_tally_flush(sqlite3 *db, struct lg_tally *t);

/* Empty t without writing (after a rollback) and free its memory. */
void lg_tally_free(struct lg_tally *t);

#endif
