/*
 * test_bias_audit_store.c - audits and probes in SQLite: the migrations
 * apply, an audit reads back with its checksum, policy and results, the
 * latest and the baseline (latest PASS) are found, history is newest
 * first, and probes keep their flip rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>
#include <jansson.h>
#include <sqlite3.h>

#include "plugins/bias_audit/store.h"

static sqlite3 *open_db(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (int i = 0; bias_store_migrations[i] != NULL; i++)
		assert_int_equal(sqlite3_exec(db, bias_store_migrations[i], NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static int64_t put(sqlite3 *db, int64_t t, const char *verdict)
{
	json_t *policy = json_pack("{s:{s:f}}", "thresholds", "disparate_impact_min", 0.8);
	json_t *results = json_pack("{s:s, s:i, s:[]}", "verdict", verdict, "rows", 10, "dimensions");
	const struct bias_audit_rec rec = {
		.started_ms = t, .finished_ms = t + 5, .source = "csv:/x.csv",
		.input_sha256 = "ab12", .policy = policy, .results = results,
	};
	int64_t id = 0;

	assert_int_equal(bias_store_insert(db, &rec, &id), 0);
	json_decref(policy);
	json_decref(results);
	return id;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void audits(void **state)
{
	sqlite3 *db = open_db();
	json_t *a, *list;

	(void)state;
	assert_int_equal(bias_store_get(db, 0, &a), HINGE_ENODATA);
	assert_int_equal(bias_store_baseline(db, 0, &a), HINGE_ENODATA);
	assert_int_equal(put(db, 1000, "PASS"), 1);
	assert_int_equal(put(db, 2000, "FAIL"), 2);
	assert_int_equal(put(db, 3000, "INCONCLUSIVE"), 3);

	assert_int_equal(bias_store_get(db, 2, &a), 0);
	assert_string_equal(str(a, "schema"), "hinge.bias_audit/1");
	assert_string_equal(str(a, "verdict"), "FAIL");
	assert_string_equal(str(a, "input_sha256"), "ab12");
	assert_string_equal(str(a, "source"), "csv:/x.csv");
	assert_int_equal(json_integer_value(json_object_get(a, "rows")), 10);
	assert_int_equal(json_integer_value(json_object_get(a, "finished_ms")), 2005);
	assert_float_equal(json_real_value(json_object_get(json_object_get(json_object_get(a, "policy"),
		"thresholds"), "disparate_impact_min")), 0.8, 1e-12);
	assert_string_equal(str(json_object_get(a, "results"), "verdict"), "FAIL");
	json_decref(a);

	assert_int_equal(bias_store_get(db, 0, &a), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), 3);
	json_decref(a);
	assert_int_equal(bias_store_get(db, 9, &a), HINGE_ENODATA);
	/* The baseline is the latest PASS, or the audit asked for. */
	assert_int_equal(bias_store_baseline(db, 0, &a), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), 1);
	json_decref(a);
	assert_int_equal(bias_store_baseline(db, 2, &a), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), 2);
	json_decref(a);

	assert_int_equal(bias_store_list(db, 2, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "id")), 2);
	assert_null(json_object_get(json_array_get(list, 0), "results"));
	json_decref(list);
	sqlite3_close(db);
}

static void probes(void **state)
{
	sqlite3 *db = open_db();
	json_t *p, *got;
	double rate = -1;
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(bias_store_probe_latest(db, &got), HINGE_ENODATA);
	p = json_pack("{s:I, s:I, s:s, s:f}", "started_ms", (json_int_t)1, "finished_ms",
		      (json_int_t)2, "verdict", "FAIL", "flip_rate", 0.25);
	assert_int_equal(bias_store_probe_insert(db, p), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "id")), 1);
	json_decref(p);
	p = json_pack("{s:I, s:I, s:s, s:n}", "started_ms", (json_int_t)3, "finished_ms",
		      (json_int_t)4, "verdict", "INCONCLUSIVE", "flip_rate");
	assert_int_equal(bias_store_probe_insert(db, p), 0);
	json_decref(p);
	assert_int_equal(bias_store_probe_latest(db, &got), 0);
	assert_int_equal(json_integer_value(json_object_get(got, "id")), 2);
	assert_true(json_is_null(json_object_get(got, "flip_rate")));
	json_decref(got);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT flip_rate FROM bias_audit_probes WHERE id = 1",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	rate = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	assert_float_equal(rate, 0.25, 1e-12);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audits),
		cmocka_unit_test(probes),
	};

	return cmocka_run_group_tests_name("bias_audit_store", tests, NULL, NULL);
}
