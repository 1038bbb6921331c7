/*
 * test_roi_report.c - fixed costs spread over periods, and the report:
 * transactions into their periods, conversion to the reporting currency,
 * net, cost and ROI per period and in total, a currency without a rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/costs.h"
#include "plugins/roi/report.h"

#define MAR01 1772323200 /* 2026-03-01 00:00 UTC, a Sunday */
#define MAR14 1773446400
#define MAR15 1773532800
#define MAR16 1773619200
#define APR01 1775001600

static void test_fixed_costs(void **s)
{
	json_t *list = json_loads("[{\"name\":\"hosting\",\"amount\":\"310.00\",\"per\":\"month\"},"
				  " {\"name\":\"support\",\"amount\":70,\"per\":\"week\"}]", 0, NULL);
	struct roi_fixed_costs f;
	char err[128];

	(void)s;
	assert_int_equal(roi_fixed_parse(list, 2, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.c[0].amount, 31000);
	/* a day of March: 31000 / 31 = 1000 hosting, 7000 / 7 = 1000 support */
	assert_int_equal(roi_fixed_between(&f, NULL, MAR15, MAR16), 2000);
	/* all of March: hosting 31000; support in 31 days of 1000 each,
	 * across the weeks from 02-23 (1 day), 4 whole ones, and 03-30 (2 days) */
	assert_int_equal(roi_fixed_between(&f, NULL, MAR01, APR01), 62000);
	/* half a day: 500 + 500 */
	assert_int_equal(roi_fixed_between(&f, NULL, MAR15, MAR15 + 43200), 1000);
	roi_fixed_free(&f);
	json_decref(list);
	assert_int_equal(roi_fixed_parse(NULL, 2, &f, err, sizeof(err)), 0);
	assert_int_equal(roi_fixed_between(&f, NULL, MAR01, APR01), 0);
}

static void expect_bad(const char *text, const char *reason)
{
	json_t *list = json_loads(text, 0, NULL);
	struct roi_fixed_costs f;
	char err[128] = "";

	assert_int_equal(roi_fixed_parse(list, 2, &f, err, sizeof(err)), HINGE_EINVAL);
	assert_non_null(strstr(err, reason));
	assert_null(f.c);
	json_decref(list);
}

static void test_fixed_bad(void **s)
{
	(void)s;
	expect_bad("{\"name\":\"x\"}", "must be a list");
	expect_bad("[{\"amount\":\"1\",\"per\":\"day\"}]", "fixed_costs[0]: a name");
	expect_bad("[{\"name\":\"rent\",\"amount\":\"-1\",\"per\":\"day\"}]", "\"rent\": amount");
	expect_bad("[{\"name\":\"rent\",\"amount\":\"ten\",\"per\":\"day\"}]", "\"rent\": amount");
	expect_bad("[{\"name\":\"ok\",\"amount\":1,\"per\":\"day\"},"
		   " {\"name\":\"rent\",\"amount\":1,\"per\":\"year\"}]", "\"rent\": per must be");
}

static struct roi_txn txn(int64_t created, const char *cat, const char *cur, int64_t amount,
			  int64_t fee)
{
	struct roi_txn x = { .created = created, .amount = amount, .fee = fee };

	strcpy(x.id, "txn");
	strcpy(x.category, cat);
	strcpy(x.currency, cur);
	return x;
}

static const char *str(json_t *doc, const char *path0, size_t i, const char *key)
{
	json_t *o = json_object_get(doc, path0);

	if (json_is_array(o))
		o = json_array_get(o, i);
	return json_string_value(json_object_get(o, key));
}

static void test_report(void **s)
{
	struct roi_rate r[] = { { "eur", 1080000000 } };
	struct roi_rates rates = { "usd", 1, r };
	struct roi_txn xs[] = {
		txn(MAR14 + 36000, "charge", "usd", 1000, 59), /* 03-14 10:00 */
		txn(MAR15 + 3600, "charge", "eur", 1000, 0),   /* 03-15 01:00 */
		txn(MAR15 + 7200, "refund", "usd", -500, 0),   /* 03-15 02:00 */
		txn(MAR16, "charge", "usd", 99999, 0),         /* after the range */
		txn(MAR14 - 1, "charge", "usd", 99999, 0),     /* before it */
	};
	struct roi_report rep;
	json_t *doc, *total;

	(void)s;
	/* from 03-14 12:00: the first day still starts at 03-14 00:00 */
	assert_int_equal(roi_report_init(&rep, ROI_DAY, NULL, MAR14 + 43200, MAR16), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.b[0].start, MAR14);
	assert_int_equal(rep.b[1].end, MAR16);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(roi_report_add(&rep, &xs[i]), 0);
	rep.b[0].cost = rep.b[1].cost = 500;
	doc = roi_report_json(&rep, &rates, 0, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "hinge.roi.report/1");
	/* 03-14: gross 10.00, fees 0.59, net 9.41; roi (941 - 500) / 500 */
	assert_string_equal(str(doc, "periods", 0, "gross"), "10.00");
	assert_string_equal(str(doc, "periods", 0, "net"), "9.41");
	assert_string_equal(str(doc, "periods", 0, "start"), "2026-03-14T00:00:00Z");
	assert_float_equal(json_real_value(json_object_get(json_array_get(
		json_object_get(doc, "periods"), 0), "roi")), 0.882, 1e-9);
	/* 03-15: 10.00 EUR = 10.80 USD gross, 5.00 refunded, net 5.80;
	 * roi (580 - 500) / 500 = 0.16 */
	assert_string_equal(str(doc, "periods", 1, "gross"), "10.80");
	assert_string_equal(str(doc, "periods", 1, "refunds"), "5.00");
	assert_string_equal(str(doc, "periods", 1, "net"), "5.80");
	/* in total: gross 20.80, net 9.41 + 5.80 = 15.21, cost 10.00,
	 * roi (1521 - 1000) / 1000 = 0.521 */
	total = json_object_get(doc, "total");
	assert_string_equal(json_string_value(json_object_get(total, "gross")), "20.80");
	assert_string_equal(json_string_value(json_object_get(total, "net")), "15.21");
	assert_string_equal(json_string_value(json_object_get(total, "cost")), "10.00");
	assert_float_equal(json_real_value(json_object_get(total, "roi")), 0.521, 1e-9);
	/* per currency, unconverted: usd 10.00 - 5.00 - 0.59, eur 10.00 */
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(total, "currencies"), "usd"), "net")), "4.41");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(total, "currencies"), "eur"), "net")), "10.00");
	assert_true(json_is_false(json_object_get(doc, "stale")));
	json_decref(doc);

	/* without a rate for eur: 03-15 leaves it out and has no roi */
	rates.n = 0;
	doc = roi_report_json(&rep, &rates, 1, "HTTP 401", 0);
	assert_string_equal(str(doc, "periods", 1, "gross"), "0.00");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(doc, "periods"), 1),
						 "roi")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "total"),
							    "unconverted_currencies")), 1);
	assert_true(json_is_true(json_object_get(doc, "stale")));
	assert_string_equal(json_string_value(json_object_get(doc, "last_error")), "HTTP 401");
	json_decref(doc);
	roi_report_free(&rep);
	assert_int_equal(roi_report_init(&rep, ROI_DAY, NULL, MAR16, MAR16), HINGE_EINVAL);
	/* 100000 hours fit, one more does not */
	assert_int_equal(roi_report_init(&rep, ROI_HOUR, NULL, MAR16, MAR16 + 100000LL * 3600), 0);
	assert_int_equal(rep.n, ROI_MAX_PERIODS);
	roi_report_free(&rep);
	assert_int_equal(roi_report_init(&rep, ROI_HOUR, NULL, MAR16, MAR16 + 100001LL * 3600),
			 HINGE_EINVAL);
	assert_null(rep.b);
}

