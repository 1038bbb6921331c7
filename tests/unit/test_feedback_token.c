/*
 * test_feedback_token.c - signing and verifying feedback tokens against
 * the test vectors of plugins/feedback/TOKEN.md (computed with Python's
 * hmac module and with `openssl dgst -sha256 -hmac`), and the canonical
 * text of the segment values a v2 token binds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugins/feedback/token.h"

#define KEY "correct horse battery staple"
#define TXN "ch_3MmlLrLkdIwHu7ix0snN0B15"
#define USER "4211"
#define EXPIRY 1767225600
/* v1: transaction, user, expiry; kept valid for links without segments. */
#define TOKEN_V1 "v1.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b"
/* v2 with plan = "pro+", ai_model = "gpt-4o mini/2024". */
#define SEGS "ai_model=gpt-4o%20mini%2F2024&plan=pro%2B"
#define TOKEN "v2.1767225600.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e"
/* v2 without segments (Python: the same recipe with {}). */
#define TOKEN_NOSEG "v2.1767225600.c8ee9ef2d61b8c95a71033c5c8d1005e8156a6c76f995edf7e56475ecf35b304"

static char *canon(const char *const *keys, const char *const *values, size_t n)
{
	char *s = fb_segments_canonical(keys, values, n);

	assert_non_null(s);
	return s;
}

static void test_canonical(void **state)
{
	/* Given out of order: sorted by key; space, slash and plus encoded. */
	const char *keys[] = { "plan", "ai_model" };
	const char *values[] = { "pro+", "gpt-4o mini/2024" };
	/* Byte order, not locale order: "Z" < "_" < "a", "a" < "a b" < "ab". */
	const char *k2[] = { "ab", "a", "_x", "Zed", "a b" };
	const char *v2[] = { "1", "2", "3", "4", "5" };
	/* Unreserved bytes kept, every other printable byte %XX upper-case. */
	const char *k3[] = { "k" };
	const char *v3[] = { "AZaz09-._~ !\"#$%&'()*+,/:;<=>?@[\\]^`{|}" };
	const char *none[] = { NULL };
	char *s;

	(void)state;
	s = canon(keys, values, 2);
	assert_string_equal(s, SEGS);
	free(s);
	s = canon(k2, v2, 5);
	assert_string_equal(s, "Zed=4&_x=3&a=2&a%20b=5&ab=1");
	free(s);
	s = canon(k3, v3, 1);
	assert_string_equal(s, "k=AZaz09-._~%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B"
			       "%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D");
	free(s);
	s = canon(none, none, 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_canonical_repeated_key(void **state)
{
	const char *keys[] = { "plan", "x", "plan" };
	const char *values[] = { "pro", "1", "team" };

	(void)state;
	assert_null(fb_segments_canonical(keys, values, 3));
}

static void test_vector(void **state)
{
	char out[FB_TOKEN_SIZE];

	(void)state;
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, SEGS, EXPIRY, out,
				       sizeof(out)), 0);
	assert_string_equal(out, TOKEN);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, TOKEN,
					 EXPIRY - 1), FB_TOKEN_OK);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, "", EXPIRY, out,
				       sizeof(out)), 0);
	assert_string_equal(out, TOKEN_NOSEG);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, NULL, EXPIRY, out,
				       sizeof(out)), 0);
	assert_string_equal(out, TOKEN_NOSEG);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, NULL, TOKEN_NOSEG,
					 EXPIRY - 1), FB_TOKEN_OK);
}

