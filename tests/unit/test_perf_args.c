/*
 * test_perf_args.c - durations and options of `hinge perf` subcommands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/perf/args.h"

static void test_durations(void **state)
{
	int64_t ms = -1;

	(void)state;
	assert_int_equal(perf_duration_parse("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(perf_duration_parse("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(perf_duration_parse("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(perf_duration_parse("24h", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(perf_duration_parse("7d", &ms), 0);
	assert_int_equal(ms, 604800000);
	assert_int_equal(perf_duration_parse("24", &ms), HINGE_EINVAL);
	assert_int_equal(perf_duration_parse("h", &ms), HINGE_EINVAL);
	assert_int_equal(perf_duration_parse("-1h", &ms), HINGE_EINVAL);
	assert_int_equal(perf_duration_parse("1w", &ms), HINGE_EINVAL);
	assert_int_equal(perf_duration_parse("99999999999999999d", &ms),
			 HINGE_EINVAL);
	assert_int_equal(perf_duration_parse(NULL, &ms), HINGE_EINVAL);
}

static void test_options(void **state)
{
	char *argv[] = { "perf", "tasks", "--since", "2h", "--limit", "3" };
	struct perf_args a = { 86400000, 10, NULL, NULL };
	const char *bad = "x";

	(void)state;
	assert_int_equal(perf_args_parse(6, argv, 2, &a, &bad), 0);
	assert_int_equal(a.since_ms, 7200000);
	assert_int_equal(a.limit, 3);
	assert_null(bad);
	assert_null(a.queryid);
	assert_null(a.out);
	/* Defaults stay when nothing is given. */
	a = (struct perf_args){ 5, 6, NULL, NULL };
	assert_int_equal(perf_args_parse(2, argv, 2, &a, &bad), 0);
	assert_int_equal(a.since_ms, 5);
	assert_int_equal(a.limit, 6);
}

static void test_propose_options(void **state)
{
	char *argv[] = { "perf", "propose", "--queryid", "-42", "--out", "x.conf" };
	char *bad_id[] = { "perf", "propose", "--queryid", "4x" };
	char *no_out[] = { "perf", "propose", "--out" };
	struct perf_args a = { 1, 1, NULL, NULL };
	const char *bad = NULL;

	(void)state;
	assert_int_equal(perf_args_parse(6, argv, 2, &a, &bad), 0);
	assert_string_equal(a.queryid, "-42");
	assert_string_equal(a.out, "x.conf");
	assert_int_equal(perf_args_parse(4, bad_id, 2, &a, &bad), HINGE_EINVAL);
	assert_int_equal(perf_args_parse(3, no_out, 2, &a, &bad), HINGE_EINVAL);
	assert_string_equal(bad, "--out");
}

static void test_bad_options(void **state)
{
	char *missing[] = { "perf", "tasks", "--since" };
	char *zero[] = { "perf", "tasks", "--limit", "0" };
	char *unknown[] = { "perf", "tasks", "--sinse", "2h" };
	char *junk[] = { "perf", "tasks", "--limit", "3x" };
	struct perf_args a = { 1, 1, NULL, NULL };
	const char *bad = NULL;

	(void)state;
	assert_int_equal(perf_args_parse(3, missing, 2, &a, &bad), HINGE_EINVAL);
	assert_string_equal(bad, "--since");
	assert_int_equal(perf_args_parse(4, zero, 2, &a, &bad), HINGE_EINVAL);
	assert_int_equal(perf_args_parse(4, unknown, 2, &a, &bad), HINGE_EINVAL);
	assert_string_equal(bad, "--sinse");
	assert_int_equal(perf_args_parse(4, junk, 2, &a, &bad), HINGE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_propose_options),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests_name("perf_args", tests, NULL, NULL);
}
