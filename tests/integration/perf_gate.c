/*
 * perf_gate.c - the perf plugin's metrics as a gate reads them,
 * against the test PostgreSQL: this program is the host (a small host
 * table over libpq and SQLite), so that a stage can be staged by hand.
 * An index that helps makes query_gain 1; one that does not makes it 0;
 * before enough calls it has no data (inconclusive, never a pass).  Task
 * metrics read the type's window since the stage began.
 *
 * Needs HINGE_TEST_PGHOST (tests/run.sh) and HINGE_SRCDIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "plugins/perf/args.h"

/* The host's side of the opaque handles. */
struct hinge_plugin {
	void *data;
};
struct hinge_db {
	sqlite3 *db;
};
struct hinge_mquery {
	const char *label_key, *label;
	int64_t stage_start_ms;
};

static char conninfo[512], state_path[256];
static struct hinge_metric metrics[8];
static size_t nmetrics;
static struct hinge_job job;

static const char *const settings[][2] = {
	{ "conninfo", conninfo }, { "task_table", "public.perf_jobs" },
	{ "task_type_column", "kind" }, { "task_start_column", "began" },
	{ "task_end_column", "ended" }, { "task_status_column", "state" },
	{ "task_failed_status", "error" }, { "failure_weight", "1" },
	{ "window", "24h" }, { "limit", "10" }, { "snapshot_interval", "1m" },
	{ "snapshot_retention", "1d" }, { "min_calls", "30" },
	{ "gain_margin", "0.3" }, { "baseline", "1h" }, { "hypopg", "installed" },
};

static void h_log(struct hinge_plugin *p, enum hinge_log_level l, const char *fmt, ...)
{
	va_list ap;

	(void)p;
	fprintf(stderr, "# perf(%d): ", (int)l);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *h_str(struct hinge_plugin *p, const char *key)
{
	(void)p;
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i][0], key) == 0)
			return settings[i][1];
	fail_msg("undeclared setting %s", key);
	return NULL;
}

static int64_t h_int(struct hinge_plugin *p, const char *key)
{
	return strtoll(h_str(p, key), NULL, 10);
}

static double h_double(struct hinge_plugin *p, const char *key)
{
	return strtod(h_str(p, key), NULL);
}

static int64_t h_ms(struct hinge_plugin *p, const char *key)
{
	int64_t ms = 0;

	assert_int_equal(perf_duration_parse(h_str(p, key), &ms), 0);
	return ms;
}

static const char *h_where(struct hinge_plugin *p, const char *key)
{
	(void)p;
	(void)key;
	return "";
}

static int h_pg_connect(struct hinge_plugin *p, const char *ci, void **out)
{
	PGconn *c = PQconnectdb(ci);

	(void)p;
	*out = c;
	return PQstatus(c) == CONNECTION_OK ? 0 : HINGE_EUNAVAIL;
}

static int h_register_metric(struct hinge_plugin *p, const struct hinge_metric *m)
{
	(void)p;
	metrics[nmetrics++] = *m;
	return 0;
}

static int h_register_job(struct hinge_plugin *p, const struct hinge_job *j)
{
	(void)p;
	job = *j;
	return 0;
}

static int h_register_command(struct hinge_plugin *p, const struct hinge_cmd *c)
{
	(void)p;
	(void)c;
	return 0;
}

static void h_data_set(struct hinge_plugin *p, void *d)
{
	p->data = d;
}

static void *h_data_get(struct hinge_plugin *p)
{
	return p->data;
}

static int h_db_open(struct hinge_plugin *p, struct hinge_db **out)
{
	struct hinge_db *db = calloc(1, sizeof(*db));

	(void)p;
	assert_int_equal(sqlite3_open(state_path, &db->db), SQLITE_OK);
	sqlite3_exec(db->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	*out = db;
	return 0;
}

static void *h_db_sqlite(struct hinge_db *db)
{
	return db->db;
}

static int h_db_begin(struct hinge_db *db)
{
	return sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ? HINGE_EBUSY : 0;
}

static int h_db_commit(struct hinge_db *db)
{
	return sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) ? HINGE_EUNAVAIL : 0;
}

