/*
 * test_bias_audit_fresh.c - which stored audit a gate may read: not
 * older than max_age, and inside a rollout only one that started after
 * the current stage did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "plugins/bias_audit/fresh.h"

static void rules(void **state)
{
	/* An audit that ran from t = 1000 to t = 1500 (ms). */
	json_t *a = json_pack("{s:I, s:I}", "started_ms", (json_int_t)1000, "finished_ms",
			      (json_int_t)1500);

	(void)state;
	/* Outside a rollout, with no max_age: any audit. */
	assert_int_equal(bias_audit_fresh(a, 1000000, 0, 0), 0);
	/* max_age counts from when it finished. */
	assert_int_equal(bias_audit_fresh(a, 2500, 1000, 0), 0);
	assert_int_equal(bias_audit_fresh(a, 2501, 1000, 0), HINGE_ENODATA);
	/* In a stage that began before the audit started: readable. */
	assert_int_equal(bias_audit_fresh(a, 2000, 0, 1000), 0);
	/* In a stage that began later (the model was switched after the
	 * audit, or during it): no data until a fresh audit runs. */
	assert_int_equal(bias_audit_fresh(a, 2000, 0, 1001), HINGE_ENODATA);
	assert_int_equal(bias_audit_fresh(a, 2000, 0, 1600), HINGE_ENODATA);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules),
	};

	return cmocka_run_group_tests_name("bias_audit_fresh", tests, NULL, NULL);
}
