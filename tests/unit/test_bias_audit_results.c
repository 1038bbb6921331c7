/*
 * test_bias_audit_results.c - the policy's thresholds and the verdict:
 * PASS, FAIL with the figure and groups named, INCONCLUSIVE when a
 * thresholded figure cannot be computed; the reference group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "plugins/bias_audit/results.h"

static const char *const attrs[] = { "g" };
static const struct bias_spec spec = {
	.attrs = attrs, .n_attrs = 1, .prediction = "pred", .label = "y",
};

/*
 * Groups A and B of test_bias_audit_figures.c (A: tp 4 fp 1 tn 3 fn 2;
 * B: tp 2 fp 0 tn 5 fn 3) and C (tp 1 fp 1 tn 1, 3 rows):
 * disparate impact 0.4, demographic parity difference 0.3, equalized odds
 * difference 0.2667, FPR ratio 0, FNR ratio 0.5556 (C too small).
 */
static struct bias_acc *abc(void)
{
	static const struct { const char *g; int tp, fp, tn, fn; } rows[] = {
		{ "A", 4, 1, 3, 2 }, { "B", 2, 0, 5, 3 }, { "C", 1, 1, 1, 0 },
	};
	char *hdr[] = { "g", "pred", "y" }, err[200];
	struct bias_acc *a = bias_acc_new(&spec);

	assert_int_equal(bias_acc_header(a, hdr, 3, err, sizeof(err)), 0);
	for (size_t i = 0; i < 3; i++) {
		const int n[4] = { rows[i].tp, rows[i].fp, rows[i].tn, rows[i].fn };
		static char *pred[4] = { "1", "1", "0", "0" }, *y[4] = { "1", "0", "0", "1" };

		for (int k = 0; k < 4; k++)
			for (int j = 0; j < n[k]; j++) {
				char *f[] = { (char *)rows[i].g, pred[k], y[k] };

				assert_int_equal(bias_acc_row(a, f, 3, 2, err, sizeof(err)), 0);
			}
	}
	return a;
}

static json_t *audit(const char *thresholds, const char *reference)
{
	struct bias_policy p = { .min_group = 5, .z = 1.96 };
	json_t *t = json_loads(thresholds, 0, NULL), *ref = reference ? json_loads(reference, 0, NULL) : NULL;
	struct bias_acc *a = abc();
	char err[200];
	json_t *doc;

	assert_int_equal(bias_policy_thresholds(&p, t, err, sizeof(err)), 0);
	p.reference = ref;
	doc = bias_results(a, &spec, &p);
	assert_non_null(doc);
	json_decref(t);
	json_decref(ref);
	bias_acc_free(a);
	return doc;
}

static const char *verdict(const json_t *doc)
{
	return json_string_value(json_object_get(doc, "verdict"));
}

static const char *reason(const json_t *doc, size_t i)
{
	return json_string_value(json_array_get(json_object_get(doc, "reasons"), i));
}

static void pass_and_fail(void **state)
{
	json_t *doc;

	(void)state;
	doc = audit("{\"disparate_impact_min\": 0.4, \"equalized_odds_diff_max\": 0.3}", NULL);
	assert_string_equal(verdict(doc), "PASS");
	assert_int_equal(json_array_size(json_object_get(doc, "reasons")), 0);
	assert_float_equal(json_real_value(json_object_get(json_object_get(doc, "summary"),
							   "disparate_impact_min")), 0.4, 1e-9);
	assert_float_equal(json_real_value(json_object_get(json_object_get(doc, "summary"),
							   "equalized_odds_diff_max")), 0.266667, 1e-5);
	assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 23);
	json_decref(doc);

	doc = audit("{\"disparate_impact_min\": 0.8, \"fnr_ratio_min\": 0.5}", NULL);
	assert_string_equal(verdict(doc), "FAIL");
	assert_string_equal(reason(doc, 0), "g: disparate_impact 0.4000 < 0.8 (B vs A)");
	assert_null(reason(doc, 1));
	json_decref(doc);

	doc = audit("{\"demographic_parity_diff_max\": 0.25}", NULL);
	assert_string_equal(reason(doc, 0), "g: demographic_parity_diff 0.3000 > 0.25 (A vs B)");
	json_decref(doc);
}

/* Against reference B the result is the same two groups; against C (too
 * small) nothing can be computed: INCONCLUSIVE, never PASS. */
static void reference_and_inconclusive(void **state)
{
	json_t *doc;

	(void)state;
	doc = audit("{\"disparate_impact_min\": 0.3}", "{\"g\": \"B\"}");
	assert_string_equal(verdict(doc), "PASS");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "dimensions"), 0), "reference")), "B");
	json_decref(doc);

	doc = audit("{\"disparate_impact_min\": 0.3}", "{\"g\": \"C\"}");
	assert_string_equal(verdict(doc), "INCONCLUSIVE");
	assert_string_equal(reason(doc, 0), "g: disparate_impact cannot be computed (fewer than "
			    "two groups of at least 5 rows with the rates defined)");
	json_decref(doc);

	doc = audit("{\"disparate_impact_min\": 0.3}", "{\"g\": \"Z\"}");
	assert_string_equal(verdict(doc), "INCONCLUSIVE");
	assert_string_equal(reason(doc, 0), "g: the reference group \"Z\" has no rows");
	json_decref(doc);
}

/* A failing figure outweighs an unknown one; both are listed. */
static void fail_beats_inconclusive(void **state)
{
	json_t *doc;

	(void)state;
	doc = audit("{\"disparate_impact_min\": 0.8}", "{\"g\": \"Z\"}");
	assert_string_equal(verdict(doc), "FAIL");
	assert_string_equal(reason(doc, 0), "g: disparate_impact 0.4000 < 0.8 (B vs A)");
	assert_string_equal(reason(doc, 1), "g: the reference group \"Z\" has no rows");
	json_decref(doc);
}

static void bad_thresholds(void **state)
{
	struct bias_policy p = { 0 };
	char err[200];
	json_t *t;

	(void)state;
	t = json_loads("{\"disparate_impact\": 0.8}", 0, NULL);
	assert_int_equal(bias_policy_thresholds(&p, t, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "thresholds: unknown figure \"disparate_impact\"");
	json_decref(t);
	t = json_loads("{\"fpr_ratio_min\": 2}", 0, NULL);
	assert_int_equal(bias_policy_thresholds(&p, t, err, sizeof(err)), HINGE_EINVAL);
	assert_string_equal(err, "thresholds: fpr_ratio_min must be a number from 0 to 1");
	json_decref(t);
	t = json_loads("{\"fpr_ratio_min\": 0.7}", 0, NULL);
	assert_int_equal(bias_policy_thresholds(&p, t, err, sizeof(err)), 0);
	assert_true(p.has[BIAS_FPR_RATIO]);
	assert_false(p.has[BIAS_DI_RATIO]);
	json_decref(t);
}

static void unreadable(void **state)
{
	json_t *doc = bias_results_unreadable("row 3: bad");

	(void)state;
	assert_string_equal(verdict(doc), "INCONCLUSIVE");
	assert_string_equal(reason(doc, 0), "row 3: bad");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pass_and_fail),
		cmocka_unit_test(reference_and_inconclusive),
		cmocka_unit_test(fail_beats_inconclusive),
		cmocka_unit_test(bad_thresholds),
		cmocka_unit_test(unreadable),
	};

	return cmocka_run_group_tests_name("bias_audit_results", tests, NULL, NULL);
}
