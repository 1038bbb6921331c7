/*
 * perf.h - what the perf plugin's glue files share: the plugin handle
 * and host table, and the PostgreSQL connection they all open.
 */
#ifndef PERF_PERF_H
#define PERF_PERF_H

#include <hinge/plugin.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "plugins/perf/args.h"

struct perf_ctx {
	struct hinge_plugin *p;
	const struct hinge_host *host;
};

/*
 * Connect to the application's database (setting conninfo) through the
 * host.  Returns 0 and a PGconn the caller PQfinishes, or the host's
 * HINGE_E* code, logged here.
 */
int perf_pg_open(const struct perf_ctx *c, PGconn **out);

/* Wall-clock milliseconds since the epoch. */
int64_t perf_now_ms(void);

/* The exit status (0-5) of a HINGE_E* code. */
int perf_exit_status(int err);

/*
 * Print a command's document: with --json as is, else through print_text
 * for people.  Takes the reference to doc (NULL: out of memory).
 * Returns the exit status.
 */
int perf_cmd_output(const struct perf_ctx *c, struct hinge_command *cmd,
		    json_t *doc, void (*print_text)(const json_t *doc));

/* `hinge perf tasks`: the task report (tasks.c); returns an exit status. */
int perf_cmd_tasks(const struct perf_ctx *c, struct hinge_command *cmd,
		   const struct perf_args *a);

/* `hinge perf queries` and `hinge perf snapshot` (queries.c). */
int perf_cmd_queries(const struct perf_ctx *c, struct hinge_command *cmd,
		     const struct perf_args *a);
int perf_cmd_snapshot(const struct perf_ctx *c, struct hinge_command *cmd);

/* `hinge perf advise` and `hinge perf propose` (advise.c). */
int perf_cmd_advise(const struct perf_ctx *c, struct hinge_command *cmd,
		    const struct perf_args *a);
int perf_cmd_propose(const struct perf_ctx *c, struct hinge_command *cmd,
		     const struct perf_args *a);

/* The snapshot job (queries.c): 0 or a HINGE_E* code. */
int perf_job_snapshot(void *data);

/* Register the metrics (metrics.c); data is the plugin's perf_ctx. */
int perf_metrics_register(const struct perf_ctx *c);

#endif
