/*
 * figures.c - per-group rates and the cross-group fairness figures.
 */
#include <math.h>

#include "plugins/bias_audit/figures.h"

#define NO_REF ((size_t)-1)

void bias_group_figures(const struct bias_counts *c, uint64_t min_n, double z,
			struct bias_group_figs *out)
{
	bias_wilson(c->sel, c->n, z, &out->sel);
	bias_wilson(c->tp, c->tp + c->fn, z, &out->tpr);
	bias_wilson(c->fp, c->fp + c->tn, z, &out->fpr);
	bias_wilson(c->fn, c->tp + c->fn, z, &out->fnr);
	bias_wilson(c->tp, c->tp + c->fp, z, &out->prec);
	out->insufficient = c->n < min_n;
}

/* Which rate of a group a figure compares. */
typedef const struct bias_prop *(*rate_of)(const struct bias_group_figs *g);

static const struct bias_prop *sel_of(const struct bias_group_figs *g) { return &g->sel; }
static const struct bias_prop *tpr_of(const struct bias_group_figs *g) { return &g->tpr; }
static const struct bias_prop *fpr_of(const struct bias_group_figs *g) { return &g->fpr; }
static const struct bias_prop *fnr_of(const struct bias_group_figs *g) { return &g->fnr; }

static int usable(const struct bias_group_figs *g, rate_of r)
{
	return !g->insufficient && r(g)->defined;
}

static double ratio(double a, double b)
{
	if (a == 0 && b == 0)
		return 1;
	if (a == 0 || b == 0)
		return 0;
	return a < b ? a / b : b / a;
}

/* Fill a difference's Newcombe interval from its two groups. */
static void diff_interval(const struct bias_group_figs *g, rate_of r, struct bias_cmp *c)
{
	bias_newcombe(r(&g[c->worst]), r(&g[c->other]), &c->lo, &c->hi);
}

static void compare(const struct bias_group_figs *g, size_t n, size_t ref, rate_of r,
		    struct bias_cmp *diff, struct bias_cmp *rat)
{
	struct bias_cmp d = { 0 }, q = { .value = 2 };
	size_t used = 0;

	if (ref != NO_REF && !usable(&g[ref], r))
		goto done;
	for (size_t i = 0; i < n; i++) {
		double pi;

		if (!usable(&g[i], r))
			continue;
		used++;
		pi = r(&g[i])->p;
		for (size_t j = (ref == NO_REF ? 0 : ref); j < (ref == NO_REF ? n : ref + 1); j++) {
			double pj;

			if (j == i || !usable(&g[j], r))
				continue;
			pj = r(&g[j])->p;
			if (!d.defined || fabs(pi - pj) > d.value) {
				d.defined = 1;
				d.value = fabs(pi - pj);
				d.worst = pi >= pj ? i : j;
				d.other = pi >= pj ? j : i;
			}
			if (ratio(pi, pj) < q.value) {
				q.defined = 1;
				q.value = ratio(pi, pj);
				q.worst = pi <= pj ? i : j;
				q.other = pi <= pj ? j : i;
			}
		}
	}
done:
	if (used < 2)
		d.defined = q.defined = 0;
	if (d.defined)
		diff_interval(g, r, &d);
	else
		d.value = 0;
	if (!q.defined)
		q.value = 0;
	if (diff != NULL)
		*diff = d;
	if (rat != NULL)
		*rat = q;
}

void bias_dim_figures(const struct bias_group_figs *g, size_t n, size_t ref,
		      struct bias_dim_figs *out)
{
	struct bias_cmp fpr_diff;

	out->sufficient = 0;
	for (size_t i = 0; i < n; i++)
		out->sufficient += !g[i].insufficient;
	compare(g, n, ref, sel_of, &out->dp_diff, &out->di_ratio);
	compare(g, n, ref, tpr_of, &out->eo_diff, NULL);
	compare(g, n, ref, fpr_of, &fpr_diff, &out->fpr_ratio);
	compare(g, n, ref, fnr_of, NULL, &out->fnr_ratio);
	/* Both components must be known: a missing one could be the larger. */
	out->eodds_diff = fpr_diff.value > out->eo_diff.value ? fpr_diff : out->eo_diff;
	if (!fpr_diff.defined || !out->eo_diff.defined)
		out->eodds_diff = (struct bias_cmp){ 0 };
}
