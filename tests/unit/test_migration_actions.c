/*
 * test_migration_actions.c - the migration plugin's actions and metric,
 * driven in the order the rollout engine calls them, through a small
 * stand-in of the host table, against the real PostgreSQL of the test
 * harness ($HINGE_TEST_PGHOST).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include <hinge/plugin.h>

#define DB "migration_actions"

/* --- the host stand-in -------------------------------------------- */

struct hinge_plugin {
	int unused;
};

struct kv {
	const char *key, *value;
};

struct hinge_step {
	const struct hinge_action *action;
	const struct kv *params; /* ends with { NULL } */
	char error[1024];
	char inverse[1024];
	char lock[512];
	char findings[256]; /* codes, "M002 M004 " */
	unsigned char *artifact;
	size_t artifact_len;
};

struct hinge_mquery {
	const char *table;
};

static struct hinge_plugin plugin;
static struct hinge_action actions[16];
static int nactions;
static struct hinge_metric metric;
static char conninfo[512];
static struct kv settings[] = {
	{ "conninfo", conninfo },
	{ "lock_timeout", "50" },
	{ "statement_timeout", "0" },
	{ "lock_retries", "2" },
	{ "retry_base", "10" },
	{ "retry_max", "40" },
	{ "long_transaction", "10000" },
	{ "preflight_wait", "100" },
	{ "application_name", "hinge/migration-test" },
	{ NULL, NULL },
};

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

static int h_register_action(struct hinge_plugin *p, const struct hinge_action *a)
{
	(void)p;
	actions[nactions++] = *a;
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
}

static void h_step_finding(struct hinge_step *st, const char *code, enum hinge_severity sev,
			   const char *message, const char *hint)
{
	assert_true(sev >= HINGE_SEV_INFO && sev <= HINGE_SEV_ERROR);
	assert_non_null(message);
	assert_non_null(hint);
	strcat(st->findings, code);
	strcat(st->findings, " ");
}

static void h_step_inverse(struct hinge_step *st, const char *text)
{
	snprintf(st->inverse, sizeof(st->inverse), "%s", text);
}

static void h_step_lock_target(struct hinge_step *st, const char *target)
{
	snprintf(st->lock, sizeof(st->lock), "%s", target);
}

static int h_artifact_set(struct hinge_step *st, const void *buf, size_t len)
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
	.step_rollout = h_step_rollout,
	.param_str = h_param_str,
	.param_bool = h_param_bool,
	.param_given = h_param_given,
	.step_name = h_step_name,
	.step_error = h_step_error,
	.step_finding = h_step_finding,
	.step_inverse = h_step_inverse,
	.step_lock_target = h_step_lock_target,
	.artifact_set = h_artifact_set,
	.artifact_get = h_artifact_get,
	.mq_label = h_mq_label,
};

/* --- helpers -------------------------------------------------------- */

