/*
 * host_standin.c - a small stand-in of the host table for the
 * migration plugin's tests and test_feedback_exposure.c (support code,
 * checked itself by test_host_standin.c): settings and step parameters from tables,
 * artifacts and findings kept in the step, pg_connect and pg_migrate done
 * the way the host does them, against the test PostgreSQL.  It needs no
 * test framework, so that bench/migration_drive.c drives the plugin with
 * it too: a broken promise of the plugin (a finding without a hint,
 * progress going backwards) or of the test's own SQL aborts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/doubles/host_standin.h"

struct hinge_plugin {
	int unused;
};

struct hinge_mquery {
	const char *table;
};

static struct hinge_plugin plugin;
static struct hinge_action actions[16];
static int nactions;
static struct hinge_metric metric;
char mh_conninfo[512];
static struct kv settings[] = {
	{ "conninfo", mh_conninfo },
	{ "lock_timeout", "50" },
	{ "statement_timeout", "0" },
	{ "lock_retries", "2" },
	{ "retry_base", "10" },
	{ "retry_max", "40" },
	{ "long_transaction", "10000" },
	{ "preflight_wait", "100" },
	{ "application_name", "hinge/migration-test" },
	{ "window_days", "*" },
	{ "window_hours", "" },
	{ "window_tz", "UTC" },
	{ "window_poll", "20" },
	{ NULL, NULL },
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	abort();
}

static const char *kv_find(const struct kv *kv, const char *key)
{
	for (; kv->key != NULL; kv++)
		if (strcmp(kv->key, key) == 0)
			return kv->value;
	return NULL;
}

static void h_log(struct hinge_plugin *p, enum hinge_log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)p;
	fprintf(stderr, "# log %d: ", (int)level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *h_setting_str(struct hinge_plugin *p, const char *key)
{
	(void)p;
	return kv_find(settings, key);
}

static int64_t h_setting_int(struct hinge_plugin *p, const char *key)
{
	return atoll(h_setting_str(p, key));
}

static const char *h_setting_where(struct hinge_plugin *p, const char *key)
{
	(void)p;
	(void)key;
	return "test.conf:1";
}

/* A second init (a test of init itself) replaces what the first registered. */
static int h_register_action(struct hinge_plugin *p, const struct hinge_action *a)
{
	int i = 0;

	(void)p;
	while (i < nactions && strcmp(actions[i].name, a->name) != 0)
		i++;
	if (i == nactions && ++nactions > (int)(sizeof(actions) / sizeof(actions[0])))
		die("more than %zu actions", sizeof(actions) / sizeof(actions[0]));
	actions[i] = *a;
	return 0;
}

static int h_register_metric(struct hinge_plugin *p, const struct hinge_metric *m)
{
	(void)p;
	metric = *m;
	return 0;
}

static void h_plugin_data_set(struct hinge_plugin *p, void *data)
{
	(void)p;
	(void)data;
}

static int h_pg_connect(struct hinge_plugin *p, const char *ci, void **out)
{
	PGconn *c = PQconnectdb(ci);

	(void)p;
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return HINGE_EUNAVAIL;
	}
	*out = c;
	return 0;
}

static int stop_after = -1;

void mh_stop_after(int n)
{
	stop_after = n;
}

static int h_stopping(struct hinge_plugin *p)
{
	(void)p;
	if (stop_after < 0)
		return 0;
	return stop_after-- == 0;
}

static int h_sleep_ms(struct hinge_plugin *p, int64_t ms)
{
	(void)p;
	usleep((useconds_t)ms * 1000);
	return 0;
}

/* What the host does, in short: schema hinge, versions, one transaction. */
static int h_pg_migrate(struct hinge_plugin *p, void *conn, const char *const *migrations)
{
	PGresult *r;
	int have, want = 0, ok = 1;
	char sql[160];

	(void)p;
	while (migrations[want] != NULL)
		want++;
	PQclear(PQexec(conn, "BEGIN; SELECT pg_advisory_xact_lock(1);"
			     "CREATE SCHEMA IF NOT EXISTS hinge;"
			     "CREATE TABLE IF NOT EXISTS hinge.schema_versions (component text PRIMARY KEY,"
			     " version int NOT NULL)"));
	r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM hinge.schema_versions"
			 " WHERE component = 'migration'");
	have = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : want;
	PQclear(r);
	for (int v = have; ok && v < want; v++) {
		r = PQexec(conn, migrations[v]);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	snprintf(sql, sizeof(sql), "INSERT INTO hinge.schema_versions VALUES ('migration', %d)"
		 " ON CONFLICT (component) DO UPDATE SET version = %d", want, want);
	PQclear(PQexec(conn, sql));
	PQclear(PQexec(conn, ok ? "COMMIT" : "ROLLBACK"));
	return ok ? 0 : HINGE_EUNAVAIL;
}

