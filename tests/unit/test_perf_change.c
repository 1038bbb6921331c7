/*
 * test_perf_change.c - the proposed change file: the index name within
 * PostgreSQL's limit, escaped strings, the steps and the gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/perf/change.h"

static struct perf_proposal proposal(void)
{
	struct perf_proposal p = {
		.schema = "public", .table = "perf_big", .ncols = 2,
		.queryid = -3097106866161585255LL, .calls = 5, .mean_ms = 24.5,
		.total_ms = 122.5, .filter = "((k = $1) AND (v = 'a\"b'::text))",
		.check = "sampled copy",
		.cost_without = 2300, .cost_with = 12.25, .margin = 0.1,
		.bake_ms = 1800000, .interval_ms = 1500, .failure_limit = 1,
		.inconclusive_limit = 20,
	};

	strcpy(p.cols[0], "k");
	strcpy(p.cols[1], "v");
	return p;
}

static void test_index_name(void **state)
{
	struct perf_proposal p = proposal();
	char name[64];

	(void)state;
	perf_index_name(&p, name);
	assert_string_equal(name, "perf_big_k_v_idx");
	p.table = "a_table_whose_name_is_long_enough_to_need_cutting_down_here";
	perf_index_name(&p, name);
	assert_int_equal(strlen(name), 63);
	assert_string_equal(name + 59, "_idx");
}

static void test_change_text(void **state)
{
	struct perf_proposal p = proposal();
	char *t = perf_change_text(&p);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t, "change: {\n  id = \"perf_big_k_v_idx\";"));
	assert_non_null(strstr(t, "action = \"migration.create_index\";"));
	assert_non_null(strstr(t, "with = { schema = \"public\"; table = \"perf_big\";"
				  " name = \"perf_big_k_v_idx\"; columns = \"\\\"k\\\", \\\"v\\\"\"; };"));
	/* The filter's quote is escaped inside the description. */
	assert_non_null(strstr(t, "(v = 'a\\\"b'::text)); checked on a sampled copy, the"
				  " index brings its cost from 2300.00 to 12.25"));
	assert_non_null(strstr(t, "gate = [ \"perf.query_gain{queryid=\\\"-3097106866161585255\\\"} == 1\","));
	/* The mean bound is the mean less the margin: 24.5 * 0.9. */
	assert_non_null(strstr(t, "perf.query_mean_ms{queryid=\\\"-3097106866161585255\\\"} < 22.050\" ];"));
	assert_non_null(strstr(t, "bake = \"30m\"; interval = \"1500ms\"; failure_limit = 1;"
				  " inconclusive_limit = 20; }"));
	assert_non_null(strstr(t, "on_failure = \"rollback\";"));
	free(t);
}

/* The text is what libconfig (the agent's parser) reads back. */
static void test_change_parses(void **state)
{
	struct perf_proposal p = proposal();
	char *t = perf_change_text(&p);
	const char *v = NULL;
	config_t cfg;

	(void)state;
	config_init(&cfg);
	if (config_read_string(&cfg, t) != CONFIG_TRUE)
		fail_msg("line %d: %s", config_error_line(&cfg), config_error_text(&cfg));
	assert_true(config_lookup_string(&cfg, "change.id", &v));
	assert_string_equal(v, "perf_big_k_v_idx");
	assert_true(config_lookup_string(&cfg, "change.description", &v));
	assert_non_null(strstr(v, "filter ((k = $1) AND (v = 'a\"b'::text))"));
	assert_true(config_lookup_string(&cfg, "change.steps.[0].action", &v));
	assert_string_equal(v, "migration.create_index");
	assert_true(config_lookup_string(&cfg, "change.steps.[0].with.columns", &v));
	assert_string_equal(v, "\"k\", \"v\"");
	assert_true(config_lookup_string(&cfg, "change.steps.[1].gate.[0]", &v));
	assert_string_equal(v, "perf.query_gain{queryid=\"-3097106866161585255\"} == 1");
	assert_true(config_lookup_string(&cfg, "change.steps.[1].bake", &v));
	assert_string_equal(v, "30m");
	config_destroy(&cfg);
	free(t);
}

/* The description names how the index was checked. */
static void test_hypothetical(void **state)
{
	struct perf_proposal p = proposal();
	char *t;

	(void)state;
	p.check = "hypothetical index";
	assert_non_null(t = perf_change_text(&p));
	assert_non_null(strstr(t, "; checked as a hypothetical index (hypopg), the index brings"));
	free(t);
}

/* Columns are SQL for migration.create_index: quoted identifiers. */
static void test_columns_quoted(void **state)
{
	struct perf_proposal p = proposal();
	const char *v = NULL;
	config_t cfg;
	char *t;

	(void)state;
	strcpy(p.cols[1], "Odd \"name\"");
	assert_non_null(t = perf_change_text(&p));
	config_init(&cfg);
	assert_int_equal(config_read_string(&cfg, t), CONFIG_TRUE);
	assert_true(config_lookup_string(&cfg, "change.steps.[0].with.columns", &v));
	assert_string_equal(v, "\"k\", \"Odd \"\"name\"\"\"");
	config_destroy(&cfg);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_name),
		cmocka_unit_test(test_change_text),
		cmocka_unit_test(test_change_parses),
		cmocka_unit_test(test_columns_quoted),
		cmocka_unit_test(test_hypothetical),
	};
	return cmocka_run_group_tests_name("perf_change", tests, NULL, NULL);
}
