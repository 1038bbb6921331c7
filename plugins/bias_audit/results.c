/*
 * results.c - figures and verdict as one JSON document.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/results.h"

static const struct {
	const char *figure, *threshold;
	int is_ratio;
} figs[BIAS_FIG_N] = {
	[BIAS_DP_DIFF] = { "demographic_parity_diff", "demographic_parity_diff_max", 0 },
	[BIAS_DI_RATIO] = { "disparate_impact", "disparate_impact_min", 1 },
	[BIAS_EO_DIFF] = { "equal_opportunity_diff", "equal_opportunity_diff_max", 0 },
	[BIAS_EODDS_DIFF] = { "equalized_odds_diff", "equalized_odds_diff_max", 0 },
	[BIAS_FPR_RATIO] = { "fpr_ratio", "fpr_ratio_min", 1 },
	[BIAS_FNR_RATIO] = { "fnr_ratio", "fnr_ratio_min", 1 },
};

int bias_policy_thresholds(struct bias_policy *p, const json_t *thresholds,
			   char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(thresholds)) {
		snprintf(err, errlen, "thresholds: must be a group of figure = number");
		return HINGE_EINVAL;
	}
	json_object_foreach((json_t *)thresholds, key, v) {
		int f;

		for (f = 0; f < BIAS_FIG_N && strcmp(figs[f].threshold, key) != 0; f++)
			;
		if (f == BIAS_FIG_N) {
			snprintf(err, errlen, "thresholds: unknown figure \"%s\"", key);
			return HINGE_EINVAL;
		}
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
			snprintf(err, errlen, "thresholds: %s must be a number from 0 to 1", key);
			return HINGE_EINVAL;
		}
		p->limit[f] = json_number_value(v);
		p->has[f] = 1;
	}
	return 0;
}

json_t *bias_policy_json(const struct bias_policy *p)
{
	json_t *t = json_object();

	for (int f = 0; f < BIAS_FIG_N; f++)
		if (p->has[f])
			json_object_set_new(t, figs[f].threshold, json_real(p->limit[f]));
	return json_pack("{s:o, s:I, s:f, s:O}", "thresholds", t, "min_group_size",
			 (json_int_t)p->min_group, "z", p->z,
			 "reference", p->reference ? (json_t *)p->reference : json_null());
}

static json_t *prop(const struct bias_prop *r)
{
	if (!r->defined)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:I, s:I}", "value", r->p, "lo", r->lo, "hi", r->hi,
			 "num", (json_int_t)r->x, "den", (json_int_t)r->n);
}

static json_t *group_json(const struct bias_group *g, const struct bias_group_figs *f)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:o, s:o, s:o, s:o, s:o}",
			 "value", g->value, "n", (json_int_t)g->c.n, "selected",
			 (json_int_t)g->c.sel, "tp", (json_int_t)g->c.tp, "fp",
			 (json_int_t)g->c.fp, "tn", (json_int_t)g->c.tn, "fn",
			 (json_int_t)g->c.fn, "insufficient", f->insufficient,
			 "selection_rate", prop(&f->sel), "tpr", prop(&f->tpr), "fpr",
			 prop(&f->fpr), "fnr", prop(&f->fnr), "precision", prop(&f->prec));
}

static json_t *cmp_json(const struct bias_cmp *c, int is_ratio, const struct bias_group **g)
{
	json_t *o;

	if (!c->defined)
		return json_null();
	o = json_pack("{s:f, s:[s,s]}", "value", c->value, "groups", g[c->worst]->value,
		      g[c->other]->value);
	if (!is_ratio) {
		json_object_set_new(o, "lo", json_real(c->lo));
		json_object_set_new(o, "hi", json_real(c->hi));
	}
	return o;
}

static const struct bias_cmp *fig_of(const struct bias_dim_figs *d, int f)
{
	const struct bias_cmp *all[BIAS_FIG_N] = {
		&d->dp_diff, &d->di_ratio, &d->eo_diff, &d->eodds_diff, &d->fpr_ratio, &d->fnr_ratio,
	};

	return all[f];
}

/* Check one dimension's figures against the policy, adding reasons. */
static void judge(const char *dim, const struct bias_dim_figs *d, const struct bias_policy *p,
		  const struct bias_group **g, json_t *fails, json_t *unknowns)
{
	char msg[512];

	for (int f = 0; f < BIAS_FIG_N; f++) {
		const struct bias_cmp *c = fig_of(d, f);

		if (!p->has[f])
			continue;
		if (!c->defined) {
			snprintf(msg, sizeof(msg), "%s: %s cannot be computed (fewer than two groups "
				 "of at least %llu rows with the rates defined)", dim, figs[f].figure,
				 (unsigned long long)p->min_group);
			json_array_append_new(unknowns, json_string(msg));
		} else if (figs[f].is_ratio ? c->value < p->limit[f] : c->value > p->limit[f]) {
			snprintf(msg, sizeof(msg), "%s: %s %.4f %s %g (%s vs %s)", dim, figs[f].figure,
				 c->value, figs[f].is_ratio ? "<" : ">", p->limit[f],
				 g[c->worst]->value, g[c->other]->value);
			json_array_append_new(fails, json_string(msg));
		}
	}
}