static const char *h_param_str(struct hinge_step *st, const char *key)
{
	const char *v = kv_find(st->params, key);

	for (const struct hinge_setting *s = st->action->params; v == NULL && s->key; s++)
		if (strcmp(s->key, key) == 0)
			v = s->def;
	return v;
}

static int64_t h_param_int(struct hinge_step *st, const char *key)
{
	const char *v = h_param_str(st, key);

	return v ? atoll(v) : 0;
}

static double h_param_double(struct hinge_step *st, const char *key)
{
	const char *v = h_param_str(st, key);

	return v ? atof(v) : 0;
}

static int h_param_bool(struct hinge_step *st, const char *key)
{
	const char *v = h_param_str(st, key);

	return v != NULL && strcmp(v, "true") == 0;
}

static int h_param_given(struct hinge_step *st, const char *key)
{
	return kv_find(st->params, key) != NULL;
}

static const char *h_step_name(struct hinge_step *st)
{
	(void)st;
	return "expand";
}

static const char *h_step_rollout(struct hinge_step *st)
{
	(void)st;
	return "r-test";
}

static void h_step_error(struct hinge_step *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->error, sizeof(st->error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# step error: %s\n", st->error);
}

static void h_step_finding(struct hinge_step *st, const char *code, enum hinge_severity sev,
			   const char *message, const char *hint)
{
	if (sev < HINGE_SEV_INFO || sev > HINGE_SEV_ERROR || message == NULL || hint == NULL)
		die("finding %s: bad severity, message or hint", code);
	strcat(st->findings, code);
	strcat(st->findings, " ");
}

static void h_step_progress(struct hinge_step *st, int64_t done, int64_t total)
{
	if (done > total || done < st->progress_done)
		die("progress %lld of %lld after %lld", (long long)done, (long long)total,
		    (long long)st->progress_done);
	st->progress_done = done;
	st->progress_total = total;
}

static int h_checkpoint_set(struct hinge_step *st, const char *text)
{
	snprintf(st->checkpoint, sizeof(st->checkpoint), "%s", text);
	return 0;
}

static const char *h_checkpoint_get(struct hinge_step *st)
{
	return st->checkpoint[0] ? st->checkpoint : NULL;
}

static void h_step_retry_after(struct hinge_step *st, int64_t ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->retry_why, sizeof(st->retry_why), fmt, ap);
	va_end(ap);
	st->retry_ms = ms;
}

static void h_step_inverse(struct hinge_step *st, const char *text)
{
	snprintf(st->inverse, sizeof(st->inverse), "%s", text);
}

static void h_step_lock_target(struct hinge_step *st, const char *target)
{
	snprintf(st->lock, sizeof(st->lock), "%s", target);
}

int mh_artifact_set(struct hinge_step *st, const void *buf, size_t len)
{
	free(st->artifact);
	st->artifact = malloc(len + 1);
	memcpy(st->artifact, buf, len);
	st->artifact_len = len;
	return 0;
}

static int h_artifact_get(struct hinge_step *st, const void **buf, size_t *len)
{
	if (st->artifact == NULL)
		return HINGE_EFAIL;
	*buf = st->artifact;
	*len = st->artifact_len;
	return 0;
}

static const char *h_mq_label(const struct hinge_mquery *q, const char *key)
{
	return strcmp(key, "table") == 0 ? q->table : NULL;
}

