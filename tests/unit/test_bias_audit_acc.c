/*
 * test_bias_audit_acc.c - rows into groups: per attribute and per
 * intersection, decisions from a prediction or a score and threshold,
 * unknown outcomes, the score histogram, and bad values named by row.
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

#include "plugins/bias_audit/acc.h"

static const char *const attrs[] = { "sex", "age" };
static char *header[] = { "id", "sex", "age", "score", "outcome" };

static struct bias_acc *score_acc(void)
{
	struct bias_spec spec = {
		.attrs = attrs, .n_attrs = 2, .score = "score", .threshold = 5,
		.label = "outcome", .intersections = 1, .score_lo = 0, .score_hi = 10, .bins = 5,
	};
	struct bias_acc *a = bias_acc_new(&spec);
	char err[200];

	assert_non_null(a);
	assert_int_equal(bias_acc_header(a, header, 5, err, sizeof(err)), 0);
	return a;
}

static void row(struct bias_acc *a, char *id, char *sex, char *age, char *score, char *outcome)
{
	char *f[] = { id, sex, age, score, outcome };
	char err[200];

	assert_int_equal(bias_acc_row(a, f, 5, 2, err, sizeof(err)), 0);
}

/*
 * Rows (decision = score >= 5):
 *   F young 7 1 -> selected, tp      M young 2 1 -> fn
 *   F old   5 0 -> selected, fp      M old   9 "" -> selected, outcome unknown
 *   F young 1 0 -> tn
 * sex=F: n 3 sel 2 tp 1 fp 1 tn 1 fn 0;  sex=M: n 2 sel 1 tp 0 fp 0 tn 0 fn 1
 * age=old: n 2 sel 2 fp 1;  age=young: n 3 sel 1 tp 1 tn 1 fn 1
 * intersections "F, old", "F, young" (n 2 sel 1 tp 1 tn 1), "M, old" (n 1 sel 1,
 * no outcome), "M, young"
 * Histogram of [0,10) in 5 bins: 1 -> 0; 2 -> 1; 5 -> 2; 7 -> 3; 9 -> 4.
 */
static void groups_and_intersections(void **state)
{
	struct bias_acc *a = score_acc();
	const struct bias_group **g;
	const uint64_t *h;
	size_t n;

	(void)state;
	row(a, "1", "F", "young", "7", "1");
	row(a, "2", "F", "old", "5", "0");
	row(a, "3", "F", "young", "1", "0");
	row(a, "4", "M", "young", "2", "1");
	row(a, "5", "M", "old", "9", "");
	assert_int_equal(bias_acc_rows(a), 5);
	assert_int_equal(bias_acc_labelled(a), 4);
	assert_int_equal(bias_acc_dims(a), 3);

	g = bias_acc_groups(a, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(g[0]->value, "F");
	assert_int_equal(g[0]->c.n, 3);
	assert_int_equal(g[0]->c.sel, 2);
	assert_int_equal(g[0]->c.tp, 1);
	assert_int_equal(g[0]->c.fp, 1);
	assert_int_equal(g[0]->c.tn, 1);
	assert_int_equal(g[0]->c.fn, 0);
	assert_string_equal(g[1]->value, "M");
	assert_int_equal(g[1]->c.sel, 1);
	assert_int_equal(g[1]->c.fn, 1);
	assert_int_equal(g[1]->c.tp + g[1]->c.fp + g[1]->c.tn, 0);
	free(g);

	g = bias_acc_groups(a, 1, &n);
	assert_int_equal(n, 2);
	assert_string_equal(g[0]->value, "old");
	assert_int_equal(g[0]->c.sel, 2);
	assert_int_equal(g[1]->c.n, 3);
	assert_int_equal(g[1]->c.fn, 1);
	free(g);

	g = bias_acc_groups(a, 2, &n);
	assert_int_equal(n, 4);
	assert_string_equal(g[0]->value, "F, old");
	assert_string_equal(g[1]->value, "F, young");
	assert_int_equal(g[1]->c.n, 2);
	assert_int_equal(g[1]->c.tp, 1);
	assert_int_equal(g[1]->c.tn, 1);
	assert_string_equal(g[2]->value, "M, old");
	assert_int_equal(g[2]->c.sel, 1);
	assert_string_equal(g[3]->value, "M, young");
	free(g);

	h = bias_acc_histogram(a);
	for (int i = 0; i < 5; i++)
		assert_int_equal(h[i], 1);
	bias_acc_free(a);
}

/* Many groups: the table grows and keeps every count. */
static void many_groups(void **state)
{
	struct bias_acc *a = score_acc();
	const struct bias_group **g;
	char sex[16];
	size_t n;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		snprintf(sex, sizeof(sex), "s%04d", i % 1000);
		row(a, "1", sex, "x", i % 2 ? "9" : "0", "1");
	}
	g = bias_acc_groups(a, 0, &n);
	assert_int_equal(n, 1000);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(g[i]->c.n, 3);
	assert_string_equal(g[999]->value, "s0999");
	free(g);
	bias_acc_free(a);
}

static void prediction_column(void **state)
{
	struct bias_spec spec = { .attrs = attrs, .n_attrs = 1, .prediction = "pred" };
	char *hdr[] = { "sex", "pred" }, *r1[] = { "F", "true" }, *r2[] = { "F", "0" };
	struct bias_acc *a = bias_acc_new(&spec);
	const struct bias_group **g;
	char err[200];
	size_t n;

	(void)state;
	assert_int_equal(bias_acc_header(a, hdr, 2, err, sizeof(err)), 0);
	assert_int_equal(bias_acc_row(a, r1, 2, 2, err, sizeof(err)), 0);
	assert_int_equal(bias_acc_row(a, r2, 2, 3, err, sizeof(err)), 0);
	g = bias_acc_groups(a, 0, &n);
	assert_int_equal(n, 1);
	assert_int_equal(g[0]->c.n, 2);
	assert_int_equal(g[0]->c.sel, 1);
	assert_int_equal(bias_acc_dims(a), 1);
	free(g);
	bias_acc_free(a);
}

static void bad_values(void **state)
{
	struct bias_acc *a = score_acc();
	struct bias_spec spec = { .attrs = attrs, .n_attrs = 2, .score = "risk" };
	char *r1[] = { "1", "F", "old", "high", "1" }, *r2[] = { "1", "F", "old", "3", "yes" };
	char *r3[] = { "1", "F", "old" };
	char err[200];

	(void)state;
	assert_int_equal(bias_acc_row(a, r1, 5, 7, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "row 7: column \"score\": \"high\" is not a number");
	assert_int_equal(bias_acc_row(a, r2, 5, 8, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "row 8: column \"outcome\": \"yes\" is not 0, 1 or empty");
	assert_int_equal(bias_acc_row(a, r3, 3, 9, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "row 9: 3 fields where the header has 5");
	assert_int_equal(bias_acc_rows(a), 0);
	bias_acc_free(a);

	a = bias_acc_new(&spec);
	assert_int_equal(bias_acc_header(a, header, 5, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "column \"risk\" (score_column) is not in the header");
	bias_acc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(groups_and_intersections),
		cmocka_unit_test(many_groups),
		cmocka_unit_test(prediction_column),
		cmocka_unit_test(bad_values),
	};

	return cmocka_run_group_tests_name("bias_audit_acc", tests, NULL, NULL);
}
