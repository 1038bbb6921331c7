/*
 * drift.c - PSI and figure changes against a baseline audit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/bias_audit/drift.h"
#include "plugins/bias_audit/stats.h"

__attribute__((format(printf, 2, 3)))
static void add_alarm(json_t *alarms, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(alarms, json_string(msg));
}

static json_t *score_psi(const json_t *cur, const json_t *base, const struct bias_drift_policy *p,
			 json_t *alarms)
{
	const json_t *hc = json_object_get(cur, "histogram"), *hb = json_object_get(base, "histogram");
	size_t n = json_array_size(hc);
	uint64_t *c, *b;
	double psi;

	if (n == 0 || n != json_array_size(hb))
		return json_null();
	c = calloc(n, sizeof(*c));
	b = calloc(n, sizeof(*b));
	if (c == NULL || b == NULL) {
		free(c);
		free(b);
		return json_null();
	}
	for (size_t i = 0; i < n; i++) {
		c[i] = (uint64_t)json_integer_value(json_array_get(hc, i));
		b[i] = (uint64_t)json_integer_value(json_array_get(hb, i));
	}
	psi = bias_psi(b, c, n);
	free(c);
	free(b);
	if (psi < 0)
		return json_null();
	if (psi > p->psi_max)
		add_alarm(alarms, "score distribution PSI %.4f > %g", psi, p->psi_max);
	return json_real(psi);
}

static const json_t *find_by(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(json_object_get(v, key)), value) == 0)
			return v;
	return NULL;
}

static json_int_t selected(const json_t *groups, const char *value)
{
	return json_integer_value(json_object_get(find_by(groups, "value", value), "selected"));
}

/* The PSI of the selections' spread over the groups of both audits. */
static double selection_psi(const json_t *gc, const json_t *gb)
{
	size_t n = json_array_size(gc) + json_array_size(gb), k = 0, i;
	uint64_t *c = calloc(n + 1, sizeof(*c)), *b = calloc(n + 1, sizeof(*b));
	double psi = -1;
	json_t *g;

	if (c == NULL || b == NULL)
		goto out;
	json_array_foreach(gc, i, g) {
		const char *v = json_string_value(json_object_get(g, "value"));

		c[k] = (uint64_t)json_integer_value(json_object_get(g, "selected"));
		b[k++] = (uint64_t)selected(gb, v);
	}
	json_array_foreach(gb, i, g) {
		const char *v = json_string_value(json_object_get(g, "value"));

		if (find_by(gc, "value", v) == NULL)
			b[k++] = (uint64_t)json_integer_value(json_object_get(g, "selected"));
	}
	psi = bias_psi(b, c, k);
out:
	free(c);
	free(b);
	return psi;
}

static int is_ratio(const char *figure)
{
	return strstr(figure, "ratio") != NULL || strcmp(figure, "disparate_impact") == 0;
}

static void figure_changes(const char *dim, const json_t *fc, const json_t *fb,
			   const struct bias_drift_policy *p, json_t *changes, json_t *alarms)
{
	const char *fig;
	json_t *v;

	json_object_foreach((json_t *)fc, fig, v) {
		const json_t *b = json_object_get(fb, fig);
		double cur, base, worse;

		if (!json_is_object(v) || !json_is_object(b))
			continue;
		cur = json_number_value(json_object_get(v, "value"));
		base = json_number_value(json_object_get(b, "value"));
		json_array_append_new(changes, json_pack("{s:s, s:s, s:f, s:f, s:f}", "dimension", dim,
							 "figure", fig, "baseline", base,
							 "current", cur, "delta", cur - base));
		worse = is_ratio(fig) ? base - cur : cur - base;
		if (worse > p->worsen_max)
			add_alarm(alarms, "%s: %s worsened by %.4f (more than %g)", dim, fig, worse,
			      p->worsen_max);
	}
}

json_t *bias_drift(const json_t *results, const json_t *base, const struct bias_drift_policy *p)
{
	json_t *alarms = json_array(), *changes = json_array(), *sel = json_object(), *d;
	json_t *spsi = score_psi(results, base, p, alarms);
	size_t i;

	json_array_foreach(json_object_get(results, "dimensions"), i, d) {
		const char *dim = json_string_value(json_object_get(d, "name"));
		const json_t *bd = find_by(json_object_get(base, "dimensions"), "name", dim);
		double psi;

		if (bd == NULL)
			continue;
		psi = selection_psi(json_object_get(d, "groups"), json_object_get(bd, "groups"));
		if (psi >= 0) {
			json_object_set_new(sel, dim, json_real(psi));
			if (psi > p->psi_max)
				add_alarm(alarms, "%s: selection PSI %.4f > %g", dim, psi, p->psi_max);
		}
		figure_changes(dim, json_object_get(d, "figures"), json_object_get(bd, "figures"), p,
			       changes, alarms);
	}
	return json_pack("{s:o, s:o, s:o, s:o}", "score_psi", spsi, "selection_psi", sel,
			 "changes", changes, "alarms", alarms);
}
