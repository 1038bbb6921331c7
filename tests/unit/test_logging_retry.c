/*
 * test_logging_retry.c - backoff, Retry-After and X-Sentry-Rate-Limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "plugins/logging/retry.h"

static void test_backoff(void **state)
{
	(void)state;
	/* rnd 0 gives the fixed half, UINT32_MAX the full delay */
	assert_int_equal(lg_backoff_ms(1, 100, 10000, 0), 50);
	assert_int_equal(lg_backoff_ms(1, 100, 10000, UINT32_MAX), 100);
	assert_int_equal(lg_backoff_ms(3, 100, 10000, UINT32_MAX), 400);
	assert_int_equal(lg_backoff_ms(40, 100, 10000, UINT32_MAX), 10000);
	assert_int_equal(lg_backoff_ms(40, 100, 10000, 0), 5000);
	assert_in_range(lg_backoff_ms(2, 100, 10000, UINT32_MAX / 2), 100, 200);
}

static void test_retry_after(void **state)
{
	(void)state;
	assert_int_equal(lg_retry_after_ms("120", 0), 120000);
	assert_int_equal(lg_retry_after_ms(" 0 ", 0), 0);
	assert_int_equal(lg_retry_after_ms(NULL, 0), -1);
	assert_int_equal(lg_retry_after_ms("soon", 0), -1);
	assert_int_equal(lg_retry_after_ms("5x", 0), -1);
	/* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 */
	assert_int_equal(lg_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT",
					   1445412470000LL), 10000);
	assert_int_equal(lg_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT",
					   1445412490000LL), 0);
}

static void test_sentry_limits(void **state)
{
	(void)state;
	assert_int_equal(lg_sentry_limit_ms("60:error;default:key", "error"), 60000);
	assert_int_equal(lg_sentry_limit_ms("60:transaction:key", "error"), 0);
	assert_int_equal(lg_sentry_limit_ms("2700::organization", "error"), 2700000);
	assert_int_equal(lg_sentry_limit_ms("10:transaction:key, 30:error:project",
					    "error"), 30000);
	assert_int_equal(lg_sentry_limit_ms("10:transaction:key, 30:error:project",
					    "transaction"), 10000);
	assert_int_equal(lg_sentry_limit_ms("5:error, 50:error;session:org", "error"),
			 50000);
	assert_int_equal(lg_sentry_limit_ms("", "error"), 0);
	assert_int_equal(lg_sentry_limit_ms("bad", "error"), -1);
	assert_int_equal(lg_sentry_limit_ms(NULL, "error"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_sentry_limits),
	};
	return cmocka_run_group_tests_name("logging_retry", tests, NULL, NULL);
}
