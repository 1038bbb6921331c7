/* Gate conditions: METRIC[{label="value",...}] OP NUMBER. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "agent/engine_cond.h"

static void parses_plain(void **state)
{
	struct cond c;
	char err[128];

	(void)state;
	assert_int_equal(cond_parse("logging.error_rate < 0.02", &c, err, sizeof(err)), 0);
	assert_string_equal(c.metric, "logging.error_rate");
	assert_null(c.labels);
	assert_int_equal(c.op, COND_LT);
	assert_true(c.value == 0.02);
	cond_free(&c);
}

static void parses_labels_and_every_operator(void **state)
{
	static const struct { const char *text; enum cond_op op; } ops[] = {
		{ "<", COND_LT }, { "<=", COND_LE }, { ">", COND_GT },
		{ ">=", COND_GE }, { "==", COND_EQ }, { "!=", COND_NE },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char text[128], err[128];
		struct cond c;

		snprintf(text, sizeof(text), "perf.p95{type=\"ai\", queue = \"a\\\"b\"}%s-1.5e1", ops[i].text);
		assert_int_equal(cond_parse(text, &c, err, sizeof(err)), 0);
		assert_int_equal(c.op, ops[i].op);
		assert_string_equal(c.labels[0], "type");
		assert_string_equal(c.labels[1], "ai");
		assert_string_equal(c.labels[2], "queue");
		assert_string_equal(c.labels[3], "a\"b");
		assert_null(c.labels[4]);
		assert_true(c.value == -15.0);
		cond_free(&c);
	}
}

static void holds(void **state)
{
	struct cond c;
	char err[128];

	(void)state;
	assert_int_equal(cond_parse("a.b >= 2", &c, err, sizeof(err)), 0);
	assert_true(cond_holds(&c, 2));
	assert_true(cond_holds(&c, 3));
	assert_false(cond_holds(&c, 1.999));
	cond_free(&c);
	assert_int_equal(cond_parse("a.b != 0", &c, err, sizeof(err)), 0);
	assert_false(cond_holds(&c, 0));
	assert_true(cond_holds(&c, 0.1));
	cond_free(&c);
}

static void refuses(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "", "expected a metric name" },
		{ "error_rate < 1", "must be named as plugin.metric" },
		{ "a.b 1", "expected one of" },
		{ "a.b < ", "expected a number" },
		{ "a.b < 1 and more", "unexpected" },
		{ "a.b{x=1} < 1", "double-quoted" },
		{ "a.b{x} < 1", "expected = after label \"x\"" },
		{ "a.b{x=\"1\" y=\"2\"} < 1", "expected , or }" },
		{ "a.b < nan", "expected a number" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cond c;
		char err[256] = "";

		assert_int_equal(cond_parse(bad[i].text, &c, err, sizeof(err)), HINGE_EINVAL);
		assert_non_null(strstr(err, bad[i].why));
		assert_null(c.metric);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_plain),
		cmocka_unit_test(parses_labels_and_every_operator),
		cmocka_unit_test(holds),
		cmocka_unit_test(refuses),
	};

	return cmocka_run_group_tests_name("engine_cond", tests, NULL, NULL);
}
