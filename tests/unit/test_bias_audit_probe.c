/*
 * test_bias_audit_probe.c - the probe's sample (reproducible, bounded),
 * request templates with the attribute swapped, and score paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "plugins/bias_audit/probe.h"

static char *names[] = { "id", "sex", "score" };

static struct bias_sample *sample_of(size_t k, int rows)
{
	struct bias_sample *s = bias_sample_new(k, 42);
	char err[200], id[16];

	assert_int_equal(bias_sample_header(s, names, 3, err, sizeof(err)), 0);
	for (int i = 1; i <= rows; i++) {
		char *f[] = { id, i % 2 ? "F" : "M", "0.5" };

		snprintf(id, sizeof(id), "%d", i);
		assert_int_equal(bias_sample_row(s, f, 3, (uint64_t)i + 1, err, sizeof(err)), 0);
	}
	return s;
}

static void sampling(void **state)
{
	struct bias_sample *a = sample_of(10, 5), *b, *c;
	size_t same = 0;

	(void)state;
	/* Fewer rows than k: all of them, in order. */
	assert_int_equal(bias_sample_size(a), 5);
	assert_string_equal(bias_sample_fields(a, 4)[0], "5");
	assert_int_equal(bias_sample_rowno(a, 4), 6);
	assert_string_equal(bias_sample_names(a)[1], "sex");
	bias_sample_free(a);
	/* More: k rows, the same ones for the same input and seed, spread over
	 * the input rather than its start. */
	b = sample_of(10, 10000);
	c = sample_of(10, 10000);
	assert_int_equal(bias_sample_size(b), 10);
	for (size_t i = 0; i < 10; i++)
		same += strcmp(bias_sample_fields(b, i)[0], bias_sample_fields(c, i)[0]) == 0;
	assert_int_equal(same, 10);
	same = 0;
	for (size_t i = 0; i < 10; i++)
		same += atoi(bias_sample_fields(b, i)[0]) > 100;
	assert_true(same >= 8);
	bias_sample_free(b);
	bias_sample_free(c);
}

static void request_template(void **state)
{
	char *fields[] = { "7", "F", "0.25" }, err[200], *text;
	json_t *tmpl = json_loads("{\"features\": {\"sex\": \"{{sex}}\", \"score\": \"{{score:number}}\","
				  " \"tags\": [\"{{id}}\", \"fixed\", 3]}, \"model\": \"m1\"}", 0, NULL);
	json_t *req;

	(void)state;
	req = bias_probe_request(tmpl, names, fields, 3, "sex", "M", err, sizeof(err));
	assert_non_null(req);
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"features\":{\"score\":0.25,\"sex\":\"M\",\"tags\":[\"7\",\"fixed\",3]},"
				  "\"model\":\"m1\"}");
	free(text);
	json_decref(req);
	json_decref(tmpl);

	tmpl = json_loads("{\"x\": \"{{nope}}\"}", 0, NULL);
	assert_null(bias_probe_request(tmpl, names, fields, 3, "sex", "M", err, sizeof(err)));
	assert_string_equal(err, "probe_request: \"{{nope}}\" names no column or type");
	json_decref(tmpl);
	tmpl = json_loads("[\"{{sex:number}}\"]", 0, NULL);
	assert_null(bias_probe_request(tmpl, names, fields, 3, "id", "1", err, sizeof(err)));
	assert_string_equal(err, "column \"sex\": \"F\" is not a number");
	json_decref(tmpl);
}

static void score_path(void **state)
{
	json_t *a = json_loads("{\"result\": {\"scores\": [0.1, 0.75]}, \"label\": \"x\"}", 0, NULL);
	char err[200];
	double v;

	(void)state;
	assert_int_equal(bias_probe_score(a, "result.scores.1", &v, err, sizeof(err)), 0);
	assert_float_equal(v, 0.75, 1e-12);
	assert_int_equal(bias_probe_score(a, "label", &v, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "probe_score_path: the answer has no number at \"label\"");
	assert_int_equal(bias_probe_score(a, "result.scores.9", &v, err, sizeof(err)), HINGE_EINVAL);
	assert_int_equal(bias_probe_score(a, "result.x.y", &v, err, sizeof(err)), HINGE_EINVAL);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sampling),
		cmocka_unit_test(request_template),
		cmocka_unit_test(score_path),
	};

	return cmocka_run_group_tests_name("bias_audit_probe", tests, NULL, NULL);
}
