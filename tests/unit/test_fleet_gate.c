/*
 * test_fleet_gate.c - fleet gate texts and their aggregates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <hinge/plugin.h>

#include "agent/fleet_gate.h"

static double agg(const char *text, const double *v, size_t n)
{
	struct fleet_gate g;
	char err[256];
	double out = -1;

	assert_int_equal(fleet_gate_parse(text, &g, err, sizeof(err)), 0);
	fleet_gate_aggregate(&g, v, n, &out);
	fleet_gate_free(&g);
	return out;
}

static void test_aggregates(void **s)
{
	const double v[] = { 1, 4, 2, 5 };

	(void)s;
	assert_true(agg("max(a.b) < 1", v, 4) == 5);
	assert_true(agg("mean(a.b) < 1", v, 4) == 3);
	assert_true(agg("sum(a.b) < 1", v, 4) == 12);
	assert_true(agg("share(a.b >= 4) < 1", v, 4) == 0.5);
	assert_true(agg("max(a.b) < 1", (const double[]){ -3, -1 }, 2) == -1);
}

static void test_parts(void **s)
{
	struct fleet_gate g;
	char err[256];

	(void)s;
	assert_int_equal(fleet_gate_parse(" share(fault.value{name=\"x\", zone=\"eu\"} > 5) <= 0.25",
					  &g, err, sizeof(err)), 0);
	assert_int_equal(g.agg, FLEET_SHARE);
	assert_string_equal(g.key, "fault.value{name=\"x\",zone=\"eu\"}");
	assert_int_equal(g.inner.op, COND_GT);
	assert_true(g.inner.value == 5);
	assert_int_equal(g.op, COND_LE);
	assert_true(g.value == 0.25);
	fleet_gate_free(&g);
}

static void test_refused(void **s)
{
	const char *bad[] = { "avg(a.b) < 1", "max(a.b)", "max a.b < 1", "max(ab) < 1",
			      "max(a.b) < x", "share(a.b) < 1", "max(a.b{k=1}) < 1" };
	struct fleet_gate g;
	char err[256];

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(fleet_gate_parse(bad[i], &g, err, sizeof(err)), HINGE_EINVAL);
		assert_true(strlen(err) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("fleet_gate", tests, NULL, NULL);
}
