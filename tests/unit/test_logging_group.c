/*
 * test_logging_group.c - message normalisation and fingerprints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "plugins/logging/group.h"

static void norm_is(const char *in, const char *want)
{
	char *got = lg_normalize(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_numbers(void **state)
{
	(void)state;
	norm_is("task 42 failed after 3.5s", "task <num> failed after <num>s");
	norm_is("took 120ms", "took <num>");
	norm_is("retry 7/10", "retry <num>/<num>");
	norm_is("user42 stays", "user42 stays");
	norm_is("at 2026-11-25T20:21:05Z", "at <num>-<num>-<num>:<num>:<num>");
}

/* Nothing but white space, or nothing: the empty text, not whatever
 * the buffer held (it was reserved and never written). */
static void test_blank(void **state)
{
	(void)state;
	norm_is("", "");
	norm_is(" ", "");
	norm_is("  \t\r\n ", "");
}

static void test_hex_uuid(void **state)
{
	(void)state;
	norm_is("pointer 0x7ffd1a2b at", "pointer <hex> at");
	norm_is("commit a2a856d0e1 broke", "commit <hex> broke");
	norm_is("job 123e4567-e89b-12d3-a456-426614174000 lost",
		"job <uuid> lost");
	norm_is("deadbeef is a word", "deadbeef is a word");
	norm_is("123E4567-E89B-12D3-A456-426614174000: gone", "<uuid>: gone");
	/* a UUID glued to a word is not one: its hex words starting with a
	 * letter stay, so each such UUID makes a group of its own (a known
	 * limit; changing it would change existing groups' fingerprints) */
	norm_is("id 123e4567-e89b-12d3-a456-426614174000x", "id <hex>-e89b-<num>-a456-<num>");
	norm_is("id x123e4567-e89b-12d3-a456-426614174000", "id x123e4567-e89b-<num>-a456-<num>");
}

static void test_quotes_paths(void **state)
{
	(void)state;
	norm_is("column \"ai_model\" of relation \"execution_tasks\" does not exist",
		"column \"<str>\" of relation \"<str>\" does not exist");
	norm_is("key 'abc' can't be used", "key '<str>' can't be used");
	norm_is("open /var/log/app/x.log: no such file",
		"open <path>: no such file");
	norm_is("file=/tmp/a b", "file=<path> b");
	norm_is("a  \t b\n", "a b");
}

static void test_long_message_cut(void **state)
{
	char big[5000];
	char *got;

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	got = lg_normalize(big);
	assert_non_null(got);
	assert_int_equal(strlen(got), LG_NORM_MAX);
	free(got);
}

static void test_fingerprint(void **state)
{
	char a[LG_FP_HEX + 1], b[LG_FP_HEX + 1], c[LG_FP_HEX + 1];

	(void)state;
	/* sha256 of "\0\0" (empty source, type and message) */
	assert_int_equal(lg_fingerprint("", NULL, "", a), 0);
	assert_string_equal(a, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
	assert_int_equal(lg_fingerprint("agent", "error", "x <num>", a), 0);
	assert_int_equal(lg_fingerprint("agent", "error", "x <num>", b), 0);
	assert_string_equal(a, b);
	assert_int_equal(lg_fingerprint("agent", "warning", "x <num>", c), 0);
	assert_string_not_equal(a, c);
	/* the separator keeps "ab"+"c" apart from "a"+"bc" */
	assert_int_equal(lg_fingerprint("ab", "c", "", b), 0);
	assert_int_equal(lg_fingerprint("a", "bc", "", c), 0);
	assert_string_not_equal(b, c);
}

/* SHA-256 of source, type and norm with their NULs, as the test's own
 * hex (EVP_Digest, one call): what lg_fingerprint must give. */
static void sha256_of(const char *source, const char *type, const char *norm,
		      char out[LG_FP_HEX + 1])
{
	size_t sl = strlen(source) + 1, tl = strlen(type) + 1, nl = strlen(norm);
	char *key = malloc(sl + tl + nl + 1);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, k;

	assert_non_null(key);
	memcpy(key, source, sl);
	memcpy(key + sl, type, tl);
	memcpy(key + sl + tl, norm, nl);
	assert_int_equal(EVP_Digest(key, sl + tl + nl, md, &len, EVP_sha256(), NULL), 1);
	for (k = 0; k < len; k++)
		snprintf(out + 2 * k, 3, "%02x", md[k]);
	free(key);
}

/* Groups met in turn and again, more of them than a thread keeps, some
 * with texts longer than it keeps: each gets its own SHA-256 each time,
 * also after another group took its place. */
static void test_fingerprint_kept(void **state)
{
	char norm[700], got[LG_FP_HEX + 1], want[LG_FP_HEX + 1];
	int round, g;

	(void)state;
	for (round = 0; round < 3; round++)
		for (g = 0; g < 300; g++) {
			int k = round == 1 ? 299 - g : g;

			memset(norm, 'x', sizeof norm);
			/* 40 bytes, or 600 (longer than a thread keeps) */
			norm[snprintf(norm, sizeof norm, "request <num> failed user=u%d ", k)] = 'x';
			norm[k % 7 == 0 ? 600 : 40] = '\0';
			assert_int_equal(lg_fingerprint("file", k % 2 ? "/a.log" : NULL, norm, got), 0);
			sha256_of("file", k % 2 ? "/a.log" : "", norm, want);
			assert_string_equal(got, want);
		}
}

static void test_same_group(void **state)
{
	char *m1 = lg_normalize("task 17 failed: column \"ai_model\" missing");
	char *m2 = lg_normalize("task 9001 failed: column \"x\" missing");
	char f1[LG_FP_HEX + 1], f2[LG_FP_HEX + 1];

	(void)state;
	assert_int_equal(lg_fingerprint("pg", "implement_idea", m1, f1), 0);
	assert_int_equal(lg_fingerprint("pg", "implement_idea", m2, f2), 0);
	assert_string_equal(f1, f2);
	free(m1);
	free(m2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_blank),
		cmocka_unit_test(test_hex_uuid),
		cmocka_unit_test(test_quotes_paths),
		cmocka_unit_test(test_long_message_cut),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_fingerprint_kept),
		cmocka_unit_test(test_same_group),
	};
	return cmocka_run_group_tests_name("logging_group", tests, NULL, NULL);
}
