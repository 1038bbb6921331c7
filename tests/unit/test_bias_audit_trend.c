/*
 * test_bias_audit_trend.c - figures across audits: one series per
 * dimension and figure, aligned with the audits, null where an audit did
 * not have the figure or could not compute it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <jansson.h>

#include "plugins/bias_audit/trend.h"

/* Audit 1 has g's disparate impact 0.9; audit 2 has it 0.7 and a new
 * dimension h whose ratio is null; audit 3 has no dimensions (unreadable). */
static const char audits[] =
	"[{\"id\": 1, \"results\": {\"dimensions\": [{\"name\": \"g\", \"figures\":"
	"  {\"disparate_impact\": {\"value\": 0.9}}}]}},"
	" {\"id\": 2, \"results\": {\"dimensions\": [{\"name\": \"g\", \"figures\":"
	"  {\"disparate_impact\": {\"value\": 0.7}}}, {\"name\": \"h\", \"figures\":"
	"  {\"fpr_ratio\": null}}]}},"
	" {\"id\": 3, \"results\": {\"dimensions\": []}}]";

static void series(void **state)
{
	json_t *in = json_loads(audits, 0, NULL), *t;
	char *text;

	(void)state;
	t = bias_trend(in);
	assert_non_null(t);
	text = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(3));
	assert_string_equal(text, "{\"audits\":[1,2,3],\"series\":["
		"{\"dimension\":\"g\",\"figure\":\"disparate_impact\",\"values\":[0.9,0.7,null]},"
		"{\"dimension\":\"h\",\"figure\":\"fpr_ratio\",\"values\":[null,null,null]}]}");
	free(text);
	json_decref(t);
	json_decref(in);
}

static void text_table(void **state)
{
	json_t *in = json_loads(audits, 0, NULL), *t = bias_trend(in);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	bias_trend_print(f, t);
	fclose(f);
	assert_string_equal(buf,
		"FIGURE                                      1        2        3\n"
		"g disparate_impact                     0.9000   0.7000        -\n"
		"h fpr_ratio                                 -        -        -\n");
	free(buf);
	json_decref(t);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(series),
		cmocka_unit_test(text_table),
	};

	return cmocka_run_group_tests_name("bias_audit_trend", tests, NULL, NULL);
}
