/*
 * explain.c - generic plans and sampled copies (see explain.h).
 */
#include "plugins/perf/explain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run sql; on failure copy the server's message to *err. */
static int run(PGconn *conn, const char *sql, char **err)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		 PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && err != NULL && *err == NULL) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		*err = strdup(m ? m : PQerrorMessage(conn));
	}
	PQclear(r);
	return ok ? 0 : HINGE_EINVAL;
}

/* BEGIN, with a timeout and generic plans. */
static int begin(const struct perf_ctx *c, PGconn *conn, char **err)
{
	int64_t ms = c->host->setting_ms(c->p, "explain_timeout");
	char set[200];

	/* Never wait long behind another's lock on the table either. */
	snprintf(set, sizeof(set),
		 "SET LOCAL statement_timeout = %" PRId64 "; "
		 "SET LOCAL lock_timeout = %" PRId64 "; "
		 "SET LOCAL plan_cache_mode = force_generic_plan", ms, ms);
	if (run(conn, "BEGIN", err) != 0 || run(conn, set, err) != 0)
		return HINGE_EINVAL;
	return 0;
}

/* PREPARE through the extended protocol, which runs one statement only,
 * whatever the statistics' text holds. */
static int prepare(PGconn *conn, const char *query, char **err)
{
	char *prep = NULL;
	PGresult *r;
	int rc = 0;

	if (asprintf(&prep, "PREPARE perf_advise AS %s", query) < 0)
		return HINGE_ENOMEM;
	r = PQexecParams(conn, prep, 0, NULL, NULL, NULL, NULL, 0);
	free(prep);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		if (*err == NULL)
			*err = strdup(m ? m : PQerrorMessage(conn));
		rc = HINGE_EINVAL;
	}
	PQclear(r);
	return rc;
}

/* EXPLAIN the prepared statement with a NULL per parameter. */
static json_t *explain(PGconn *conn, int nparams, char **err)
{
	size_t len = 64 + 6 * (size_t)nparams;
	char *sql = malloc(len);
	json_t *plan = NULL;
	PGresult *r;
	size_t n;

	if (sql == NULL)
		return NULL;
	n = (size_t)snprintf(sql, len, "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE perf_advise");
	for (int i = 0; i < nparams; i++)
		n += (size_t)snprintf(sql + n, len - n, "%sNULL", i ? ", " : "(");
	snprintf(sql + n, len - n, "%s", nparams ? ")" : "");
	r = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		plan = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	else if (*err == NULL)
		*err = strdup(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) ?
			      PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
			      "EXPLAIN returned no plan");
	PQclear(r);
	return plan;
}

/* Roll back and forget the prepared statement (PREPARE outlives it). */
static void end(PGconn *conn)
{
	run(conn, "ROLLBACK", NULL);
	run(conn, "DEALLOCATE ALL", NULL);
}

int perf_explain_generic(const struct perf_ctx *c, PGconn *conn,
			 const char *query, json_t **plan, char **err)
{
	int rc = begin(c, conn, err);

	rc = rc ? rc : prepare(conn, query, err);
	*plan = rc == 0 ? explain(conn, perf_param_count(query), err) : NULL;
	end(conn);
	if (rc == 0 && *plan == NULL)
		rc = HINGE_EINVAL;
	return rc;
}

/* A quoted identifier, malloc'ed. */
static char *ident(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	char *out = q ? strdup(q) : NULL;

	PQfreemem(q);
	return out;
}

/* CREATE TEMP TABLE <table> AS a sample of schema.table; ANALYZE it. */
static int make_copy(PGconn *conn, const struct perf_scan *scan, double pct,
		     char **err)
{
	char *s = ident(conn, scan->schema), *t = ident(conn, scan->relation);
	char *sql = NULL;
	int rc = HINGE_ENOMEM;

	if (s && t && asprintf(&sql,
		"CREATE TEMP TABLE %2$s AS SELECT * FROM %1$s.%2$s"
		" TABLESAMPLE SYSTEM (%3$.6f); ANALYZE pg_temp.%2$s",
		s, t, pct) >= 0) {
		rc = run(conn, sql, err);
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
	char *t = ident(conn, scan->relation), *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);
	int rc;

	if (f == NULL || t == NULL) {
		if (f)
			fclose(f);
		free(sql);
		free(t);
		return HINGE_ENOMEM;
	}
	fprintf(f, "CREATE INDEX ON pg_temp.%s (", t);
	for (size_t i = 0; i < ncols; i++) {
		char *col = ident(conn, cols[i]);

		fprintf(f, "%s%s", i ? ", " : "", col ? col : "");
		free(col);
	}
	fputc(')', f);
	fclose(f);
	rc = run(conn, sql, err);
	free(sql);
	free(t);
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
	rc = begin(c, conn, err);
	rc = rc ? rc : make_copy(conn, scan, pct, err);
	rc = rc ? rc : prepare(conn, query, err);
	if (rc == 0 && (without = explain(conn, nparams, err)) != NULL &&
	    index_copy(conn, scan, cols, ncols, err) == 0)
		with = explain(conn, nparams, err);
	end(conn);
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
