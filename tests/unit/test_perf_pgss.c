/*
 * test_perf_pgss.c - windows over pg_stat_statements snapshots (deltas,
 * resets, mean and stddev from sums of squares, rankings) and the gain
 * decision a gate makes from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/perf/gain.h"
#include "plugins/perf/pgss.h"

/* calls, total and sumsq of the call times given. */
static struct perf_stmt stmt(int64_t id, const double *ms, int n,
			     const struct perf_stmt *before)
{
	struct perf_stmt s = { .queryid = id, .query = "SELECT $1" };

	if (before)
		s = *before;
	for (int i = 0; i < n; i++) {
		s.calls += 1;
		s.total_ms += ms[i];
		s.sumsq += ms[i] * ms[i];
		s.rows += 1;
	}
	return s;
}

static void test_window_mean_stddev(void **state)
{
	const double first[] = { 1, 2, 3, 4 }, second[] = { 10, 10, 10, 10 };
	struct perf_stmt a = stmt(7, first, 4, NULL);
	struct perf_stmt b = stmt(7, second, 4, &a);
	struct perf_stmt w;
	struct perf_summary sum;

	(void)state;
	assert_float_equal(perf_stmt_mean(&a), 2.5, 1e-12);
	/* population: sqrt(30/4 - 2.5^2) = sqrt(1.25) */
	assert_float_equal(perf_stmt_stddev(&a), 1.118033989, 1e-9);
	perf_stmt_summary(&a, &sum);
	assert_float_equal(sum.var, 1.25 * 4 / 3, 1e-12);

	perf_stmt_delta(&a, &b, &w);
	assert_float_equal(w.calls, 4, 0);
	assert_float_equal(perf_stmt_mean(&w), 10, 1e-12);
	assert_float_equal(perf_stmt_stddev(&w), 0, 1e-12);
	assert_float_equal(w.rows, 4, 0);
}

static void test_reset_and_new(void **state)
{
	const double ms[] = { 5, 7 };
	struct perf_stmt a = stmt(7, ms, 2, NULL), b = stmt(7, ms, 2, &a);
	struct perf_stmt w;

	(void)state;
	/* Counters that went back mean a reset: the window is cur itself. */
	perf_stmt_delta(&b, &a, &w);
	assert_float_equal(w.calls, 2, 0);
	assert_float_equal(w.total_ms, 12, 0);
	perf_stmt_delta(NULL, &b, &w);
	assert_float_equal(w.calls, 4, 0);
	struct perf_stmt zero = { 0 };
	assert_float_equal(perf_stmt_mean(&zero), 0, 0);
	assert_float_equal(perf_stmt_stddev(&zero), 0, 0);
}

static void test_rankings(void **state)
{
	const double slow[] = { 500, 700 }, fast[] = { 1, 1, 1, 1, 1 };
	struct perf_stmt old[2], cur[3], out[3];
	size_t n;

	(void)state;
	old[0] = stmt(1, slow, 2, NULL);
	old[1] = stmt(2, fast, 5, NULL);
	cur[0] = stmt(1, slow, 2, &old[0]);   /* +2 calls, +1200 ms */
	cur[1] = stmt(2, fast, 5, &old[1]);   /* +5 calls, +5 ms */
	cur[2] = old[1];                      /* idle since: dropped */
	cur[2].queryid = 3;
	old[1].queryid = 3;
	/* Statement 2 has no old snapshot now: its whole counters count. */
	n = perf_stmt_windows(old, 2, cur, 3, 't', out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].queryid, 1);
	assert_float_equal(out[0].total_ms, 1200, 1e-9);
	assert_int_equal(out[1].queryid, 2);
	assert_float_equal(out[1].calls, 10, 0);
	n = perf_stmt_windows(old, 2, cur, 3, 'c', out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].queryid, 2);
	assert_null(perf_stmt_find(out, n, 3));
}

/* A window of n calls with mean m and population stddev sd on top of s. */
static struct perf_stmt add_calls(struct perf_stmt s, double n, double m,
				  double sd)
{
	s.calls += n;
	s.total_ms += n * m;
	s.sumsq += n * (sd * sd + m * m);
	return s;
}

static void test_gain(void **state)
{
	struct perf_stmt base = { .queryid = 9 };
	struct perf_stmt pre = add_calls(base, 30, 100, 10);
	/* Calls between the last snapshot before and the first of the
	 * stage (the index build) belong to neither window. */
	struct perf_stmt stage = add_calls(pre, 7, 1000, 0);
	struct perf_stmt fixed = add_calls(stage, 30, 50, 10);
	struct perf_stmt same = add_calls(stage, 30, 99, 10);
	struct perf_gain g;

	(void)state;
	assert_int_equal(perf_gain_decide(&base, &pre, &stage, &fixed, 30, 0.1, &g), 0);
	assert_int_equal(g.gain, 1);
	assert_float_equal(perf_stmt_mean(&g.after), 50, 1e-9);
	assert_float_equal(perf_stmt_mean(&g.before), 100, 1e-9);
	/* se^2 = (100*30/29)/30 * (1 + 0.81); t = (50 - 90) / se */
	assert_float_equal(g.test.t, -16.01105, 1e-4);
	assert_true(g.test.p < 1e-10);

	/* A useless index: 99 is not below 90. */
	assert_int_equal(perf_gain_decide(&base, &pre, &stage, &same, 30, 0.1, &g), 0);
	assert_int_equal(g.gain, 0);
	assert_true(g.test.p > 0.99);

	/* Too few calls in the stage, or no baseline: no data, but the
	 * stage's window is there. */
	assert_int_equal(perf_gain_decide(&base, &pre, &stage, &fixed, 31, 0.1, &g),
			 HINGE_ENODATA);
	assert_int_equal(perf_gain_decide(NULL, &pre, &stage, &fixed, 30, 0.1, &g),
			 HINGE_ENODATA);
	assert_float_equal(g.after.calls, 30, 0);
	assert_int_equal(perf_gain_decide(&pre, &pre, &stage, &fixed, 30, 0.1, &g),
			 HINGE_ENODATA);
	/* A statement new in the stage: all its calls are the stage's. */
	assert_int_equal(perf_gain_decide(&base, &pre, NULL, &fixed, 30, 0.1, &g), 0);
	assert_float_equal(g.after.calls, 67, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_mean_stddev),
		cmocka_unit_test(test_reset_and_new),
		cmocka_unit_test(test_rankings),
		cmocka_unit_test(test_gain),
	};
	return cmocka_run_group_tests_name("perf_pgss", tests, NULL, NULL);
}
