/*
 * probe.c - the steps of an index-advice probe (see probe.h).
 */
#include "plugins/perf/probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void perf_probe_keep_error(PGconn *conn, const PGresult *r, char **err)
{
	const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	if (err != NULL && *err == NULL)
		*err = strdup(m ? m : PQerrorMessage(conn));
}

int perf_probe_run(PGconn *conn, const char *sql, char **err)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		 PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		perf_probe_keep_error(conn, r, err);
	PQclear(r);
	return ok ? 0 : HINGE_EINVAL;
}

int perf_probe_begin(const struct perf_ctx *c, PGconn *conn, char **err)
{
	int64_t ms = c->host->setting_ms(c->p, "explain_timeout");
	char set[200];

	/* Never wait long behind another's lock on the table either. */
	snprintf(set, sizeof(set),
		 "SET LOCAL statement_timeout = %" PRId64 "; "
		 "SET LOCAL lock_timeout = %" PRId64 "; "
		 "SET LOCAL plan_cache_mode = force_generic_plan", ms, ms);
	if (perf_probe_run(conn, "BEGIN", err) != 0 ||
	    perf_probe_run(conn, set, err) != 0)
		return HINGE_EINVAL;
	return 0;
}

int perf_probe_prepare(PGconn *conn, const char *query, char **err)
{
	char *prep = NULL;
	PGresult *r;
	int rc = 0;

	if (asprintf(&prep, "PREPARE perf_advise AS %s", query) < 0)
		return HINGE_ENOMEM;
	r = PQexecParams(conn, prep, 0, NULL, NULL, NULL, NULL, 0);
	free(prep);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		perf_probe_keep_error(conn, r, err);
		rc = HINGE_EINVAL;
	}
	PQclear(r);
	return rc;
}

json_t *perf_probe_explain(PGconn *conn, int nparams, char **err)
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
	else if (PQresultStatus(r) == PGRES_TUPLES_OK && err != NULL && *err == NULL)
		*err = strdup("EXPLAIN returned no plan");
	else
		perf_probe_keep_error(conn, r, err);
	PQclear(r);
	return plan;
}

void perf_probe_end(PGconn *conn)
{
	perf_probe_run(conn, "ROLLBACK", NULL);
	perf_probe_run(conn, "DEALLOCATE ALL", NULL);
}

char *perf_probe_ident(PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));
	char *out = q ? strdup(q) : NULL;

	PQfreemem(q);
	return out;
}

void perf_probe_put_ident(FILE *f, PGconn *conn, const char *name)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));

	fputs(q ? q : "", f);
	PQfreemem(q);
}

char *perf_probe_index_sql(PGconn *conn, const char *schema, const char *table,
			   char cols[][64], size_t ncols)
{
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);

	if (f == NULL)
		return NULL;
	fputs("CREATE INDEX ON ", f);
	if (schema != NULL) {
		perf_probe_put_ident(f, conn, schema);
		fputc('.', f);
	}
	perf_probe_put_ident(f, conn, table);
	for (size_t i = 0; i < ncols; i++) {
		fputs(i ? ", " : " (", f);
		perf_probe_put_ident(f, conn, cols[i]);
	}
	fputc(')', f);
	if (fclose(f) != 0) {
		free(sql);
		return NULL;
	}
	return sql;
}
