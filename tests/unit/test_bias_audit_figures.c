/*
 * test_bias_audit_figures.c - Wilson and Newcombe intervals, PSI, and the
 * per-group and cross-group fairness figures against small tables worked
 * out here.
 *
 * The two groups used throughout, as label/prediction lists, and what
 * sklearn 1.2.1 (Debian's python3-sklearn) says of them:
 *   A  y_true 1,1,1,1,0,0,0,0,1,1   y_pred 1,1,1,1,1,0,0,0,0,0
 *      confusion_matrix -> tn 3 fp 1 fn 2 tp 4; recall 0.6667, precision 0.8
 *      selection 5/10 = 0.5, FPR 1/4 = 0.25, FNR 2/6 = 0.3333
 *   B  y_true 1,1,0,0,0,0,0,1,1,1   y_pred 1,1,0,0,0,0,0,0,0,0
 *      confusion_matrix -> tn 5 fp 0 fn 3 tp 2; recall 0.4, precision 1.0
 *      selection 2/10 = 0.2, FPR 0/5 = 0, FNR 3/5 = 0.6
 * C has 3 rows (tp 1, fp 1, tn 1): below a minimum group size of 5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugins/bias_audit/figures.h"
#include "plugins/bias_audit/stats.h"

#define EPS 1e-4
#define NO_REF ((size_t)-1)

static const struct bias_counts A = { .n = 10, .sel = 5, .tp = 4, .fp = 1, .tn = 3, .fn = 2 };
static const struct bias_counts B = { .n = 10, .sel = 2, .tp = 2, .fp = 0, .tn = 5, .fn = 3 };
static const struct bias_counts C = { .n = 3, .sel = 2, .tp = 1, .fp = 1, .tn = 1, .fn = 0 };

/*
 * Wilson at z = 1.96: p = x/n, centre = (p + z^2/2n) / (1 + z^2/n),
 * half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
 *   5/10  -> 0.236590, 0.763410
 *   2/10  -> 0.056681, 0.509843
 *   0/5   -> 0, 0.434491
 *   10/10 -> 0.722460, 1
 */
static void wilson_intervals(void **state)
{
	struct bias_prop p;

	(void)state;
	bias_wilson(5, 10, 1.96, &p);
	assert_true(p.defined);
	assert_float_equal(p.p, 0.5, EPS);
	assert_float_equal(p.lo, 0.236590, EPS);
	assert_float_equal(p.hi, 0.763410, EPS);
	bias_wilson(2, 10, 1.96, &p);
	assert_float_equal(p.lo, 0.056681, EPS);
	assert_float_equal(p.hi, 0.509843, EPS);
	bias_wilson(0, 5, 1.96, &p);
	assert_float_equal(p.lo, 0, EPS);
	assert_float_equal(p.hi, 0.434491, EPS);
	bias_wilson(10, 10, 1.96, &p);
	assert_float_equal(p.lo, 0.722460, EPS);
	assert_float_equal(p.hi, 1, EPS);
	bias_wilson(0, 0, 1.96, &p);
	assert_false(p.defined);
}

/*
 * Newcombe (method 10) of 5/10 - 2/10: d = 0.3,
 *   lo = d - sqrt((0.5 - 0.236590)^2 + (0.509843 - 0.2)^2) = -0.106679
 *   hi = d + sqrt((0.763410 - 0.5)^2 + (0.2 - 0.056681)^2) =  0.599876
 */
static void newcombe_interval(void **state)
{
	struct bias_prop a, b;
	double lo, hi;

	(void)state;
	bias_wilson(5, 10, 1.96, &a);
	bias_wilson(2, 10, 1.96, &b);
	bias_newcombe(&a, &b, &lo, &hi);
	assert_float_equal(lo, -0.106679, EPS);
	assert_float_equal(hi, 0.599876, EPS);
}

/*
 * PSI of shares (0.3, 0.3, 0.4) against (0.5, 0.3, 0.2):
 *   (0.3-0.5) ln(0.3/0.5) + 0 + (0.4-0.2) ln(0.4/0.2) = 0.102165 + 0.138629 = 0.240795
 */
static void psi(void **state)
{
	const uint64_t expected[] = { 50, 30, 20 }, actual[] = { 30, 30, 40 };
	const uint64_t same[] = { 5, 3, 2 }, none[] = { 0, 0, 0 };

	(void)state;
	assert_float_equal(bias_psi(expected, actual, 3), 0.240795, EPS);
	assert_float_equal(bias_psi(expected, same, 3), 0, EPS);
	assert_float_equal(bias_psi(none, actual, 3), -1, EPS);
	/* An empty bin counts as a share of 0.0001: large but finite. */
	assert_true(bias_psi(expected, (const uint64_t[]){ 0, 50, 50 }, 3) > 1);
}

static void group_rates(void **state)
{
	struct bias_group_figs a, b, c;

	(void)state;
	bias_group_figures(&A, 5, 1.96, &a);
	bias_group_figures(&B, 5, 1.96, &b);
	bias_group_figures(&C, 5, 1.96, &c);
	assert_float_equal(a.sel.p, 0.5, EPS);
	assert_float_equal(a.tpr.p, 4.0 / 6, EPS);
	assert_float_equal(a.fpr.p, 0.25, EPS);
	assert_float_equal(a.fnr.p, 2.0 / 6, EPS);
	assert_float_equal(a.prec.p, 0.8, EPS);
	assert_float_equal(b.sel.p, 0.2, EPS);
	assert_float_equal(b.tpr.p, 0.4, EPS);
	assert_float_equal(b.fpr.p, 0, EPS);
	assert_float_equal(b.fnr.p, 0.6, EPS);
	assert_float_equal(b.prec.p, 1, EPS);
	assert_false(a.insufficient);
	assert_true(c.insufficient);
	/* No known outcomes: the outcome rates are undefined, selection is not. */
	bias_group_figures(&(struct bias_counts){ .n = 8, .sel = 3 }, 5, 1.96, &c);
	assert_true(c.sel.defined);
	assert_false(c.tpr.defined);
	assert_false(c.fpr.defined);
	assert_false(c.prec.defined);
}