static void h_db_rollback(struct hinge_db *db)
{
	sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

static void h_db_close(struct hinge_db *db)
{
	sqlite3_close(db->db);
	free(db);
}

static const char *h_mq_label(const struct hinge_mquery *q, const char *key)
{
	return q->label_key && strcmp(q->label_key, key) == 0 ? q->label : NULL;
}

static int64_t h_mq_stage(const struct hinge_mquery *q)
{
	return q->stage_start_ms;
}

static const struct hinge_host host = {
	.size = sizeof(struct hinge_host), .major = HINGE_ABI_MAJOR,
	.minor = HINGE_ABI_MINOR, .log = h_log, .setting_str = h_str,
	.setting_int = h_int, .setting_double = h_double, .setting_ms = h_ms,
	.setting_where = h_where, .register_metric = h_register_metric,
	.register_job = h_register_job, .register_command = h_register_command,
	.plugin_data_set = h_data_set, .plugin_data_get = h_data_get,
	.db_open = h_db_open, .db_sqlite = h_db_sqlite, .db_begin = h_db_begin,
	.db_commit = h_db_commit, .db_rollback = h_db_rollback,
	.db_close = h_db_close, .pg_connect = h_pg_connect,
	.mq_label = h_mq_label, .mq_stage_start_ms = h_mq_stage,
};

static struct hinge_plugin plugin;
static PGconn *app;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

static void load_fixture(const char *name)
{
	char path[512], *text;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", getenv("HINGE_SRCDIR"), name);
	assert_non_null(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	exec_ok(app, text);
	free(text);
}

static int setup(void **state)
{
	const char *pghost = getenv("HINGE_TEST_PGHOST");
	const struct hinge_abi *abi = hinge_plugin_entry();
	char admin[300];
	PGconn *c;
	sqlite3 *db;

	(void)state;
	if (pghost == NULL || getenv("HINGE_SRCDIR") == NULL)
		return -1;
	snprintf(admin, sizeof(admin), "host=%s user=postgres dbname=postgres", pghost);
	c = PQconnectdb(admin);
	exec_ok(c, "DROP DATABASE IF EXISTS perf_gate");
	exec_ok(c, "CREATE DATABASE perf_gate");
	PQfinish(c);
	snprintf(conninfo, sizeof(conninfo), "host=%s user=postgres dbname=perf_gate", pghost);
	app = PQconnectdb(conninfo);
	load_fixture("perf_queries.sql");
	load_fixture("perf_tasks.sql");
	exec_ok(app, "CREATE EXTENSION pg_stat_statements");

	snprintf(state_path, sizeof(state_path), "/tmp/perf-gate-%d.db", (int)getpid());
	assert_int_equal(sqlite3_open(state_path, &db), SQLITE_OK);
	for (size_t i = 0; abi->migrations[i]; i++)
		assert_int_equal(sqlite3_exec(db, abi->migrations[i], NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	return abi->init(&plugin, &host);
}

static int teardown(void **state)
{
	(void)state;
	hinge_plugin_entry()->fini(&plugin);
	PQfinish(app);
	unlink(state_path);
	return 0;
}

/* Run each statement with the parameter 1..n, in turns, so that both
 * see the same load (other tests run beside this one). */
static void run_n(const char *sql, const char *other, int n)
{
	for (int i = 1; i <= 2 * n; i++) {
		char v[16];
		const char *p[1] = { v };
		PGresult *r;

		if (other == NULL && i > n)
			break;
		snprintf(v, sizeof(v), "%d", (i + 1) / 2);
		r = PQexecParams(app, i % 2 || other == NULL ? sql : other, 1, NULL,
				 p, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		PQclear(r);
	}
}

static char *queryid_of(const char *sql)
{
	const char *p[1] = { sql };
	PGresult *r = PQexecParams(app,
		"SELECT queryid::text FROM pg_stat_statements WHERE query = $1"
		" AND dbid = (SELECT oid FROM pg_database"
		" WHERE datname = current_database())", 1,
		NULL, p, NULL, NULL, 0);
	char *id;

	assert_int_equal(PQntuples(r), 1);
	id = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return id;
}

static int read_metric(const char *name, const char *key, const char *label,
		       int64_t stage, double *out)
{
	struct hinge_mquery q = { key, label, stage };

	for (size_t i = 0; i < nmetrics; i++)
		if (strcmp(metrics[i].name, name) == 0)
			return metrics[i].read(metrics[i].data, &q, out);
	fail_msg("no metric %s", name);
	return -1;
}

static int state_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n;

	assert_int_equal(sqlite3_open(state_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static const char helped[] = "SELECT count(*) FROM perf_big WHERE k = $1";
static const char unhelped[] = "SELECT count(*) FROM perf_big WHERE abs(k) = $1";

static void test_query_gain(void **state)
{
	char *a, *b;
	double v = -1, mean_a, mean_b;
	int64_t stage;

	(void)state;
	run_n(helped, unhelped, 10); /* warm the cache first */
	assert_int_equal(job.run(job.data), 0); /* the baseline's start */
	run_n(helped, unhelped, 40);
	a = queryid_of(helped);
	b = queryid_of(unhelped);
	pause_ms(5);
	assert_int_equal(job.run(job.data), 0); /* the last before the stage */
	pause_ms(5);
	stage = now_ms();
	pause_ms(5);
	exec_ok(app, "CREATE INDEX perf_big_k ON perf_big (k)");

	/* No calls since the stage began: no data, never a pass.  (A gate's
	 * first evaluation is also the stage's first snapshot of its
	 * statement.) */
	assert_int_equal(read_metric("query_gain", "queryid", a, stage, &v), HINGE_ENODATA);
	assert_int_equal(read_metric("query_mean_ms", "queryid", a, stage, &v), HINGE_ENODATA);
	assert_int_equal(read_metric("query_gain", "queryid", b, stage, &v), HINGE_ENODATA);
	run_n(helped, NULL, 20);
	assert_int_equal(read_metric("query_gain", "queryid", a, stage, &v), HINGE_ENODATA);
	run_n(helped, unhelped, 40);

	assert_int_equal(read_metric("query_gain", "queryid", a, stage, &v), 0);
	assert_float_equal(v, 1, 0);
	assert_int_equal(read_metric("query_gain", "queryid", b, stage, &v), 0);
	assert_float_equal(v, 0, 0);
	assert_int_equal(read_metric("query_mean_ms", "queryid", a, stage, &mean_a), 0);
	assert_int_equal(read_metric("query_mean_ms", "queryid", b, stage, &mean_b), 0);
	assert_true(mean_a * 10 < mean_b);
	/* A gate's reads keep only their statement: small at every read. */
	assert_int_equal(state_count("SELECT count(*) FROM perf_snapshot"
				     " WHERE scope IS NOT NULL"), 8);
	assert_int_equal(state_count("SELECT count(*) FROM perf_statement st"
				     " JOIN perf_snapshot sn ON sn.id = st.snapshot_id"
				     " WHERE sn.scope IS NOT NULL AND st.queryid != sn.scope"), 0);
	assert_int_equal(read_metric("query_gain", NULL, NULL, stage, &v), HINGE_EINVAL);
	assert_int_equal(read_metric("query_gain", "queryid", "", stage, &v), HINGE_EINVAL);
	assert_int_equal(read_metric("query_gain", "queryid", "12345", stage, &v), HINGE_ENODATA);
	free(a);
	free(b);
}

static void test_task_metrics(void **state)
{
	int64_t stage = now_ms() - 3 * 3600 * 1000;
	double v = -1;

	(void)state;
	assert_int_equal(read_metric("task_p95_ms", "type", "fast", stage, &v), 0);
	assert_float_equal(v, 19, 1e-9);
	assert_int_equal(read_metric("task_failure_rate", "type", "slow", stage, &v), 0);
	assert_float_equal(v, 0.25, 1e-12);
	/* Within the last 90 minutes only fast ran. */
	assert_int_equal(read_metric("task_p95_ms", "type", "slow", now_ms() - 5400000, &v),
			 HINGE_ENODATA);
	assert_int_equal(read_metric("task_p95_ms", "type", "none", stage, &v), HINGE_ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_gain),
		cmocka_unit_test(test_task_metrics),
	};
	return cmocka_run_group_tests_name("perf_gate", tests, setup, teardown);
}
