/*
 * test_perf_plan.c - parameters of normalised statements, sequential
 * scans and index scans in EXPLAIN (FORMAT JSON) plans, and the columns
 * filters compare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "plugins/perf/plan.h"

static void test_param_count(void **state)
{
	(void)state;
	assert_int_equal(perf_param_count("SELECT 1"), 0);
	assert_int_equal(perf_param_count("SELECT * FROM t WHERE a = $1 AND b = $12"), 12);
	assert_int_equal(perf_param_count("SELECT '$9', \"$8\" /* $7 */ FROM t -- $6\n WHERE a = $2"), 2);
}

static void test_explainable(void **state)
{
	(void)state;
	assert_true(perf_stmt_explainable("SELECT 1"));
	assert_true(perf_stmt_explainable("  /* task=x */\n-- c\nupdate t SET a = $1"));
	assert_true(perf_stmt_explainable("WITH x AS (SELECT 1) SELECT * FROM x"));
	assert_true(perf_stmt_explainable("delete FROM t"));
	assert_false(perf_stmt_explainable("SELECTED"));
	assert_false(perf_stmt_explainable("CREATE TABLE t (a int)"));
	assert_false(perf_stmt_explainable("INSERT INTO t VALUES ($1)"));
	assert_false(perf_stmt_explainable("/* unterminated SELECT"));
}

/* A plan as PostgreSQL 15 prints it: an aggregate over a seq scan. */
static const char seqscan_plan[] =
	"[{\"Plan\": {\"Node Type\": \"Aggregate\", \"Total Cost\": 4300.5,"
	" \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"perf_big\","
	" \"Schema\": \"public\", \"Total Cost\": 4300.0, \"Plan Rows\": 200,"
	" \"Filter\": \"(k = $1)\"},"
	" {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"other\","
	" \"Schema\": \"public\", \"Total Cost\": 1.0, \"Plan Rows\": 10}]}}]";

static const char index_plan[] =
	"[{\"Plan\": {\"Node Type\": \"Aggregate\", \"Total Cost\": 12.5,"
	" \"Plans\": [{\"Node Type\": \"Bitmap Heap Scan\", \"Relation Name\": \"perf_big\","
	" \"Plans\": [{\"Node Type\": \"Bitmap Index Scan\", \"Index Name\": \"<13556>btree_perf_big_k\"}]}]}}]";

static void test_seqscans(void **state)
{
	json_t *doc = json_loads(seqscan_plan, 0, NULL);
	struct perf_scan s[4];
	double cost;

	(void)state;
	assert_non_null(doc);
	/* The scan without a filter is no candidate. */
	assert_int_equal(perf_plan_seqscans(doc, s, 4, &cost), 1);
	assert_float_equal(cost, 4300.5, 0);
	assert_float_equal(perf_plan_cost(doc), 4300.5, 0);
	assert_string_equal(s[0].schema, "public");
	assert_string_equal(s[0].relation, "perf_big");
	assert_string_equal(s[0].filter, "(k = $1)");
	assert_float_equal(s[0].cost, 4300.0, 0);
	assert_float_equal(s[0].plan_rows, 200, 0);
	assert_false(perf_plan_uses_index(doc, "perf_big"));
	assert_false(perf_plan_uses_named_index(doc, "<13556>btree_perf_big_k"));
	json_decref(doc);

	doc = json_loads(index_plan, 0, NULL);
	assert_int_equal(perf_plan_seqscans(doc, s, 4, &cost), 0);
	assert_true(perf_plan_uses_index(doc, "perf_big"));
	assert_false(perf_plan_uses_index(doc, "other"));
	/* hypopg's hypothetical index, found by its name at any depth. */
	assert_true(perf_plan_uses_named_index(doc, "<13556>btree_perf_big_k"));
	assert_false(perf_plan_uses_named_index(doc, "<13557>btree_perf_big_v"));
	json_decref(doc);

	doc = json_loads("{\"not\": \"a plan\"}", 0, NULL);
	assert_int_equal(perf_plan_seqscans(doc, s, 4, &cost), 0);
	assert_float_equal(cost, 0, 0);
	json_decref(doc);
}

/* Expect the filter's columns, comma-joined. */
static void expect_cols(const char *filter, const char *want)
{
	char cols[PERF_MAX_COLS][64], got[300] = "";
	size_t n = perf_filter_columns(filter, cols);

	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(got, ",");
		strcat(got, cols[i]);
	}
	assert_string_equal(got, want);
}

static void test_filter_columns(void **state)
{
	(void)state;
	expect_cols("(k = $1)", "k");
	expect_cols("((status = 'failed'::text) AND (created_at >= $1) AND (user_id = $2))",
		    "status,user_id,created_at");
	expect_cols("((t.k >= $1) AND (t.k < $2))", "k");
	expect_cols("(\"Odd \"\"Name\" = $1)", "Odd \"Name");
	expect_cols("(k = ANY ($1))", "k");
	expect_cols("(lower(v) = $1)", "");
	expect_cols("(k <> $1)", "");
	expect_cols("((v)::text ~~ $1)", "");
	expect_cols("((a = $1) AND (a = $2) AND (b > $3) AND (c < $4))", "a,b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_count),
		cmocka_unit_test(test_explainable),
		cmocka_unit_test(test_seqscans),
		cmocka_unit_test(test_filter_columns),
	};
	return cmocka_run_group_tests_name("perf_plan", tests, NULL, NULL);
}
