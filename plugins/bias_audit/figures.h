/*
 * figures.h - fairness figures from confusion counts: per group, and
 * across the groups of one dimension (an attribute, or the intersection
 * of all audited attributes).  Pure code, no allocation.
 */
#ifndef BIAS_FIGURES_H
#define BIAS_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/bias_audit/stats.h"

/* What one group's decisions were.  Only rows with a known outcome count
 * in tp/fp/tn/fn; n and sel count every row. */
struct bias_counts {
	uint64_t n, sel, tp, fp, tn, fn;
};

struct bias_group_figs {
	struct bias_prop sel;  /* selection rate: sel / n */
	struct bias_prop tpr;  /* tp / (tp + fn) */
	struct bias_prop fpr;  /* fp / (fp + tn) */
	struct bias_prop fnr;  /* fn / (tp + fn) */
	struct bias_prop prec; /* tp / (tp + fp) */
	int insufficient;      /* n below the minimum group size */
};

/* Figures of one group; a group smaller than min_n is marked insufficient. */
void bias_group_figures(const struct bias_counts *c, uint64_t min_n, double z,
			struct bias_group_figs *out);

/*
 * One figure across groups.  defined is 0 when fewer than two sufficient
 * groups have the rate defined.  worst and other index the groups that
 * give the value (for a difference, worst has the higher rate); lo and hi
 * are Newcombe's interval of a difference (0 for ratios).
 */
struct bias_cmp {
	double value, lo, hi;
	int defined;
	size_t worst, other;
};

struct bias_dim_figs {
	struct bias_cmp dp_diff;    /* demographic parity difference */
	struct bias_cmp di_ratio;   /* disparate impact: selection-rate ratio */
	struct bias_cmp eo_diff;    /* equal opportunity difference (TPR) */
	struct bias_cmp eodds_diff; /* equalized odds: max of TPR and FPR differences */
	struct bias_cmp fpr_ratio;
	struct bias_cmp fnr_ratio;
	size_t sufficient;          /* groups at or above the minimum size */
};

/*
 * The cross-group figures of n groups.  Without a reference group
 * (ref == (size_t)-1) a difference is max - min and a ratio min / max over
 * the sufficient groups; with one, each group is compared with the
 * reference: the difference is the largest |rate - rate_ref| and the
 * ratio the smallest of rate/rate_ref and rate_ref/rate (so that 0.8 reads
 * as the four-fifths rule in both directions).  Two zero rates have ratio 1.
 */
void bias_dim_figures(const struct bias_group_figs *g, size_t n, size_t ref,
		      struct bias_dim_figs *out);

#endif