/*
 * A, B and C without a reference (C is insufficient and left out; with it
 * the selection difference would be 0.6667 - 0.2):
 *   demographic parity difference 0.5 - 0.2 = 0.3, Newcombe (-0.1067, 0.5999)
 *   disparate impact 0.2 / 0.5 = 0.4
 *   equal opportunity difference 0.6667 - 0.4 = 0.2667,
 *     Newcombe of 4/6 - 2/5: (-0.253738, 0.635044)
 *   FPR difference 0.25 - 0 = 0.25, so equalized odds = 0.2667
 *   FPR ratio 0 / 0.25 = 0, FNR ratio 0.3333 / 0.6 = 0.5556
 */
static void across_groups(void **state)
{
	struct bias_group_figs g[3];
	struct bias_dim_figs d;

	(void)state;
	bias_group_figures(&A, 5, 1.96, &g[0]);
	bias_group_figures(&B, 5, 1.96, &g[1]);
	bias_group_figures(&C, 5, 1.96, &g[2]);
	bias_dim_figures(g, 3, NO_REF, &d);
	assert_int_equal(d.sufficient, 2);
	assert_true(d.dp_diff.defined);
	assert_float_equal(d.dp_diff.value, 0.3, EPS);
	assert_int_equal(d.dp_diff.worst, 0);
	assert_int_equal(d.dp_diff.other, 1);
	assert_float_equal(d.dp_diff.lo, -0.106679, EPS);
	assert_float_equal(d.dp_diff.hi, 0.599876, EPS);
	assert_float_equal(d.di_ratio.value, 0.4, EPS);
	assert_int_equal(d.di_ratio.worst, 1);
	assert_float_equal(d.eo_diff.value, 0.266667, EPS);
	assert_float_equal(d.eo_diff.lo, -0.253738, EPS);
	assert_float_equal(d.eo_diff.hi, 0.635044, EPS);
	assert_float_equal(d.eodds_diff.value, 0.266667, EPS);
	assert_float_equal(d.fpr_ratio.value, 0, EPS);
	assert_float_equal(d.fnr_ratio.value, 0.555556, EPS);
}

/*
 * A (0.5), B (0.2) and D (4/10 = 0.4) against the reference D:
 *   differences |0.5 - 0.4| = 0.1 and |0.2 - 0.4| = 0.2: 0.2, D over B
 *   ratios 0.4/0.5 = 0.8 and 0.2/0.4 = 0.5: 0.5, B under D
 * Without a reference: 0.3 and 0.4.
 */
static void reference_group(void **state)
{
	const struct bias_counts D = { .n = 10, .sel = 4 };
	struct bias_group_figs g[3];
	struct bias_dim_figs d;

	(void)state;
	bias_group_figures(&A, 5, 1.96, &g[0]);
	bias_group_figures(&B, 5, 1.96, &g[1]);
	bias_group_figures(&D, 5, 1.96, &g[2]);
	bias_dim_figures(g, 3, 2, &d);
	assert_float_equal(d.dp_diff.value, 0.2, EPS);
	assert_int_equal(d.dp_diff.worst, 2);
	assert_int_equal(d.dp_diff.other, 1);
	assert_float_equal(d.di_ratio.value, 0.5, EPS);
	assert_int_equal(d.di_ratio.worst, 1);
	/* D has no known outcomes: outcome figures against it are undefined. */
	assert_false(d.eo_diff.defined);
	assert_false(d.eodds_diff.defined);
	bias_dim_figures(g, 3, NO_REF, &d);
	assert_float_equal(d.dp_diff.value, 0.3, EPS);
	assert_float_equal(d.di_ratio.value, 0.4, EPS);
	/* A reference group that is too small leaves every figure undefined. */
	bias_group_figures(&C, 5, 1.96, &g[2]);
	bias_dim_figures(g, 3, 2, &d);
	assert_false(d.dp_diff.defined);
	assert_false(d.di_ratio.defined);
}

static void too_few_groups(void **state)
{
	struct bias_group_figs g[2];
	struct bias_dim_figs d;

	(void)state;
	bias_group_figures(&A, 5, 1.96, &g[0]);
	bias_group_figures(&C, 5, 1.96, &g[1]);
	bias_dim_figures(g, 2, NO_REF, &d);
	assert_int_equal(d.sufficient, 1);
	assert_false(d.dp_diff.defined);
	assert_false(d.di_ratio.defined);
	assert_false(d.eodds_diff.defined);
	/* Two zero selection rates: no disparity, ratio 1. */
	bias_group_figures(&(struct bias_counts){ .n = 6 }, 5, 1.96, &g[0]);
	bias_group_figures(&(struct bias_counts){ .n = 7 }, 5, 1.96, &g[1]);
	bias_dim_figures(g, 2, NO_REF, &d);
	assert_float_equal(d.di_ratio.value, 1, EPS);
	assert_float_equal(d.dp_diff.value, 0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wilson_intervals),
		cmocka_unit_test(newcombe_interval),
		cmocka_unit_test(psi),
		cmocka_unit_test(group_rates),
		cmocka_unit_test(across_groups),
		cmocka_unit_test(reference_group),
		cmocka_unit_test(too_few_groups),
	};

	return cmocka_run_group_tests_name("bias_audit_figures", tests, NULL, NULL);
}
