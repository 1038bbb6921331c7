/*
 * test_logging_build_oom.c - a round built on several threads while the
 * Nth allocation fails, for every N until a round needs no failing one:
 * lg_builder_run returns 0 with every slot built, or HINGE_ENOMEM with
 * every slot empty (the builder freed what the other threads had built;
 * under ASan or valgrind, nothing leaks or is freed twice), and the
 * builder builds the next round whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/logging/build.h"
#include "plugins/logging/scrub.h"

/* -Wl,--wrap: allocations of the code under test go through these. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static atomic_long countdown = -1; /* allocations before the one that fails; -1: none */

static int fail_now(void)
{
	long c = atomic_load(&countdown);

	while (c >= 0 && !atomic_compare_exchange_weak(&countdown, &c, c - 1))
		;
	return c == 0;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return fail_now() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

#define N 64 /* four takes of 16: every thread gets some */

static char texts[N][120];
static struct lg_raw raws[N];
static struct lg_built out[N];

static void all_built(int built)
{
	for (size_t k = 0; k < N; k++) {
		if (built) {
			assert_non_null(out[k].message);
			assert_non_null(out[k].body);
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
		atomic_store(&countdown, n);
		rc = lg_builder_run(b, raws, N, LG_SCRUB_EMAIL, out);
		if (atomic_load(&countdown) >= 0) {
			/* no allocation failed: the round is whole */
			atomic_store(&countdown, -1);
			assert_int_equal(rc, 0);
			all_built(1);
			break;
		}
		atomic_store(&countdown, -1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
