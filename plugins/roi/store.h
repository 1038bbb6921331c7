/*
 * store.h - the roi plugin's tables in the state database: transactions
 * upserted by id, and the one row of sync progress that lets a sync
 * interrupted between pages resume where it stopped.
 *
 * roi_cost keeps the last good answer of the cost query per period.
 * Every function takes the sqlite3 * of a connection the caller owns and
 * runs no transaction of its own: the caller wraps a page and its progress
 * in one (host->db_begin/db_commit), so that both land or neither does.
 * Return 0 or HINGE_EUNAVAIL (the SQLite error goes to err when given).
 */
#ifndef ROI_STORE_H
#define ROI_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "plugins/roi/money.h"
#include "plugins/roi/stripe_parse.h"

/* The versioned migrations the ABI block declares; NULL-terminated. */
extern const char *const roi_store_migrations[];

struct roi_sync_state {
	int64_t cursor;        /* newest created of the last complete sync */
	int running;           /* 1 while a sync is under way (or was cut) */
	int64_t run_gte;       /* the running sync's created[gte] */
	char run_after[64];    /* the last id it stored, "" before page one */
	int64_t run_max;       /* the newest created it has seen */
	int64_t last_ok_ms;    /* when a sync last completed, 0 never */
	char last_error[256];  /* why the last sync failed, "" if it did not */
	int64_t last_error_ms;
	int64_t txns;          /* transactions stored */
};

/* Read the progress row (zeroes before the first sync) into *st. */
int roi_store_load(sqlite3 *db, struct roi_sync_state *st);

/* Mark a sync started from created >= gte, with no page stored yet. */
int roi_store_start(sqlite3 *db, int64_t gte);

/*
 * Upsert the page's transactions by id (a changed one replaces the old
 * row) and move the progress on to its last id.
 */
int roi_store_page(sqlite3 *db, const struct roi_page *page, int64_t now_ms);

/* End the running sync: the cursor moves to its newest created, the
 * error clears. */
int roi_store_finish(sqlite3 *db, int64_t now_ms);

/* Record why the sync failed; its progress stays for the next one. */
int roi_store_fail(sqlite3 *db, const char *why, int64_t now_ms);

/*
 * Call fn for each stored transaction with from <= created < to, oldest
 * first; a non-zero return from fn stops the scan and is returned.
 */
int roi_store_scan(sqlite3 *db, int64_t from, int64_t to,
		   int (*fn)(void *arg, const struct roi_txn *x), void *arg);

/* Keep the cost query's last good answer for a period (reporting-currency
 * minor units), for when the query fails later. */
int roi_store_cost_put(sqlite3 *db, const char *period, int64_t start, int64_t amount,
		       int64_t now_ms);

/* That answer: 0, HINGE_ENODATA when there is none, HINGE_EUNAVAIL. */
int roi_store_cost_get(sqlite3 *db, const char *period, int64_t start, int64_t *amount);

#endif
