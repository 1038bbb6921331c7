/*
 * probe.h - the steps every index-advice probe takes on PostgreSQL: a
 * transaction under explain_timeout with generic plans, the statement
 * prepared and explained with a NULL per parameter, then rolled back.
 * Each step keeps the server's first message in *err (malloc'ed) when
 * it fails.
 */
#ifndef PERF_PROBE_H
#define PERF_PROBE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>

#include "plugins/perf/perf.h"

/* Keep the server's message of a failed result in *err, unless *err
 * holds one already (err may be NULL). */
void perf_probe_keep_error(PGconn *conn, const PGresult *r, char **err);

/* Run sql (no parameters); 0 or HINGE_EINVAL. */
int perf_probe_run(PGconn *conn, const char *sql, char **err);

/* BEGIN; SET LOCAL statement_timeout and lock_timeout (explain_timeout)
 * and plan_cache_mode = force_generic_plan.  0 or HINGE_EINVAL. */
int perf_probe_begin(const struct perf_ctx *c, PGconn *conn, char **err);

/* PREPARE perf_advise AS query, through the extended protocol (one
 * statement only, whatever the text holds).  0, HINGE_EINVAL or
 * HINGE_ENOMEM. */
int perf_probe_prepare(PGconn *conn, const char *query, char **err);

/* EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE perf_advise with nparams NULLs:
 * the plan document (a new reference), or NULL. */
json_t *perf_probe_explain(PGconn *conn, int nparams, char **err);

/* ROLLBACK, and DEALLOCATE ALL (a prepared statement outlives it). */
void perf_probe_end(PGconn *conn);

/* An identifier quoted as PostgreSQL wants it: malloc'ed (NULL without
 * memory), or printed to f. */
char *perf_probe_ident(PGconn *conn, const char *name);
void perf_probe_put_ident(FILE *f, PGconn *conn, const char *name);

/* "CREATE INDEX ON schema.table (cols...)", every name quoted; schema
 * NULL leaves the table unqualified.  malloc'ed, NULL without memory. */
char *perf_probe_index_sql(PGconn *conn, const char *schema, const char *table,
			   char cols[][64], size_t ncols);

#endif
