/*
 * hypo.c - candidate indexes checked with hypopg (see hypo.h).
 */
#include "plugins/perf/hypo.h"
#include "plugins/perf/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[] = { "off", "installed", "transient" };

int perf_hypo_mode_parse(const char *text)
{
	for (int i = 0; i < 3; i++)
		if (text != NULL && strcmp(text, mode_names[i]) == 0)
			return i;
	return -1;
}

/* Whether hypopg is created in the database, and whether the server has
 * it to create; -1 when the catalog cannot be read. */
static int hypo_presence(PGconn *conn, int *installed, int *available)
{
	PGresult *r = PQexec(conn,
		"SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'hypopg'),"
		" EXISTS (SELECT FROM pg_available_extensions WHERE name = 'hypopg')");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

	if (ok) {
		*installed = PQgetvalue(r, 0, 0)[0] == 't';
		*available = PQgetvalue(r, 0, 1)[0] == 't';
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* Whether this role may create hypopg: tried in a transaction rolled
 * back; 0, or HINGE_EINVAL with *err. */
static int hypo_try_create(PGconn *conn, char **err)
{
	int rc = perf_probe_run(conn, "BEGIN", err);

	if (rc == 0) {
		rc = perf_probe_run(conn, "CREATE EXTENSION hypopg", err);
		perf_probe_run(conn, "ROLLBACK", NULL);
	}
	return rc;
}

void perf_hypo_detect(const struct perf_ctx *c, PGconn *conn, struct perf_hypo *out)
{
	int mode = perf_hypo_mode_parse(c->host->setting_str(c->p, "hypopg"));
	int installed = 0, available = 0;
	char *err = NULL;

	memset(out, 0, sizeof(*out));
	if (mode == PERF_HYPO_OFF)
		snprintf(out->status, sizeof(out->status), "off (setting perf.hypopg)");
	else if (hypo_presence(conn, &installed, &available) != 0)
		snprintf(out->status, sizeof(out->status), "unknown: cannot read pg_extension");
	else if (installed)
		snprintf(out->status, sizeof(out->status), "installed");
	else if (!available)
		snprintf(out->status, sizeof(out->status),
			 "not on the server (Debian: postgresql-15-hypopg)");
	else if (mode == PERF_HYPO_INSTALLED)
		snprintf(out->status, sizeof(out->status),
			 "not created in the database (CREATE EXTENSION hypopg,"
			 " or perf.hypopg = \"transient\")");
	else if (hypo_try_create(conn, &err) == 0)
		snprintf(out->status, sizeof(out->status), "transient");
	else {
		snprintf(out->status, sizeof(out->status), "cannot be created: %s",
			 err ? err : "out of memory");
		c->host->log(c->p, HINGE_LOG_WARNING, "hypopg %s; checking candidate "
			     "indexes on sampled copies instead", out->status);
	}
	out->usable = strcmp(out->status, "installed") == 0 ||
		      strcmp(out->status, "transient") == 0;
	out->transient = strcmp(out->status, "transient") == 0;
	free(err);
}

/* The quoted schema hypopg's functions live in, malloc'ed. */
static int hypo_schema(PGconn *conn, char **out, char **err)
{
	PGresult *r = PQexec(conn,
		"SELECT quote_ident(n.nspname) FROM pg_extension e"
		" JOIN pg_namespace n ON n.oid = e.extnamespace"
		" WHERE e.extname = 'hypopg'");
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		if (*err == NULL)
			*err = strdup("hypopg is not in pg_extension");
		rc = HINGE_EINVAL;
	} else if ((*out = strdup(PQgetvalue(r, 0, 0))) == NULL) {
		rc = HINGE_ENOMEM;
	}
	PQclear(r);
	return rc;
}

/* hypopg_create_index(index_sql): the hypothetical index's name into
 * name (64 bytes). */
static int hypo_create(PGconn *conn, const char *schema, const char *index_sql,
		       char *name, char **err)
{
	const char *p[1] = { index_sql };
	char *sql = NULL;
	PGresult *r;
	int rc = 0;

	if (asprintf(&sql, "SELECT indexname FROM %s.hypopg_create_index($1)", schema) < 0)
		return HINGE_ENOMEM;
	r = PQexecParams(conn, sql, 1, NULL, p, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		snprintf(name, 64, "%s", PQgetvalue(r, 0, 0));
	} else {
		perf_probe_keep_error(conn, r, err);
		rc = HINGE_EINVAL;
	}
	PQclear(r);
	return rc;
}

/*
 * With the hypothetical index, under a savepoint: the statement prepared
 * again (a plan already cached would not see the index) and explained.
 * Hypothetical indexes live in the session, not the transaction, so it
 * is dropped whatever happened.
 */
static json_t *explain_with(PGconn *conn, const char *schema, const char *index_sql,
			    const char *query, char *name, char **err)
{
	json_t *with = NULL;
	char *reset = NULL;

	if (perf_probe_run(conn, "SAVEPOINT perf_hypo", err) != 0)
		return NULL;
	if (hypo_create(conn, schema, index_sql, name, err) == 0 &&
	    perf_probe_prepare(conn, query, err) == 0)
		with = perf_probe_explain(conn, perf_param_count(query), err);
	if (with == NULL)
		perf_probe_run(conn, "ROLLBACK TO SAVEPOINT perf_hypo", NULL);
	if (asprintf(&reset, "SELECT %s.hypopg_reset()", schema) >= 0)
		perf_probe_run(conn, reset, NULL);
	free(reset);
	return with;
}

int perf_explain_hypo(const struct perf_ctx *c, PGconn *conn, const struct perf_hypo *hy,
		      const char *query, const struct perf_scan *scan, char cols[][64],
		      size_t ncols, struct perf_sample *out, char **err)
{
	char *index_sql = perf_probe_index_sql(conn, scan->schema, scan->relation, cols, ncols);
	char *schema = NULL;
	json_t *without = NULL, *with = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (index_sql == NULL)
		return HINGE_ENOMEM;
	rc = perf_probe_begin(c, conn, err);
	if (rc == 0 && hy->transient)
		rc = perf_probe_run(conn, "CREATE EXTENSION hypopg", err);
	rc = rc ? rc : hypo_schema(conn, &schema, err);
	rc = rc ? rc : perf_probe_prepare(conn, query, err);
	if (rc == 0 && (without = perf_probe_explain(conn, perf_param_count(query), err)) == NULL)
		rc = HINGE_EINVAL;
	rc = rc ? rc : perf_probe_run(conn, "DEALLOCATE perf_advise", err);
	if (rc == 0 && (with = explain_with(conn, schema, index_sql, query, out->index, err)) == NULL)
		rc = HINGE_EINVAL;
	perf_probe_end(conn);
	if (rc == 0) {
		out->checked = out->hypothetical = 1;
		out->cost_without = perf_plan_cost(without);
		out->cost_with = perf_plan_cost(with);
		out->uses_index = perf_plan_uses_named_index(with, out->index);
	}
	json_decref(without);
	json_decref(with);
	free(schema);
	free(index_sql);
	return rc;
}
