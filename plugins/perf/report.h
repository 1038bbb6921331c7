/*
 * report.h - the documents `hinge perf` prints with --json, and from
 * which its text for people is rendered.
 */
#ifndef PERF_REPORT_H
#define PERF_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "plugins/perf/pgss.h"
#include "plugins/perf/stats.h"

/*
 * The task report "hinge.perf.tasks/1": the types of cur ranked by impact
 * (at most limit of them) and their names by frequency, each compared
 * with the same type in prev (the window before): "slower" is true when
 * a one-sided Welch test at 95% says the mean grew, false when it says
 * nothing of the kind, null when it cannot tell (too few tasks).
 * Returns a new reference the caller owns, or NULL without memory.
 */
json_t *perf_tasks_report(const struct perf_task_stat *cur, size_t ncur,
			  const struct perf_task_stat *prev, size_t nprev,
			  int64_t window_ms, double failure_weight, long limit);

/*
 * The query report "hinge.perf.queries/1" of the window from from_ms (0:
 * since pg_stat_statements was last reset) to to_ms: the statements'
 * windows by total time and by calls (each sorted already, n of them),
 * at most limit of each, with mean, stddev, rows, blocks read and the
 * task type a comment tags them with.  Returns a new reference, or NULL.
 */
json_t *perf_queries_report(const struct perf_stmt *by_total,
			    const struct perf_stmt *by_calls, size_t n,
			    int64_t from_ms, int64_t to_ms, long limit);

#endif
