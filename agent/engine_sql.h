/*
 * engine_sql.h - small helpers over sqlite3 for the engine's tables:
 * one statement, parameters bound by a type string.
 *   's' const char * (NULL binds NULL)   'i' int64_t
 *   'b' const void *, size_t (a blob)
 */
#ifndef HINGE_ENGINE_SQL_H
#define HINGE_ENGINE_SQL_H

#include <stdint.h>
#include <sqlite3.h>

/* Run a statement that returns no rows: 0 or HINGE_EUNAVAIL (logged). */
int sql_run(sqlite3 *db, const char *sql, const char *types, ...);

/*
 * The first column of the first row as a malloc'ed string (caller
 * frees), NULL in *out when there is no row or it is NULL.
 * 0 or HINGE_EUNAVAIL.
 */
int sql_text(sqlite3 *db, char **out, const char *sql, const char *types, ...);

/* The first column of the first row as an integer; def when no row. */
int sql_int(sqlite3 *db, int64_t *out, int64_t def, const char *sql,
	    const char *types, ...);

/* Prepare and bind; the caller steps and finalizes.  NULL when it fails. */
sqlite3_stmt *sql_query(sqlite3 *db, const char *sql, const char *types, ...);

/* Column text or "" / NULL helpers for reading rows. */
const char *sql_col(sqlite3_stmt *s, int i);

#endif
