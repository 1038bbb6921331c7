/*
 * test_roi_stages.c - `roi report --rollout`'s arithmetic: each stage's
 * window runs from its start (floored to the second) to the next stage's
 * start, the last one's to the rollout's last step end (or now while a
 * step runs); the window before is as long; a stage shorter than a second
 * has none.  Transactions fall in every window holding them; the figures
 * and changes below are worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/stages.h"

#define T 1772323200LL /* 2026-03-01 00:00 UTC */

static void txn(struct roi_stages *ss, int64_t created, const char *cat, const char *cur,
		int64_t amount, int64_t fee)
{
	struct roi_txn x = { .created = created, .amount = amount, .fee = fee };

	strcpy(x.category, cat);
	strcpy(x.currency, cur);
	assert_int_equal(roi_stages_add_txn(ss, &x), 0);
}

static const char *str(json_t *o, const char *k1, const char *k2)
{
	return json_string_value(json_object_get(json_object_get(o, k1), k2));
}

static double num(json_t *o, const char *k1, const char *k2)
{
	return json_number_value(json_object_get(json_object_get(o, k1), k2));
}

/* A rollout rolled back: its gate failed, then the deploy was reverted. */
static void rolled_back(void **unused)
{
	struct roi_rate r[] = { { "eur", 1080000000 } };
	struct roi_rates rates = { "usd", 1, r };
	struct roi_stages ss = { 0 };
	int64_t from, to;
	json_t *s;

	(void)unused;
	assert_int_equal(roi_stages_add(&ss, 1, "deploy", "action", "reverted",
					(T + 100) * 1000 + 250, (T + 160) * 1000 + 900), 0);
	assert_int_equal(roi_stages_add(&ss, 2, "soak", "pause", "done",
					(T + 100) * 1000 + 400, (T + 130) * 1000 + 700), 0);
	assert_int_equal(roi_stages_add(&ss, 3, "revenue", "gate", "failed",
					(T + 130) * 1000 + 700, (T + 140) * 1000 + 200), 0);
	assert_int_equal(roi_stages_add(&ss, 4, "requeue", "action", "pending", 0, 0), 0);
	/* now is long after: every step that began has ended, so the last
	 * stage ends with the revert at T+160.9. */
	assert_int_equal(roi_stages_cut(&ss, (T + 9999) * 1000, &from, &to), 0);
	/* deploy: T+100.25 to soak's T+100.4, the same second: no window */
	assert_int_equal(ss.s[0].rep.n, 0);
	/* soak: T+100 to T+130 (30 s) against T+70 to T+100 */
	assert_int_equal(ss.s[1].bounds[0], T + 70);
	assert_int_equal(ss.s[1].bounds[1], T + 100);
	assert_int_equal(ss.s[1].bounds[2], T + 130);
	/* revenue: T+130 to T+160 against T+100 to T+130 */
	assert_int_equal(ss.s[2].bounds[0], T + 100);
	assert_int_equal(ss.s[2].bounds[2], T + 160);
	assert_int_equal(ss.s[3].rep.n, 0);
	assert_int_equal(from, T + 70);
	assert_int_equal(to, T + 160);

	txn(&ss, T + 69, "charge", "usd", 1000, 59);  /* before every window */
	txn(&ss, T + 70, "charge", "usd", 1000, 59);  /* soak before */
	txn(&ss, T + 80, "charge", "usd", 1000, 59);
	txn(&ss, T + 90, "charge", "usd", 1000, 59);
	txn(&ss, T + 100, "charge", "usd", 1000, 59); /* soak after = revenue before */
	txn(&ss, T + 115, "charge", "eur", 500, 0);   /* 5.00 eur = 5.40 usd */
	txn(&ss, T + 129, "refund", "usd", -500, 0);
	txn(&ss, T + 130, "charge", "usd", 1000, 59); /* revenue after */
	txn(&ss, T + 159, "charge", "usd", 1000, 59);
	txn(&ss, T + 160, "charge", "usd", 1000, 59); /* after every window */

	s = roi_stage_json(&ss.s[0], &rates);
	assert_int_equal(json_integer_value(json_object_get(s, "window_seconds")), 0);
	assert_true(json_is_null(json_object_get(s, "before")));
	assert_true(json_is_null(json_object_get(s, "delta_pct")));
	assert_string_equal(json_string_value(json_object_get(s, "phase")), "reverted");
	json_decref(s);

	/* soak before: 3 x (10.00 - 0.59) = 28.23 net, 30.00 gross.
	 * after: usd 10.00 - 5.00 refund - 0.59 = 4.41, eur 5.40: net 9.81,
	 * gross 15.40.  net: (9.81 - 28.23) / 28.23 = -65.2497 %;
	 * gross: (15.40 - 30.00) / 30.00 = -48.6667 %; refunds: none before. */
	s = roi_stage_json(&ss.s[1], &rates);
	assert_int_equal(json_integer_value(json_object_get(s, "window_seconds")), 30);
	assert_string_equal(str(s, "before", "net"), "28.23");
	assert_string_equal(str(s, "before", "gross"), "30.00");
	assert_string_equal(str(s, "after", "net"), "9.81");
	assert_string_equal(str(s, "after", "gross"), "15.40");
	assert_string_equal(str(s, "after", "refunds"), "5.00");
	assert_true(fabs(num(s, "delta_pct", "net") - -65.2497) < 0.0001);
	assert_true(fabs(num(s, "delta_pct", "gross") - -48.6667) < 0.0001);
	assert_true(json_is_null(json_object_get(json_object_get(s, "delta_pct"), "refunds")));
	json_decref(s);

	/* revenue before is soak after (9.81); after: 2 x 9.41 = 18.82 net,
	 * 20.00 gross, no refund.  net: (18.82 - 9.81) / 9.81 = +91.8451 %;
	 * gross: (20.00 - 15.40) / 15.40 = +29.8701 %; refunds -100 %. */
	s = roi_stage_json(&ss.s[2], &rates);
	assert_string_equal(str(s, "before", "net"), "9.81");
	assert_string_equal(str(s, "after", "net"), "18.82");
	assert_true(fabs(num(s, "delta_pct", "net") - 91.8451) < 0.0001);
	assert_true(fabs(num(s, "delta_pct", "gross") - 29.8701) < 0.0001);
	assert_true(fabs(num(s, "delta_pct", "refunds") - -100.0) < 0.0001);
	json_decref(s);

	s = roi_stage_json(&ss.s[3], &rates);
	assert_true(json_is_null(json_object_get(s, "started_ms")));
	assert_true(json_is_null(json_object_get(s, "after")));
	json_decref(s);
	roi_stages_free(&ss);
}

