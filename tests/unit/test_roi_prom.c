/*
 * test_roi_prom.c - the roi plugin's Prometheus textfile: the current
 * (last) period of a report, every metric with HELP and TYPE, money as
 * the report's exact decimals, no ROI line when ROI is unknown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plugins/roi/prom.h"

static const char *doc_text =
	"{\"schema\": \"hinge.roi.report/1\", \"period\": \"day\", \"currency\": \"usd\","
	" \"periods\": ["
	"  {\"start\": \"2026-03-14T00:00:00Z\", \"net\": \"1.00\"},"
	"  {\"start\": \"2026-03-15T00:00:00Z\", \"gross\": \"10.80\", \"net\": \"5.80\","
	"   \"cost\": \"5.00\", \"roi\": 0.16, \"unconverted_currencies\": 1,"
	"   \"currencies\": {\"usd\": {\"gross\": \"0.00\", \"refunds\": \"5.00\","
	"     \"disputes\": \"0.00\", \"fees\": \"0.00\", \"other\": \"0.00\", \"net\": \"-5.00\"},"
	"    \"eur\": {\"gross\": \"10.00\", \"refunds\": \"0.00\", \"disputes\": \"0.00\","
	"     \"fees\": \"0.00\", \"other\": \"0.00\", \"net\": \"10.00\"}}}]}";

static void test_render(void **s)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	struct roi_prom_extra x = { 1773578096, 1, 250 };
	char *t;

	(void)s;
	assert_non_null(doc);
	t = roi_prom_render(doc, &x);
	assert_non_null(t);
	assert_non_null(strstr(t, "# HELP hinge_roi_revenue "));
	assert_non_null(strstr(t, "# TYPE hinge_roi_revenue gauge\n"));
	assert_non_null(strstr(t, "\nhinge_roi_revenue{currency=\"usd\",line=\"refunds\","
				  "period=\"day\"} 5.00\n"));
	assert_non_null(strstr(t, "\nhinge_roi_revenue{currency=\"eur\",line=\"net\","
				  "period=\"day\"} 10.00\n"));
	/* the last period, not the first */
	assert_non_null(strstr(t, "\nhinge_roi_net{currency=\"usd\",period=\"day\"} 5.80\n"));
	assert_non_null(strstr(t, "\nhinge_roi_cost{currency=\"usd\",period=\"day\"} 5.00\n"));
	assert_non_null(strstr(t, "\nhinge_roi_roi{period=\"day\"} 0.160000\n"));
	assert_non_null(strstr(t, "\nhinge_roi_unconverted_currencies 1\n"));
	assert_non_null(strstr(t, "\nhinge_roi_last_sync_timestamp_seconds 1773578096\n"));
	assert_non_null(strstr(t, "\nhinge_roi_stale 1\n"));
	assert_non_null(strstr(t, "\nhinge_roi_transactions 250\n"));
	free(t);

	/* ROI unknown: no sample rather than a made-up one */
	json_object_set_new(json_array_get(json_object_get(doc, "periods"), 1), "roi", json_null());
	t = roi_prom_render(doc, &x);
	assert_null(strstr(t, "hinge_roi_roi"));
	free(t);
	json_object_set_new(doc, "periods", json_array());
	assert_null(roi_prom_render(doc, &x));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests_name("roi_prom", tests, NULL, NULL);
}
