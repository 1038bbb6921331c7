/*
 * store.c - roi_txn and roi_sync in the state database.
 */
#include <stdarg.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/store.h"

const char *const roi_store_migrations[] = {
	"CREATE TABLE roi_txn ("
	" id TEXT PRIMARY KEY, created INTEGER NOT NULL, category TEXT NOT NULL,"
	" currency TEXT NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL,"
	" synced_ms INTEGER NOT NULL);"
	"CREATE INDEX roi_txn_created ON roi_txn (created);"
	"CREATE TABLE roi_sync ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), cursor INTEGER NOT NULL DEFAULT 0,"
	" running INTEGER NOT NULL DEFAULT 0, run_gte INTEGER NOT NULL DEFAULT 0,"
	" run_after TEXT NOT NULL DEFAULT '', run_max INTEGER NOT NULL DEFAULT 0,"
	" last_ok_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
	" last_error_ms INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO roi_sync (id) VALUES (1);",
	"CREATE TABLE roi_cost ("
	" period TEXT NOT NULL, start INTEGER NOT NULL, amount INTEGER NOT NULL,"
	" at_ms INTEGER NOT NULL, PRIMARY KEY (period, start));",
	NULL,
};

/* Prepare, bind int64s and texts as the types string says ('i', 't'),
 * step to the end. */
static int run(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	va_start(ap, types);
	for (int i = 0; types[i] != '\0'; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

static void text_col(sqlite3_stmt *s, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	out[0] = '\0';
	if (t != NULL)
		strncat(out, (const char *)t, len - 1);
}

int roi_store_load(sqlite3 *db, struct roi_sync_state *st)
{
	sqlite3_stmt *s;
	int rc;

	memset(st, 0, sizeof(*st));
	if (sqlite3_prepare_v2(db, "SELECT cursor, running, run_gte, run_after, run_max,"
			       " last_ok_ms, last_error, last_error_ms,"
			       " (SELECT count(*) FROM roi_txn) FROM roi_sync WHERE id = 1",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->cursor = sqlite3_column_int64(s, 0);
		st->running = sqlite3_column_int(s, 1);
		st->run_gte = sqlite3_column_int64(s, 2);
		text_col(s, 3, st->run_after, sizeof(st->run_after));
		st->run_max = sqlite3_column_int64(s, 4);
		st->last_ok_ms = sqlite3_column_int64(s, 5);
		text_col(s, 6, st->last_error, sizeof(st->last_error));
		st->last_error_ms = sqlite3_column_int64(s, 7);
		st->txns = sqlite3_column_int64(s, 8);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : HINGE_EUNAVAIL;
}

int roi_store_start(sqlite3 *db, int64_t gte)
{
	return run(db, "UPDATE roi_sync SET running = 1, run_gte = ?, run_after = '',"
		   " run_max = cursor WHERE id = 1", "i", gte);
}

int roi_store_page(sqlite3 *db, const struct roi_page *page, int64_t now_ms)
{
	sqlite3_stmt *s;
	int64_t newest = 0;
	int rc = 0;

	if (page->n == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO roi_txn (id, created, category, currency, amount,"
			       " fee, synced_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO"
			       " UPDATE SET created = excluded.created, category = excluded.category,"
			       " currency = excluded.currency, amount = excluded.amount,"
			       " fee = excluded.fee, synced_ms = excluded.synced_ms",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	for (size_t i = 0; i < page->n && rc == 0; i++) {
		const struct roi_txn *x = &page->txn[i];

		sqlite3_bind_text(s, 1, x->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, x->created);
		sqlite3_bind_text(s, 3, x->category, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, x->currency, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, x->amount);
		sqlite3_bind_int64(s, 6, x->fee);
		sqlite3_bind_int64(s, 7, now_ms);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = HINGE_EUNAVAIL;
		sqlite3_reset(s);
		if (x->created > newest)
			newest = x->created;
	}
	sqlite3_finalize(s);
	if (rc != 0)
		return rc;
	return run(db, "UPDATE roi_sync SET run_after = ?, run_max = max(run_max, ?) WHERE id = 1",
		   "ti", page->txn[page->n - 1].id, newest);
}

int roi_store_finish(sqlite3 *db, int64_t now_ms)
{
	return run(db, "UPDATE roi_sync SET cursor = max(cursor, run_max), running = 0,"
		   " run_after = '', last_ok_ms = ?, last_error = '' WHERE id = 1", "i", now_ms);
}

int roi_store_fail(sqlite3 *db, const char *why, int64_t now_ms)
{
	return run(db, "UPDATE roi_sync SET last_error = ?, last_error_ms = ? WHERE id = 1",
		   "ti", why, now_ms);
}

int roi_store_scan(sqlite3 *db, int64_t from, int64_t to,
		   int (*fn)(void *arg, const struct roi_txn *x), void *arg)
{
	sqlite3_stmt *s;
	struct roi_txn x;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, "SELECT id, created, category, currency, amount, fee"
			       " FROM roi_txn WHERE created >= ? AND created < ? ORDER BY created",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		text_col(s, 0, x.id, sizeof(x.id));
		x.created = sqlite3_column_int64(s, 1);
		text_col(s, 2, x.category, sizeof(x.category));
		text_col(s, 3, x.currency, sizeof(x.currency));
		x.amount = sqlite3_column_int64(s, 4);
		x.fee = sqlite3_column_int64(s, 5);
		rc = fn(arg, &x);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = HINGE_EUNAVAIL;
	sqlite3_finalize(s);
	return rc;
}

int roi_store_cost_put(sqlite3 *db, const char *period, int64_t start, int64_t amount,
		       int64_t now_ms)
{
	return run(db, "INSERT INTO roi_cost (period, start, amount, at_ms) VALUES (?, ?, ?, ?)"
		   " ON CONFLICT (period, start) DO UPDATE SET amount = excluded.amount,"
		   " at_ms = excluded.at_ms", "tiii", period, start, amount, now_ms);
}

int roi_store_cost_get(sqlite3 *db, const char *period, int64_t start, int64_t *amount)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT amount FROM roi_cost WHERE period = ? AND start = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, start);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*amount = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? HINGE_ENODATA : HINGE_EUNAVAIL;
}
