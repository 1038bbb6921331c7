/*
 * failing_alloc.c - the allocation wrappers of failing_alloc.h.  The
 * countdown is atomic: the code under test may allocate on several
 * threads, and exactly one allocation must fail.
 */
#include <stdatomic.h>
#include <stddef.h>

#include "tests/doubles/failing_alloc.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static atomic_long countdown = -1; /* allocations before the one that fails; -1: none */

void failing_alloc_after(long n)
{
	atomic_store(&countdown, n);
}

int failing_alloc_pending(void)
{
	return atomic_load(&countdown) >= 0;
}

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
