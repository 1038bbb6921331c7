/*
 * explain.h - what index advice asks PostgreSQL: the generic plan of a
 * normalised statement, and the plans of a sampled copy of a table
 * without and with a candidate index.  Every probe runs in a transaction
 * that is rolled back, under the explain_timeout setting.
 */
#ifndef PERF_EXPLAIN_H
#define PERF_EXPLAIN_H

#include <jansson.h>
#include <libpq-fe.h>

#include "plugins/perf/perf.h"
#include "plugins/perf/plan.h"

/*
 * The generic plan of a statement with $N parameters: PREPARE, then
 * plan_cache_mode = force_generic_plan and EXPLAIN (FORMAT JSON) EXECUTE
 * with NULLs (PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN)).  Returns 0
 * and *plan (a new reference), or HINGE_EINVAL with *err (malloc'ed,
 * the server's message) when PostgreSQL refuses the statement.
 */
int perf_explain_generic(const struct perf_ctx *c, PGconn *conn,
			 const char *query, json_t **plan, char **err);

/* What the sampled copy, or a hypothetical index, says of a candidate. */
struct perf_sample {
	int checked;        /* 0: the copy could not stand in for the table */
	int hypothetical;   /* 1: checked with hypopg (hypo.h), not a copy */
	char index[64];     /* the hypothetical index's name */
	double rows;        /* rows in the copy */
	double cost_without, cost_with;
	int uses_index;
};

/*
 * Copy about sample_rows rows of schema.table (of about rows rows) into a
 * temporary table of the same name, which the statement's unqualified
 * name then resolves to, and EXPLAIN the statement on it without and with
 * an index on cols.  out->checked is 0 when the statement names the table
 * with its schema (the copy cannot stand in).  Returns 0, or HINGE_EINVAL
 * with *err (malloc'ed) when PostgreSQL refuses a step.
 */
int perf_explain_sample(const struct perf_ctx *c, PGconn *conn,
			const char *query, const struct perf_scan *scan,
			char cols[][64], size_t ncols, double rows,
			struct perf_sample *out, char **err);

#endif
