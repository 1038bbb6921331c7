/*
 * advise.c - `hinge perf advise` and `hinge perf propose`: indexes for
 * the statements that cost the most, each with its evidence, and the
 * change file that rolls the first one out behind a gate.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/change.h"
#include "plugins/perf/explain.h"
#include "plugins/perf/hypo.h"
#include "plugins/perf/probe.h"
#include "plugins/perf/queries.h"

/* Rows as objects; integer, float and boolean columns typed. */
static json_t *rows_json(const PGresult *r)
{
	json_t *list = json_array();

	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();

		for (int k = 0; k < PQnfields(r); k++) {
			const char *v = PQgetvalue(r, i, k);
			Oid t = PQftype(r, k);
			json_t *jv = PQgetisnull(r, i, k) ? json_null() :
				t == 20 || t == 21 || t == 23 ? json_integer(strtoll(v, NULL, 10)) :
				t == 700 || t == 701 || t == 1700 ? json_real(strtod(v, NULL)) :
				t == 16 ? json_boolean(v[0] == 't') : json_string(v);

			json_object_set_new(o, PQfname(r, k), jv);
		}
		json_array_append_new(list, o);
	}
	return list;
}

/* Rows of a catalog query with text parameters; NULL (logged) on error. */
static json_t *query_json(const struct perf_ctx *c, PGconn *conn, const char *sql,
			  int n, const char *const *params)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	json_t *out = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		out = rows_json(r);
	else
		c->host->log(c->p, HINGE_LOG_WARNING, "cannot read the catalog: %s",
			     PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	PQclear(r);
	return out;
}

static json_t *table_evidence(const struct perf_ctx *c, PGconn *conn,
			      const struct perf_scan *s)
{
	const char *params[2] = { s->schema, s->relation };
	json_t *rows = query_json(c, conn,
		"SELECT schemaname AS schema, relname AS name,"
		" pg_total_relation_size(relid) AS size_bytes, n_live_tup,"
		" (SELECT reltuples::float8 FROM pg_class WHERE oid = relid)"
		" AS reltuples, seq_scan, seq_tup_read,"
		" coalesce(idx_scan, 0) AS idx_scan"
		" FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2",
		2, params);
	json_t *t = json_incref(json_array_get(rows, 0));

	json_decref(rows);
	return t;
}

/* The name of a valid index whose first column is col, or NULL. */
static char *covering_index(const struct perf_ctx *c, PGconn *conn,
			    const struct perf_scan *s, const char *col)
{
	const char *params[3] = { s->schema, s->relation, col };
	json_t *rows = query_json(c, conn,
		"SELECT ic.relname AS name FROM pg_index i"
		" JOIN pg_class ic ON ic.oid = i.indexrelid"
		" JOIN pg_class t ON t.oid = i.indrelid"
		" JOIN pg_namespace n ON n.oid = t.relnamespace"
		" JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]"
		" WHERE n.nspname = $1 AND t.relname = $2 AND a.attname = $3"
		" AND i.indisvalid AND i.indpred IS NULL LIMIT 1", 3, params);
	const char *name = json_string_value(json_object_get(json_array_get(rows, 0),
							     "name"));
	char *out = name ? strdup(name) : NULL;

	json_decref(rows);
	return out;
}

static json_t *index_json(PGconn *conn, const struct perf_scan *s,
			  char cols[][64], size_t ncols)
{
	struct perf_proposal p = { .schema = s->schema, .table = s->relation,
				   .ncols = ncols };
	char name[64], *def = NULL;
	json_t *list = json_array(), *out;
	size_t len = 0;
	FILE *f = open_memstream(&def, &len);

	if (f == NULL)
		return NULL;
	memcpy(p.cols, cols, ncols * sizeof(cols[0]));
	perf_index_name(&p, name);
	fputs("CREATE INDEX CONCURRENTLY ", f);
	perf_probe_put_ident(f, conn, name);
	fputs(" ON ", f);
	perf_probe_put_ident(f, conn, s->schema);
	fputc('.', f);
	perf_probe_put_ident(f, conn, s->relation);
	for (size_t i = 0; i < ncols; i++) {
		fputs(i ? ", " : " (", f);
		perf_probe_put_ident(f, conn, cols[i]);
		json_array_append_new(list, json_string(cols[i]));
	}
	fputc(')', f);
	fclose(f);
	out = json_pack("{s:s, s:o, s:s}", "name", name, "columns", list,
			"definition", def);
	free(def);
	return out;
}

