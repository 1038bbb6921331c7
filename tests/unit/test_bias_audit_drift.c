/*
 * test_bias_audit_drift.c - PSI of scores and of selections over groups
 * against a baseline audit, figure changes, and the alarms they raise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "plugins/bias_audit/drift.h"

/*
 * Scores: baseline bins (50, 30, 20), now (30, 30, 40): PSI 0.240795 (see
 * test_bias_audit_figures.c), above 0.2: an alarm.
 * Selections over g: baseline A 50, B 50 (shares 0.5, 0.5), now A 70,
 * B 30: PSI = 0.2 ln(0.7/0.5) - 0.2 ln(0.3/0.5) = 0.067294 + 0.102165
 * = 0.169459, below 0.2.
 * disparate_impact 0.9 -> 0.8: a ratio worse by 0.1 > 0.05: an alarm.
 * demographic_parity_diff 0.1 -> 0.08: better.  fpr_ratio undefined now:
 * no change is reported.
 */
static const char base[] =
	"{\"histogram\": [50, 30, 20], \"dimensions\": [{\"name\": \"g\", \"groups\": ["
	" {\"value\": \"A\", \"selected\": 50}, {\"value\": \"B\", \"selected\": 50}],"
	" \"figures\": {\"disparate_impact\": {\"value\": 0.9},"
	" \"demographic_parity_diff\": {\"value\": 0.1}, \"fpr_ratio\": {\"value\": 0.5}}}]}";
static const char now[] =
	"{\"histogram\": [30, 30, 40], \"dimensions\": [{\"name\": \"g\", \"groups\": ["
	" {\"value\": \"A\", \"selected\": 70}, {\"value\": \"B\", \"selected\": 30}],"
	" \"figures\": {\"disparate_impact\": {\"value\": 0.8},"
	" \"demographic_parity_diff\": {\"value\": 0.08}, \"fpr_ratio\": null}},"
	" {\"name\": \"new\", \"groups\": [], \"figures\": {}}]}";

static json_t *drift(const char *cur, const char *b, double psi_max, double worsen_max)
{
	const struct bias_drift_policy p = { .psi_max = psi_max, .worsen_max = worsen_max };
	json_t *c = json_loads(cur, 0, NULL), *bb = json_loads(b, 0, NULL), *d;

	assert_non_null(c);
	assert_non_null(bb);
	d = bias_drift(c, bb, &p);
	assert_non_null(d);
	json_decref(c);
	json_decref(bb);
	return d;
}

static const char *alarm_at(const json_t *d, size_t i)
{
	return json_string_value(json_array_get(json_object_get(d, "alarms"), i));
}

static void psi_and_changes(void **state)
{
	json_t *d = drift(now, base, 0.2, 0.05), *ch;

	(void)state;
	assert_float_equal(json_real_value(json_object_get(d, "score_psi")), 0.240795, 1e-5);
	assert_float_equal(json_real_value(json_object_get(json_object_get(d, "selection_psi"), "g")),
			   0.169459, 1e-5);
	/* The dimension the baseline lacks has no PSI. */
	assert_null(json_object_get(json_object_get(d, "selection_psi"), "new"));
	ch = json_object_get(d, "changes");
	assert_int_equal(json_array_size(ch), 2);
	assert_string_equal(alarm_at(d, 0), "score distribution PSI 0.2408 > 0.2");
	assert_string_equal(alarm_at(d, 1), "g: disparate_impact worsened by 0.1000 (more than 0.05)");
	assert_null(alarm_at(d, 2));
	json_decref(d);
}

static void looser_policy(void **state)
{
	json_t *d = drift(now, base, 0.15, 0.2);

	(void)state;
	/* Now the selection PSI alarms and the figure change does not. */
	assert_string_equal(alarm_at(d, 0), "score distribution PSI 0.2408 > 0.15");
	assert_string_equal(alarm_at(d, 1), "g: selection PSI 0.1695 > 0.15");
	assert_null(alarm_at(d, 2));
	json_decref(d);
}

static void same_audit(void **state)
{
	json_t *d = drift(base, base, 0.2, 0.05);

	(void)state;
	assert_float_equal(json_real_value(json_object_get(d, "score_psi")), 0, 1e-9);
	assert_int_equal(json_array_size(json_object_get(d, "alarms")), 0);
	json_decref(d);
	/* Histograms of different bins cannot be compared. */
	d = drift("{\"histogram\": [1, 2], \"dimensions\": []}", base, 0.2, 0.05);
	assert_true(json_is_null(json_object_get(d, "score_psi")));
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(psi_and_changes),
		cmocka_unit_test(looser_policy),
		cmocka_unit_test(same_audit),
	};

	return cmocka_run_group_tests_name("bias_audit_drift", tests, NULL, NULL);
}
