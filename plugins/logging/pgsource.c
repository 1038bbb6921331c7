/*
 * pgsource.c - SQL and bookkeeping of the PostgreSQL source.
 *
 * Times travel as microseconds since the epoch, and are turned back into
 * timestamptz by adding an interval: exact, where a float conversion
 * could move a row across the cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "pgsource.h"

/* A quoted identifier, "schema"."table" for a dotted name. */
static int add_ident(struct lg_buf *b, PGconn *conn, const char *name)
{
	const char *dot = strchr(name, '.');
	char *part = dot ? strndup(name, (size_t)(dot - name)) : NULL;
	char *q;

	if (dot) {
		if (!part)
			return HINGE_ENOMEM;
		q = PQescapeIdentifier(conn, part, strlen(part));
		free(part);
		if (!q)
			return HINGE_EINVAL;
		lg_buf_adds(b, q);
		lg_buf_addc(b, '.');
		PQfreemem(q);
		name = dot + 1;
	}
	q = PQescapeIdentifier(conn, name, strlen(name));
	if (!q)
		return HINGE_EINVAL;
	lg_buf_adds(b, q);
	PQfreemem(q);
	return 0;
}

#define AT_US(n) "('epoch'::timestamptz + $" n "::bigint * interval '1 microsecond')"

/* Build a query from a template: each %x in fmt is one identifier. */
static int build(PGconn *conn, const struct lg_pg_table *t, const char *fmt,
		 char **out)
{
	struct lg_buf b = { 0 };
	const char *p;
	int rc = 0;

	for (p = fmt; *p && rc == 0; p++) {
		if (*p != '%') {
			lg_buf_addc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 'T': rc = add_ident(&b, conn, t->table); break;
		case 'i': rc = add_ident(&b, conn, t->id_col); break;
		case 't': rc = add_ident(&b, conn, t->time_col); break;
		case 'm': rc = add_ident(&b, conn, t->message_col); break;
		case 'y': rc = add_ident(&b, conn, t->type_col); break;
		case 's': rc = add_ident(&b, conn, t->status_col); break;
		default: rc = HINGE_EINVAL; break;
		}
	}
	*out = lg_buf_take(&b);
	if (rc < 0 || !*out) {
		free(*out);
		*out = NULL;
		return rc < 0 ? rc : HINGE_ENOMEM;
	}
	return 0;
}

int lg_pg_queries(PGconn *conn, const struct lg_pg_table *t, char **late,
		  char **fresh)
{
	static const char cols[] =
		"SELECT %i::bigint, (extract(epoch FROM %t) * 1000000)::bigint,"
		" coalesce(%m::text, ''), coalesce(%y::text, '') FROM %T"
		" WHERE %s::text = $1 AND ";
	char late_fmt[512], fresh_fmt[512];
	int rc;

	snprintf(late_fmt, sizeof late_fmt, "%s%%t >= " AT_US("2") " - $4::bigint"
		 " * interval '1 microsecond' AND (%%t, %%i) <= (" AT_US("2")
		 ", $3::bigint) ORDER BY %%t, %%i", cols);
	snprintf(fresh_fmt, sizeof fresh_fmt, "%s(%%t, %%i) > (" AT_US("2")
		 ", $3::bigint) ORDER BY %%t, %%i LIMIT $4", cols);
	rc = build(conn, t, late_fmt, late);
	if (rc == 0) {
		rc = build(conn, t, fresh_fmt, fresh);
		if (rc < 0) {
			free(*late);
			*late = NULL;
		}
	}
	return rc;
}

int lg_pg_rate_query(PGconn *conn, const struct lg_pg_table *t, char **sql)
{
	return build(conn, t, "SELECT count(*) FILTER (WHERE %s::text = $1),"
		     " count(*) FROM %T WHERE %t >= " AT_US("2"), sql);
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int lg_pg_cursor_get(sqlite3 *db, const char *name, struct lg_pg_cursor *c)
{
	sqlite3_stmt *s;
	int rc;

	c->time_us = c->id = 0;
	if (sqlite3_prepare_v2(db, "SELECT time_us, id FROM logging_pg_cursor"
			       " WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->time_us = sqlite3_column_int64(s, 0);
		c->id = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int lg_pg_cursor_set(sqlite3 *db, const char *name, const struct lg_pg_cursor *c)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "INSERT INTO logging_pg_cursor (name, time_us, id)"
			       " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE"
			       " SET time_us = excluded.time_us, id = excluded.id",
			       -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->time_us);
	sqlite3_bind_int64(s, 3, c->id);
	return step_done(s);
}

int lg_pg_seen(sqlite3 *db, const char *name, int64_t id, int64_t time_us)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM logging_pg_seen WHERE name = ?1"
			       " AND id = ?2 AND time_us = ?3", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, time_us);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : HINGE_EUNAVAIL;
}

int lg_pg_seen_add(sqlite3 *db, const char *name, int64_t id, int64_t time_us)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "INSERT INTO logging_pg_seen (name, id, time_us)"
			       " VALUES (?1, ?2, ?3) ON CONFLICT (name, id) DO UPDATE"
			       " SET time_us = excluded.time_us", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, time_us);
	return step_done(s);
}

int lg_pg_seen_prune(sqlite3 *db, const char *name, int64_t before_us)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "DELETE FROM logging_pg_seen WHERE name = ?1"
			       " AND time_us < ?2", -1, &s, NULL) != SQLITE_OK)
		return HINGE_EUNAVAIL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, before_us);
	return step_done(s);
}
