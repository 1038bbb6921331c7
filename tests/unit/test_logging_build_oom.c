/*
 * test_logging_build_oom.c - a round built on several threads while the
 * Nth allocation fails, for every N until a round needs no failing one:
 * lg_builder_run returns 0 with every slot prepared, or HINGE_ENOMEM with
 * every slot empty (the builder freed what the other threads had built;
 * under ASan or valgrind, nothing leaks or is freed twice), and the
 * builder builds the next round whole; and a body's printing that fails
 * leaves its event as it was prepared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "tests/doubles/failing_alloc.h"
#include "plugins/logging/build.h"
#include "plugins/logging/scrub.h"

#define N 64 /* four takes of 16: every thread gets some */

static char texts[N][120];
static struct lg_raw raws[N];
static struct lg_built out[N];

static void all_built(int built)
{
	for (size_t k = 0; k < N; k++) {
		if (built) {
			/* prepared: the body is printed later */
			assert_non_null(out[k].message);
			assert_non_null(out[k].normalized);
			assert_null(out[k].body);
		} else {
			assert_null(out[k].message);
			assert_null(out[k].normalized);
			assert_null(out[k].body);
		}
		lg_built_free(&out[k]);
	}
}

static void test_every_failure(void **state)
{
	struct lg_builder *b;
	long n;
	int rc, failed = 0;

	(void)state;
	for (size_t k = 0; k < N; k++) {
		snprintf(texts[k], sizeof texts[k], "ERROR job %zu failed: token=t%zu mail a%zu@example.com",
			 k, k, k % 5);
		raws[k] = (struct lg_raw){ .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
					   .source = "file", .type = "/var/log/app.log",
					   .message = texts[k], .host = "h1" };
	}
	assert_int_equal(lg_builder_start(4, &b), 0);
	for (n = 0;; n++) {
		failing_alloc_after(n);
		rc = lg_builder_run(b, raws, N, LG_SCRUB_EMAIL, out);
		if (failing_alloc_pending()) {
			/* no allocation failed: the round is whole */
			failing_alloc_after(-1);
			assert_int_equal(rc, 0);
			all_built(1);
			break;
		}
		failing_alloc_after(-1);
		assert_true(rc == 0 || rc == HINGE_ENOMEM);
		failed += rc == HINGE_ENOMEM;
		all_built(rc == 0);
		/* and the builder goes on */
		assert_int_equal(lg_builder_run(b, raws, N, LG_SCRUB_EMAIL, out), 0);
		all_built(1);
	}
	lg_builder_stop(b);
	assert_true(n > 0);
	assert_true(failed > 0);
}

/* A body's printing while the Nth allocation fails, for every N: the
 * event stays as it was prepared, nothing leaks, and it prints after. */
static void test_print_failure(void **state)
{
	struct lg_raw raw = raws[0];
	struct lg_built b;
	long n;
	int rc;

	(void)state;
	raw.message = "ERROR \"quoted\" job failed: token=t1";
	assert_int_equal(lg_event_prepare(&raw, LG_SCRUB_EMAIL, &b), 0);
	for (n = 0;; n++) {
		failing_alloc_after(n);
		rc = lg_event_print(&raw, LG_SCRUB_EMAIL, &b);
		if (failing_alloc_pending()) {
			failing_alloc_after(-1);
			assert_int_equal(rc, 0);
			break;
		}
		failing_alloc_after(-1);
		assert_int_equal(rc, HINGE_ENOMEM);
		assert_null(b.body);
		assert_non_null(b.message);
		assert_non_null(b.normalized);
	}
	assert_true(n > 0);
	assert_non_null(strstr(b.body, "\\\"quoted\\\""));
	lg_built_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_failure),
		cmocka_unit_test(test_print_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
