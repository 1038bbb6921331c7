/*
 * test_roi_money.c - the roi plugin's money: lines of each kind of balance
 * transaction, totals per currency, zero- and three-decimal currencies,
 * exact conversion to a reporting currency, decimal text both ways.
 * Every expected figure is worked out by hand in the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/money.h"

static struct roi_txn txn(const char *id, const char *cat, const char *cur,
			  int64_t amount, int64_t fee)
{
	struct roi_txn x = { .created = 1773578096, .amount = amount, .fee = fee };

	strcpy(x.id, id);
	strcpy(x.category, cat);
	strcpy(x.currency, cur);
	return x;
}

static void test_lines(void **s)
{
	struct roi_totals t = { { 0 }, 0, 0, 0 };
	struct roi_txn xs[] = {
		txn("txn_ch1", "charge", "usd", 1000, 59),      /* net  941 */
		txn("txn_ch2", "charge", "usd", 2500, 103),     /* net 2397 */
		txn("txn_re1", "refund", "usd", -1000, 0),      /* net -1000 */
		txn("txn_dp1", "dispute", "usd", -2500, 1500),  /* net -4000 */
		txn("txn_sf1", "fee", "usd", -500, 0),          /* net -500 */
		txn("txn_po1", "payout", "usd", -10000, 0),     /* not revenue */
	};

	(void)s;
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(roi_totals_add(&t, &xs[i]), 1);
	assert_int_equal(roi_totals_add(&t, &xs[5]), 0);
	assert_int_equal(t.line[ROI_GROSS], 3500);     /* 1000 + 2500 */
	assert_int_equal(t.line[ROI_REFUNDS], 1000);
	assert_int_equal(t.line[ROI_DISPUTES], 2500);
	assert_int_equal(t.line[ROI_FEES], 2162);      /* 59 + 103 + 1500 + 500 */
	assert_int_equal(t.line[ROI_OTHER], 0);
	/* 3500 - 1000 - 2500 - 2162 = -2162, and so do Stripe's nets:
	 * 941 + 2397 - 1000 - 4000 - 500 = -2162. */
	assert_int_equal(roi_totals_net(&t), -2162);
	assert_int_equal(t.count, 5);
	assert_int_equal(t.charges, 2);
	assert_int_equal(t.refunded, 1);
}

static void test_reversals_and_other(void **s)
{
	struct roi_totals t = { { 0 }, 0, 0, 0 };
	struct roi_txn won = txn("txn_dr", "dispute_reversal", "eur", 2500, 0);
	struct roi_txn failed = txn("txn_rf", "refund_failure", "eur", 700, 0);
	struct roi_txn adj = txn("txn_ad", "other_adjustment", "eur", 42, 0);

	(void)s;
	roi_totals_add(&t, &won);
	roi_totals_add(&t, &failed);
	roi_totals_add(&t, &adj);
	/* A dispute won back and a refund that failed give money back. */
	assert_int_equal(t.line[ROI_DISPUTES], -2500);
	assert_int_equal(t.line[ROI_REFUNDS], -700);
	assert_int_equal(t.line[ROI_OTHER], 42);
	/* 0 - (-700) - (-2500) - 0 + 42 = 3242 */
	assert_int_equal(roi_totals_net(&t), 3242);
	assert_int_equal(t.refunded, 0);
}

static void test_ledger_per_currency(void **s)
{
	struct roi_ledger l = { 0 };
	struct roi_txn xs[] = {
		txn("a", "charge", "usd", 1000, 59),
		txn("b", "charge", "jpy", 500, 18),
		txn("c", "charge", "usd", 200, 36),
		txn("d", "refund", "jpy", -500, 0),
		txn("e", "charge", "eur", 900, 0),
		txn("f", "charge", "gbp", 1, 0),
		txn("g", "charge", "chf", 1, 0),
	};

	(void)s;
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(roi_ledger_add(&l, &xs[i]), 0);
	/* Five currencies in order of first appearance; the rows grew past 4. */
	assert_int_equal(l.n, 5);
	assert_string_equal(l.rows[0].currency, "usd");
	assert_string_equal(l.rows[1].currency, "jpy");
	assert_string_equal(l.rows[4].currency, "chf");
	/* usd: gross 1000 + 200 = 1200, fees 59 + 36 = 95, net 1105 */
	assert_int_equal(l.rows[0].t.line[ROI_GROSS], 1200);
	assert_int_equal(roi_totals_net(&l.rows[0].t), 1105);
	/* jpy: gross 500, refunds 500, fees 18, net -18 (whole yen) */
	assert_int_equal(roi_totals_net(&l.rows[1].t), -18);
	assert_ptr_equal(roi_ledger_get(&l, "jpy"), &l.rows[1].t);
	roi_ledger_free(&l);
	assert_int_equal(l.n, 0);
}

