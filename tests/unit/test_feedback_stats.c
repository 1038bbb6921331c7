/*
 * test_feedback_stats.c - Wilson intervals, CSAT, NPS and the CUSUM chart
 * against literals worked out by hand and cross-checked with
 * python3-statsmodels 0.13.5:
 *   proportion_confint(k, n, alpha=0.05, method="wilson")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "plugins/feedback/stats.h"

#define Z95 1.959963984540054 /* scipy.stats.norm.ppf(0.975) */

static void test_z(void **state)
{
	(void)state;
	assert_true(fabs(fb_z_for_confidence(0.95) - Z95) < 1e-12);
	/* norm.ppf(0.995) = 2.5758293035489004 */
	assert_true(fabs(fb_z_for_confidence(0.99) - 2.5758293035489004) < 1e-12);
	/* norm.ppf(0.95) = 1.6448536269514722 */
	assert_true(fabs(fb_z_for_confidence(0.90) - 1.6448536269514722) < 1e-12);
	assert_true(fb_z_for_confidence(1.0) == 0);
	assert_true(fb_z_for_confidence(0.0) == 0);
}

/*
 * 45 of 50, z = 1.959964: p = 0.9, z^2/n = 0.076829,
 * centre = (0.9 + 0.038414) / 1.076829 = 0.871461,
 * half = 1.959964 / 1.076829 * sqrt(0.0018 + 0.00038414) = 0.085063:
 * [0.786398, 0.956524], as statsmodels prints.
 */
static void test_wilson_literals(void **state)
{
	static const struct {
		uint64_t k, n;
		double lo, hi;
	} cases[] = {
		{ 45, 50, 0.786398, 0.956524 },
		{ 0, 30, 0.000000, 0.113513 },	/* no successes: lo clamps at 0 */
		{ 30, 30, 0.886487, 1.000000 },	/* mirror of the case above */
		{ 7, 40, 0.087454, 0.319500 },
		{ 812, 1000, 0.786607, 0.835005 },
	};
	double lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fb_wilson(cases[i].k, cases[i].n, Z95, &lo, &hi), 0);
		assert_true(fabs(lo - cases[i].lo) < 5e-7);
		assert_true(fabs(hi - cases[i].hi) < 5e-7);
	}
	assert_int_equal(fb_wilson(0, 0, Z95, &lo, &hi), -1);
	assert_int_equal(fb_wilson(5, 4, Z95, &lo, &hi), -1);
}

static void test_csat_minimum_sample(void **state)
{
	struct fb_figure f;

	(void)state;
	/* 45 of 50 ratings 4 or 5: CSAT 0.9, enough with a minimum of 30. */
	assert_int_equal(fb_proportion(45, 50, 30, Z95, &f), 0);
	assert_true(f.sufficient);
	assert_true(fabs(f.value - 0.9) < 1e-12);
	assert_true(fabs(f.lo - 0.786398) < 5e-7);
	/* 9 of 10: the same share, but below the minimum. */
	assert_int_equal(fb_proportion(9, 10, 30, Z95, &f), 0);
	assert_false(f.sufficient);
	assert_true(fabs(f.value - 0.9) < 1e-12);
	/* Nothing at all: insufficient, value 0. */
	assert_int_equal(fb_proportion(0, 0, 30, Z95, &f), 0);
	assert_false(f.sufficient);
	assert_int_equal(f.n, 0);
	assert_int_equal(fb_proportion(11, 10, 1, Z95, &f), -1);
}

/*
 * 50 promoters and 20 detractors of 100: NPS = 100 * (0.5 - 0.2) = 30;
 * var = 0.5 + 0.2 - 0.3^2 = 0.61, se = 100 * sqrt(0.61 / 100) = 7.810250;
 * interval 30 +- 1.959964 * 7.810250 = [14.692192, 45.307808].
 * 120 and 160 of 400: NPS = -10, var = 0.7 - 0.01 = 0.69,
 * se = 100 * sqrt(0.69 / 400) = 4.153312.
 */
static void test_nps_literals(void **state)
{
	struct fb_figure f;

	(void)state;
	assert_int_equal(fb_nps(50, 20, 100, 30, Z95, &f), 0);
	assert_true(f.sufficient);
	assert_true(fabs(f.value - 30) < 1e-9);
	assert_true(fabs(f.se - 7.810250) < 5e-7);
	assert_true(fabs(f.lo - 14.692192) < 5e-6);
	assert_true(fabs(f.hi - 45.307808) < 5e-6);
	assert_int_equal(fb_nps(120, 160, 400, 30, Z95, &f), 0);
	assert_true(fabs(f.value + 10) < 1e-9);
	assert_true(fabs(f.se - 4.153312) < 5e-7);
	assert_int_equal(fb_nps(5, 5, 20, 30, Z95, &f), 0);
	assert_false(f.sufficient);
	assert_int_equal(fb_nps(60, 50, 100, 30, Z95, &f), -1);
}

