/*
 * queries.h - the statements of a window, as `hinge perf queries`
 * reports them and `hinge perf advise` examines them.
 */
#ifndef PERF_QUERIES_H
#define PERF_QUERIES_H

#include <libpq-fe.h>

#include "plugins/perf/perf.h"
#include "plugins/perf/snapshot.h"

struct perf_window {
	struct perf_snap cur;   /* taken now, and kept */
	struct perf_snap base;  /* the window's start; empty: the last reset */
	struct perf_stmt *by_total; /* the windows, by total time */
	struct perf_stmt *by_calls; /* the same, by calls */
	size_t n;
};

/*
 * Snapshot now and load the baseline since_ms back: the latest snapshot
 * at or before then, else none (the window starts at the last reset).  Returns 0, or the
 * snapshot's error (logged).  Free with perf_window_free.
 */
int perf_window_take(const struct perf_ctx *c, PGconn *conn, int64_t since_ms,
		     struct perf_window *w);
void perf_window_free(struct perf_window *w);

#endif
