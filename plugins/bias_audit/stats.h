/*
 * stats.h - interval estimates and distribution distances for the bias
 * audit: pure functions, no allocation.
 */
#ifndef BIAS_STATS_H
#define BIAS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* A proportion x/n with its Wilson score interval; defined is 0 when n is 0. */
struct bias_prop {
	uint64_t x, n;
	double p, lo, hi;
	int defined;
};

/*
 * Fill *out with x/n and its Wilson score interval at z standard errors
 * (1.96 for 95%).  n == 0 leaves the proportion undefined (p = lo = hi = 0).
 */
void bias_wilson(uint64_t x, uint64_t n, double z, struct bias_prop *out);

/*
 * Newcombe's hybrid score interval (his method 10) of the difference
 * a->p - b->p, from the two Wilson intervals.  Both must be defined.
 */
void bias_newcombe(const struct bias_prop *a, const struct bias_prop *b,
		   double *lo, double *hi);

/*
 * Population stability index of distribution `actual` against `expected`,
 * both counts over the same n bins: sum over bins of (a - e) ln(a / e) with
 * a and e the bins' shares; a share of 0 counts as 0.0001 so that an empty
 * bin gives a large, finite term.  Returns -1 when either total is 0.
 */
double bias_psi(const uint64_t *expected, const uint64_t *actual, size_t n);

#endif
