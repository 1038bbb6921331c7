/*
 * test_feedback_store.c - sums per group and per time bucket over the
 * feedback tables, on a state database in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>

#include "plugins/feedback/store.h"

static void add(sqlite3 *db, int id, const char *scale, int score,
		int64_t ms, const char *segs)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO feedback_ratings VALUES ('t', %d, 'tx%d', 'u', '%s', %d, %lld, '%s')",
		 id, id, scale, score, (long long)ms, segs);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int setup(void **state)
{
	sqlite3 *db;
	int i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	for (i = 0; fb_state_migrations[i] != NULL; i++)
		if (sqlite3_exec(db, fb_state_migrations[i], NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	/* pro: csat 5, 4, 2; nps 10, 7, 3.  free: csat 4; nps 9, 9.
	 * One segment-less csat 1 at time 0, before every window below. */
	add(db, 1, "csat", 5, 1000, "{\"plan\":\"pro\"}");
	add(db, 2, "csat", 4, 1100, "{\"plan\":\"pro\"}");
	add(db, 3, "csat", 2, 1200, "{\"plan\":\"pro\"}");
	add(db, 4, "nps", 10, 1300, "{\"plan\":\"pro\"}");
	add(db, 5, "nps", 7, 2100, "{\"plan\":\"pro\"}");
	add(db, 6, "nps", 3, 2200, "{\"plan\":\"pro\"}");
	add(db, 7, "csat", 4, 2300, "{\"plan\":\"free\"}");
	add(db, 8, "nps", 9, 2400, "{\"plan\":\"free\"}");
	add(db, 9, "nps", 9, 3500, "{\"plan\":\"free\"}");
	add(db, 10, "csat", 1, 0, "{}");
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

static void test_all(void **state)
{
	struct fb_group *g;
	size_t n;

	assert_int_equal(fb_aggregate(*state, 1000, NULL, NULL, 0, &g, &n), 0);
	assert_int_equal(n, 1);
	assert_null(g[0].segment);
	assert_int_equal(g[0].csat_n, 4);     /* 5, 4, 2, 4 */
	assert_int_equal(g[0].csat_pos, 3);
	assert_int_equal(g[0].nps_n, 5);      /* 10, 7, 3, 9, 9 */
	assert_int_equal(g[0].promoters, 3);
	assert_int_equal(g[0].detractors, 1);
	fb_groups_free(g, n);
	assert_int_equal(fb_aggregate(*state, 0, NULL, NULL, 0, &g, &n), 0);
	assert_int_equal(g[0].csat_n, 5);     /* the rating at time 0 too */
	fb_groups_free(g, n);
}

static void test_segments(void **state)
{
	const struct fb_filter pro = { "plan", "pro" };
	struct fb_group *g;
	size_t n;

	assert_int_equal(fb_aggregate(*state, 1000, "plan", NULL, 0, &g, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(g[0].segment, "free");
	assert_int_equal(g[0].csat_n, 1);
	assert_int_equal(g[0].promoters, 2);
	assert_string_equal(g[1].segment, "pro");
	assert_int_equal(g[1].csat_n, 3);
	assert_int_equal(g[1].csat_pos, 2);
	assert_int_equal(g[1].detractors, 1);
	fb_groups_free(g, n);
	assert_int_equal(fb_aggregate(*state, 1000, NULL, &pro, 1, &g, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].nps_n, 3);
	fb_groups_free(g, n);
	/* A segment nobody has: no group at all. */
	assert_int_equal(fb_aggregate(*state, 1000, "flow", NULL, 0, &g, &n), 0);
	assert_int_equal(n, 1);
	assert_null(g[0].segment);
	fb_groups_free(g, n);
}

static void test_buckets(void **state)
{
	double *v;
	int64_t *t;
	size_t n;

	/* Buckets of 1000 ms up to 3000 (3500 is in the bucket still
	 * filling): [1000,2000) csat 2 of 3; [2000,3000) csat 1 of 1. */
	assert_int_equal(fb_bucket_series(*state, "csat", 1000, 3999, 1000, 1, &v, &t, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0], 1000);
	assert_true(fabs(v[0] - 2.0 / 3) < 1e-12);
	assert_true(fabs(v[1] - 1) < 1e-12);
	free(v);
	free(t);
	/* NPS: [1000,2000) one promoter of 1 = 100; [2000,3000) 7, 3, 9:
	 * (1 - 1) / 3 = 0.  A minimum of 2 ratings drops the first. */
	assert_int_equal(fb_bucket_series(*state, "nps", 1000, 3999, 1000, 2, &v, &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0], 2000);
	assert_true(fabs(v[0]) < 1e-12);
	free(v);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buckets, setup, teardown),
	};

	return cmocka_run_group_tests_name("feedback_store", tests, NULL, NULL);
}
