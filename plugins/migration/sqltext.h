/*
 * sqltext.h - plain text work on SQL: no connection, no catalog.  Quoting
 * of identifiers needs a connection (PQescapeIdentifier) and lives in
 * pgconn.c; what is here only rearranges text Hinge already trusts or
 * hands to PostgreSQL to judge.
 */
#ifndef MIGRATION_SQLTEXT_H
#define MIGRATION_SQLTEXT_H

#include <stddef.h>

/*
 * text with every occurrence of from replaced by to, in a new malloc'ed
 * string the caller frees; NULL when out of memory.  An empty from
 * copies text unchanged.
 */
char *mig_replace_all(const char *text, const char *from, const char *to);

/*
 * sql without trailing white space and semicolons, in a new malloc'ed
 * string the caller frees; NULL when out of memory.
 */
char *mig_trim_statement(const char *sql);

/*
 * A dollar-quote tag ("$h1$", "$h2$" ...) that occurs nowhere in text,
 * written to buf.  0, or -1 when buf is too small.
 */
int mig_dollar_tag(const char *text, char *buf, size_t len);

/* 1 when a value PostgreSQL printed reads as true ("t", "true", "1",
 * "on", "yes"; case-insensitive), else 0; NULL is 0. */
int mig_truthy(const char *value);

/*
 * The lock target of a step: "pg:DB/SCHEMA.TABLE", or "pg:DB" when table
 * is NULL, written to buf.  0, or -1 when it does not fit.
 */
int mig_lock_target(char *buf, size_t len, const char *db, const char *schema,
		    const char *table);

/*
 * 1 when a type name is safe to write into DDL once PostgreSQL accepted
 * it as a regtype: no comment, statement separator or line break that
 * could hide the rest of the statement.  0 otherwise.
 */
int mig_type_text_ok(const char *type);

#endif
