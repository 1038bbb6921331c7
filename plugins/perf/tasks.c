/*
 * tasks.c - `hinge perf tasks`: task bottlenecks from the task table.
 */
#include "plugins/perf/tasks.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/report.h"
#include "plugins/perf/tasksql.h"

static char *quote_ident(void *ctx, const char *ident)
{
	char *q = PQescapeIdentifier(ctx, ident, strlen(ident));
	char *out = q ? strdup(q) : NULL;

	PQfreemem(q);
	return out;
}

static char *task_sql(const struct perf_ctx *c, PGconn *conn)
{
	const struct hinge_host *h = c->host;
	struct perf_task_cols cols = {
		h->setting_str(c->p, "task_table"),
		h->setting_str(c->p, "task_type_column"),
		h->setting_str(c->p, "task_start_column"),
		h->setting_str(c->p, "task_end_column"),
		h->setting_str(c->p, "task_status_column"),
	};

	return perf_tasks_sql(&cols, quote_ident, conn);
}

/* Log why the task table could not be read; returns HINGE_EINVAL for
 * names that do not exist (the settings are wrong), else HINGE_EUNAVAIL. */
static int task_error(const struct perf_ctx *c, const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	int undefined = state && (strcmp(state, "42703") == 0 ||
				  strcmp(state, "42P01") == 0 ||
				  strcmp(state, "3F000") == 0);

	c->host->log(c->p, HINGE_LOG_ERROR, "cannot read the task table \"%s\": %s",
		     c->host->setting_str(c->p, "task_table"),
		     msg ? msg : "no result");
	if (undefined)
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "hint: Set perf.task_table, task_type_column, "
			     "task_start_column, task_end_column and "
			     "task_status_column to the names the table has.");
	else if (state && strcmp(state, "42501") == 0)
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "hint: GRANT SELECT ON the task table TO the role "
			     "of perf.conninfo.");
	return undefined ? HINGE_EINVAL : HINGE_EUNAVAIL;
}

/* Split the rows into the two windows and compute each one's stats. */
static int task_stats(const struct perf_ctx *c, PGresult *r,
		      const char *one_type, struct perf_task_stat **cur,
		      size_t *ncur, struct perf_task_stat **prev, size_t *nprev)
{
	int n = PQntuples(r), rc;
	struct perf_task_row *rows = malloc(((size_t)n + 1) * sizeof(*rows));
	size_t nc = 0, np = (size_t)n;
	double w = c->host->setting_double(c->p, "failure_weight");

	if (rows == NULL)
		return HINGE_ENOMEM;
	/* Current rows fill from the front, previous ones from the back. */
	for (int i = 0; i < n; i++) {
		const char *type = PQgetvalue(r, i, 0);
		struct perf_task_row row;

		if (one_type && *one_type && strcmp(type, one_type) != 0)
			continue;
		row.type = one_type && !*one_type ? "" : type;
		row.ms = strtod(PQgetvalue(r, i, 1), NULL);
		row.failed = PQgetvalue(r, i, 2)[0] == 't';
		if (PQgetvalue(r, i, 3)[0] == 't')
			rows[nc++] = row;
		else
			rows[--np] = row;
	}
	rc = perf_task_stats(rows, nc, w, cur, ncur);
	if (rc == 0)
		rc = perf_task_stats(rows + np, (size_t)n - np, w, prev, nprev);
	free(rows);
	return rc;
}

int perf_tasks_read(const struct perf_ctx *c, PGconn *conn, int64_t window_ms,
		    const char *one_type, struct perf_task_stat **cur,
		    size_t *ncur, struct perf_task_stat **prev, size_t *nprev)
{
	char since[32];
	const char *params[2] = { since,
		c->host->setting_str(c->p, "task_failed_status") };
	char *sql = task_sql(c, conn);
	PGresult *r;
	int rc;

	*cur = *prev = NULL;
	*ncur = *nprev = 0;
	if (sql == NULL) {
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "cannot build the task query: a task table or "
			     "column setting is empty");
		return HINGE_EINVAL;
	}
	snprintf(since, sizeof(since), "%" PRId64, window_ms);
	r = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = task_error(c, r);
	else
		rc = task_stats(c, r, one_type, cur, ncur, prev, nprev);
	PQclear(r);
	if (rc != 0) {
		perf_task_stats_free(*cur, *ncur);
		*cur = NULL;
		*ncur = 0;
	}
	return rc;
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The report as text for people, rendered from the JSON document. */
static void print_text(const json_t *doc)
{
	const json_t *t, *types = json_object_get(doc, "by_impact");
	size_t i;

	printf("task types of the last %.0f s by impact (failures weighted %g; "
	       "nearest-rank percentiles, ms)\n",
	       num(doc, "window_ms") / 1000, num(doc, "failure_weight"));
	printf("%4s %-24s %7s %6s %9s %9s %9s %12s %12s %4s %s\n", "rank",
	       "type", "count", "fail%", "p50", "p95", "p99", "total", "impact",
	       "freq", "vs before");
	json_array_foreach(types, i, t) {
		const json_t *slower = json_object_get(t, "slower");

		printf("%4.0f %-24s %7.0f %6.1f %9.0f %9.0f %9.0f %12.0f %12.0f "
		       "%4.0f %s\n", num(t, "impact_rank"),
		       json_string_value(json_object_get(t, "type")),
		       num(t, "count"), 100 * num(t, "failure_rate"),
		       num(t, "p50_ms"), num(t, "p95_ms"), num(t, "p99_ms"),
		       num(t, "total_ms"), num(t, "impact_ms"),
		       num(t, "frequency_rank"),
		       json_is_true(slower) ? "slower" :
		       json_is_false(slower) ? "not slower" : "-");
	}
	if (json_array_size(types) == 0)
		printf("no finished tasks in the window\n");
}

int perf_cmd_tasks(const struct perf_ctx *c, struct hinge_command *cmd,
		   const struct perf_args *a)
{
	struct perf_task_stat *cur, *prev;
	size_t ncur, nprev;
	PGconn *conn;
	json_t *doc;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return perf_exit_status(rc);
	rc = perf_tasks_read(c, conn, a->since_ms, NULL, &cur, &ncur, &prev,
			     &nprev);
	PQfinish(conn);
	if (rc != 0)
		return perf_exit_status(rc);
	doc = perf_tasks_report(cur, ncur, prev, nprev, a->since_ms,
				c->host->setting_double(c->p, "failure_weight"),
				a->limit);
	perf_task_stats_free(cur, ncur);
	perf_task_stats_free(prev, nprev);
	return perf_cmd_output(c, cmd, doc, print_text);
}
