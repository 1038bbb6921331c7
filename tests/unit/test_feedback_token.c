/*
 * test_feedback_token.c - signing and verifying feedback tokens against
 * the test vector of plugins/feedback/TOKEN.md (computed with Python's
 * hmac module and with `openssl dgst -sha256 -hmac`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "plugins/feedback/token.h"

#define KEY "correct horse battery staple"
#define TXN "ch_3MmlLrLkdIwHu7ix0snN0B15"
#define USER "4211"
#define EXPIRY 1767225600
#define TOKEN "v1.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b"

static void test_vector(void **state)
{
	char out[FB_TOKEN_SIZE];

	(void)state;
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, EXPIRY, out,
				       sizeof(out)), 0);
	assert_string_equal(out, TOKEN);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, TOKEN,
					 EXPIRY - 1), FB_TOKEN_OK);
}

static void test_expired(void **state)
{
	(void)state;
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, TOKEN,
					 EXPIRY), FB_TOKEN_EXPIRED);
}

static void test_forged(void **state)
{
	char t[FB_TOKEN_SIZE];

	(void)state;
	/* Another transaction, another user, another key. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), "ch_other", USER,
					 TOKEN, 0), FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, "4212", TOKEN, 0),
			 FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify("other", 5, TXN, USER, TOKEN, 0),
			 FB_TOKEN_FORGED);
	/* A later expiry with the old MAC: forged, not merely expired. */
	strcpy(t, TOKEN);
	t[3] = '2';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, t, 0),
			 FB_TOKEN_FORGED);
	/* One flipped bit of the MAC. */
	strcpy(t, TOKEN);
	t[strlen(t) - 1] = 'a';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, t, 0),
			 FB_TOKEN_FORGED);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"v2.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
		"v1..c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
		"v1.-5.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
		"v1.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518",
		"v1.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b0",
		"v1.1767225600.C5C4855C9D840EF031DF1C36B547D459B37894B5F94E47EA81B1607BDCC6518B",
		"v1.9999999999999999999.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
	};
	char longid[FB_ID_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, bad[i],
						 0), FB_TOKEN_MALFORMED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, NULL, 0),
			 FB_TOKEN_MALFORMED);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), longid, USER, TOKEN, 0),
			 FB_TOKEN_MALFORMED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), "a\nb", USER, TOKEN, 0),
			 FB_TOKEN_MALFORMED);
}

static void test_ids(void **state)
{
	char id[FB_ID_MAX + 1], out[FB_TOKEN_SIZE];

	(void)state;
	memset(id, 'x', FB_ID_MAX);
	id[FB_ID_MAX] = '\0';
	assert_true(fb_id_valid(id));
	assert_true(fb_id_valid("user 7"));
	assert_false(fb_id_valid(""));
	assert_false(fb_id_valid(NULL));
	assert_false(fb_id_valid("tab\there"));
	assert_false(fb_id_valid("caf\xc3\xa9"));
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), "", USER, 1, out,
				       sizeof(out)), -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, -1, out,
				       sizeof(out)), -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, 1, out, 20),
			 -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), id, id, 1, out,
				       sizeof(out)), 0);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), id, id, out, 0),
			 FB_TOKEN_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests_name("feedback_token", tests, NULL, NULL);
}
