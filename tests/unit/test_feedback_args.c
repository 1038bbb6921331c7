/*
 * test_feedback_args.c - durations and options of `hinge feedback`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugins/feedback/args.h"

static void test_durations(void **state)
{
	int64_t ms = -1;

	(void)state;
	assert_int_equal(fb_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(fb_duration_ms("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(fb_duration_ms("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(fb_duration_ms("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	/* 7 * 86400000 = 604800000 */
	assert_int_equal(fb_duration_ms("7d", &ms), 0);
	assert_int_equal(ms, 604800000);
	assert_int_equal(fb_duration_ms("90", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(fb_duration_ms("", &ms), -1);
	assert_int_equal(fb_duration_ms("-5s", &ms), -1);
	assert_int_equal(fb_duration_ms("5w", &ms), -1);
	assert_int_equal(fb_duration_ms("5 d", &ms), -1);
	assert_int_equal(fb_duration_ms("99999999999999999d", &ms), -1);
	assert_int_equal(fb_duration_ms(NULL, &ms), -1);
}

static void test_options(void **state)
{
	char *argv[] = { "report", "--since", "7d", "--json", "--segment" };
	static const char *const flags[] = { "--json", NULL };
	static const char *const opts[] = { "--since", "--segment", NULL };
	const char *v = NULL;

	(void)state;
	assert_int_equal(fb_option(5, argv, 1, "--since", &v), 1);
	assert_string_equal(v, "7d");
	assert_int_equal(fb_option(5, argv, 1, "--segment", &v), -1);
	assert_int_equal(fb_option(5, argv, 1, "--user", &v), 0);
	assert_int_equal(fb_args_unknown(4, argv, 1, flags, opts), 0);
	/* "--segment" without its value is not a known form. */
	assert_int_equal(fb_args_unknown(5, argv, 1, flags, opts), 4);
	assert_int_equal(fb_args_unknown(4, argv, 1, NULL, opts), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests_name("feedback_args", tests, NULL, NULL);
}
