/*
 * test_roi_stripe_parse.c - Stripe's wire format as the roi plugin reads
 * it: page URLs, which API bases may carry the key, list pages, malformed
 * bodies, unknown currencies and error bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/stripe_parse.h"

static void test_base_ok(void **s)
{
	(void)s;
	assert_true(roi_stripe_base_ok("https://api.stripe.com"));
	assert_true(roi_stripe_base_ok("http://127.0.0.1:4242"));
	assert_true(roi_stripe_base_ok("http://localhost:8080/"));
	assert_true(roi_stripe_base_ok("http://[::1]:99"));
	assert_false(roi_stripe_base_ok("http://api.stripe.com"));
	assert_false(roi_stripe_base_ok("http://127.0.0.1.evil.example/"));
	assert_false(roi_stripe_base_ok("http://localhost.evil.example"));
	assert_false(roi_stripe_base_ok("ftp://127.0.0.1"));
	assert_false(roi_stripe_base_ok("https://"));
	assert_false(roi_stripe_base_ok(NULL));
}

static void test_url(void **s)
{
	char *u;

	(void)s;
	u = roi_stripe_page_url("https://api.stripe.com/", 1773578096, NULL);
	assert_string_equal(u, "https://api.stripe.com/v1/balance_transactions?limit=100"
			       "&created%5Bgte%5D=1773578096");
	free(u);
	u = roi_stripe_page_url("http://127.0.0.1:9", 0, "txn_1A b&");
	assert_string_equal(u, "http://127.0.0.1:9/v1/balance_transactions?limit=100"
			       "&created%5Bgte%5D=0&starting_after=txn_1A%20b%26");
	free(u);
}

static void test_page(void **s)
{
	const char *body =
		"{\"object\":\"list\",\"url\":\"/v1/balance_transactions\",\"has_more\":true,"
		"\"data\":[{\"id\":\"txn_2\",\"object\":\"balance_transaction\",\"amount\":-1000,"
		"\"currency\":\"usd\",\"created\":1773578100,\"fee\":0,\"net\":-1000,"
		"\"reporting_category\":\"refund\",\"type\":\"refund\"},"
		"{\"id\":\"txn_1\",\"amount\":500,\"currency\":\"jpy\",\"created\":1773578000,"
		"\"fee\":18,\"type\":\"charge\"}]}";
	struct roi_page p;
	char err[128];

	(void)s;
	assert_int_equal(roi_stripe_parse_page(body, strlen(body), &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2);
	assert_true(p.has_more);
	assert_string_equal(p.txn[0].id, "txn_2");
	assert_string_equal(p.txn[0].category, "refund");
	assert_int_equal(p.txn[0].amount, -1000);
	assert_int_equal(p.txn[0].created, 1773578100);
	/* no reporting_category: the type stands in */
	assert_string_equal(p.txn[1].category, "charge");
	assert_string_equal(p.txn[1].currency, "jpy");
	assert_int_equal(p.txn[1].fee, 18);
	roi_page_free(&p);
	assert_null(p.txn);
}

static void expect_bad(const char *body, const char *reason)
{
	struct roi_page p;
	char err[128] = "";

	assert_int_equal(roi_stripe_parse_page(body, strlen(body), &p, err, sizeof(err)),
			 HINGE_EINVAL);
	assert_non_null(strstr(err, reason));
	assert_int_equal(p.n, 0);
	assert_null(p.txn);
}

static void test_bad_pages(void **s)
{
	(void)s;
	expect_bad("{\"data\": [", "malformed JSON");
	expect_bad("<html>502 Bad Gateway</html>", "malformed JSON");
	expect_bad("{\"object\":\"list\",\"data\":[]}", "not a list");
	expect_bad("{\"has_more\":true,\"data\":[]}", "empty page");
	expect_bad("{\"has_more\":false,\"data\":[{\"amount\":1}]}", "data[0] has no id");
	expect_bad("{\"has_more\":false,\"data\":[{\"id\":\"txn_x\",\"amount\":\"1\","
		   "\"fee\":0,\"created\":1,\"currency\":\"usd\",\"type\":\"charge\"}]}",
		   "txn_x: created, amount and fee must be integers");
	expect_bad("{\"has_more\":false,\"data\":[{\"id\":\"txn_y\",\"amount\":1,"
		   "\"fee\":0,\"created\":1,\"currency\":\"US$\",\"type\":\"charge\"}]}",
		   "txn_y: unknown currency \"US$\"");
	expect_bad("{\"has_more\":false,\"data\":[{\"id\":\"txn_z\",\"amount\":1,"
		   "\"fee\":0,\"created\":1,\"currency\":\"usd\"}]}", "no reporting_category");
}

static void test_error_type(void **s)
{
	const char *body = "{\"error\":{\"type\":\"authentication_error\","
			   "\"message\":\"Invalid API Key provided: sk_test_****abcd\"}}";
	char t[64];

	(void)s;
	roi_stripe_error_type(body, strlen(body), t, sizeof(t));
	assert_string_equal(t, "authentication_error");
	roi_stripe_error_type("oops", 4, t, sizeof(t));
	assert_string_equal(t, "unknown");
}

static void test_retry(void **s)
{
	(void)s;
	/* 429 waits what Retry-After says, capped */
	assert_int_equal(roi_stripe_retry_ms(429, 2, 0, 5, 100, 30000), 2000);
	assert_int_equal(roi_stripe_retry_ms(429, 60, 0, 5, 100, 5000), 5000);
	assert_int_equal(roi_stripe_retry_ms(429, 0, 0, 5, 100, 5000), 0);
	/* without Retry-After, and for 5xx and network errors: 100, 200, 400 */
	assert_int_equal(roi_stripe_retry_ms(429, -1, 1, 5, 100, 5000), 200);
	assert_int_equal(roi_stripe_retry_ms(500, -1, 0, 5, 100, 5000), 100);
	assert_int_equal(roi_stripe_retry_ms(503, -1, 2, 5, 100, 5000), 400);
	assert_int_equal(roi_stripe_retry_ms(0, -1, 4, 5, 100, 1000), 1000);
	/* out of attempts, or a status a retry cannot mend */
	assert_int_equal(roi_stripe_retry_ms(500, -1, 5, 5, 100, 5000), -1);
	assert_int_equal(roi_stripe_retry_ms(401, -1, 0, 5, 100, 5000), -1);
	assert_int_equal(roi_stripe_retry_ms(400, -1, 0, 5, 100, 5000), -1);
	assert_int_equal(roi_stripe_retry_ms(200, -1, 0, 5, 100, 5000), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_ok),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_bad_pages),
		cmocka_unit_test(test_error_type),
		cmocka_unit_test(test_retry),
	};

	return cmocka_run_group_tests_name("roi_stripe_parse", tests, NULL, NULL);
}
