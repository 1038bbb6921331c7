/*
 * snapshot.h - snapshots of pg_stat_statements: taken from PostgreSQL,
 * kept in the state database (tables perf_snapshot, perf_query,
 * perf_statement), and loaded back to cover a window.
 */
#ifndef PERF_SNAPSHOT_H
#define PERF_SNAPSHOT_H

#include <libpq-fe.h>

#include "plugins/perf/perf.h"
#include "plugins/perf/pgss.h"

struct perf_snap {
	int64_t taken_ms;
	int64_t scope; /* 0: every statement; else only this queryid's */
	size_t n;
	struct perf_stmt *s; /* s[i].query points into texts[i] */
	char **texts;
};

/*
 * Take a snapshot of the connected database's statements (summed over
 * users and nesting levels), or of statement scope alone when scope is
 * not 0 (what a metric reads: small enough to keep at every read).  Returns 0, or HINGE_EUNAVAIL when the
 * extension is missing, not preloaded or unreadable (logged, with how to
 * enable it), or HINGE_ENOMEM.  Free with perf_snap_free.
 */
int perf_snap_take(const struct perf_ctx *c, PGconn *conn, int64_t scope,
		   struct perf_snap *out);

/*
 * Store a snapshot of database db and prune those older than the
 * snapshot_retention setting, in one transaction.  Returns 0 or <0.
 */
int perf_snap_store(const struct perf_ctx *c, const char *db,
		    const struct perf_snap *snap);

/*
 * Load the latest snapshot of db taken at or before before_ms (after_ms
 * 0), or the earliest taken at or after after_ms and before before_ms:
 * of every statement (scope 0), or one that holds statement scope.
 * Returns 0, HINGE_ENODATA when there is none, or <0.
 */
int perf_snap_load(const struct perf_ctx *c, const char *db, int64_t after_ms,
		   int64_t before_ms, int64_t scope, struct perf_snap *out);

void perf_snap_free(struct perf_snap *snap);

#endif
