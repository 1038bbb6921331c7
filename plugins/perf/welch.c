/*
 * welch.c - Student's t CDF and Welch's t-test (see welch.h).
 */
#include "plugins/perf/welch.h"

#include <float.h>
#include <math.h>

/* Keeps Lentz's denominators away from zero. */
#define TINY 1e-300

/* One step of Lentz's method: fold coefficient aa into c and d, return
 * the factor that multiplies the running value. */
static double lentz_step(double aa, double *c, double *d)
{
	*d = 1.0 + aa * *d;
	if (fabs(*d) < TINY)
		*d = TINY;
	*c = 1.0 + aa / *c;
	if (fabs(*c) < TINY)
		*c = TINY;
	*d = 1.0 / *d;
	return *d * *c;
}

/* Continued fraction of the incomplete beta function (Lentz's method). */
static double beta_cf(double a, double b, double x)
{
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0, d = 1.0 - qab * x / qap;
	double h;

	if (fabs(d) < TINY)
		d = TINY;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		int m2 = 2 * m;
		double del;

		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
		del = lentz_step(-(a + m) * (qab + m) * x /
				 ((a + m2) * (qap + m2)), &c, &d);
		h *= del;
		if (fabs(del - 1.0) < 1e-15)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b), 0 <= x <= 1. */
static double beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	/* The fraction converges fast only below the mean; use symmetry. */
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_cf(a, b, x) / a;
	return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

double perf_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || isnan(df) || df <= 0.0)
		return NAN;
	if (isinf(t))
		return t > 0 ? 1.0 : 0.0;
	tail = 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t));
	return t >= 0 ? 1.0 - tail : tail;
}

int perf_welch_less(const struct perf_summary *a, const struct perf_summary *b,
		    double margin, struct perf_welch *out)
{
	double k = 1.0 - margin;
	double va, vb, se2;

	if (a->n < 2 || b->n < 2)
		return -1;
	va = a->var / a->n;
	vb = k * k * b->var / b->n;
	se2 = va + vb;
	if (!(se2 > DBL_MIN))
		return -1;
	out->t = (a->mean - k * b->mean) / sqrt(se2);
	out->df = se2 * se2 /
		  (va * va / (a->n - 1.0) + vb * vb / (b->n - 1.0));
	out->p = perf_t_cdf(out->t, out->df);
	return 0;
}

int perf_welch_significant(const struct perf_welch *w)
{
	return w->p < 0.05;
}