/* A rollout still in its gate: the gate's window runs to now. */
static void running(void **unused)
{
	struct roi_stages ss = { 0 };
	int64_t from, to;

	(void)unused;
	assert_int_equal(roi_stages_add(&ss, 1, "deploy", "action", "done",
					(T + 10) * 1000 + 500, (T + 11) * 1000), 0);
	assert_int_equal(roi_stages_add(&ss, 2, "revenue", "gate", "evaluating",
					(T + 11) * 1000 + 200, 0), 0);
	assert_int_equal(roi_stages_cut(&ss, (T + 20) * 1000 + 900, &from, &to), 0);
	/* deploy: T+10 to T+11 (the gate's start floored), 1 s */
	assert_int_equal(ss.s[0].bounds[0], T + 9);
	assert_int_equal(ss.s[0].bounds[2], T + 11);
	/* gate: T+11 to now, T+20: 9 s against T+2 to T+11 */
	assert_int_equal(ss.s[1].bounds[0], T + 2);
	assert_int_equal(ss.s[1].bounds[1], T + 11);
	assert_int_equal(ss.s[1].bounds[2], T + 20);
	assert_int_equal(from, T + 2);
	assert_int_equal(to, T + 20);
	roi_stages_free(&ss);
}

/* No stage began yet: nothing to scan. */
static void not_started(void **unused)
{
	struct roi_stages ss = { 0 };
	int64_t from = -1, to = -1;

	(void)unused;
	assert_int_equal(roi_stages_add(&ss, 1, "deploy", "action", "pending", 0, 0), 0);
	assert_int_equal(roi_stages_cut(&ss, T * 1000, &from, &to), 0);
	assert_int_equal(from, to);
	assert_int_equal(ss.s[0].rep.n, 0);
	roi_stages_free(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rolled_back),
		cmocka_unit_test(running),
		cmocka_unit_test(not_started),
	};

	return cmocka_run_group_tests_name("roi_stages", tests, NULL, NULL);
}