static json_t *check_json(const struct perf_sample *smp)
{
	if (smp->hypothetical)
		return json_pack("{s:s, s:s, s:f, s:f, s:b}", "method",
				 "hypothetical index", "index", smp->index,
				 "cost_without", smp->cost_without, "cost_with",
				 smp->cost_with, "uses_index", smp->uses_index);
	if (!smp->checked)
		return json_pack("{s:s, s:s}", "method", "none", "reason",
				 "the statement names the table with its schema,"
				 " so a sampled copy cannot stand in for it");
	return json_pack("{s:s, s:f, s:f, s:f, s:b}", "method", "sampled copy",
			 "sample_rows", smp->rows, "cost_without", smp->cost_without,
			 "cost_with", smp->cost_with, "uses_index", smp->uses_index);
}

/* The statement's figures in the window, as evidence. */
static json_t *stmt_json(const struct perf_stmt *w)
{
	char id[24];

	snprintf(id, sizeof(id), "%" PRId64, w->queryid);
	return json_pack("{s:s, s:s, s:f, s:f, s:f, s:f}", "queryid", id,
			 "query", w->query, "calls", w->calls, "total_ms",
			 w->total_ms, "mean_ms", perf_stmt_mean(w), "rows", w->rows);
}

static int system_schema(const char *schema)
{
	return schema == NULL || strcmp(schema, "pg_catalog") == 0 ||
	       strcmp(schema, "information_schema") == 0 ||
	       strncmp(schema, "pg_toast", 8) == 0;
}

/* One piece of advice for one scan, or NULL when there is none (no
 * indexable column, an index already leads with it); refusals of
 * PostgreSQL go to refused. */
static json_t *advise_scan(const struct perf_ctx *c, PGconn *conn,
			   const struct perf_hypo *hy, const struct perf_stmt *w,
			   const struct perf_scan *s, double root_cost, json_t *refused)
{
	char cols[PERF_MAX_COLS][64], *covered, *err = NULL;
	size_t n = perf_filter_columns(s->filter, cols);
	struct perf_sample smp;
	json_t *table, *a;
	double rows;
	int rc;

	if (n == 0 || system_schema(s->schema))
		return NULL;
	if ((covered = covering_index(c, conn, s, cols[0])) != NULL) {
		free(covered);
		return NULL;
	}
	table = table_evidence(c, conn, s);
	/* ANALYZE's estimate; the live count where there was none yet. */
	rows = json_number_value(json_object_get(table, "reltuples"));
	if (rows <= 0)
		rows = json_number_value(json_object_get(table, "n_live_tup"));
	rc = hy->usable ? perf_explain_hypo(c, conn, hy, w->query, s, cols, n, &smp, &err) :
	     perf_explain_sample(c, conn, w->query, s, cols, n, rows, &smp, &err);
	if (rc != 0) {
		json_array_append_new(refused, json_pack("{s:o, s:s}", "statement",
			stmt_json(w), "error", err ? err : "no plan"));
		free(err);
		json_decref(table);
		return NULL;
	}
	a = json_pack("{s:o, s:o, s:{s:s, s:s, s:s, s:s, s:f, s:f, s:f}, s:o, s:o, s:b}",
		      "statement", stmt_json(w), "table", table ? table : json_null(),
		      "plan", "node", "Seq Scan", "schema", s->schema, "relation",
		      s->relation, "filter", s->filter, "cost",
		      root_cost, "scan_cost", s->cost, "scan_rows", s->plan_rows,
		      "index", index_json(conn, s, cols, n), "check", check_json(&smp),
		      "advised", !smp.checked || smp.uses_index);
	return a;
}

/* Advice for one statement's scans; refusals go to refused. */
static void advise_stmt(const struct perf_ctx *c, PGconn *conn,
			const struct perf_hypo *hy, const struct perf_stmt *w,
			json_t *advice, json_t *refused)
{
	struct perf_scan scans[8];
	json_t *plan = NULL;
	char *err = NULL;
	double cost;
	size_t n;

	if (!perf_stmt_explainable(w->query))
		return;
	if (perf_explain_generic(c, conn, w->query, &plan, &err) != 0) {
		json_array_append_new(refused, json_pack("{s:o, s:s}", "statement",
			stmt_json(w), "error", err ? err : "no plan"));
		free(err);
		return;
	}
	n = perf_plan_seqscans(plan, scans, 8, &cost);
	for (size_t i = 0; i < n; i++) {
		json_t *a = advise_scan(c, conn, hy, w, &scans[i], cost, refused);

		if (a != NULL)
			json_array_append_new(advice, a);
	}
	json_decref(plan);
}

