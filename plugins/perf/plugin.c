/*
 * plugin.c - the perf plugin: the ABI block, its settings, and the
 * `hinge perf` command, the snapshot job and the metrics it registers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/perf/hypo.h"
#include "plugins/perf/perf.h"

static const struct hinge_setting settings[] = {
	{ "conninfo", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the application's PostgreSQL (URI or key=value, no password)" },
	{ "task_table", HINGE_T_STRING, 0, "execution_tasks", 0, 0,
	  "the task table, \"name\" or \"schema.name\"" },
	{ "task_type_column", HINGE_T_STRING, 0, "task_type", 0, 0,
	  "its column naming a task's type" },
	{ "task_start_column", HINGE_T_STRING, 0, "started_at", 0, 0,
	  "its column of when a task started (a timestamp)" },
	{ "task_end_column", HINGE_T_STRING, 0, "finished_at", 0, 0,
	  "its column of when a task finished; NULL while it runs" },
	{ "task_status_column", HINGE_T_STRING, 0, "status", 0, 0,
	  "its column of a task's status" },
	{ "task_failed_status", HINGE_T_STRING, 0, "failed", 0, 0,
	  "the status value of a failed task" },
	{ "failure_weight", HINGE_T_DOUBLE, 0, "1", 0, 1000,
	  "impact of a failure, in mean durations of its type (a retry)" },
	{ "window", HINGE_T_DURATION, 0, "24h", 1, 31536000000.0,
	  "the default window of reports and of metrics outside a rollout" },
	{ "limit", HINGE_T_INT, 0, "10", 1, 100000,
	  "rows per ranking in reports" },
	{ "snapshot_interval", HINGE_T_DURATION, 0, "5m", 1, 86400000,
	  "how often the agent snapshots pg_stat_statements" },
	{ "snapshot_retention", HINGE_T_DURATION, 0, "2d", 1, 31536000000.0,
	  "snapshots older than this are pruned" },
	{ "min_calls", HINGE_T_INT, 0, "30", 1, 1000000000,
	  "calls since the stage began before a query metric has data" },
	{ "gain_margin", HINGE_T_DOUBLE, 0, "0.1", 0, 0.99,
	  "the fraction by which a query's mean must drop to be a gain" },
	{ "baseline", HINGE_T_DURATION, 0, "1h", 1, 31536000000.0,
	  "how far before the stage the baseline of query_gain reaches" },
	{ "explain_timeout", HINGE_T_DURATION, 0, "10s", 1, 3600000,
	  "statement_timeout of each EXPLAIN and sampled copy of advice" },
	{ "sample_rows", HINGE_T_INT, 0, "100000", 1, 1000000000,
	  "about how many rows the sampled copy of a table holds" },
	{ "hypopg", HINGE_T_STRING, 0, "installed", 0, 0,
	  "check candidate indexes with hypopg: \"installed\" where the database"
	  " has the extension, \"transient\" also creating it inside each check's"
	  " rolled-back transaction, \"off\" never (sampled copies)" },
	{ "propose_bake", HINGE_T_DURATION, 0, "30m", 1, 31536000000.0,
	  "how long the proposed gate bakes" },
	{ "propose_interval", HINGE_T_DURATION, 0, "1m", 1, 86400000,
	  "how often the proposed gate evaluates" },
	{ "propose_failure_limit", HINGE_T_INT, 0, "1", 0, 1000,
	  "failed evaluations the proposed gate tolerates" },
	{ "propose_inconclusive_limit", HINGE_T_INT, 0, "30", 0, 100000,
	  "evaluations without enough calls the proposed gate tolerates" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

/* Snapshots of pg_stat_statements (scope: NULL for every statement, else
 * the one queryid a metric read); query texts kept once per statement. */
static const char *const migrations[] = {
	"CREATE TABLE perf_snapshot ("
	" id INTEGER PRIMARY KEY, db TEXT NOT NULL, taken_ms INTEGER NOT NULL,"
	" scope INTEGER);"
	"CREATE INDEX perf_snapshot_db_taken ON perf_snapshot (db, taken_ms);"
	"CREATE TABLE perf_query ("
	" db TEXT NOT NULL, queryid INTEGER NOT NULL, query TEXT NOT NULL,"
	" PRIMARY KEY (db, queryid)) WITHOUT ROWID;"
	"CREATE TABLE perf_statement ("
	" snapshot_id INTEGER NOT NULL REFERENCES perf_snapshot (id)"
	"  ON DELETE CASCADE,"
	" queryid INTEGER NOT NULL, calls REAL NOT NULL, total_ms REAL NOT NULL,"
	" sumsq REAL NOT NULL, rows REAL NOT NULL, blks_read REAL NOT NULL,"
	" PRIMARY KEY (snapshot_id, queryid)) WITHOUT ROWID;"
	"CREATE INDEX perf_statement_queryid ON perf_statement (queryid);",
	NULL,
};

