/*
 * test_fleet_waves.c - wave lists and stable host order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fleet_waves.h"

static void test_parse_and_totals(void **s)
{
	struct fleet_wave_spec w[FLEET_MAX_WAVES];
	int t[FLEET_MAX_WAVES];
	char err[256];

	(void)s;
	assert_int_equal(fleet_waves_parse("1,10%,50%,100%", w, err, sizeof(err)), 4);
	/* 40 hosts: 1, then a tenth (4), half (20), all. */
	fleet_waves_totals(w, 4, 40, t);
	assert_int_equal(t[0], 1);
	assert_int_equal(t[1], 4);
	assert_int_equal(t[2], 20);
	assert_int_equal(t[3], 40);
	/* 5 hosts: 10% of 5 rounds up to 1, but a wave brings one more: 2. */
	fleet_waves_totals(w, 4, 5, t);
	assert_int_equal(t[0], 1);
	assert_int_equal(t[1], 2);
	assert_int_equal(t[2], 3);
	assert_int_equal(t[3], 5);
	/* 2 hosts: the third wave has nobody left; totals never pass n. */
	fleet_waves_totals(w, 4, 2, t);
	assert_int_equal(t[1], 2);
	assert_int_equal(t[2], 2);
	assert_int_equal(t[3], 2);
	assert_int_equal(fleet_waves_parse("100%", w, err, sizeof(err)), 1);
	assert_int_equal(fleet_waves_parse("1,2,100%", w, err, sizeof(err)), 3);
}

static void test_refused(void **s)
{
	struct fleet_wave_spec w[FLEET_MAX_WAVES];
	char err[256];

	(void)s;
	assert_int_equal(fleet_waves_parse("0%,100%", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0 and 0% are not waves"));
	assert_int_equal(fleet_waves_parse("1,150%", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "150% is more than all hosts"));
	assert_int_equal(fleet_waves_parse("50%,10%,100%", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not come after 50%"));
	assert_int_equal(fleet_waves_parse("1,50%", w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must be 100%"));
	assert_int_equal(fleet_waves_parse("10%,2,100%", w, err, sizeof(err)), -1);
	assert_int_equal(fleet_waves_parse("", w, err, sizeof(err)), -1);
	assert_int_equal(fleet_waves_parse("x,100%", w, err, sizeof(err)), -1);
}

static void test_stable_order(void **s)
{
	char *a[] = { "web1", "web2", "web3", "db1" };
	char *b[] = { "db1", "web3", "web1", "web2" };

	(void)s;
	fleet_hosts_order(a, 4);
	fleet_hosts_order(b, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(a[i], b[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_totals),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_stable_order),
	};

	return cmocka_run_group_tests_name("fleet_waves", tests, NULL, NULL);
}
