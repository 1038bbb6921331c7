/*
 * welch.h - Student's t distribution and Welch's unequal-variance t-test,
 * used to decide whether a mean really went down (a fix proved by a gate)
 * or up (a task type that became slower than in the previous window).
 */
#ifndef PERF_WELCH_H
#define PERF_WELCH_H

/* A sample summarised: size, mean and unbiased (n - 1) variance. */
struct perf_summary {
	double n;
	double mean;
	double var;
};

/*
 * The CDF of Student's t distribution with df > 0 degrees of freedom at t,
 * through the regularised incomplete beta function:
 *   P(T <= t) = 1 - I_x(df/2, 1/2) / 2  for t >= 0,  x = df / (df + t^2),
 * and by symmetry for t < 0.  I_x is evaluated with its continued
 * fraction (modified Lentz, as in Numerical Recipes 6.4), accurate to
 * about 1e-12.  Returns NaN for df <= 0 or a NaN argument.
 */
double perf_t_cdf(double t, double df);

/* The outcome of a one-sided Welch test. */
struct perf_welch {
	double t;  /* the statistic */
	double df; /* Welch-Satterthwaite degrees of freedom */
	double p;  /* one-sided p-value */
};

/*
 * One-sided Welch test of H1: mean(a) < (1 - margin) * mean(b), that is,
 * a is lower than b by at least the fraction margin (0 for a plain
 * "a < b").  The statistic is that of the linear combination
 * mean(a) - (1 - margin) mean(b), whose variance is
 * var(a)/n(a) + (1 - margin)^2 var(b)/n(b).  Fills *out and returns 0, or
 * -1 when a sample has fewer than 2 values or both variances are 0 (the
 * test says nothing then).
 */
int perf_welch_less(const struct perf_summary *a, const struct perf_summary *b,
		    double margin, struct perf_welch *out);

/* True when the test rejects H0 at the 95% level: p < 0.05. */
int perf_welch_significant(const struct perf_welch *w);

#endif
