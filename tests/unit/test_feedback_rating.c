/*
 * test_feedback_rating.c - which source rows are ratings, which ratings
 * tables ingestion can read, and the batch query text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugins/feedback/rating.h"

static void test_valid_rows(void **state)
{
	static const struct {
		const char *scale, *score;
		int want;
	} cases[] = {
		{ "csat", "1", 1 }, { "csat", "5", 5 },
		{ "nps", "0", 0 }, { "nps", "10", 10 },
	};
	size_t i;
	int score;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		score = -1;
		assert_null(fb_rating_reject_reason("ch_1", "42", cases[i].scale,
						    cases[i].score, &score));
		assert_int_equal(score, cases[i].want);
	}
}

static void test_rejected_rows(void **state)
{
	static const struct {
		const char *txn, *user, *scale, *score, *reason;
	} cases[] = {
		{ "ch_1", "42", "csat", "0", "score out of range for csat (1-5)" },
		{ "ch_1", "42", "csat", "6", "score out of range for csat (1-5)" },
		{ "ch_1", "42", "nps", "11", "score out of range for nps (0-10)" },
		{ "ch_1", "42", "nps", "-1", "score is not a whole number" },
		{ "ch_1", "42", "csat", "4.5", "score is not a whole number" },
		{ "ch_1", "42", "csat", "99999999999", "score is not a whole number" },
		{ "ch_1", "42", "csat", NULL, "score missing" },
		{ "ch_1", "42", "stars", "4", "unknown scale (csat or nps)" },
		{ "ch_1", "42", "CSAT", "4", "unknown scale (csat or nps)" },
		{ "ch_1", "42", NULL, "4", "scale missing" },
		{ NULL, "42", "csat", "4", "transaction id missing or not 1-128 printable characters" },
		{ "ch_1", "", "csat", "4", "user id missing or not 1-128 printable characters" },
	};
	size_t i;
	int score = -1;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(fb_rating_reject_reason(cases[i].txn, cases[i].user,
							    cases[i].scale, cases[i].score,
							    &score),
				    cases[i].reason);
	assert_int_equal(score, -1);
}

static const struct fb_column good[] = {
	{ "id", "bigint" },
	{ "transaction_id", "text" },
	{ "user_id", "bigint" },
	{ "scale", "character varying(8)" },
	{ "score", "smallint" },
	{ "comment", "text" },
	{ "plan", "text" },
	{ "created_at", "timestamp with time zone" }, /* last: n = 7 drops it */
};

static void test_schema(void **state)
{
	const char *segs[] = { "plan" }, *missing[] = { "plan", "flow_step" };
	struct fb_column bad[8];
	char msg[256];

	(void)state;
	assert_int_equal(fb_ratings_schema_check(good, 8, segs, 1, msg, sizeof(msg)), 0);
	assert_int_equal(fb_ratings_schema_check(good, 8, missing, 2, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "segment flow_step is not a column of the ratings table (setting segments)");
	assert_int_equal(fb_ratings_schema_check(good, 7, NULL, 0, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "the ratings table has no column created_at (setting ratings_table)");
	memcpy(bad, good, sizeof(bad));
	bad[7].type = "text";
	assert_int_equal(fb_ratings_schema_check(bad, 8, NULL, 0, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "column created_at of the ratings table is text, not a timestamp (setting ratings_table)");
	memcpy(bad, good, sizeof(bad));
	bad[4].type = "text";
	assert_int_equal(fb_ratings_schema_check(bad, 8, NULL, 0, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "column score of the ratings table is text, not a number (setting ratings_table)");
}

static void test_sql(void **state)
{
	const char *segs[] = { "\"plan\"", "\"flow step\"" };
	char *sql = fb_ingest_sql("\"hinge\".\"feedback_ratings\"", segs, 2);

	(void)state;
	assert_non_null(sql);
	assert_string_equal(sql,
		"SELECT id::text, (extract(epoch FROM created_at) * 1000000)::bigint::text,"
		" transaction_id::text, user_id::text, scale::text, score::text,"
		" \"plan\"::text, \"flow step\"::text FROM \"hinge\".\"feedback_ratings\""
		" WHERE (created_at, id) > ('epoch'::timestamptz + ($1::bigint || ' microseconds')::interval, $2::bigint)"
		" ORDER BY created_at, id LIMIT $3::integer");
	free(sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_rejected_rows),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_sql),
	};

	return cmocka_run_group_tests_name("feedback_rating", tests, NULL, NULL);
}
