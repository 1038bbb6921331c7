/*
 * stats.h - the feedback plugin's statistics: Wilson score intervals,
 * CSAT and NPS with their uncertainty, and a tabular CUSUM chart.
 * Pure arithmetic: no I/O, no allocation.
 */
#ifndef FEEDBACK_STATS_H
#define FEEDBACK_STATS_H

#include <stdint.h>

/* A figure: its value, interval and whether the sample was big enough. */
struct fb_figure {
	uint64_t n;     /* responses the figure is computed from */
	int sufficient; /* 0: n below the minimum sample ("insufficient data") */
	double value;   /* CSAT and response rate as shares 0..1; NPS -100..100 */
	double lo, hi;  /* the interval at the configured confidence */
	double se;      /* standard error (NPS only; 0 for proportions) */
};

/*
 * The two-sided standard normal quantile for a confidence in (0,1):
 * 0.95 gives 1.959964.  Returns 0 for a confidence out of range.
 */
double fb_z_for_confidence(double confidence);

/*
 * The Wilson score interval of k successes out of n at quantile z into
 * *lo and *hi.  Returns 0, or -1 when n is 0 or k > n (nothing written).
 */
int fb_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/*
 * A proportion (CSAT: 4s and 5s of all CSAT ratings; response rate:
 * ratings over forms shown) with its Wilson interval.  Fills *out;
 * out->sufficient is 0 when n < min_n or n is 0.  Returns 0, or -1 when
 * k > n.
 */
int fb_proportion(uint64_t k, uint64_t n, uint64_t min_n, double z,
		  struct fb_figure *out);

/*
 * NPS from promoters (9-10) and detractors (0-6) among n NPS ratings:
 * 100 * (promoters - detractors) / n, with the standard error of that
 * mean of +1/0/-1 scores and value +- z*se as the interval.  Returns 0,
 * or -1 when promoters + detractors > n.
 */
int fb_nps(uint64_t promoters, uint64_t detractors, uint64_t n,
	   uint64_t min_n, double z, struct fb_figure *out);

/*
 * A two-sided tabular CUSUM on standardised values (x - mean) / sd:
 * hi accumulates upward drift beyond k, lo downward; an alarm when either
 * exceeds h, after which both restart from 0.  Plain struct the caller
 * owns; set it up with fb_cusum_init.
 */
struct fb_cusum {
	double mean, sd; /* the in-control level and spread */
	double k, h;     /* allowance and decision interval, in sd */
	double hi, lo;   /* the two running sums, >= 0 */
};

/* Set the chart's parameters and zero its sums.  sd must be > 0. */
void fb_cusum_init(struct fb_cusum *c, double mean, double sd, double k,
		   double h);

/*
 * Add one observation.  Returns +1 for an upward alarm, -1 for a
 * downward one (the sums restart), 0 otherwise.
 */
int fb_cusum_add(struct fb_cusum *c, double x);

/* The mean and sample standard deviation of n values (n >= 2 for sd). */
void fb_mean_sd(const double *x, int n, double *mean, double *sd);

/*
 * Run a chart over x[0..n): its mean and sd from the first `baseline`
 * values, then the CUSUM over the rest; dirs[i] (n entries the caller
 * provides) gets -1, 0 or +1 as fb_cusum_add returned (0 in the
 * baseline).  Returns the number of alarms, or -1 when there are no
 * values after a baseline of at least 2, or the baseline has no spread.
 */
int fb_chart_run(const double *x, int n, int baseline, double k, double h,
		 int *dirs);

#endif