static void test_windows(void **s)
{
	const int64_t bounds[] = { MAR14, MAR15, MAR15 + 3600 };
	const int64_t bad[] = { MAR15, MAR14 };
	struct roi_txn a = txn(MAR15 + 60, "charge", "usd", 700, 0);
	struct roi_txn late = txn(MAR15 + 3600, "charge", "usd", 1, 0);
	struct roi_rates rates = { "usd", 0, NULL };
	struct roi_report rep;
	json_t *doc;

	(void)s;
	assert_int_equal(roi_report_windows(&rep, bounds, 3), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.b[1].end, MAR15 + 3600);
	assert_int_equal(roi_report_add(&rep, &a), 0);
	assert_int_equal(roi_report_add(&rep, &late), 0); /* at the end: outside */
	doc = roi_report_json(&rep, &rates, 0, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(doc, "period")), "custom");
	/* the hour after 03-15 00:00 holds the 7.00 charge, the day before none */
	assert_string_equal(str(doc, "periods", 0, "gross"), "0.00");
	assert_string_equal(str(doc, "periods", 1, "gross"), "7.00");
	json_decref(doc);
	roi_report_free(&rep);
	assert_int_equal(roi_report_windows(&rep, bad, 2), HINGE_EINVAL);
	assert_int_equal(roi_report_windows(&rep, bounds, 1), HINGE_EINVAL);
}

static void test_delta(void **s)
{
	double v = 0;

	(void)s;
	/* 100.00 before, 90.00 after: -10 % */
	assert_int_equal(roi_delta_pct(10000, 9000, &v), 0);
	assert_float_equal(v, -10.0, 1e-9);
	/* -50.00 before, -25.00 after: better by half of |before|, +50 % */
	assert_int_equal(roi_delta_pct(-5000, -2500, &v), 0);
	assert_float_equal(v, 50.0, 1e-9);
	assert_int_equal(roi_delta_pct(0, 2500, &v), HINGE_ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_costs),
		cmocka_unit_test(test_fixed_bad),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_delta),
	};

	return cmocka_run_group_tests_name("roi_report", tests, NULL, NULL);
}