/* The index of the reference group of dimension dim, or (size_t)-1. */
static size_t reference(const struct bias_policy *p, const char *dim,
			const struct bias_group **g, size_t n, json_t *unknowns)
{
	const char *want = json_string_value(json_object_get(p->reference, dim));
	char msg[512];

	if (want == NULL)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(g[i]->value, want) == 0)
			return i;
	snprintf(msg, sizeof(msg), "%s: the reference group \"%s\" has no rows", dim, want);
	json_array_append_new(unknowns, json_string(msg));
	return (size_t)-1;
}

struct summary {
	double di_min, eodds_max;
	int has_di, has_eodds;
};

static json_t *dimension(const struct bias_acc *a, size_t dim, const char *name,
			 const struct bias_policy *p, json_t *fails, json_t *unknowns,
			 struct summary *s)
{
	size_t n, ref;
	const struct bias_group **g = bias_acc_groups(a, dim, &n);
	struct bias_group_figs *f = calloc(n + 1, sizeof(*f));
	struct bias_dim_figs d;
	json_t *groups = json_array(), *figures = json_object(), *out;

	if (g == NULL || f == NULL) {
		free(g);
		free(f);
		json_decref(groups);
		json_decref(figures);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		bias_group_figures(&g[i]->c, p->min_group, p->z, &f[i]);
		json_array_append_new(groups, group_json(g[i], &f[i]));
	}
	ref = reference(p, name, g, n, unknowns);
	bias_dim_figures(f, n, ref, &d);
	for (int k = 0; k < BIAS_FIG_N; k++)
		json_object_set_new(figures, figs[k].figure, cmp_json(fig_of(&d, k), figs[k].is_ratio, g));
	judge(name, &d, p, g, fails, unknowns);
	if (d.di_ratio.defined && (!s->has_di || d.di_ratio.value < s->di_min)) {
		s->di_min = d.di_ratio.value;
		s->has_di = 1;
	}
	if (d.eodds_diff.defined && (!s->has_eodds || d.eodds_diff.value > s->eodds_max)) {
		s->eodds_max = d.eodds_diff.value;
		s->has_eodds = 1;
	}
	out = json_pack("{s:s, s:o, s:o, s:I, s:s?}", "name", name, "groups", groups, "figures",
			figures, "sufficient_groups", (json_int_t)d.sufficient, "reference",
			ref == (size_t)-1 ? NULL : g[ref]->value);
	free(g);
	free(f);
	return out;
}

/* "race+sex": the name of the intersection of all attributes. */
static char *intersection_name(const struct bias_spec *spec)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < spec->n_attrs; i++)
		len += strlen(spec->attrs[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < spec->n_attrs; i++) {
		if (i > 0)
			strcat(s, "+");
		strcat(s, spec->attrs[i]);
	}
	return s;
}

static json_t *histogram(const struct bias_acc *a, const struct bias_spec *spec)
{
	const uint64_t *h = bias_acc_histogram(a);
	json_t *arr;

	if (h == NULL)
		return json_null();
	arr = json_array();
	for (size_t i = 0; i < spec->bins; i++)
		json_array_append_new(arr, json_integer((json_int_t)h[i]));
	return arr;
}

static const char *verdict(const json_t *fails, const json_t *unknowns)
{
	if (json_array_size(fails) > 0)
		return "FAIL";
	return json_array_size(unknowns) > 0 ? "INCONCLUSIVE" : "PASS";
}

json_t *bias_results(const struct bias_acc *a, const struct bias_spec *spec,
		     const struct bias_policy *p)
{
	json_t *fails = json_array(), *unknowns = json_array(), *dims = json_array(), *d, *doc;
	struct summary s = { 0 };
	char *iname = intersection_name(spec);
	const char *v;

	if (iname == NULL)
		goto oom;
	if (bias_acc_rows(a) == 0)
		json_array_append_new(unknowns, json_string("the input has no rows"));
	for (size_t i = 0; i < bias_acc_dims(a); i++) {
		d = dimension(a, i, i < spec->n_attrs ? spec->attrs[i] : iname, p, fails,
			      unknowns, &s);
		if (d == NULL)
			goto oom;
		json_array_append_new(dims, d);
	}
	free(iname);
	v = verdict(fails, unknowns);
	json_array_extend(fails, unknowns);
	doc = json_pack("{s:s, s:O, s:I, s:I, s:o, s:{s:o, s:o}, s:o}",
			"verdict", v, "reasons", fails,
			"rows", (json_int_t)bias_acc_rows(a),
			"labelled", (json_int_t)bias_acc_labelled(a), "dimensions", dims,
			"summary", "disparate_impact_min",
			s.has_di ? json_real(s.di_min) : json_null(), "equalized_odds_diff_max",
			s.has_eodds ? json_real(s.eodds_max) : json_null(),
			"histogram", histogram(a, spec));
	json_decref(fails);
	json_decref(unknowns);
	return doc;
oom:
	free(iname);
	json_decref(fails);
	json_decref(unknowns);
	json_decref(dims);
	return NULL;
}

json_t *bias_results_unreadable(const char *reason)
{
	return json_pack("{s:s, s:[s], s:I, s:I, s:[], s:{s:n, s:n}, s:n}", "verdict",
			 "INCONCLUSIVE", "reasons", reason, "rows", (json_int_t)0, "labelled",
			 (json_int_t)0, "dimensions", "summary", "disparate_impact_min",
			 "equalized_odds_diff_max", "histogram");
}
