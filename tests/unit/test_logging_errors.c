/*
 * test_logging_errors.c - the group queries behind `hinge errors` and the
 * metrics, on an in-memory state database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/logging/errors.h"
#include "plugins/logging/spool.h"
#include "plugins/logging/stmt.h"

static sqlite3 *db;

static void hit(const char *fp, const char *source, int64_t t, const char *msg)
{
	static int n;
	char id[16];
	struct lg_event ev = {
		.event_id = id, .time_ms = t, .source = source, .type = "x",
		.message = msg, .normalized = "norm", .fingerprint = fp,
		.body = "{}",
	};

	snprintf(id, sizeof id, "e%d", ++n);
	assert_int_equal(lg_spool_put(db, &ev, NULL, 0), 0);
}

static int setup(void **state)
{
	int k;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (k = 0; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	hit("aaaaaa01", "pg", 1000, "old a");
	hit("bbbbbb02", "file", 5000, "b1");
	hit("bbbbbb02", "file", 6000, "b2");
	hit("bbbbbb02", "file", 7000, "b3");
	hit("aaaaaa01", "pg", 8000, "new a");
	hit("cccccc03", "pg", 9000, "c");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lg_stmt_forget(db);
	sqlite3_close(db);
	return 0;
}

static void test_top(void **state)
{
	json_t *top, *g;

	(void)state;
	assert_int_equal(lg_errors_top(db, 0, 10, &top), 0);
	assert_int_equal(json_array_size(top), 3);
	g = json_array_get(top, 0);
	assert_string_equal(json_string_value(json_object_get(g, "fingerprint")), "bbbbbb02");
	assert_int_equal(json_integer_value(json_object_get(g, "count")), 3);
	assert_string_equal(json_string_value(json_object_get(g, "sample")), "b3");
	json_decref(top);
	/* since 7.5 s: a's one recent hit counts, its total stays 2 */
	assert_int_equal(lg_errors_top(db, 7500, 1, &top), 0);
	assert_int_equal(json_array_size(top), 1);
	g = json_array_get(top, 0);
	assert_int_equal(json_integer_value(json_object_get(g, "count")), 1);
	json_decref(top);
}

static void test_show(void **state)
{
	json_t *g, *samples;

	(void)state;
	assert_int_equal(lg_errors_show(db, "bbbbbb", &g), 0);
	samples = json_object_get(g, "samples");
	assert_int_equal(json_array_size(samples), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(samples, 0), "message")), "b3");
	assert_int_equal(json_integer_value(json_object_get(g, "total")), 3);
	json_decref(g);
	assert_int_equal(lg_errors_show(db, "dddddd", &g), HINGE_EINVAL);
	assert_int_equal(lg_errors_show(db, "bbb", &g), HINGE_EINVAL);
	assert_int_equal(lg_errors_show(db, "bbbbbb'--", &g), HINGE_EINVAL);
}

static void test_samples_capped(void **state)
{
	json_t *g;
	int k;

	(void)state;
	for (k = 0; k < 12; k++)
		hit("cccccc03", "pg", 10000 + k, "many");
	assert_int_equal(lg_errors_show(db, "cccccc03", &g), 0);
	assert_int_equal(json_array_size(json_object_get(g, "samples")), LG_SAMPLES);
	json_decref(g);
}

static void test_counts(void **state)
{
	(void)state;
	assert_int_equal(lg_errors_since(db, 0, NULL), 6);
	assert_int_equal(lg_errors_since(db, 6500, NULL), 3);
	assert_int_equal(lg_errors_since(db, 0, "file"), 3);
	assert_int_equal(lg_groups_since(db, 4000, NULL), 2);
	assert_int_equal(lg_groups_since(db, 4000, "pg"), 1);
	assert_int_equal(lg_hits_prune(db, 7000), 0);
	assert_int_equal(lg_errors_since(db, 0, NULL), 3);
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(lg_parse_duration("24h"), 86400000);
	assert_int_equal(lg_parse_duration("250ms"), 250);
	assert_int_equal(lg_parse_duration("7d"), 604800000);
	assert_int_equal(lg_parse_duration("5"), -1);
	assert_int_equal(lg_parse_duration("h"), -1);
	assert_int_equal(lg_parse_duration("-1s"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duration, setup, teardown),
	};
	return cmocka_run_group_tests_name("logging_errors", tests, NULL, NULL);
}
