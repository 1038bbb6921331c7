/*
 * failing_alloc.h - malloc, calloc and realloc that fail on demand, for
 * the out-of-memory tests.  A test links failing_alloc.c with
 * -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc, so that every
 * allocation of the code under test (on any thread) comes through here.
 */
#ifndef TESTS_FAILING_ALLOC_H
#define TESTS_FAILING_ALLOC_H

/* The allocation after n more fails (0: the next one); -1: none fails. */
void failing_alloc_after(long n);

/* Is the planned failure still to come (no allocation reached it)? */
int failing_alloc_pending(void);

#endif