int perf_pg_open(const struct perf_ctx *c, PGconn **out)
{
	void *conn = NULL;
	int rc = c->host->pg_connect(c->p, c->host->setting_str(c->p, "conninfo"),
				     &conn);

	if (rc != 0) {
		if (conn != NULL)
			PQfinish(conn);
		c->host->log(c->p, HINGE_LOG_ERROR,
			     "cannot connect to the application's database "
			     "(%s): check perf.conninfo",
			     c->host->setting_where(c->p, "conninfo"));
		return rc;
	}
	/* Keep the plugin's own statements (snapshots, EXPLAIN, sampled
	 * copies) out of the statistics it ranks.  Only a superuser may; for
	 * others the SET fails and changes nothing. */
	PQclear(PQexec(conn, "SET pg_stat_statements.track = 'none'"));
	*out = conn;
	return 0;
}

int64_t perf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int perf_exit_status(int err)
{
	switch (err) {
	case HINGE_OK:
		return 0;
	case HINGE_EINVAL:
		return 2;
	case HINGE_EBUSY:
		return 3;
	case HINGE_EOPERATOR:
		return 4;
	case HINGE_EUNAVAIL:
	case HINGE_ENOMEM:
		return 5;
	default:
		return 1;
	}
}

int perf_cmd_output(const struct perf_ctx *c, struct hinge_command *cmd,
		    json_t *doc, void (*print_text)(const json_t *doc))
{
	if (doc == NULL)
		return perf_exit_status(HINGE_ENOMEM);
	if (c->host->cmd_json(cmd))
		return perf_exit_status(c->host->cmd_print_json(
			cmd, (struct hinge_json *)doc));
	print_text(doc);
	json_decref(doc);
	return 0;
}

static const char usage[] =
	"perf tasks [--since 24h] [--limit N] | queries [--since 24h] [--limit N]"
	" | snapshot | advise [--since 24h] [--limit N]"
	" | propose [--since 24h] [--queryid N] [--out FILE]";

static int perf_command(void *data, struct hinge_command *cmd, int argc,
			char **argv)
{
	const struct perf_ctx *c = data;
	struct perf_args a = {
		.since_ms = c->host->setting_ms(c->p, "window"),
		.limit = (long)c->host->setting_int(c->p, "limit"),
	};
	const char *bad = NULL;

	if (argc < 2 || perf_args_parse(argc, argv, 2, &a, &bad) != 0) {
		if (bad != NULL)
			fprintf(stderr, "hinge: perf: bad option or value at \"%s\"\n",
				bad);
		fprintf(stderr, "usage: hinge %s\n", usage);
		return 2;
	}
	if (strcmp(argv[1], "propose") == 0)
		return perf_cmd_propose(c, cmd, &a);
	if (a.queryid != NULL || a.out != NULL) {
		fprintf(stderr, "hinge: perf: --queryid and --out are for propose\n"
			"usage: hinge %s\n", usage);
		return 2;
	}
	if (strcmp(argv[1], "tasks") == 0)
		return perf_cmd_tasks(c, cmd, &a);
	if (strcmp(argv[1], "queries") == 0)
		return perf_cmd_queries(c, cmd, &a);
	if (strcmp(argv[1], "advise") == 0)
		return perf_cmd_advise(c, cmd, &a);
	if (strcmp(argv[1], "snapshot") == 0 && argc == 2)
		return perf_cmd_snapshot(c, cmd);
	fprintf(stderr, "hinge: perf: unknown subcommand \"%s\"\nusage: hinge %s\n",
		argv[1], usage);
	return 2;
}

/* Kept for fini, which gets only the plugin handle. */
static const struct hinge_host *perf_host;

static int perf_init(struct hinge_plugin *p, const struct hinge_host *host)
{
	struct perf_ctx *c = malloc(sizeof(*c));
	struct hinge_cmd cmd = {
		.name = "perf",
		.usage = usage,
		.description = "task and query bottlenecks, ranked by impact and frequency",
		.run = perf_command,
	};
	struct hinge_job job = { .name = "snapshot", .run = perf_job_snapshot };
	int rc;

	if (c == NULL)
		return HINGE_ENOMEM;
	if (perf_hypo_mode_parse(host->setting_str(p, "hypopg")) < 0) {
		host->log(p, HINGE_LOG_ERROR, "%s: hypopg: \"%s\" is not installed, "
			  "transient or off", host->setting_where(p, "hypopg"),
			  host->setting_str(p, "hypopg"));
		free(c);
		return HINGE_EINVAL;
	}
	c->p = p;
	c->host = host;
	perf_host = host;
	host->plugin_data_set(p, c);
	cmd.data = c;
	job.data = c;
	job.interval_ms = host->setting_ms(p, "snapshot_interval");
	if ((rc = host->register_command(p, &cmd)) != 0 ||
	    (rc = host->register_job(p, &job)) != 0)
		return rc;
	return perf_metrics_register(c);
}

static void perf_fini(struct hinge_plugin *p)
{
	if (perf_host != NULL)
		free(perf_host->plugin_data_get(p));
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "perf",
	.version = "0.1.0",
	.description = "ranks task and query bottlenecks and proves fixes with gates",
	.settings = settings,
	.migrations = migrations,
	.init = perf_init,
	.fini = perf_fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
