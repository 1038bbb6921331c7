/*
 * stmt.h - prepared statements kept per thread and connection, so that a
 * statement run for every event is compiled once.  SQL texts are string
 * literals: the cache knows them by address.
 */
#ifndef LOGGING_STMT_H
#define LOGGING_STMT_H

#include <sqlite3.h>

/*
 * The statement for sql on db, reset and with its bindings cleared; NULL
 * when it does not prepare.  Borrowed: never finalize it; call
 * lg_stmt_done when finished with it, so that a read ends.
 */
sqlite3_stmt *lg_stmt(sqlite3 *db, const char *sql);
void lg_stmt_done(sqlite3_stmt *s);

/* Finalize this thread's statements on db, before the thread closes it. */
void lg_stmt_forget(sqlite3 *db);

#endif
