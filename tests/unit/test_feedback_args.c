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
	static const struct {
		const char *text;
		int64_t ms; /* -1: refused */
	} cases[] = {
		{ "250ms", 250 }, { "30s", 30000 }, { "5m", 300000 },
		{ "2h", 7200000 }, { "7d", 604800000 }, /* 7 * 86400000 */
		{ "90", 90000 }, /* a bare number is seconds */
		{ "", -1 }, { "-5s", -1 }, { "5w", -1 }, { "5 d", -1 },
		{ "99999999999999999d", -1 }, /* overflows int64 */
	};
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = -1;
		assert_int_equal(fb_duration_ms(cases[i].text, &ms),
				 cases[i].ms < 0 ? -1 : 0);
		if (cases[i].ms >= 0)
			assert_int_equal(ms, cases[i].ms);
	}
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
