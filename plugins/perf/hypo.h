/*
 * hypo.h - a candidate index checked as a hypothetical index of the
 * hypopg extension (Debian's postgresql-15-hypopg): the planner is
 * shown an index that is never built, on the table itself, so even a
 * statement that names its schema can be checked.
 *
 * The setting hypopg says when: "installed" (the default) uses it where
 * the extension is already created in the database; "transient" also
 * where the server has it but the database does not, creating it inside
 * each probe's transaction, which is rolled back, so that the database
 * is left without it (needs the right to CREATE EXTENSION hypopg: a
 * superuser); "off" never uses it.  Without it, the sampled copy.
 */
#ifndef PERF_HYPO_H
#define PERF_HYPO_H

#include <libpq-fe.h>

#include "plugins/perf/explain.h"

enum perf_hypo_mode { PERF_HYPO_OFF, PERF_HYPO_INSTALLED, PERF_HYPO_TRANSIENT };

/* The mode a setting names; -1 for another word. */
int perf_hypo_mode_parse(const char *text);

/* What a run of advice will use. */
struct perf_hypo {
	int usable;    /* 1: check candidates with hypopg */
	int transient; /* create it in each probe's transaction */
	char status[200]; /* for the report: "installed", "transient", or why not */
};

/*
 * Find out whether hypopg can be used on the connected database, as the
 * hypopg setting allows.  "transient" is tried once (created and rolled
 * back) so that a role without the right falls back to the sampled
 * copy with the reason in out->status.
 */
void perf_hypo_detect(const struct perf_ctx *c, PGconn *conn, struct perf_hypo *out);

/*
 * EXPLAIN the statement without and with a hypothetical index on
 * scan's table (cols), in a transaction that is rolled back; the
 * hypothetical index is dropped (hypopg_reset) before it ends.  Fills
 * out (checked, hypothetical, costs, uses_index).  Returns 0, or
 * HINGE_EINVAL with *err (malloc'ed) when PostgreSQL refuses a step.
 */
int perf_explain_hypo(const struct perf_ctx *c, PGconn *conn, const struct perf_hypo *hy,
		      const char *query, const struct perf_scan *scan, char cols[][64],
		      size_t ncols, struct perf_sample *out, char **err);

#endif
