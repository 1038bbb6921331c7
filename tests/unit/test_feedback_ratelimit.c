/*
 * test_feedback_ratelimit.c - requests per address in fixed windows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "plugins/feedback/ratelimit.h"

static void test_window(void **state)
{
	struct fb_rate *r = calloc(1, sizeof(*r));
	int i;

	(void)state;
	r->limit = 3;
	r->window_ms = 1000;
	for (i = 0; i < 3; i++)
		assert_true(fb_rate_allow(r, "127.0.0.1", 5000 + i));
	assert_false(fb_rate_allow(r, "127.0.0.1", 5500));
	/* Another address has its own count. */
	assert_true(fb_rate_allow(r, "::1", 5500));
	/* The window ends 1000 ms after it began: allowed again. */
	assert_false(fb_rate_allow(r, "127.0.0.1", 5999));
	assert_true(fb_rate_allow(r, "127.0.0.1", 6000));
	free(r);
}

static void test_full(void **state)
{
	struct fb_rate *r = calloc(1, sizeof(*r));
	char addr[FB_RATE_ADDR];
	int i;

	(void)state;
	r->limit = 1;
	r->window_ms = 60000;
	assert_true(fb_rate_allow(r, "10.0.0.1", 1));
	assert_false(fb_rate_allow(r, "10.0.0.1", 2));
	/* FB_RATE_SLOTS other addresses, all newer: 10.0.0.1 is pushed out
	 * only after every slot is used, as the oldest. */
	for (i = 0; i < FB_RATE_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256, i % 256);
		assert_true(fb_rate_allow(r, addr, 100 + i));
	}
	assert_true(fb_rate_allow(r, "10.0.0.1", 5000));
	/* The busiest newcomer is still limited. */
	assert_false(fb_rate_allow(r, "10.1.3.255", 5001));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests_name("feedback_ratelimit", tests, NULL, NULL);
}
