/*
 * test_perf_welch.c - the t distribution CDF against published critical
 * values and closed forms, and Welch's test against values computed by
 * hand (statistic, degrees of freedom) and by numerical integration of
 * the t density (p-value).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "plugins/perf/welch.h"

static void test_cdf_closed_forms(void **state)
{
	(void)state;
	/* df = 1 is Cauchy: 1/2 + atan(t)/pi. */
	assert_float_equal(perf_t_cdf(1.0, 1), 0.75, 1e-9);
	assert_float_equal(perf_t_cdf(-3.0, 1), 0.5 + atan(-3.0) / M_PI, 1e-9);
	/* df = 2: 1/2 + t / (2 sqrt(2 + t^2)). */
	assert_float_equal(perf_t_cdf(1.0, 2), 0.5 + 1.0 / (2 * sqrt(3.0)), 1e-9);
	assert_float_equal(perf_t_cdf(0.0, 7), 0.5, 1e-12);
}

static void test_cdf_critical_values(void **state)
{
	(void)state;
	/* One-sided critical values from the t table. */
	assert_float_equal(perf_t_cdf(6.313752, 1), 0.95, 1e-6);
	assert_float_equal(perf_t_cdf(2.015048, 5), 0.95, 1e-6);
	assert_float_equal(perf_t_cdf(-2.015048, 5), 0.05, 1e-6);
	assert_float_equal(perf_t_cdf(2.228139, 10), 0.975, 1e-6);
	assert_float_equal(perf_t_cdf(1.697261, 30), 0.95, 1e-6);
	assert_float_equal(perf_t_cdf(2.570582, 5), 0.975, 1e-6);
	/* Large df tends to the normal distribution. */
	assert_float_equal(perf_t_cdf(1.644854, 1e7), 0.95, 1e-6);
}

static void test_cdf_bad_input(void **state)
{
	(void)state;
	assert_true(isnan(perf_t_cdf(1.0, 0)));
	assert_true(isnan(perf_t_cdf(NAN, 3)));
	assert_float_equal(perf_t_cdf(INFINITY, 3), 1.0, 0);
}

/* Run the test and compare with the expected statistic, df and p. */
static void expect_welch(const struct perf_summary *a,
			 const struct perf_summary *b, double margin,
			 double t, double df, double p, int significant)
{
	struct perf_welch w;

	assert_int_equal(perf_welch_less(a, b, margin, &w), 0);
	assert_float_equal(w.t, t, 1e-5);
	assert_float_equal(w.df, df, 1e-5);
	assert_float_equal(w.p, p, 1e-7);
	assert_int_equal(perf_welch_significant(&w), significant);
}

static void test_welch_clear_gain(void **state)
{
	/* a = 1..5, b = 6..11. */
	struct perf_summary a = { 5, 3.0, 2.5 }, b = { 6, 8.5, 3.5 };
	struct perf_welch w;

	(void)state;
	expect_welch(&a, &b, 0.0, -5.284229, 8.989362, 0.000253123, 1);
	/* The other way round there is no gain at all. */
	assert_int_equal(perf_welch_less(&b, &a, 0.0, &w), 0);
	assert_false(perf_welch_significant(&w));
	assert_true(w.p > 0.99);
}

static void test_welch_margin(void **state)
{
	/* a = 8..12, b = 11..16: 10 against 13.5 is more than 10% better,
	 * yet with so few calls only barely significant. */
	struct perf_summary a = { 5, 10.0, 2.5 }, b = { 6, 13.5, 3.5 };
	struct perf_welch w;

	(void)state;
	expect_welch(&a, &b, 0.1, -2.180187, 8.826367, 0.028867796, 1);
	/* Demanding a 25% gain fails: 10 is not below 0.75 * 13.5. */
	assert_int_equal(perf_welch_less(&a, &b, 0.25, &w), 0);
	assert_false(perf_welch_significant(&w));
}

static void test_welch_degenerate(void **state)
{
	struct perf_summary one = { 1, 3.0, 0 }, a = { 5, 3.0, 0 },
			    b = { 5, 4.0, 0 };
	struct perf_welch w;

	(void)state;
	assert_int_equal(perf_welch_less(&one, &b, 0, &w), -1);
	assert_int_equal(perf_welch_less(&a, &b, 0, &w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdf_closed_forms),
		cmocka_unit_test(test_cdf_critical_values),
		cmocka_unit_test(test_cdf_bad_input),
		cmocka_unit_test(test_welch_clear_gain),
		cmocka_unit_test(test_welch_margin),
		cmocka_unit_test(test_welch_degenerate),
	};
	return cmocka_run_group_tests_name("perf_welch", tests, NULL, NULL);
}
