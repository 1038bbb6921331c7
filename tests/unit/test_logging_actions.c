/*
 * test_logging_actions.c - the logging.sink action through its whole
 * cycle, against a host table that fakes steps and the state database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/logging/actions.h"
#include "plugins/logging/sinkcfg.h"
#include "plugins/logging/spool.h"
#include "plugins/logging/stmt.h"

struct hinge_db {
	sqlite3 *db;
};

struct hinge_step {
	const char *sink;
	int enabled;
	double rate;
	char error[256], inverse[256], target[64];
	char artifact[256];
	size_t artifact_len;
};

static sqlite3 *shared;
static struct hinge_action registered;

static const char *p_str(struct hinge_step *st, const char *key)
{
	return strcmp(key, "sink") == 0 ? st->sink : NULL;
}

static int p_bool(struct hinge_step *st, const char *key)
{
	(void)key;
	return st->enabled;
}

static double p_double(struct hinge_step *st, const char *key)
{
	(void)key;
	return st->rate;
}

static void s_error(struct hinge_step *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->error, sizeof st->error, fmt, ap);
	va_end(ap);
}

static void s_inverse(struct hinge_step *st, const char *text)
{
	snprintf(st->inverse, sizeof st->inverse, "%s", text);
}

static void s_target(struct hinge_step *st, const char *t)
{
	snprintf(st->target, sizeof st->target, "%s", t);
}

static int a_set(struct hinge_step *st, const void *buf, size_t len)
{
	assert_true(len < sizeof st->artifact);
	memcpy(st->artifact, buf, len);
	st->artifact_len = len;
	return 0;
}

static int a_get(struct hinge_step *st, const void **buf, size_t *len)
{
	*buf = st->artifact;
	*len = st->artifact_len;
	return 0;
}

static int d_open(struct hinge_plugin *p, struct hinge_db **out)
{
	(void)p;
	*out = calloc(1, sizeof **out);
	(*out)->db = shared;
	return 0;
}

static void *d_sqlite(struct hinge_db *db)
{
	return db->db;
}

static void d_close(struct hinge_db *db)
{
	free(db);
}

static int reg(struct hinge_plugin *p, const struct hinge_action *a)
{
	(void)p;
	registered = *a;
	return 0;
}

static const struct hinge_host host = {
	.size = sizeof(struct hinge_host),
	.param_str = p_str, .param_bool = p_bool, .param_double = p_double,
	.step_error = s_error, .step_inverse = s_inverse,
	.step_lock_target = s_target, .artifact_set = a_set,
	.artifact_get = a_get, .db_open = d_open, .db_sqlite = d_sqlite,
	.db_close = d_close, .register_action = reg,
};

static struct lg_actions acts = {
	.host = &host, .n = 2, .names = { "sentry", "file" }, .rates = { 1, 0.5 },
};

static int setup(void **state)
{
	int k;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &shared), SQLITE_OK);
	for (k = 0; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(shared, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	assert_int_equal(lg_actions_register(&acts), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lg_stmt_forget(shared);
	sqlite3_close(shared);
	return 0;
}

static void test_check(void **state)
{
	struct hinge_step st = { .sink = "loggly", .enabled = 1, .rate = 1 };

	(void)state;
	assert_string_equal(registered.name, "sink");
	assert_int_equal(registered.check(registered.data, &st), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "\"loggly\" is not set up"));
	st.sink = "sentry";
	assert_int_equal(registered.check(registered.data, &st), 0);
	assert_string_equal(st.target, "logging:sink/sentry");
	assert_non_null(strstr(st.inverse, "restore sink sentry"));
}

static void test_cycle(void **state)
{
	struct hinge_step st = { .sink = "sentry", .enabled = 1, .rate = 0.1 };
	struct lg_sinkcfg c;
	void *d = registered.data;

	(void)state;
	assert_int_equal(registered.probe(d, &st), 0);
	assert_int_equal(registered.capture(d, &st), 0);
	assert_int_equal(registered.rehearse(d, &st), 0);
	assert_int_equal(registered.apply(d, &st), 0);
	assert_int_equal(registered.verify(d, &st), 0);
	assert_int_equal(registered.probe(d, &st), 1);
	assert_int_equal(lg_sinkcfg_get(shared, "sentry", 1, &c), 0);
	assert_true(c.overridden && c.enabled);
	assert_true(c.sample_rate == 0.1);
	/* a second stage: 0.5, reverted to the first's 0.1 */
	struct hinge_step st2 = { .sink = "sentry", .enabled = 1, .rate = 0.5 };
	assert_int_equal(registered.capture(d, &st2), 0);
	assert_int_equal(registered.apply(d, &st2), 0);
	assert_int_equal(registered.revert(d, &st2), 0);
	assert_int_equal(lg_sinkcfg_get(shared, "sentry", 1, &c), 0);
	assert_true(c.sample_rate == 0.1);
	/* and the first back to no override at all */
	assert_int_equal(registered.revert(d, &st), 0);
	assert_int_equal(lg_sinkcfg_get(shared, "sentry", 1, &c), 0);
	assert_false(c.overridden);
	assert_true(c.enabled && c.sample_rate == 1);
}

static void test_disable_and_bad_artifact(void **state)
{
	struct hinge_step st = { .sink = "file", .enabled = 0, .rate = 1 };
	struct lg_sinkcfg c;
	void *d = registered.data;

	(void)state;
	assert_int_equal(registered.capture(d, &st), 0);
	assert_non_null(strstr(st.artifact, "\"sample_rate\":0.5"));
	assert_int_equal(registered.apply(d, &st), 0);
	assert_int_equal(lg_sinkcfg_get(shared, "file", 0.5, &c), 0);
	assert_false(c.enabled);
	memcpy(st.artifact, "{\"x\":1}", 7);
	st.artifact_len = 7;
	assert_int_equal(registered.rehearse(d, &st), HINGE_EINVAL);
	assert_int_equal(registered.revert(d, &st), HINGE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_and_bad_artifact, setup, teardown),
	};
	return cmocka_run_group_tests_name("logging_actions", tests, NULL, NULL);
}
