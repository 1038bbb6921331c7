/*
 * queries.c - `hinge perf queries`, `hinge perf snapshot` and the
 * snapshot job: query bottlenecks from pg_stat_statements over a window
 * covered by snapshots in the state database.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/queries.h"
#include "plugins/perf/report.h"

/* Take a snapshot of the application's database and keep it. */
static int snapshot_now(const struct perf_ctx *c, PGconn *conn,
			struct perf_snap *snap)
{
	int rc = perf_snap_take(c, conn, 0, snap);

	if (rc == 0 && (rc = perf_snap_store(c, PQdb(conn), snap)) != 0)
		perf_snap_free(snap);
	return rc;
}

int perf_job_snapshot(void *data)
{
	const struct perf_ctx *c = data;
	struct perf_snap snap;
	PGconn *conn;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return rc;
	rc = snapshot_now(c, conn, &snap);
	PQfinish(conn);
	if (rc == 0)
		perf_snap_free(&snap);
	return rc;
}

static void print_snapshot(const json_t *doc)
{
	printf("snapshot of %lld statements of database \"%s\"\n",
	       (long long)json_integer_value(json_object_get(doc, "statements")),
	       json_string_value(json_object_get(doc, "database")));
}

int perf_cmd_snapshot(const struct perf_ctx *c, struct hinge_command *cmd)
{
	struct perf_snap snap;
	PGconn *conn;
	json_t *doc;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return perf_exit_status(rc);
	rc = snapshot_now(c, conn, &snap);
	if (rc != 0) {
		PQfinish(conn);
		return perf_exit_status(rc);
	}
	doc = json_pack("{s:s, s:s, s:I, s:I}", "schema", "hinge.perf.snapshot/1",
			"database", PQdb(conn), "taken_ms", (json_int_t)snap.taken_ms,
			"statements", (json_int_t)snap.n);
	PQfinish(conn);
	perf_snap_free(&snap);
	return perf_cmd_output(c, cmd, doc, print_snapshot);
}

static void print_list(const json_t *list, const char *title)
{
	const json_t *q;
	size_t i;

	printf("%s\n%20s %10s %12s %10s %10s %10s %10s  %s\n", title, "queryid",
	       "calls", "total ms", "mean ms", "stddev ms", "rows", "blks read",
	       "query");
	json_array_foreach(list, i, q)
		printf("%20s %10.0f %12.1f %10.3f %10.3f %10.0f %10.0f  %.60s\n",
		       json_string_value(json_object_get(q, "queryid")),
		       json_number_value(json_object_get(q, "calls")),
		       json_number_value(json_object_get(q, "total_ms")),
		       json_number_value(json_object_get(q, "mean_ms")),
		       json_number_value(json_object_get(q, "stddev_ms")),
		       json_number_value(json_object_get(q, "rows")),
		       json_number_value(json_object_get(q, "shared_blks_read")),
		       json_string_value(json_object_get(q, "query")));
}

static void print_queries(const json_t *doc)
{
	printf("statements %s\n", json_is_null(json_object_get(doc, "from_ms")) ?
	       "since pg_stat_statements was last reset (no older snapshot)" :
	       "over the window covered by snapshots");
	print_list(json_object_get(doc, "by_total_time"), "by total time:");
	print_list(json_object_get(doc, "by_calls"), "by calls:");
}

int perf_window_take(const struct perf_ctx *c, PGconn *conn, int64_t since_ms,
		     struct perf_window *w)
{
	int rc;

	memset(w, 0, sizeof(*w));
	rc = snapshot_now(c, conn, &w->cur);
	if (rc != 0)
		return rc;
	/* Without a snapshot as old as the window, the counters since the
	 * last reset cover it (and maybe more): better than missing part. */
	rc = perf_snap_load(c, PQdb(conn), 0, w->cur.taken_ms - since_ms, 0,
			    &w->base);
	if (rc != 0 && rc != HINGE_ENODATA) {
		perf_window_free(w);
		return rc;
	}
	w->by_total = malloc((w->cur.n + 1) * sizeof(*w->by_total));
	w->by_calls = malloc((w->cur.n + 1) * sizeof(*w->by_calls));
	if (w->by_total == NULL || w->by_calls == NULL) {
		perf_window_free(w);
		return HINGE_ENOMEM;
	}
	w->n = perf_stmt_windows(w->base.s, w->base.n, w->cur.s, w->cur.n, 't',
				 w->by_total);
	perf_stmt_windows(w->base.s, w->base.n, w->cur.s, w->cur.n, 'c',
			  w->by_calls);
	return 0;
}

void perf_window_free(struct perf_window *w)
{
	perf_snap_free(&w->cur);
	perf_snap_free(&w->base);
	free(w->by_total);
	free(w->by_calls);
	memset(w, 0, sizeof(*w));
}

int perf_cmd_queries(const struct perf_ctx *c, struct hinge_command *cmd,
		     const struct perf_args *a)
{
	struct perf_window w;
	PGconn *conn;
	json_t *doc;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return perf_exit_status(rc);
	rc = perf_window_take(c, conn, a->since_ms, &w);
	PQfinish(conn);
	if (rc != 0)
		return perf_exit_status(rc);
	doc = perf_queries_report(w.by_total, w.by_calls, w.n, w.base.taken_ms,
				  w.cur.taken_ms, a->limit);
	perf_window_free(&w);
	return perf_cmd_output(c, cmd, doc, print_queries);
}
