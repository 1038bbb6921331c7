/*
 * stats.c - Wilson intervals, CSAT, NPS and the CUSUM chart.
 */
#include <math.h>

#include "stats.h"

/*
 * Acklam's rational approximation of the normal quantile, refined by one
 * Halley step against erfc: about 1e-15 relative, enough to agree with
 * scipy's norm.ppf to the digits a report prints.
 */
static double probit(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	e = 0.5 * erfc(-x / sqrt(2)) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

double fb_z_for_confidence(double confidence)
{
	if (!(confidence > 0 && confidence < 1))
		return 0;
	return probit(1 - (1 - confidence) / 2);
}

int fb_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	double p, z2n, centre, half;

	if (n == 0 || k > n)
		return -1;
	p = (double)k / (double)n;
	z2n = z * z / (double)n;
	centre = (p + z2n / 2) / (1 + z2n);
	half = z / (1 + z2n) *
	       sqrt(p * (1 - p) / (double)n + z2n / (4 * (double)n));
	*lo = centre - half < 0 ? 0 : centre - half;
	*hi = centre + half > 1 ? 1 : centre + half;
	return 0;
}

int fb_proportion(uint64_t k, uint64_t n, uint64_t min_n, double z,
		  struct fb_figure *out)
{
	if (k > n)
		return -1;
	*out = (struct fb_figure){ .n = n };
	if (n == 0)
		return 0;
	out->value = (double)k / (double)n;
	fb_wilson(k, n, z, &out->lo, &out->hi);
	out->sufficient = n >= min_n;
	return 0;
}

int fb_nps(uint64_t promoters, uint64_t detractors, uint64_t n,
	   uint64_t min_n, double z, struct fb_figure *out)
{
	double p, d, var;

	if (promoters + detractors > n)
		return -1;
	*out = (struct fb_figure){ .n = n };
	if (n == 0)
		return 0;
	p = (double)promoters / (double)n;
	d = (double)detractors / (double)n;
	/* Each response scores +1, 0 or -1: E[X^2] - E[X]^2. */
	var = p + d - (p - d) * (p - d);
	out->value = 100 * (p - d);
	out->se = 100 * sqrt(var / (double)n);
	out->lo = out->value - z * out->se;
	out->hi = out->value + z * out->se;
	out->sufficient = n >= min_n;
	return 0;
}

void fb_cusum_init(struct fb_cusum *c, double mean, double sd, double k,
		   double h)
{
	*c = (struct fb_cusum){ .mean = mean, .sd = sd, .k = k, .h = h };
}

int fb_cusum_add(struct fb_cusum *c, double x)
{
	double z = (x - c->mean) / c->sd;

	c->hi = fmax(0, c->hi + z - c->k);
	c->lo = fmax(0, c->lo - z - c->k);
	if (c->hi > c->h || c->lo > c->h) {
		int dir = c->hi > c->h ? 1 : -1;

		c->hi = c->lo = 0;
		return dir;
	}
	return 0;
}

void fb_mean_sd(const double *x, int n, double *mean, double *sd)
{
	double s = 0, ss = 0;
	int i;

	for (i = 0; i < n; i++)
		s += x[i];
	*mean = n > 0 ? s / n : 0;
	for (i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

int fb_chart_run(const double *x, int n, int baseline, double k, double h,
		 int *dirs)
{
	struct fb_cusum c;
	double mean, sd;
	int i, alarms = 0;

	if (baseline < 2 || n <= baseline)
		return -1;
	fb_mean_sd(x, baseline, &mean, &sd);
	if (!(sd > 0))
		return -1;
	fb_cusum_init(&c, mean, sd, k, h);
	for (i = 0; i < n; i++) {
		dirs[i] = i < baseline ? 0 : fb_cusum_add(&c, x[i]);
		alarms += dirs[i] != 0;
	}
	return alarms;
}
