/*
 * tasks.h - reading finished tasks from the application's task table.
 */
#ifndef PERF_TASKS_H
#define PERF_TASKS_H

#include <libpq-fe.h>

#include "plugins/perf/perf.h"
#include "plugins/perf/stats.h"

/*
 * Task statistics of the window [now - window_ms, now] (*cur) and of the
 * one before it (*prev), by type, from the task table the settings name.
 * When one_type is not NULL only that type is kept; with one_type "" all
 * tasks count as a single type "".  The caller frees both arrays with
 * perf_task_stats_free.  Returns 0, HINGE_EINVAL (the table or a column
 * does not exist: logged with the settings to fix), HINGE_EUNAVAIL or
 * HINGE_ENOMEM.
 */
int perf_tasks_read(const struct perf_ctx *c, PGconn *conn, int64_t window_ms,
		    const char *one_type, struct perf_task_stat **cur,
		    size_t *ncur, struct perf_task_stat **prev, size_t *nprev);

#endif
