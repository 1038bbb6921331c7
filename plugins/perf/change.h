/*
 * change.h - the change file `hinge perf propose` writes: an index built
 * by migration.create_index, then a gate that keeps it only when the
 * statement it is for got faster.
 */
#ifndef PERF_CHANGE_H
#define PERF_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/perf/plan.h"

struct perf_proposal {
	const char *schema;
	const char *table;
	char cols[PERF_MAX_COLS][64];
	size_t ncols;
	int64_t queryid;
	double calls, mean_ms, total_ms; /* the statement in the window */
	const char *filter;              /* the plan's filter, as evidence */
	const char *check;               /* "sampled copy" or "hypothetical index" */
	double cost_without, cost_with;  /* its plans' costs */
	double margin;                   /* gain_margin */
	int64_t bake_ms, interval_ms;
	long failure_limit, inconclusive_limit;
};

/*
 * The index name: "<table>_<col>_..._idx", cut to 63 bytes (PostgreSQL's
 * limit), into buf (64 bytes).
 */
void perf_index_name(const struct perf_proposal *p, char *buf);

/*
 * The change file's text (libconfig syntax, strings escaped), with the
 * evidence in its description.  Returns a malloc'ed string the caller
 * frees, or NULL without memory.
 */
char *perf_change_text(const struct perf_proposal *p);

#endif
