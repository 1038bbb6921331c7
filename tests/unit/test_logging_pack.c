/*
 * test_logging_pack.c - bodies packed into LZ4 frames come back as they
 * went in; a frame damaged in one of its blocks gives back the blocks
 * before it and says so; a truncated frame, bytes that are no frame and
 * a frame claiming more text than it can hold give what they can.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lz4frame.h>

#include "plugins/logging/pack.h"

#define BLOCK 65536

/* n bytes of JSON lines like a tail round's, each line different. */
static char *lines(size_t n)
{
	char *t = malloc(n + 1), line[128];
	size_t at = 0;

	assert_non_null(t);
	for (int k = 0; at < n; k++) {
		int len = snprintf(line, sizeof line,
				   "{\"event_id\":\"%08x\",\"message\":\"request %d failed\"}\n",
				   (unsigned)k * 2654435761u, k);
		size_t take = (size_t)len < n - at ? (size_t)len : n - at;

		memcpy(t + at, line, take);
		at += take;
	}
	t[n] = '\0';
	return t;
}

static void round_trip(size_t n)
{
	char *text = lines(n), *back;
	void *frame;
	size_t frame_len, len;

	assert_int_equal(lg_pack(text, n, &frame, &frame_len), 0);
	if (n >= BLOCK)
		assert_true(frame_len < n / 2);
	assert_int_equal(lg_unpack(frame, frame_len, &back, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(back, text, n);
	assert_int_equal(back[len], '\0');
	free(back);
	free(frame);
	free(text);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(1);
	round_trip(BLOCK - 1);
	round_trip(BLOCK);
	round_trip(5 * BLOCK + 123);
	round_trip(1 << 20);
}

/* Unpacked text of frame as changed by damage(); checks it is a prefix
 * of text and returns its length. */
static size_t unpack_prefix(const char *text, const unsigned char *frame, size_t frame_len,
			    int want_rc)
{
	char *back;
	size_t len;

	assert_int_equal(lg_unpack(frame, frame_len, &back, &len), want_rc);
	assert_non_null(back);
	assert_int_equal(back[len], '\0');
	if (len > 0)
		assert_memory_equal(back, text, len);
	free(back);
	return len;
}

static void test_damaged_block(void **state)
{
	size_t n = 6 * BLOCK, frame_len, len;
	char *text = lines(n);
	unsigned char *frame;

	(void)state;
	assert_int_equal(lg_pack(text, n, (void **)&frame, &frame_len), 0);
	/* a byte in the middle of the frame: in a block past the first */
	frame[frame_len / 2] ^= 0x5a;
	len = unpack_prefix(text, frame, frame_len, 1);
	assert_true(len >= BLOCK);
	assert_true(len < n);
	assert_int_equal(len % BLOCK, 0);
	free(frame);
	free(text);
}

static void test_truncated(void **state)
{
	size_t n = 4 * BLOCK, frame_len, len;
	char *text = lines(n);
	unsigned char *frame;

	(void)state;
	assert_int_equal(lg_pack(text, n, (void **)&frame, &frame_len), 0);
	len = unpack_prefix(text, frame, frame_len * 3 / 4, 1);
	assert_true(len >= BLOCK);
	assert_true(len < n);
	assert_int_equal(unpack_prefix(text, frame, 3, 1), 0);
	free(frame);
	free(text);
}

static void test_not_a_frame(void **state)
{
	const char junk[] = "{\"event_id\":\"x\"}\n{\"event_id\":\"y\"}\n";

	(void)state;
	assert_int_equal(unpack_prefix(junk, (const unsigned char *)junk, sizeof junk - 1, 1), 0);
	assert_int_equal(unpack_prefix(junk, (const unsigned char *)junk, 0, 1), 0);
}

/* A frame whose header (its checksum right) claims a terabyte of text
 * is not believed: nothing is allocated for it. */
static void test_claims_too_much(void **state)
{
	LZ4F_preferences_t prefs = LZ4F_INIT_PREFERENCES;
	LZ4F_cctx *cctx;
	unsigned char header[LZ4F_HEADER_SIZE_MAX];
	size_t len;

	(void)state;
	prefs.frameInfo.contentSize = 1ULL << 40;
	assert_false(LZ4F_isError(LZ4F_createCompressionContext(&cctx, LZ4F_VERSION)));
	len = LZ4F_compressBegin(cctx, header, sizeof header, &prefs);
	assert_false(LZ4F_isError(len));
	LZ4F_freeCompressionContext(cctx);
	assert_int_equal(unpack_prefix("", header, len, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged_block),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_a_frame),
		cmocka_unit_test(test_claims_too_much),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
