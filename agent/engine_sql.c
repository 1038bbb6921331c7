/*
 * engine_sql.c - binding by type string, so that every statement of the
 * engine is one line of SQL and one of parameters.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "agent/engine_sql.h"
#include "agent/log.h"

static sqlite3_stmt *vprepare(sqlite3 *db, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *s;
	int i = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		hlog(HINGE_LOG_ERROR, "hinge", "state database: %s (in %.60s)", sqlite3_errmsg(db), sql);
		return NULL;
	}
	for (const char *t = types; *t != '\0'; t++, i++) {
		if (*t == 's') {
			sqlite3_bind_text(s, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		} else if (*t == 'i') {
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
		} else {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);

			sqlite3_bind_blob64(s, i, p ? p : "", len, SQLITE_TRANSIENT);
		}
	}
	return s;
}

sqlite3_stmt *sql_query(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;

	va_start(ap, types);
	s = vprepare(db, sql, types, ap);
	va_end(ap);
	return s;
}

int sql_run(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = vprepare(db, sql, types, ap);
	va_end(ap);
	if (s == NULL)
		return HINGE_EUNAVAIL;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		hlog(HINGE_LOG_ERROR, "hinge", "state database: %s (in %.60s)", sqlite3_errmsg(db), sql);
		return HINGE_EUNAVAIL;
	}
	return 0;
}

/* Prepare, bind and step once: the statement on its first row (or done). */
static sqlite3_stmt *first_row(sqlite3 *db, int *row, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *s = vprepare(db, sql, types, ap);
	int rc;

	*row = 0;
	if (s == NULL)
		return NULL;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		hlog(HINGE_LOG_ERROR, "hinge", "state database: %s (in %.60s)", sqlite3_errmsg(db), sql);
		sqlite3_finalize(s);
		return NULL;
	}
	*row = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
	return s;
}

int sql_text(sqlite3 *db, char **out, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int row;

	*out = NULL;
	va_start(ap, types);
	s = first_row(db, &row, sql, types, ap);
	va_end(ap);
	if (s == NULL)
		return HINGE_EUNAVAIL;
	if (row)
		*out = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

int sql_int(sqlite3 *db, int64_t *out, int64_t def, const char *sql,
	    const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int row;

	*out = def;
	va_start(ap, types);
	s = first_row(db, &row, sql, types, ap);
	va_end(ap);
	if (s == NULL)
		return HINGE_EUNAVAIL;
	if (row)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

const char *sql_col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}