static const struct hinge_action *action(const char *name)
{
	for (int i = 0; i < nactions; i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	fail_msg("no action %s", name);
	return NULL;
}

static struct hinge_step step_new(const char *name, const struct kv *params)
{
	struct hinge_step st;

	memset(&st, 0, sizeof(st));
	st.action = action(name);
	st.params = params;
	return st;
}

static void step_free(struct hinge_step *st)
{
	free(st->artifact);
	st->artifact = NULL;
}

#define CALL(st, cb) ((st)->action->cb((st)->action->data, (st)))

static PGconn *db(void)
{
	PGconn *c = PQconnectdb(conninfo);

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	return c;
}

static void sql_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The first value of a query, copied into a static buffer. */
static const char *value(const char *sql)
{
	static char buf[512];
	PGconn *c = db();
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	snprintf(buf, sizeof(buf), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "(no row)");
	PQclear(r);
	PQfinish(c);
	return buf;
}

static int read_metric(const char *table, double *out)
{
	struct hinge_mquery q = { table };

	return metric.read(metric.data, &q, out);
}

/* --- fixtures ------------------------------------------------------- */

static int setup(void **state)
{
	const char *pghost = getenv("HINGE_TEST_PGHOST");
	char admin[512];
	PGconn *c;

	(void)state;
	if (pghost == NULL) {
		fprintf(stderr, "# no HINGE_TEST_PGHOST: run through tests/run.sh\n");
		return -1;
	}
	snprintf(admin, sizeof(admin), "host=%s user=postgres dbname=postgres", pghost);
	snprintf(conninfo, sizeof(conninfo), "host=%s user=postgres dbname=" DB, pghost);
	c = PQconnectdb(admin);
	if (PQstatus(c) != CONNECTION_OK)
		return -1;
	PQclear(PQexec(c, "DROP DATABASE IF EXISTS " DB " WITH (FORCE)"));
	PQclear(PQexec(c, "CREATE DATABASE " DB));
	PQfinish(c);
	c = db();
	sql_ok(c, "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL,"
		  " qty int DEFAULT 0 CHECK (qty >= 0));"
		  "CREATE INDEX items_name ON items (name);"
		  "INSERT INTO items (name) SELECT 'n' || g FROM generate_series(1, 100) g;"
		  "CREATE TABLE \"we\"\"ird; table\" (id int PRIMARY KEY)");
	PQfinish(c);
	return hinge_plugin_entry()->init(&plugin, &host);
}

static int teardown(void **state)
{
	(void)state;
	hinge_plugin_entry()->fini(&plugin);
	return 0;
}

/* --- add_column ----------------------------------------------------- */

static const struct kv ai_model[] = {
	{ "table", "items" }, { "column", "ai_model" }, { "type", "varchar(255)" }, { NULL, NULL },
};

static void add_column_forward_verified_reverted(void **state)
{
	struct hinge_step st = step_new("add_column", ai_model);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.items");
	assert_string_equal(st.inverse, "ALTER TABLE \"public\".\"items\" DROP COLUMN IF EXISTS \"ai_model\"");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, probe), 0); /* the rehearsal left the table alone */
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
				  " WHERE attrelid = 'items'::regclass AND attname = 'ai_model'"),
			    "character varying(255)");
	assert_int_equal(CALL(&st, apply), 0); /* idempotent */
	assert_int_equal(CALL(&st, rehearse), 0); /* warm re-rehearsal after apply */
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, revert), 0); /* idempotent */
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "not in place on \"public\".\"items\""));
	step_free(&st);
}

static void add_column_default_not_null(void **state)
{
	static const struct kv p[] = {
		{ "table", "items" }, { "column", "model" }, { "type", "text" },
		{ "default", "'gpt-4'" }, { "nullable", "false" }, { NULL, NULL },
	};
	struct hinge_step st = step_new("add_column", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_string_equal(value("SELECT attnotnull::text || ' ' || pg_get_expr(adbin, adrelid)"
				  " FROM pg_attribute JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
				  " WHERE attrelid = 'items'::regclass AND attname = 'model'"),
			    "true 'gpt-4'::text");
	assert_string_equal(value("SELECT count(*) FROM items WHERE model = 'gpt-4'"), "100");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	step_free(&st);
}

static int check_fails(const struct kv *p, const char *needle)
{
	struct hinge_step st = step_new("add_column", p);
	int rc = CALL(&st, check);

	if (strstr(st.error, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, needle);
	step_free(&st);
	return rc;
}

static void add_column_bad_input_is_refused(void **state)
{
	static const struct kv no_table[] = {
		{ "table", "nope" }, { "column", "c" }, { "type", "int" }, { NULL, NULL },
	};
	static const struct kv bad_type[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "nosuchtype" }, { NULL, NULL },
	};
	static const struct kv injected[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "int; DROP TABLE items" }, { NULL, NULL },
	};
	static const struct kv not_a_type[] = {
		{ "table", "items" }, { "column", "c" }, { "type", "int DEFAULT 1" }, { NULL, NULL },
	};
	static const struct kv clash[] = {
		{ "table", "items" }, { "column", "name" }, { "type", "int" }, { NULL, NULL },
	};

	(void)state;
	assert_int_equal(check_fails(no_table, "step \"expand\": table \"public\".\"nope\" does not exist"),
			 HINGE_EINVAL);
	assert_int_equal(check_fails(bad_type, "not a type PostgreSQL knows"), HINGE_EINVAL);
	assert_int_equal(check_fails(injected, "semicolon"), HINGE_EINVAL);
	assert_int_equal(check_fails(not_a_type, "not a type PostgreSQL knows"), HINGE_EINVAL);
	assert_int_equal(check_fails(clash, "column \"name\" of \"public\".\"items\" is text"),
			 HINGE_EINVAL);
	assert_string_equal(value("SELECT count(*) FROM items"), "100");
}

