/*
 * plan.h - reading EXPLAIN (FORMAT JSON) plans for index advice: the
 * sequential scans that filter, and the columns their filters compare.
 */
#ifndef PERF_PLAN_H
#define PERF_PLAN_H

#include <jansson.h>
#include <stddef.h>

/*
 * The highest parameter number $N in a normalised statement text,
 * outside string literals, quoted identifiers and comments: how many
 * NULLs EXPLAIN EXECUTE passes.  0 when it has none.
 */
int perf_param_count(const char *query);

/*
 * True when EXPLAIN can plan the statement: after leading blanks and
 * comments it starts with SELECT, WITH, UPDATE or DELETE.
 */
int perf_stmt_explainable(const char *query);

/* The Total Cost of a plan's top node; 0 for another shape. */
double perf_plan_cost(const json_t *doc);

/* A sequential scan with a filter; strings borrowed from the plan. */
struct perf_scan {
	const char *schema;
	const char *relation;
	const char *filter;
	double cost;      /* the node's Total Cost */
	double plan_rows; /* its Plan Rows */
};

/*
 * Collect the "Seq Scan" nodes that have a Filter from an EXPLAIN
 * (FORMAT JSON) document (the array PostgreSQL prints), at most max, in
 * plan order.  Returns how many; *root_cost gets the plan's Total Cost
 * (0 when the document has another shape).
 */
size_t perf_plan_seqscans(const json_t *doc, struct perf_scan *out, size_t max,
			  double *root_cost);

/* True when a node of the plan is an index scan of an index on relation
 * (Index Scan, Index Only Scan or Bitmap Index Scan below a heap scan of
 * it). */
int perf_plan_uses_index(const json_t *doc, const char *relation);

/* True when a node of the plan scans the index of that name (a
 * hypothetical index is named "<oid>btree_table_col"). */
int perf_plan_uses_named_index(const json_t *doc, const char *index);

#define PERF_MAX_COLS 4

/*
 * The columns a filter compares with a value, as an index would want
 * them: equality columns first in order of appearance, then at most one
 * range column (<, <=, >, >=); unquoted ("Kind" becomes Kind), without a
 * table prefix, each at most 63 bytes.  Expressions, <> and LIKE are not
 * indexable this way and are left out.  Fills cols[PERF_MAX_COLS][64] and
 * returns how many.
 */
size_t perf_filter_columns(const char *filter, char cols[][64]);

#endif