static void test_decimals(void **s)
{
	(void)s;
	assert_int_equal(roi_currency_decimals("usd"), 2);
	assert_int_equal(roi_currency_decimals("jpy"), 0);
	assert_int_equal(roi_currency_decimals("krw"), 0);
	assert_int_equal(roi_currency_decimals("kwd"), 3);
	assert_int_equal(roi_currency_decimals("USD"), -1);
	assert_int_equal(roi_currency_decimals("us"), -1);
	assert_int_equal(roi_currency_decimals("usdx"), -1);
	assert_int_equal(roi_currency_decimals(NULL), -1);
}

static void test_format(void **s)
{
	char b[32];

	(void)s;
	assert_string_equal(roi_money_format(123456, "usd", b, sizeof(b)), "1234.56");
	assert_string_equal(roi_money_format(-5, "usd", b, sizeof(b)), "-0.05");
	assert_string_equal(roi_money_format(0, "eur", b, sizeof(b)), "0.00");
	assert_string_equal(roi_money_format(500, "jpy", b, sizeof(b)), "500");
	assert_string_equal(roi_money_format(-500, "jpy", b, sizeof(b)), "-500");
	assert_string_equal(roi_money_format(1234, "kwd", b, sizeof(b)), "1.234");
	assert_string_equal(roi_money_format(INT64_MIN, "usd", b, sizeof(b)),
			    "-92233720368547758.08");
}

static void test_parse(void **s)
{
	int64_t v = 0;

	(void)s;
	/* 12.345678 dollars = 1234.5678 cents: the dropped 5 rounds up */
	assert_int_equal(roi_money_parse("12.345678", 2, &v), 0);
	assert_int_equal(v, 1235);
	assert_int_equal(roi_money_parse("-3", 2, &v), 0);
	assert_int_equal(v, -300);
	assert_int_equal(roi_money_parse("0.005", 2, &v), 0);
	assert_int_equal(v, 1);                        /* half away from zero */
	assert_int_equal(roi_money_parse("-0.005", 2, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(roi_money_parse("0.0049", 2, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(roi_money_parse("7.5", 0, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(roi_money_parse(".25", 2, &v), 0);
	assert_int_equal(v, 25);
	assert_int_equal(roi_money_parse("", 2, &v), HINGE_EINVAL);
	assert_int_equal(roi_money_parse("-", 2, &v), HINGE_EINVAL);
	assert_int_equal(roi_money_parse("1.2.3", 2, &v), HINGE_EINVAL);
	assert_int_equal(roi_money_parse("12abc", 2, &v), HINGE_EINVAL);
	assert_int_equal(roi_money_parse("99999999999999999999", 2, &v), HINGE_EINVAL);
	assert_int_equal(roi_rate_parse("1.0825", &v), 0);
	assert_int_equal(v, 1082500000);
	assert_int_equal(roi_rate_parse("0", &v), HINGE_EINVAL);
	assert_int_equal(roi_rate_parse("-1.1", &v), HINGE_EINVAL);
}

static void test_convert(void **s)
{
	struct roi_rate r[] = { { "eur", 1080000000 }, { "jpy", 6700000 }, { "kwd", 3250000000 } };
	struct roi_rates rates = { "usd", 3, r };
	int64_t v = 0;

	(void)s;
	assert_int_equal(roi_convert(&rates, "eur", 1000, &v), 0);
	assert_int_equal(v, 1080);           /* 10.00 EUR * 1.08 = 10.80 USD */
	assert_int_equal(roi_convert(&rates, "eur", 333, &v), 0);
	assert_int_equal(v, 360);            /* 3.33 * 1.08 = 3.5964 -> 3.60 */
	assert_int_equal(roi_convert(&rates, "jpy", 500, &v), 0);
	assert_int_equal(v, 335);            /* 500 JPY * 0.0067 = 3.35 USD */
	assert_int_equal(roi_convert(&rates, "jpy", 1, &v), 0);
	assert_int_equal(v, 1);              /* 0.67 cent rounds to 1 */
	assert_int_equal(roi_convert(&rates, "jpy", -1, &v), 0);
	assert_int_equal(v, -1);             /* and away from zero when negative */
	assert_int_equal(roi_convert(&rates, "kwd", 1000, &v), 0);
	assert_int_equal(v, 325);            /* 1.000 KWD * 3.25 = 3.25 USD */
	assert_int_equal(roi_convert(&rates, "usd", -4242, &v), 0);
	assert_int_equal(v, -4242);
	assert_int_equal(roi_convert(&rates, "gbp", 100, &v), HINGE_ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_reversals_and_other),
		cmocka_unit_test(test_ledger_per_currency),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_convert),
	};

	return cmocka_run_group_tests_name("roi_money", tests, NULL, NULL);
}
