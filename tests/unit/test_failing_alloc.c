/*
 * test_failing_alloc.c - the out-of-memory tests' allocator double fails
 * exactly the allocation it was told to, through malloc, calloc and
 * realloc alike, and none when disarmed; with several threads
 * allocating at once, exactly one of them sees the failure.  The
 * out-of-memory tests trust it to fail each allocation in turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <pthread.h>

#include <cmocka.h>

#include "tests/doubles/failing_alloc.h"

#define THREADS 4
#define PER_THREAD 1000

/* The allocations are made with the countdown armed, and checked only
 * after it is disarmed: cmocka may allocate while it reports. */
static void test_fails_the_nth(void **state)
{
	void *got[5];
	int pending_before, pending_after;

	(void)state;
	failing_alloc_after(2);
	pending_before = failing_alloc_pending();
	got[0] = malloc(8);
	got[1] = calloc(2, 8);
	got[2] = realloc(NULL, 8); /* the third: fails */
	pending_after = failing_alloc_pending();
	got[3] = malloc(8);        /* only one fails */
	got[4] = realloc(got[0], 64);
	failing_alloc_after(-1);
	assert_true(pending_before);
	assert_false(pending_after);
	assert_non_null(got[1]);
	assert_null(got[2]);
	assert_non_null(got[3]);
	assert_non_null(got[4]);
	free(got[1]);
	free(got[3]);
	free(got[4]);
}

static void test_next_one(void **state)
{
	void *p, *q;

	(void)state;
	failing_alloc_after(0);
	p = calloc(1, 8);
	q = calloc(1, 8);
	failing_alloc_after(-1);
	assert_null(p);
	assert_non_null(q);
	free(q);
}

static void test_disarmed(void **state)
{
	void *v[100];
	int k, pending;

	(void)state;
	failing_alloc_after(-1);
	for (k = 0; k < 100; k++)
		v[k] = malloc(16);
	pending = failing_alloc_pending();
	for (k = 0; k < 100; k++) {
		assert_non_null(v[k]);
		free(v[k]);
	}
	assert_false(pending);
}

static atomic_int go, nulls;

static void *allocate(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		;
	for (int k = 0; k < PER_THREAD; k++) {
		void *p = malloc(32);

		if (!p)
			atomic_fetch_add(&nulls, 1);
		free(p);
	}
	return NULL;
}

/* The threads start before the countdown is armed, so that only their
 * allocations count. */
static void test_one_among_threads(void **state)
{
	pthread_t t[THREADS];
	int k;

	(void)state;
	for (k = 0; k < THREADS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, allocate, NULL), 0);
	failing_alloc_after(THREADS * PER_THREAD / 2);
	atomic_store(&go, 1);
	for (k = 0; k < THREADS; k++)
		pthread_join(t[k], NULL);
	assert_false(failing_alloc_pending());
	failing_alloc_after(-1);
	assert_int_equal(atomic_load(&nulls), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fails_the_nth),
		cmocka_unit_test(test_next_one),
		cmocka_unit_test(test_disarmed),
		cmocka_unit_test(test_one_among_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