static void add_column_volatile_default_is_refused(void **state)
{
	static const struct kv vol[] = {
		{ "table", "items" }, { "column", "r" }, { "type", "float8" },
		{ "default", "random()" }, { NULL, NULL },
	};
	static const struct kv stable[] = {
		{ "table", "items" }, { "column", "seen" }, { "type", "timestamptz" },
		{ "default", "now()" }, { NULL, NULL },
	};
	struct hinge_step st = step_new("add_column", vol);

	(void)state;
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_string_equal(st.findings, "M006 ");
	assert_non_null(strstr(st.error, "backfill"));
	step_free(&st);
	st = step_new("add_column", stable);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "");
	step_free(&st);
}

static void add_column_hostile_names_are_quoted(void **state)
{
	static const struct kv p[] = {
		{ "table", "we\"ird; table" }, { "column", "Col \"x\"; --" },
		{ "type", "\"char\"" }, { NULL, NULL },
	};
	struct hinge_step st = step_new("add_column", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.we\"ird; table");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
				  " WHERE attrelid = '\"we\"\"ird; table\"'::regclass"
				  " AND attname = 'Col \"x\"; --'"), "\"char\"");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	step_free(&st);
}

static void rehearsal_catches_a_broken_inverse(void **state)
{
	static const char broken[] = "ALTER TABLE \"public\".\"items\" ALTER COLUMN \"qty\" DROP DEFAULT";
	struct hinge_step st = step_new("add_column", ai_model);

	(void)state;
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(h_artifact_set(&st, broken, strlen(broken)), 0);
	assert_int_equal(CALL(&st, rehearse), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "revert does not restore the table"));
	assert_non_null(strstr(st.error, "ai_model"));
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef"
				  " WHERE adrelid = 'items'::regclass AND adnum = 3"), "0");
	step_free(&st);
}

/* A session holding a lock on items, in an open transaction. */
static PGconn *blocker(const char *lock_sql)
{
	PGconn *c = db();

	sql_ok(c, "BEGIN");
	sql_ok(c, lock_sql);
	return c;
}

static void lock_contention_retries_then_names_the_blocker(void **state)
{
	struct hinge_step st = step_new("add_column", ai_model);
	PGconn *b = blocker("SELECT count(*) FROM items");
	char pid[32];
	struct timespec t0, t1;
	double secs;

	(void)state;
	snprintf(pid, sizeof(pid), "pid %d (idle in transaction", PQbackendPID(b));
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0); /* reading only: not blocked */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* three attempts of 50 ms plus two short waits, not a queue */
	assert_true(secs >= 0.15);
	assert_true(secs < 2.0);
	assert_non_null(strstr(st.error, "not granted after 3 attempts"));
	if (strstr(st.error, pid) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, pid);
	assert_non_null(strstr(st.error, "query started 2"));
	/* the blocker is untouched and can go on */
	assert_int_equal(PQtransactionStatus(b), PQTRANS_INTRANS);
	sql_ok(b, "SELECT 1");
	sql_ok(b, "COMMIT");
	PQfinish(b);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, revert), 0);
	step_free(&st);
}

