/*
 * stats.c - Wilson and Newcombe intervals, the population stability index.
 */
#include <math.h>

#include "plugins/bias_audit/stats.h"

void bias_wilson(uint64_t x, uint64_t n, double z, struct bias_prop *out)
{
	double p, z2, denom, centre, half;

	out->x = x;
	out->n = n;
	out->p = out->lo = out->hi = 0;
	out->defined = n > 0;
	if (n == 0)
		return;
	p = (double)x / (double)n;
	z2 = z * z;
	denom = 1 + z2 / (double)n;
	centre = (p + z2 / (2.0 * (double)n)) / denom;
	half = z * sqrt(p * (1 - p) / (double)n + z2 / (4.0 * (double)n * (double)n)) / denom;
	out->p = p;
	out->lo = fmax(0, centre - half);
	out->hi = fmin(1, centre + half);
}

void bias_newcombe(const struct bias_prop *a, const struct bias_prop *b,
		   double *lo, double *hi)
{
	double d = a->p - b->p;

	*lo = d - sqrt((a->p - a->lo) * (a->p - a->lo) + (b->hi - b->p) * (b->hi - b->p));
	*hi = d + sqrt((a->hi - a->p) * (a->hi - a->p) + (b->p - b->lo) * (b->p - b->lo));
}

double bias_psi(const uint64_t *expected, const uint64_t *actual, size_t n)
{
	uint64_t te = 0, ta = 0;
	double psi = 0;

	for (size_t i = 0; i < n; i++) {
		te += expected[i];
		ta += actual[i];
	}
	if (te == 0 || ta == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		double e = fmax((double)expected[i] / (double)te, 0.0001);
		double a = fmax((double)actual[i] / (double)ta, 0.0001);

		psi += (a - e) * log(a / e);
	}
	return psi;
}
