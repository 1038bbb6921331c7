/*
 * stmt.c - a small per-thread statement cache.  sqlite3_close_v2 (what
 * the host uses) keeps a connection alive while statements remain, so a
 * cached entry never points at a freed connection.
 */
#include <stddef.h>

#include "stmt.h"

#define SLOTS 48

static __thread struct {
	sqlite3 *db;
	const char *sql;
	sqlite3_stmt *s;
} cache[SLOTS];
static __thread unsigned next_victim;

sqlite3_stmt *lg_stmt(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	unsigned k;

	for (k = 0; k < SLOTS; k++)
		if (cache[k].db == db && cache[k].sql == sql) {
			sqlite3_reset(cache[k].s);
			sqlite3_clear_bindings(cache[k].s);
			return cache[k].s;
		}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK)
		return NULL;
	for (k = 0; k < SLOTS && cache[k].s; k++)
		;
	if (k == SLOTS) {
		k = next_victim++ % SLOTS;
		sqlite3_finalize(cache[k].s);
	}
	cache[k].db = db;
	cache[k].sql = sql;
	cache[k].s = s;
	return s;
}

void lg_stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
}

void lg_stmt_forget(sqlite3 *db)
{
	unsigned k;

	for (k = 0; k < SLOTS; k++)
		if (cache[k].db == db) {
			sqlite3_finalize(cache[k].s);
			cache[k].db = NULL;
			cache[k].sql = NULL;
			cache[k].s = NULL;
		}
}