static const struct {
	const char *key;
	const char *sql;
} catalog_sql[] = {
	{ "seq_scan_tables",
	  "SELECT schemaname AS schema, relname AS name, seq_scan,"
	  " seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, n_live_tup,"
	  " pg_total_relation_size(relid) AS size_bytes"
	  " FROM pg_stat_user_tables WHERE seq_scan > 0"
	  " ORDER BY seq_tup_read DESC, relname LIMIT $1" },
	{ "unused_indexes",
	  "SELECT s.schemaname AS schema, s.relname AS table,"
	  " s.indexrelname AS name, pg_relation_size(s.indexrelid) AS size_bytes"
	  " FROM pg_stat_user_indexes s JOIN pg_index i"
	  " ON i.indexrelid = s.indexrelid WHERE s.idx_scan = 0"
	  " AND NOT i.indisunique AND NOT i.indisprimary"
	  " ORDER BY size_bytes DESC, name LIMIT $1" },
	{ "duplicate_indexes",
	  "SELECT n.nspname AS schema, t.relname AS table,"
	  " string_agg(ic.relname, ', ' ORDER BY ic.relname) AS indexes"
	  " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
	  " JOIN pg_class t ON t.oid = i.indrelid"
	  " JOIN pg_namespace n ON n.oid = t.relnamespace"
	  " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
	  " AND n.nspname !~ '^pg_toast'"
	  " GROUP BY n.nspname, t.relname, i.indkey::text, i.indclass::text,"
	  " coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),"
	  " coalesce(pg_get_expr(i.indpred, i.indrelid), '')"
	  " HAVING count(*) > 1 ORDER BY 1, 2 LIMIT $1" },
};

/* Tables read by sequential scans the most, and indexes never used or
 * duplicated: evidence beside the advice. */
static void catalog_lists(const struct perf_ctx *c, PGconn *conn, long limit,
			  json_t *doc)
{
	char lim[24];
	const char *params[1] = { lim };

	snprintf(lim, sizeof(lim), "%ld", limit);
	for (size_t i = 0; i < sizeof(catalog_sql) / sizeof(catalog_sql[0]); i++)
		json_object_set_new(doc, catalog_sql[i].key,
				    query_json(c, conn, catalog_sql[i].sql, 1, params));
}

/* The advice document "hinge.perf.advice/1" of the top statements. */
static int advise(const struct perf_ctx *c, const struct perf_args *a,
		  json_t **out)
{
	json_t *advice = json_array(), *refused = json_array();
	struct perf_window w;
	struct perf_hypo hy;
	PGconn *conn;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return rc;
	rc = perf_window_take(c, conn, a->since_ms, &w);
	if (rc != 0) {
		PQfinish(conn);
		return rc;
	}
	perf_hypo_detect(c, conn, &hy);
	for (size_t i = 0; i < w.n && i < (size_t)a->limit; i++)
		advise_stmt(c, conn, &hy, &w.by_total[i], advice, refused);
	*out = json_pack("{s:s, s:o, s:I, s:s, s:o, s:o}", "schema",
			 "hinge.perf.advice/1", "from_ms",
			 w.base.taken_ms ? json_integer(w.base.taken_ms) : json_null(),
			 "to_ms", (json_int_t)w.cur.taken_ms, "hypopg", hy.status,
			 "advice", advice, "refused", refused);
	perf_window_free(&w);
	if (*out != NULL)
		catalog_lists(c, conn, a->limit, *out);
	PQfinish(conn);
	return *out ? 0 : HINGE_ENOMEM;
}

static double jnum(const json_t *o, const char *path1, const char *path2)
{
	return json_number_value(json_object_get(json_object_get(o, path1), path2));
}

static const char *jstr(const json_t *o, const char *path1, const char *path2)
{
	return json_string_value(json_object_get(json_object_get(o, path1), path2));
}

static void print_advice(const json_t *doc)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "advice"), i, a) {
		printf("%s %s\n  for statement %s (%.0f calls, mean %.3f ms): %.70s\n"
		       "  plan: Seq Scan on %s.%s, filter %s, cost %.2f\n",
		       json_is_true(json_object_get(a, "advised")) ? "advised:" :
		       "not advised:", jstr(a, "index", "definition"),
		       jstr(a, "statement", "queryid"), jnum(a, "statement", "calls"),
		       jnum(a, "statement", "mean_ms"), jstr(a, "statement", "query"),
		       jstr(a, "plan", "schema"), jstr(a, "plan", "relation"),
		       jstr(a, "plan", "filter"), jnum(a, "plan", "cost"));
		if (jstr(a, "check", "reason"))
			printf("  not checked: %s\n", jstr(a, "check", "reason"));
		else
			printf("  %s: cost %.2f without, %.2f with the index\n",
			       jstr(a, "check", "method"), jnum(a, "check", "cost_without"),
			       jnum(a, "check", "cost_with"));
	}
	json_array_foreach(json_object_get(doc, "refused"), i, a)
		printf("EXPLAIN refused statement %s: %s\n",
		       jstr(a, "statement", "queryid"),
		       json_string_value(json_object_get(a, "error")));
	json_array_foreach(json_object_get(doc, "unused_indexes"), i, a)
		printf("unused index %s on %s.%s\n",
		       json_string_value(json_object_get(a, "name")),
		       json_string_value(json_object_get(a, "schema")),
		       json_string_value(json_object_get(a, "table")));
	json_array_foreach(json_object_get(doc, "duplicate_indexes"), i, a)
		printf("duplicate indexes on %s.%s: %s\n",
		       json_string_value(json_object_get(a, "schema")),
		       json_string_value(json_object_get(a, "table")),
		       json_string_value(json_object_get(a, "indexes")));
	if (json_array_size(json_object_get(doc, "advice")) == 0)
		printf("no index to advise\n");
	printf("hypopg: %s\n", json_string_value(json_object_get(doc, "hypopg")));
}