static void lock_waiters_counts_waiting_sessions(void **state)
{
	PGconn *b = blocker("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
	PGconn *w = db();
	double v = -1;
	int i;

	(void)state;
	assert_int_equal(read_metric("items", &v), 0);
	assert_true(v == 0);
	assert_int_equal(PQsendQuery(w, "SELECT count(*) FROM items"), 1);
	for (i = 0; i < 100; i++) {
		assert_int_equal(read_metric("items", &v), 0);
		if (v == 1)
			break;
		usleep(20000);
	}
	assert_true(v == 1);
	assert_int_equal(read_metric(NULL, &v), 0);
	assert_true(v == 1);
	assert_int_equal(read_metric("\"we\"\"ird; table\"", &v), 0);
	assert_true(v == 0);
	assert_int_equal(read_metric("no_such_table", &v), HINGE_EINVAL);
	sql_ok(b, "COMMIT");
	PQfinish(b);
	for (PGresult *r; (r = PQgetResult(w)) != NULL;)
		PQclear(r);
	PQfinish(w);
	assert_int_equal(read_metric("items", &v), 0);
	assert_true(v == 0);
}

static void kv_set(const char *key, const char *value)
{
	for (struct kv *kv = settings; kv->key != NULL; kv++)
		if (strcmp(kv->key, key) == 0)
			kv->value = value;
}

static void guard_waits_out_long_transactions_and_other_executors(void **state)
{
	struct hinge_step st = step_new("add_column", ai_model);
	PGconn *b = blocker("SELECT count(*) FROM items"), *other;
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "pid %d (idle in transaction", PQbackendPID(b));
	usleep(200000);
	kv_set("long_transaction", "100");
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	kv_set("long_transaction", "10000");
	assert_non_null(strstr(st.error, "1 long-running transaction holds \"public\".\"items\""));
	if (strstr(st.error, pid) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", st.error, pid);
	sql_ok(b, "COMMIT");
	PQfinish(b);

	other = db();
	sql_ok(other, "SELECT pg_advisory_lock(hashtext('hinge/migration'),"
		      " hashtext('\"public\".\"items\"'))");
	assert_int_equal(CALL(&st, apply), HINGE_EBUSY);
	assert_non_null(strstr(st.error, "another Hinge executor is changing \"public\".\"items\""));
	assert_int_equal(CALL(&st, probe), 0);
	PQfinish(other);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, revert), 0);
	assert_string_equal(value("SELECT string_agg(event || ' ' || step || ' ' || rollout || ' ' || target,"
				  " ', ' ORDER BY id) FROM hinge.migration_history WHERE id > (SELECT"
				  " max(id) - 2 FROM hinge.migration_history)"),
			    "applied expand r-test pg:" DB "/public.items,"
			    " reverted expand r-test pg:" DB "/public.items");
	assert_string_equal(value("SELECT count(DISTINCT artifact_sha256) = 1 AND bool_and(artifact_sha256 ="
				  " encode(sha256('ALTER TABLE \"public\".\"items\" DROP COLUMN IF EXISTS"
				  " \"ai_model\"'::bytea), 'hex')) FROM hinge.migration_history"
				  " WHERE id > (SELECT max(id) - 2 FROM hinge.migration_history)"), "t");
	step_free(&st);
}

/* --- sql ------------------------------------------------------------ */

static void sql_with_down_forward_verified_reverted(void **state)
{
	static const struct kv p[] = {
		{ "up", "CREATE TABLE audit_x (id int); INSERT INTO audit_x VALUES (1);" },
		{ "down", "DROP TABLE audit_x" },
		{ "verify", "SELECT to_regclass('audit_x') IS NOT NULL" },
		{ NULL, NULL },
	};
	struct hinge_step st = step_new("sql", p);

	(void)state;
	assert_true(st.action->flags & HINGE_ACTION_NO_INVERSE);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB);
	assert_string_equal(st.inverse, "DROP TABLE audit_x");
	assert_string_equal(st.findings, "M004 ");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(value("SELECT count(*) FROM audit_x"), "1");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "verify query is not true"));
	step_free(&st);
}

