/*
 * pgss.h - pg_stat_statements counters as cumulative snapshots, and what
 * a window between two snapshots says: calls, mean, stddev, rows, blocks.
 *
 * pg_stat_statements keeps totals since its last reset; a report over a
 * window is the difference of two snapshots.  The standard deviation of
 * a window comes from sums of squares: each snapshot stores
 * sumsq = calls * (stddev^2 + mean^2) (pg_stat_statements' stddev is the
 * population one), which subtracts like the other counters.
 */
#ifndef PERF_PGSS_H
#define PERF_PGSS_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/perf/welch.h"

/* One statement's cumulative counters, summed over users. */
struct perf_stmt {
	int64_t queryid;
	const char *query; /* borrowed from whoever loaded the snapshot */
	double calls;
	double total_ms;
	double sumsq;
	double rows;
	double blks_read;
};

/*
 * The counters of the window from old to cur: cur - old, or cur itself
 * when old is NULL or the counters went back (a reset in between).
 * query is cur's.
 */
void perf_stmt_delta(const struct perf_stmt *old, const struct perf_stmt *cur,
		     struct perf_stmt *out);

/* Mean and population stddev of a window's calls; 0 with no calls. */
double perf_stmt_mean(const struct perf_stmt *w);
double perf_stmt_stddev(const struct perf_stmt *w);

/* A window as a sample for the Welch test: n = calls, unbiased variance. */
void perf_stmt_summary(const struct perf_stmt *w, struct perf_summary *out);

/* The statement with queryid in s[0..n), or NULL. */
const struct perf_stmt *perf_stmt_find(const struct perf_stmt *s, size_t n,
				       int64_t queryid);

/*
 * Windows of every statement in cur against old (matched by queryid),
 * written to out (room for ncur), dropping statements without calls in
 * the window, sorted by total time (by = 't') or by calls (by = 'c'),
 * largest first, ties by queryid.  Returns how many were written.
 */
size_t perf_stmt_windows(const struct perf_stmt *old, size_t nold,
			 const struct perf_stmt *cur, size_t ncur, int by,
			 struct perf_stmt *out);

/*
 * The task type a statement is tagged with by a SQL comment holding
 * "task=NAME" or "task:NAME" (NAME of letters, digits, '_', '-', '.'),
 * copied into buf (size len, truncated); returns 1, or 0 when untagged.
 */
int perf_stmt_task_tag(const char *query, char *buf, size_t len);

#endif