int perf_cmd_advise(const struct perf_ctx *c, struct hinge_command *cmd,
		    const struct perf_args *a)
{
	json_t *doc = NULL;
	int rc = advise(c, a, &doc);

	if (rc != 0)
		return perf_exit_status(rc);
	return perf_cmd_output(c, cmd, doc, print_advice);
}

/* The first advice proved on a sampled copy or with a hypothetical
 * index (for queryid, if given). */
static const json_t *pick(const json_t *doc, const char *queryid)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "advice"), i, a)
		if (json_is_true(json_object_get(json_object_get(a, "check"),
						 "uses_index")) &&
		    (queryid == NULL ||
		     strcmp(jstr(a, "statement", "queryid"), queryid) == 0))
			return a;
	return NULL;
}

static char *proposal_text(const struct perf_ctx *c, const json_t *a)
{
	const struct hinge_host *h = c->host;
	struct perf_proposal p = {
		.schema = jstr(a, "plan", "schema"),
		.table = jstr(a, "plan", "relation"),
		.queryid = strtoll(jstr(a, "statement", "queryid"), NULL, 10),
		.calls = jnum(a, "statement", "calls"),
		.mean_ms = jnum(a, "statement", "mean_ms"),
		.total_ms = jnum(a, "statement", "total_ms"),
		.filter = jstr(a, "plan", "filter"),
		.check = jstr(a, "check", "method"),
		.cost_without = jnum(a, "check", "cost_without"),
		.cost_with = jnum(a, "check", "cost_with"),
		.margin = h->setting_double(c->p, "gain_margin"),
		.bake_ms = h->setting_ms(c->p, "propose_bake"),
		.interval_ms = h->setting_ms(c->p, "propose_interval"),
		.failure_limit = (long)h->setting_int(c->p, "propose_failure_limit"),
		.inconclusive_limit =
			(long)h->setting_int(c->p, "propose_inconclusive_limit"),
	};
	const json_t *col;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(a, "index"), "columns"),
			   i, col)
		if (p.ncols < PERF_MAX_COLS)
			snprintf(p.cols[p.ncols++], 64, "%s", json_string_value(col));
	return perf_change_text(&p);
}

/* Write the change file, refusing to replace one. */
static int write_change(const struct perf_ctx *c, const char *path,
			const char *text)
{
	FILE *f = fopen(path, "wx");

	if (f == NULL) {
		c->host->log(c->p, HINGE_LOG_ERROR, "cannot write \"%s\": %m%s",
			     path, "; perf propose never replaces a file");
		return HINGE_EINVAL;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		c->host->log(c->p, HINGE_LOG_ERROR, "cannot write \"%s\": %m", path);
		return HINGE_EUNAVAIL;
	}
	return 0;
}

static void print_proposal(const json_t *doc)
{
	const char *file = json_string_value(json_object_get(doc, "file"));
	const json_t *a = json_object_get(doc, "advice");

	if (file)
		printf("wrote %s: %s\n", file, jstr(a, "index", "definition"));
	else
		fputs(json_string_value(json_object_get(doc, "change")), stdout);
}

int perf_cmd_propose(const struct perf_ctx *c, struct hinge_command *cmd,
		     const struct perf_args *a)
{
	json_t *doc = NULL, *out;
	const json_t *best;
	char *text;
	int rc = advise(c, a, &doc);

	if (rc != 0)
		return perf_exit_status(rc);
	if ((best = pick(doc, a->queryid)) == NULL) {
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "no index to propose%s%s: no advice proved on a "
			     "sampled copy or hypothetical index (see hinge perf advise)",
			     a->queryid ? " for statement " : "",
			     a->queryid ? a->queryid : "");
		json_decref(doc);
		return 1;
	}
	text = proposal_text(c, best);
	rc = text == NULL ? HINGE_ENOMEM :
	     a->out ? write_change(c, a->out, text) : 0;
	out = rc ? NULL : json_pack("{s:s, s:s?, s:s, s:O}", "schema",
				    "hinge.perf.proposal/1", "file", a->out,
				    "change", text, "advice", best);
	free(text);
	json_decref(doc);
	if (rc != 0)
		return perf_exit_status(rc);
	return perf_cmd_output(c, cmd, out, print_proposal);
}