static const struct hinge_host host = {
	.size = sizeof(struct hinge_host),
	.major = HINGE_ABI_MAJOR,
	.minor = HINGE_ABI_MINOR,
	.log = h_log,
	.setting_str = h_setting_str,
	.setting_int = h_setting_int,
	.setting_ms = h_setting_int,
	.setting_where = h_setting_where,
	.register_action = h_register_action,
	.register_metric = h_register_metric,
	.plugin_data_set = h_plugin_data_set,
	.pg_connect = h_pg_connect,
	.pg_migrate = h_pg_migrate,
	.sleep_ms = h_sleep_ms,
	.stopping = h_stopping,
	.param_int = h_param_int,
	.param_ms = h_param_int,
	.param_double = h_param_double,
	.step_progress = h_step_progress,
	.checkpoint_set = h_checkpoint_set,
	.checkpoint_get = h_checkpoint_get,
	.step_rollout = h_step_rollout,
	.param_str = h_param_str,
	.param_bool = h_param_bool,
	.param_given = h_param_given,
	.step_name = h_step_name,
	.step_error = h_step_error,
	.step_finding = h_step_finding,
	.step_inverse = h_step_inverse,
	.step_lock_target = h_step_lock_target,
	.artifact_set = mh_artifact_set,
	.artifact_get = h_artifact_get,
	.mq_label = h_mq_label,
	.step_retry_after = h_step_retry_after,
};

/* --- helpers -------------------------------------------------------- */

const struct hinge_action *mh_action(const char *name)
{
	for (int i = 0; i < nactions; i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	die("no action %s", name);
	return NULL;
}

struct hinge_step mh_step(const char *name, const struct kv *params)
{
	struct hinge_step st;

	memset(&st, 0, sizeof(st));
	st.action = mh_action(name);
	st.params = params;
	return st;
}

int mh_forward(struct hinge_step *st)
{
	int rc;

	if ((rc = CALL(st, check)) != 0 || (rc = CALL(st, probe)) != 0 ||
	    (rc = CALL(st, capture)) != 0 || (rc = CALL(st, rehearse)) != 0 ||
	    (rc = CALL(st, apply)) != 0)
		return rc;
	return CALL(st, verify);
}

void mh_step_free(struct hinge_step *st)
{
	free(st->artifact);
	st->artifact = NULL;
}


PGconn *mh_db(void)
{
	PGconn *c = PQconnectdb(mh_conninfo);

	if (PQstatus(c) != CONNECTION_OK)
		die("cannot connect: %s", PQerrorMessage(c));
	return c;
}

void mh_sql_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		die("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The first value of a query, copied into a static buffer. */
const char *mh_value(const char *sql)
{
	static char buf[512];
	PGconn *c = mh_db();
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		die("%s: %s", sql, PQerrorMessage(c));
	snprintf(buf, sizeof(buf), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "(no row)");
	PQclear(r);
	PQfinish(c);
	return buf;
}

int mh_metric_read(const char *table, double *out)
{
	struct hinge_mquery q = { table };

	return metric.read(metric.data, &q, out);
}

int mh_attach(const char *conninfo)
{
	snprintf(mh_conninfo, sizeof(mh_conninfo), "%s", conninfo);
	return hinge_plugin_entry()->init(&plugin, &host);
}

int mh_setup(const char *dbname, const char *fixture)
{
	const char *pghost = getenv("HINGE_TEST_PGHOST");
	char admin[512], sql[256];
	PGconn *c;

	if (pghost == NULL) {
		fprintf(stderr, "# no HINGE_TEST_PGHOST: run through tests/run.sh\n");
		return -1;
	}
	snprintf(admin, sizeof(admin), "host=%s user=postgres dbname=postgres", pghost);
	snprintf(mh_conninfo, sizeof(mh_conninfo), "host=%s user=postgres dbname=%s", pghost, dbname);
	c = PQconnectdb(admin);
	if (PQstatus(c) != CONNECTION_OK)
		return -1;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	PQclear(PQexec(c, sql));
	PQfinish(c);
	c = mh_db();
	mh_sql_ok(c, fixture);
	PQfinish(c);
	return hinge_plugin_entry()->init(&plugin, &host);
}

void mh_teardown(void)
{
	hinge_plugin_entry()->fini(&plugin);
}
void mh_setting_set(const char *key, const char *value)
{
	for (struct kv *kv = settings; kv->key != NULL; kv++)
		if (strcmp(kv->key, key) == 0)
			kv->value = value;
}

PGconn *mh_blocker(const char *lock_sql)
{
	PGconn *c = mh_db();

	/* a test that fails before it commits must not hang the next one */
	mh_sql_ok(c, "SET idle_in_transaction_session_timeout = '30s'");
	mh_sql_ok(c, "BEGIN");
	mh_sql_ok(c, lock_sql);
	return c;
}

