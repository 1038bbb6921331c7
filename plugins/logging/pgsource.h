/*
 * pgsource.h - errors from an application table in PostgreSQL, such as
 * the failed rows of execution_tasks, read incrementally.
 *
 * The cursor is (time, id) of the last row read.  Rows that commit late
 * can carry a time before it; every poll therefore also reads back an
 * overlap window behind the cursor, and ids already spooled there (with
 * the same time) are skipped.  Rows, cursor and seen ids are written to
 * the spool in one transaction, so a crash repeats or loses nothing.
 */
#ifndef LOGGING_PGSOURCE_H
#define LOGGING_PGSOURCE_H

#include <stdint.h>

#include <libpq-fe.h>
#include <sqlite3.h>

/* Where the errors are; the identifiers are quoted when the SQL is built. */
struct lg_pg_table {
	const char *table;       /* "execution_tasks", or "schema.table" */
	const char *id_col;      /* a bigint key */
	const char *time_col;    /* a timestamptz set when the row changes */
	const char *message_col; /* the error text */
	const char *type_col;    /* the task type */
	const char *status_col;  /* rows where this column ... */
	const char *status_value;/* ... equals this one are errors */
};

/*
 * The two queries, malloc'ed into *late and *fresh (the caller frees
 * them), identifiers quoted with PQescapeIdentifier on conn.  Both take
 * $1 status value, $2 cursor time (µs since the epoch), $3 cursor id, and
 * return id, time (µs), message, type:
 *   late:  rows of the overlap window ($4 µs) up to the cursor;
 *   fresh: rows after the cursor, oldest first, at most $4.
 * Returns 0, HINGE_EINVAL (an identifier could not be quoted) or
 * HINGE_ENOMEM.
 */
int lg_pg_queries(PGconn *conn, const struct lg_pg_table *t, char **late,
		  char **fresh);

/*
 * The same for the error rate: $1 status value, $2 since (µs); returns
 * the count of error rows and of all rows changed since then.
 */
int lg_pg_rate_query(PGconn *conn, const struct lg_pg_table *t, char **sql);

/* A cursor as stored in logging_pg_cursor. */
struct lg_pg_cursor {
	int64_t time_us;
	int64_t id;
};

/* Read the cursor of source name (zeros when none yet). */
int lg_pg_cursor_get(sqlite3 *db, const char *name, struct lg_pg_cursor *c);
/* Store it (inside the caller's transaction). */
int lg_pg_cursor_set(sqlite3 *db, const char *name, const struct lg_pg_cursor *c);
/*
 * 1 when row id at time_us was spooled already, 0 when not; <0 on error.
 * lg_pg_seen_add records it; lg_pg_seen_prune forgets those older than
 * before_us.
 */
int lg_pg_seen(sqlite3 *db, const char *name, int64_t id, int64_t time_us);
int lg_pg_seen_add(sqlite3 *db, const char *name, int64_t id, int64_t time_us);
int lg_pg_seen_prune(sqlite3 *db, const char *name, int64_t before_us);

#endif
