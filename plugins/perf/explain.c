/*
 * explain.c - generic plans and sampled copies (see explain.h).
 */
#include "plugins/perf/explain.h"
#include "plugins/perf/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int perf_explain_generic(const struct perf_ctx *c, PGconn *conn,
			 const char *query, json_t **plan, char **err)
{
	int rc = perf_probe_begin(c, conn, err);

	rc = rc ? rc : perf_probe_prepare(conn, query, err);
	*plan = rc == 0 ? perf_probe_explain(conn, perf_param_count(query), err) : NULL;
	perf_probe_end(conn);
	if (rc == 0 && *plan == NULL)
		rc = HINGE_EINVAL;
	return rc;
}

/* CREATE TEMP TABLE <table> AS a sample of schema.table; ANALYZE it. */
static int make_copy(PGconn *conn, const struct perf_scan *scan, double pct,
		     char **err)
{
	char *s = perf_probe_ident(conn, scan->schema);
	char *t = perf_probe_ident(conn, scan->relation);
	char *sql = NULL;
	int rc = HINGE_ENOMEM;

	if (s && t && asprintf(&sql,
		"CREATE TEMP TABLE %2$s AS SELECT * FROM %1$s.%2$s"
		" TABLESAMPLE SYSTEM (%3$.6f); ANALYZE pg_temp.%2$s",
		s, t, pct) >= 0) {
		rc = perf_probe_run(conn, sql, err);
		free(sql);
	}
	free(s);
	free(t);
	return rc;
}

/* CREATE INDEX ON pg_temp.<table> (cols). */
static int index_copy(PGconn *conn, const struct perf_scan *scan,
		      char cols[][64], size_t ncols, char **err)
{
	char *sql = perf_probe_index_sql(conn, "pg_temp", scan->relation, cols, ncols);
	int rc = sql ? perf_probe_run(conn, sql, err) : HINGE_ENOMEM;

	free(sql);
	return rc;
}

/* Whether the plan scans the copy rather than the table. */
static int on_copy(const json_t *plan, const struct perf_scan *scan)
{
	struct perf_scan s[8];
	double cost;
	size_t n = perf_plan_seqscans(plan, s, 8, &cost);

	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].relation, scan->relation) == 0 &&
		    strncmp(s[i].schema ? s[i].schema : "", "pg_temp", 7) == 0)
			return 1;
	return 0;
}

int perf_explain_sample(const struct perf_ctx *c, PGconn *conn,
			const char *query, const struct perf_scan *scan,
			char cols[][64], size_t ncols, double rows,
			struct perf_sample *out, char **err)
{
	double want = (double)c->host->setting_int(c->p, "sample_rows");
	double pct = rows > want ? 100.0 * want / rows : 100.0;
	int nparams = perf_param_count(query);
	json_t *without = NULL, *with = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	/* The copy must exist before PREPARE resolves the table's name; the
	 * rollback drops it with the index. */
	rc = perf_probe_begin(c, conn, err);
	rc = rc ? rc : make_copy(conn, scan, pct, err);
	rc = rc ? rc : perf_probe_prepare(conn, query, err);
	if (rc == 0 && (without = perf_probe_explain(conn, nparams, err)) != NULL &&
	    index_copy(conn, scan, cols, ncols, err) == 0)
		with = perf_probe_explain(conn, nparams, err);
	perf_probe_end(conn);
	if (rc == 0 && with == NULL)
		rc = HINGE_EINVAL;
	if (rc == 0) {
		out->checked = on_copy(without, scan);
		out->cost_without = perf_plan_cost(without);
		out->cost_with = perf_plan_cost(with);
		out->uses_index = perf_plan_uses_index(with, scan->relation);
		out->rows = rows * pct / 100.0;
	}
	json_decref(without);
	json_decref(with);
	return rc;
}
