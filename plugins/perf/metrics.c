/*
 * metrics.c - the numbers a gate can test: a statement's mean since the
 * stage began and whether that is a proven gain, and a task type's p95
 * and failure rate since the stage began.  Outside a rollout, "since the
 * stage began" is the `window` setting back from now.
 *
 * A statement's stage window starts at the first snapshot taken in the
 * stage that holds it: a gate's first evaluation takes it (each read
 * keeps a snapshot of its one statement), or the agent's job.  Its
 * baseline runs from a snapshot up to `baseline` before the last one
 * taken before the stage, to that one.
 */
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/gain.h"
#include "plugins/perf/perf.h"
#include "plugins/perf/snapshot.h"
#include "plugins/perf/tasks.h"

static int64_t stage_start(const struct perf_ctx *c, const struct hinge_mquery *q)
{
	int64_t t = c->host->mq_stage_start_ms(q);

	return t > 0 ? t : perf_now_ms() - c->host->setting_ms(c->p, "window");
}

/* The snapshots a query metric reads: now, the first of the stage, and
 * the baseline before it (base -> pre). */
struct query_snaps {
	struct perf_snap live, stage, pre, base;
};

static void snaps_free(struct query_snaps *s)
{
	perf_snap_free(&s->live);
	perf_snap_free(&s->stage);
	perf_snap_free(&s->pre);
	perf_snap_free(&s->base);
}

/* Take the live snapshot of statement id (kept: the first read of a
 * stage is its start) and load the others; a missing baseline stays
 * empty. */
static int snaps_load(const struct perf_ctx *c, const struct hinge_mquery *q,
		      int64_t id, struct query_snaps *s)
{
	int64_t start = stage_start(c, q);
	PGconn *conn;
	char *db;
	int rc = perf_pg_open(c, &conn);

	memset(s, 0, sizeof(*s));
	if (rc != 0)
		return rc;
	db = strdup(PQdb(conn));
	rc = db ? perf_snap_take(c, conn, id, &s->live) : HINGE_ENOMEM;
	PQfinish(conn);
	if (rc == 0)
		rc = perf_snap_store(c, db, &s->live);
	if (rc == 0)
		rc = perf_snap_load(c, db, start, s->live.taken_ms, id, &s->stage);
	if (rc == 0 && perf_snap_load(c, db, 0, start, id, &s->pre) == 0 &&
	    perf_snap_load(c, db, s->pre.taken_ms -
			   c->host->setting_ms(c->p, "baseline"),
			   s->pre.taken_ms, id, &s->base) != 0)
		perf_snap_free(&s->base);
	free(db);
	return rc;
}

/* The statement in a snapshot: NULL when there is no snapshot, zero
 * counters when the snapshot is there but the statement had not run. */
static const struct perf_stmt *in_snap(const struct perf_snap *snap, int64_t id,
				       const struct perf_stmt *zero)
{
	const struct perf_stmt *st;

	if (snap->taken_ms == 0)
		return NULL;
	st = perf_stmt_find(snap->s, snap->n, id);
	return st ? st : zero;
}

static int query_read(const struct perf_ctx *c, const struct hinge_mquery *q,
		      int gain, double *out)
{
	const char *label = c->host->mq_label(q, "queryid");
	struct query_snaps s;
	struct perf_stmt zero = { 0 };
	struct perf_gain g;
	char *end;
	int64_t id;
	int rc;

	if (label == NULL || *label == '\0' ||
	    (id = strtoll(label, &end, 10), *end != '\0')) {
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "perf.query_%s needs a label queryid=\"N\" "
			     "(see hinge perf queries)", gain ? "gain" : "mean_ms");
		return HINGE_EINVAL;
	}
	if ((rc = snaps_load(c, q, id, &s)) != 0) {
		snaps_free(&s);
		return rc;
	}
	if (perf_stmt_find(s.live.s, s.live.n, id) == NULL) {
		snaps_free(&s);
		return HINGE_ENODATA;
	}
	rc = perf_gain_decide(in_snap(&s.base, id, &zero), in_snap(&s.pre, id, &zero),
			      perf_stmt_find(s.stage.s, s.stage.n, id),
			      perf_stmt_find(s.live.s, s.live.n, id),
			      (double)c->host->setting_int(c->p, "min_calls"),
			      c->host->setting_double(c->p, "gain_margin"), &g);
	snaps_free(&s);
	if (!gain && g.after.calls >= (double)c->host->setting_int(c->p, "min_calls")) {
		*out = perf_stmt_mean(&g.after);
		return 0;
	}
	if (gain && rc == 0)
		*out = g.gain;
	return gain ? rc : HINGE_ENODATA;
}

static int read_query_mean(void *data, const struct hinge_mquery *q, double *out)
{
	return query_read(data, q, 0, out);
}

static int read_query_gain(void *data, const struct hinge_mquery *q, double *out)
{
	return query_read(data, q, 1, out);
}

/* A task type's stat since the stage began: 'p' p95, 'f' failure rate. */
static int task_read(const struct perf_ctx *c, const struct hinge_mquery *q,
		     int what, double *out)
{
	const char *type = c->host->mq_label(q, "type");
	struct perf_task_stat *cur, *prev;
	size_t ncur, nprev;
	PGconn *conn;
	int rc = perf_pg_open(c, &conn);

	if (rc != 0)
		return rc;
	rc = perf_tasks_read(c, conn, perf_now_ms() - stage_start(c, q),
			     type ? type : "", &cur, &ncur, &prev, &nprev);
	PQfinish(conn);
	if (rc == 0 && ncur == 0)
		rc = HINGE_ENODATA;
	if (rc == 0)
		*out = what == 'p' ? cur[0].p95 : cur[0].failure_rate;
	perf_task_stats_free(cur, ncur);
	perf_task_stats_free(prev, nprev);
	return rc;
}

static int read_task_p95(void *data, const struct hinge_mquery *q, double *out)
{
	return task_read(data, q, 'p', out);
}

static int read_task_failure_rate(void *data, const struct hinge_mquery *q,
				  double *out)
{
	return task_read(data, q, 'f', out);
}

int perf_metrics_register(const struct perf_ctx *c)
{
	const struct hinge_metric m[] = {
		{ "query_mean_ms", "mean ms of statement {queryid} since its first "
		  "reading in the stage (no data below min_calls calls)",
		  read_query_mean, (void *)c, NULL },
		{ "query_gain", "1 when statement {queryid} is faster in the stage "
		  "than before it by gain_margin (one-sided Welch, 95%), else 0",
		  read_query_gain, (void *)c, NULL },
		{ "task_p95_ms", "p95 ms of task {type} (all types without the "
		  "label) since the stage began", read_task_p95, (void *)c, NULL },
		{ "task_failure_rate", "failure rate of task {type} since the "
		  "stage began", read_task_failure_rate, (void *)c, NULL },
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(m) / sizeof(m[0]); i++)
		rc = c->host->register_metric(c->p, &m[i]);
	return rc;
}