/* splitmix64 and Box-Muller: the same stream on every platform. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_normal(void)
{
	double u1 = ((double)(rng_next() >> 11) + 1) / 9007199254740993.0;
	double u2 = (double)(rng_next() >> 11) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* Samples until the chart alarms, the shift added from the first. */
static int run_length(double shift, int limit)
{
	struct fb_cusum c;
	int t;

	fb_cusum_init(&c, 0, 1, 0.5, 5);
	for (t = 1; t <= limit; t++)
		if (fb_cusum_add(&c, rng_normal() + shift) != 0)
			return t;
	return limit;
}

static void test_cusum_by_hand(void **state)
{
	struct fb_cusum c;

	(void)state;
	/* k = 0.5, h = 5: each value 2 sd high adds 1.5 to hi: 1.5, 3, 4.5,
	 * then 6 > 5 alarms on the fourth. */
	fb_cusum_init(&c, 10, 2, 0.5, 5);
	assert_int_equal(fb_cusum_add(&c, 14), 0);
	assert_true(fabs(c.hi - 1.5) < 1e-12);
	assert_int_equal(fb_cusum_add(&c, 14), 0);
	assert_int_equal(fb_cusum_add(&c, 14), 0);
	assert_int_equal(fb_cusum_add(&c, 14), 1);
	assert_true(c.hi == 0 && c.lo == 0);
	/* Within k of the mean nothing accumulates. */
	assert_int_equal(fb_cusum_add(&c, 10.9), 0);
	assert_true(c.hi == 0 && c.lo == 0);
	/* Three sd low adds 2.5 to lo: 2.5, 5 (not above h), 7.5 alarms. */
	assert_int_equal(fb_cusum_add(&c, 4), 0);
	assert_int_equal(fb_cusum_add(&c, 4), 0);
	assert_true(fabs(c.lo - 5) < 1e-12);
	assert_int_equal(fb_cusum_add(&c, 4), -1);
}

/*
 * Run lengths over 1000 seeded runs (more than the 200 asked, so that the
 * estimate's standard error, about 15 samples, leaves the bound far from
 * chance).  Theory for k = 0.5, h = 5 two-sided: ARL0 about 465 in
 * control, ARL1 about 10.4 for a one-sd shift.
 */
static void test_cusum_run_lengths(void **state)
{
	double sum0 = 0, sum1 = 0;
	int i, runs = 1000;

	(void)state;
	rng_state = 20261125;
	for (i = 0; i < runs; i++)
		sum0 += run_length(0, 100000);
	for (i = 0; i < runs; i++)
		sum1 += run_length(1, 100000);
	print_message("# ARL0 %.1f ARL1 %.2f over %d runs\n", sum0 / runs,
		      sum1 / runs, runs);
	assert_true(sum0 / runs >= 400);
	assert_true(sum1 / runs <= 15);
	/* The charts are not trivially alarming or silent either. */
	assert_true(sum0 / runs < 700);
	assert_true(sum1 / runs > 5);
}

static void test_mean_sd(void **state)
{
	static const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	double m, sd;

	(void)state;
	/* mean 5; squared deviations sum to 32; 32 / 7 = 4.571429. */
	fb_mean_sd(x, 8, &m, &sd);
	assert_true(fabs(m - 5) < 1e-12);
	assert_true(fabs(sd - sqrt(32.0 / 7)) < 1e-12);
}

/*
 * Baseline 10, 12, 10, 12: mean 11, sd = sqrt(4 / 3) = 1.154701.  Then
 * 11 adds nothing; 14 is 2.598 sd high: hi = 2.098; 14 again: 4.196;
 * 14 a third time: 6.294 > 5 alarms upward.
 */
static void test_chart(void **state)
{
	static const double x[] = { 10, 12, 10, 12, 11, 14, 14, 14, 11 };
	static const double flat[] = { 3, 3, 3, 9 };
	int dirs[9];

	(void)state;
	assert_int_equal(fb_chart_run(x, 9, 4, 0.5, 5, dirs), 1);
	assert_int_equal(dirs[5], 0);
	assert_int_equal(dirs[6], 0);
	assert_int_equal(dirs[7], 1);
	assert_int_equal(dirs[8], 0);
	/* With h = 4 the second 14 (4.196) already alarms. */
	assert_int_equal(fb_chart_run(x, 9, 4, 0.5, 4, dirs), 1);
	assert_int_equal(dirs[6], 1);
	/* No spread in the baseline, or nothing after it: no chart. */
	assert_int_equal(fb_chart_run(flat, 4, 3, 0.5, 5, dirs), -1);
	assert_int_equal(fb_chart_run(x, 4, 4, 0.5, 5, dirs), -1);
	assert_int_equal(fb_chart_run(x, 9, 1, 0.5, 5, dirs), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_wilson_literals),
		cmocka_unit_test(test_csat_minimum_sample),
		cmocka_unit_test(test_nps_literals),
		cmocka_unit_test(test_cusum_by_hand),
		cmocka_unit_test(test_cusum_run_lengths),
		cmocka_unit_test(test_mean_sd),
		cmocka_unit_test(test_chart),
	};

	return cmocka_run_group_tests_name("feedback_stats", tests, NULL, NULL);
}