static void test_v1(void **state)
{
	(void)state;
	/* Valid without segment values... */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "", TOKEN_V1,
					 EXPIRY - 1), FB_TOKEN_OK);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, NULL, TOKEN_V1,
					 EXPIRY - 1), FB_TOKEN_OK);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, NULL, TOKEN_V1,
					 EXPIRY), FB_TOKEN_EXPIRED);
	/* ...refused with them, even though its MAC is right. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "plan=pro", TOKEN_V1,
					 EXPIRY - 1), FB_TOKEN_UNBOUND);
	/* A v1 token that is not genuine stays forged, segments or not. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, "4212", "plan=pro", TOKEN_V1,
					 EXPIRY - 1), FB_TOKEN_FORGED);
	/* The v1 MAC under a v2 label (or the reverse) does not verify. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "",
					 "v2.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
					 0), FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "",
					 "v1.1767225600.c8ee9ef2d61b8c95a71033c5c8d1005e8156a6c76f995edf7e56475ecf35b304",
					 0), FB_TOKEN_FORGED);
}

static void test_expired(void **state)
{
	(void)state;
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, TOKEN,
					 EXPIRY), FB_TOKEN_EXPIRED);
}

static void test_tampered_segments(void **state)
{
	const char *keys[] = { "plan", "ai_model" };
	const char *values[] = { "pro", "gpt-4o mini/2024" };
	char *other;

	(void)state;
	/* Another plan; a segment left out; none at all; one added. */
	other = canon(keys, values, 2);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, other, TOKEN, 0),
			 FB_TOKEN_FORGED);
	free(other);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER,
					 "ai_model=gpt-4o%20mini%2F2024", TOKEN, 0),
			 FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "", TOKEN, 0),
			 FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS "&step=pay", TOKEN, 0),
			 FB_TOKEN_FORGED);
	/* A token without segments cannot gain one. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "plan=pro", TOKEN_NOSEG,
					 0), FB_TOKEN_FORGED);
}

static void test_forged(void **state)
{
	char t[FB_TOKEN_SIZE];

	(void)state;
	/* Another transaction, another user, another key. */
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), "ch_other", USER, SEGS,
					 TOKEN, 0), FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, "4212", SEGS, TOKEN, 0),
			 FB_TOKEN_FORGED);
	assert_int_equal(fb_token_verify("other", 5, TXN, USER, SEGS, TOKEN, 0),
			 FB_TOKEN_FORGED);
	/* A later expiry with the old MAC: forged, not merely expired. */
	strcpy(t, TOKEN);
	t[3] = '2';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, t, 0),
			 FB_TOKEN_FORGED);
	/* One flipped bit of the MAC. */
	strcpy(t, TOKEN);
	t[strlen(t) - 1] = 'f';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, t, 0),
			 FB_TOKEN_FORGED);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"v3.1767225600.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e",
		"v2..212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e",
		"v2.-5.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e",
		"v2.1767225600.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204",
		"v2.1767225600.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e0",
		"v2.1767225600.212623BB91439312B843AECCD1D8CA45A82B4F17A5F9EB2A8819B9CA94B0204E",
		"v2.9999999999999999999.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e",
		"v1..c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
		"v12.1767225600.c5c4855c9d840ef031df1c36b547d459b37894b5f94e47ea81b1607bdcc6518b",
		/* A leading zero: one expiry has one spelling, the one the MAC
		 * covers (with it the genuine MAC was accepted). */
		"v2.01767225600.212623bb91439312b843aeccd1d8ca45a82b4f17a5f9eb2a8819b9ca94b0204e",
	};
	char longid[FB_ID_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, bad[i],
						 0), FB_TOKEN_MALFORMED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, SEGS, NULL, 0),
			 FB_TOKEN_MALFORMED);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), longid, USER, SEGS, TOKEN, 0),
			 FB_TOKEN_MALFORMED);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), "a\nb", USER, SEGS, TOKEN, 0),
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
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), "", USER, "", 1, out,
				       sizeof(out)), -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, "", -1, out,
				       sizeof(out)), -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, "", 1, out, 20),
			 -1);
	/* Past 18 digits a token would not verify: not signed either. */
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, "", 1000000000000000000LL,
				       out, sizeof(out)), -1);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, "", 999999999999999999LL,
				       out, sizeof(out)), 0);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, "", out, 0), FB_TOKEN_OK);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), id, id, SEGS, 1, out,
				       sizeof(out)), 0);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), id, id, SEGS, out, 0),
			 FB_TOKEN_OK);
}

/* Segment text of any length: the message is not a fixed buffer. */
static void test_long_segments(void **state)
{
	const char *keys[8], *values[8];
	char names[8][4], value[FB_ID_MAX + 1], out[FB_TOKEN_SIZE], *s;
	size_t i;

	(void)state;
	memset(value, '/', FB_ID_MAX); /* each byte becomes %2F */
	value[FB_ID_MAX] = '\0';
	for (i = 0; i < 8; i++) {
		names[i][0] = 's';
		names[i][1] = (char)('0' + i);
		names[i][2] = '\0';
		keys[i] = names[i];
		values[i] = value;
	}
	s = canon(keys, values, 8);
	assert_int_equal(strlen(s), 8 * (3 + 3 * FB_ID_MAX) + 7);
	assert_int_equal(fb_token_sign(KEY, strlen(KEY), TXN, USER, s, EXPIRY, out,
				       sizeof(out)), 0);
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, s, out, 0), FB_TOKEN_OK);
	s[strlen(s) - 1] = 'E';
	assert_int_equal(fb_token_verify(KEY, strlen(KEY), TXN, USER, s, out, 0),
			 FB_TOKEN_FORGED);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_canonical_repeated_key),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_tampered_segments),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_long_segments),
	};

	return cmocka_run_group_tests_name("feedback_token", tests, NULL, NULL);
}