static void sql_without_down_is_irreversible(void **state)
{
	static const struct kv p[] = {
		{ "up", "UPDATE items SET qty = 7 WHERE qty = 0" },
		{ "verify", "SELECT NOT EXISTS (SELECT 1 FROM items WHERE qty = 0)" },
		{ "table", "items" },
		{ NULL, NULL },
	};
	struct hinge_step st = step_new("sql", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.lock, "pg:" DB "/public.items");
	assert_string_equal(st.inverse, "none: the step is irreversible");
	assert_string_equal(st.findings, "");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(value("SELECT count(*) FROM items WHERE qty = 7"), "100");
	assert_int_equal(CALL(&st, revert), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "cannot be reverted"));
	step_free(&st);
}

static void sql_bad_input_and_lint(void **state)
{
	static const struct kv syntax[] = { { "up", "UPDAT items SET qty = 1" }, { NULL, NULL } };
	static const struct kv bad_down[] = {
		{ "up", "SELECT 1" }, { "down", "DROP TABL x" }, { NULL, NULL },
	};
	static const struct kv index[] = {
		{ "up", "CREATE INDEX items_qty ON items (qty)" }, { "down", "DROP INDEX items_qty" },
		{ NULL, NULL },
	};
	static const struct kv no_table[] = {
		{ "up", "SELECT 1" }, { "table", "nope" }, { NULL, NULL },
	};
	struct hinge_step st = step_new("sql", syntax);

	(void)state;
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "step \"expand\": up does not parse: syntax error"));
	step_free(&st);
	st = step_new("sql", bad_down);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "down does not parse"));
	step_free(&st);
	st = step_new("sql", index);
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.findings, "M002 ");
	step_free(&st);
	st = step_new("sql", no_table);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "does not exist"));
	step_free(&st);
	assert_string_equal(value("SELECT to_regclass('items_qty') IS NULL"), "t");
}

static void unreachable_server_is_unavailable(void **state)
{
	char saved[sizeof(conninfo)];
	struct hinge_step st = step_new("add_column", ai_model);
	double v;

	(void)state;
	memcpy(saved, conninfo, sizeof(saved));
	snprintf(conninfo, sizeof(conninfo), "host=/nonexistent-hinge dbname=x connect_timeout=2");
	assert_int_equal(CALL(&st, check), HINGE_EUNAVAIL);
	assert_non_null(strstr(st.error, "cannot connect"));
	assert_null(strstr(st.error, "nonexistent"));
	assert_int_equal(read_metric("items", &v), HINGE_EUNAVAIL);
	memcpy(conninfo, saved, sizeof(saved));
	step_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_column_forward_verified_reverted),
		cmocka_unit_test(add_column_default_not_null),
		cmocka_unit_test(add_column_bad_input_is_refused),
		cmocka_unit_test(add_column_volatile_default_is_refused),
		cmocka_unit_test(add_column_hostile_names_are_quoted),
		cmocka_unit_test(rehearsal_catches_a_broken_inverse),
		cmocka_unit_test(lock_contention_retries_then_names_the_blocker),
		cmocka_unit_test(lock_waiters_counts_waiting_sessions),
		cmocka_unit_test(guard_waits_out_long_transactions_and_other_executors),
		cmocka_unit_test(sql_with_down_forward_verified_reverted),
		cmocka_unit_test(sql_without_down_is_irreversible),
		cmocka_unit_test(sql_bad_input_and_lint),
		cmocka_unit_test(unreachable_server_is_unavailable),
	};

	return cmocka_run_group_tests_name("migration_actions", tests, setup, teardown);
}
