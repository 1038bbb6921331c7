/*
 * test_logging_scrub.c - secrets out of text and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugins/logging/scrub.h"

static void scrub_is(const char *in, unsigned flags, const char *want)
{
	char *got = lg_scrub_text(in, flags);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_keys(void **state)
{
	(void)state;
	scrub_is("login failed password=hunter2 user=bob", 0,
		 "login failed password=[Filtered] user=bob");
	scrub_is("{\"api_key\": \"abc def\", \"n\": 1}", 0,
		 "{\"api_key\": \"[Filtered]\", \"n\": 1}");
	scrub_is("Cookie: sid=42; x", 0, "Cookie: [Filtered]; x");
	scrub_is("GET /x?access_token=zz&page=2", 0,
		 "GET /x?access_token=[Filtered]&page=2");
	scrub_is("secret: 's3 cr3t' left", 0, "secret: '[Filtered]' left");
	scrub_is("X-Api-Key: 123", 0, "X-Api-Key: [Filtered]");
	scrub_is("private_key=-----BEGIN", 0, "private_key=[Filtered]");
	scrub_is("credentials=a,b", 0, "credentials=[Filtered],b");
	scrub_is("passwd = x", 0, "passwd = [Filtered]");
	scrub_is("tokens are counted: 5", 0, "tokens are counted: 5");
}

static void test_shapes(void **state)
{
	(void)state;
	scrub_is("charge with sk_live_4eC39HqLyjWDarjtT1zdp7dc failed", 0,
		 "charge with [Filtered] failed");
	scrub_is("key rk_test_abc123, and sk_test_Z9", 0,
		 "key [Filtered], and [Filtered]");
	scrub_is("sent Authorization: Bearer eyJhbGciOi.J9x-y_z ok", 0,
		 "sent Authorization: Bearer [Filtered] ok");
	scrub_is("header bearer abc.def", 0, "header bearer [Filtered]");
	scrub_is("dsn https://abc123def@o1.ingest.sentry.io/42 bad", 0,
		 "dsn https://[Filtered]@o1.ingest.sentry.io/42 bad");
	scrub_is("postgres://app:pa55@db:5432/x refused", 0,
		 "postgres://app:[Filtered]@db:5432/x refused");
	scrub_is("host=db user=app password=pa55 dbname=x", 0,
		 "host=db user=app password=[Filtered] dbname=x");
	scrub_is("see https://example.org/a@b", 0, "see https://example.org/a@b");
	scrub_is("ask_live_x", 0, "ask_live_x");
}

/*
 * A line is scrubbed in full only when it holds a cue (a sensitive word,
 * Bearer or Basic, a Stripe prefix, "://"): every shape is still found
 * wherever it stands and in either case, and text full of the cues' first
 * two letters stays as it is.
 */
static void test_cues(void **state)
{
	static const char filler[] = "user sess closed by server: the base code "
				     "passed apart, created and printed when "
				     "bank_id ratio:/ to count; ";
	static const char *const shapes[][2] = {
		{ "PASSWORD=hunter2", "PASSWORD=[Filtered]" },
		{ "Session: abc", "Session: [Filtered]" },
		{ "x_AUTH_y=1", "x_AUTH_y=[Filtered]" },
		{ "ApiKey: 9", "ApiKey: [Filtered]" },
		{ "BEARER abc.def", "BEARER [Filtered]" },
		{ "basic dXNlcg==", "basic [Filtered]" },
		{ "whsec_abc", "[Filtered]" },
		{ "pk_test_abc", "[Filtered]" },
		{ "ftp://u:p@h", "ftp://u:[Filtered]@h" },
	};
	char in[512], want[512];
	size_t k;

	(void)state;
	for (k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		snprintf(in, sizeof in, "%s%s", filler, shapes[k][0]);
		snprintf(want, sizeof want, "%s%s", filler, shapes[k][1]);
		scrub_is(in, 0, want);
		snprintf(in, sizeof in, "%s %s", shapes[k][0], filler);
		snprintf(want, sizeof want, "%s %s", shapes[k][1], filler);
		scrub_is(in, 0, want);
	}
	scrub_is(filler, 0, filler);
	scrub_is("SK_LIVE_abc pa ba: sk_live", 0, "SK_LIVE_abc pa ba: sk_live");
	scrub_is("", 0, "");
	scrub_is("s", 0, "s");
}

static void test_optional(void **state)
{
	(void)state;
	scrub_is("mail bob.smith+x@example.org now", 0,
		 "mail bob.smith+x@example.org now");
	scrub_is("mail bob.smith+x@example.org now", LG_SCRUB_EMAIL,
		 "mail [email] now");
	scrub_is("from 10.0.12.7 port 5", LG_SCRUB_IP, "from [ip] port 5");
	scrub_is("version 1.2.3 ok", LG_SCRUB_IP, "version 1.2.3 ok");
}

static void test_idempotent(void **state)
{
	static const char *const texts[] = {
		"password=hunter2 key sk_live_abc",
		"Authorization: Bearer abc.def",
		"\"token\": \"x\" postgres://u:p@h/db",
		NULL,
	};
	char *once, *twice;
	int k;

	(void)state;
	for (k = 0; texts[k]; k++) {
		once = lg_scrub_text(texts[k], 0);
		twice = lg_scrub_text(once, 0);
		assert_string_equal(once, twice);
		free(once);
		free(twice);
	}
}

static void test_json(void **state)
{
	json_error_t err;
	json_t *v = json_loads("{\"message\":\"password=x y\",\"detail\":"
			       "{\"Authorization\":\"Basic abc\",\"n\":3,"
			       "\"list\":[\"sk_live_abc\",1],"
			       "\"auth\":{\"user\":\"u\"}}}", 0, &err);
	char *out;

	(void)state;
	assert_non_null(v);
	assert_int_equal(lg_scrub_json(v, 0), 0);
	out = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(out, "{\"detail\":{\"Authorization\":\"[Filtered]\","
			    "\"auth\":\"[Filtered]\",\"list\":[\"[Filtered]\",1],"
			    "\"n\":3},\"message\":\"password=[Filtered] y\"}");
	free(out);
	json_decref(v);
}

static void test_key_names(void **state)
{
	char key[256];

	(void)state;
	assert_true(lg_scrub_key("DB_PASSWORD"));
	assert_true(lg_scrub_key("session_id"));
	assert_true(lg_scrub_key("stripe_secret"));
	assert_false(lg_scrub_key("message"));
	assert_false(lg_scrub_key("rollout"));
	/* a word anywhere in a long key, past its 127th byte too */
	memset(key, 'x', 200);
	memcpy(key + 200, "Token", 6);
	assert_true(lg_scrub_key(key));
	key[200] = 'y';
	assert_false(lg_scrub_key(key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_cues),
		cmocka_unit_test(test_optional),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_key_names),
	};
	return cmocka_run_group_tests_name("logging_scrub", tests, NULL, NULL);
}
