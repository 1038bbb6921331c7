/*
 * test_perf_stats.c - task statistics against hand-computed values:
 * nearest-rank percentiles, failure rates, totals, impact and the two
 * rankings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "plugins/perf/stats.h"

static void test_percentile_nearest_rank(void **state)
{
	double v[20];

	(void)state;
	for (int i = 0; i < 20; i++)
		v[i] = i + 1;
	/* ranks ceil(0.5*20)=10, ceil(0.95*20)=19, ceil(0.99*20)=20 */
	assert_float_equal(perf_percentile(v, 20, 50), 10, 0);
	assert_float_equal(perf_percentile(v, 20, 95), 19, 0);
	assert_float_equal(perf_percentile(v, 20, 99), 20, 0);
	assert_float_equal(perf_percentile(v, 20, 1), 1, 0);
	/* ceil(0.5*3)=2, ceil(0.95*3)=3 */
	assert_float_equal(perf_percentile(v, 3, 50), 2, 0);
	assert_float_equal(perf_percentile(v, 3, 95), 3, 0);
	assert_float_equal(perf_percentile(v, 1, 99), 1, 0);
	assert_true(isnan(perf_percentile(v, 0, 50)));
}

static void test_stats_by_type(void **state)
{
	struct perf_task_row rows[24];
	struct perf_task_stat *s;
	const struct perf_task_stat *a, *b;
	size_t n, k = 0;

	(void)state;
	/* "a": 1..20 ms, shuffled, tasks 3 and 7 failed. */
	for (int i = 20; i >= 1; i--)
		rows[k++] = (struct perf_task_row){ "a", i, i == 3 || i == 7 };
	/* "b": 300, 100, 200, 400 ms, one failure: fewer but longer. */
	rows[k++] = (struct perf_task_row){ "b", 300, 0 };
	rows[k++] = (struct perf_task_row){ "b", 100, 1 };
	rows[k++] = (struct perf_task_row){ "b", 200, 0 };
	rows[k++] = (struct perf_task_row){ "b", 400, 0 };

	assert_int_equal(perf_task_stats(rows, k, 1.0, &s, &n), 0);
	assert_int_equal(n, 2);
	a = perf_task_stat_find(s, n, "a");
	b = perf_task_stat_find(s, n, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_null(perf_task_stat_find(s, n, "c"));

	assert_int_equal(a->count, 20);
	assert_int_equal(a->failures, 2);
	assert_float_equal(a->failure_rate, 0.1, 1e-12);
	assert_float_equal(a->p50, 10, 0);
	assert_float_equal(a->p95, 19, 0);
	assert_float_equal(a->p99, 20, 0);
	assert_float_equal(a->total_ms, 210, 1e-9);
	assert_float_equal(a->mean_ms, 10.5, 1e-9);
	assert_float_equal(a->var_ms, 35.0, 1e-9); /* n(n+1)/12 for 1..n */
	/* 210 + 1.0 * 2 failures * 10.5 */
	assert_float_equal(a->impact_ms, 231, 1e-9);

	assert_int_equal(b->count, 4);
	assert_float_equal(b->failure_rate, 0.25, 1e-12);
	assert_float_equal(b->p50, 200, 0); /* rank ceil(2) = 2 */
	assert_float_equal(b->p95, 400, 0); /* rank ceil(3.8) = 4 */
	assert_float_equal(b->total_ms, 1000, 1e-9);
	assert_float_equal(b->impact_ms, 1250, 1e-9); /* 1000 + 250 */

	/* b costs more, a runs more often. */
	assert_string_equal(s[0].type, "b");
	assert_int_equal(b->impact_rank, 1);
	assert_int_equal(a->impact_rank, 2);
	assert_int_equal(a->frequency_rank, 1);
	assert_int_equal(b->frequency_rank, 2);
	perf_task_stats_free(s, n);
}

static void test_failure_weight_changes_ranking(void **state)
{
	/* x: 10 tasks of 100 ms, all failed; y: 1 task of 1500 ms. */
	struct perf_task_row rows[11];
	struct perf_task_stat *s;
	size_t n;

	(void)state;
	for (int i = 0; i < 10; i++)
		rows[i] = (struct perf_task_row){ "x", 100, 1 };
	rows[10] = (struct perf_task_row){ "y", 1500, 0 };
	assert_int_equal(perf_task_stats(rows, 11, 0.0, &s, &n), 0);
	assert_string_equal(s[0].type, "y"); /* 1500 > 1000 */
	perf_task_stats_free(s, n);
	assert_int_equal(perf_task_stats(rows, 11, 1.0, &s, &n), 0);
	assert_string_equal(s[0].type, "x"); /* 1000 + 10 * 100 > 1500 */
	assert_float_equal(s[0].impact_ms, 2000, 1e-9);
	assert_float_equal(s[0].var_ms, 0, 0);
	perf_task_stats_free(s, n);
}

static void test_no_rows(void **state)
{
	struct perf_task_stat *s = (void *)1;
	size_t n = 9;

	(void)state;
	assert_int_equal(perf_task_stats(NULL, 0, 1.0, &s, &n), 0);
	assert_null(s);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_nearest_rank),
		cmocka_unit_test(test_stats_by_type),
		cmocka_unit_test(test_failure_weight_changes_ranking),
		cmocka_unit_test(test_no_rows),
	};
	return cmocka_run_group_tests_name("perf_stats", tests, NULL, NULL);
}
