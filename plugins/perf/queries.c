/*
 * queries.c - `hinge perf queries`, `hinge perf snapshot` and the
 * snapshot job: query bottlenecks from pg_stat_statements over a window
 * covered by snapshots in the state database.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/perf.h"
#include "plugins/perf/report.h"
#include "plugins/perf/snapshot.h"

/* Take a snapshot of the application's database and keep it. */
static int snapshot_now(const struct perf_ctx *c, PGconn *conn,
			struct perf_snap *snap)
{
	int rc = perf_snap_take(c, conn, snap);

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

/* The baseline of a window starting at from: the latest snapshot at or
 * before it, else the earliest one after it (but before now). */
static int baseline(const struct perf_ctx *c, const char *db, int64_t from,
		    int64_t now, struct perf_snap *out)
{
	int rc = perf_snap_load(c, db, 0, from, out);

	if (rc == HINGE_ENODATA)
		rc = perf_snap_load(c, db, from, now, out);
	return rc;
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

/* The report of the window from base (or the last reset) to cur. */
static json_t *window_report(const struct perf_snap *base,
			     const struct perf_snap *cur, long limit)
{
	struct perf_stmt *t = malloc((cur->n + 1) * sizeof(*t));
	struct perf_stmt *k = malloc((cur->n + 1) * sizeof(*k));
	json_t *doc = NULL;
	size_t n;

	if (t && k) {
		n = perf_stmt_windows(base->s, base->n, cur->s, cur->n, 't', t);
		perf_stmt_windows(base->s, base->n, cur->s, cur->n, 'c', k);
		doc = perf_queries_report(t, k, n, base->taken_ms, cur->taken_ms,
					  limit);
	}
	free(t);
	free(k);
	return doc;
}

int perf_cmd_queries(const struct perf_ctx *c, struct hinge_command *cmd,
		     const struct perf_args *a)
{
	struct perf_snap cur, base;
	PGconn *conn;
	json_t *doc;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return perf_exit_status(rc);
	rc = snapshot_now(c, conn, &cur);
	if (rc == 0) {
		rc = baseline(c, PQdb(conn), cur.taken_ms - a->since_ms,
			      cur.taken_ms, &base);
		if (rc == HINGE_ENODATA)
			rc = 0;
	}
	PQfinish(conn);
	if (rc != 0) {
		perf_snap_free(&cur);
		return perf_exit_status(rc);
	}
	doc = window_report(&base, &cur, a->limit);
	perf_snap_free(&base);
	perf_snap_free(&cur);
	return perf_cmd_output(c, cmd, doc, print_queries);
}
