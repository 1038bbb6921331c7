/*
 * report.c - periods, their totals, and the report document.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hinge/plugin.h>

#include "plugins/roi/report.h"

int roi_report_init(struct roi_report *rep, enum roi_period p, const struct roi_tz *tz,
		    int64_t from, int64_t to)
{
	size_t cap = 0;

	memset(rep, 0, sizeof(*rep));
	rep->period = p;
	if (to <= from)
		return HINGE_EINVAL;
	for (int64_t s = roi_period_start(p, tz, from); s < to; s = roi_period_next(p, tz, s)) {
		if (rep->n == ROI_MAX_PERIODS) {
			roi_report_free(rep);
			return HINGE_EINVAL;
		}
		if (rep->n == cap) {
			struct roi_bucket *b;

			cap = cap ? cap * 2 : 32;
			if ((b = realloc(rep->b, cap * sizeof(*b))) == NULL) {
				roi_report_free(rep);
				return HINGE_ENOMEM;
			}
			rep->b = b;
		}
		memset(&rep->b[rep->n], 0, sizeof(rep->b[0]));
		rep->b[rep->n].start = s;
		rep->b[rep->n].end = roi_period_next(p, tz, s);
		rep->n++;
	}
	return 0;
}

int roi_report_windows(struct roi_report *rep, const int64_t *bounds, size_t n)
{
	memset(rep, 0, sizeof(*rep));
	rep->period = ROI_CUSTOM;
	if (n < 2)
		return HINGE_EINVAL;
	for (size_t i = 1; i < n; i++)
		if (bounds[i] <= bounds[i - 1])
			return HINGE_EINVAL;
	if ((rep->b = calloc(n - 1, sizeof(*rep->b))) == NULL)
		return HINGE_ENOMEM;
	for (size_t i = 0; i + 1 < n; i++) {
		rep->b[i].start = bounds[i];
		rep->b[i].end = bounds[i + 1];
	}
	rep->n = n - 1;
	return 0;
}

int roi_report_add(struct roi_report *rep, const struct roi_txn *x)
{
	size_t lo = 0, hi = rep->n;

	if (rep->n == 0 || x->created < rep->b[0].start || x->created >= rep->b[rep->n - 1].end)
		return 0;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (rep->b[mid].start <= x->created)
			lo = mid;
		else
			hi = mid;
	}
	return roi_ledger_add(&rep->b[lo].ledger, x);
}

void roi_report_free(struct roi_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		roi_ledger_free(&rep->b[i].ledger);
	free(rep->b);
	memset(rep, 0, sizeof(*rep));
}

void roi_figures_of(const struct roi_ledger *l, const struct roi_rates *rates,
		    struct roi_figures *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->n; i++) {
		const struct roi_totals *t = &l->rows[i].t;
		int64_t conv[ROI_NLINES], net;
		int ok = 1;

		for (int k = 0; k < ROI_NLINES && ok; k++)
			ok = roi_convert(rates, l->rows[i].currency, t->line[k], &conv[k]) == 0;
		ok = ok && roi_convert(rates, l->rows[i].currency, roi_totals_net(t), &net) == 0;
		if (!ok) {
			out->unconverted++;
			continue;
		}
		for (int k = 0; k < ROI_NLINES; k++)
			out->line[k] += conv[k];
		/* Net converted as one figure, so that it is what a reader of
		 * Stripe's own net in that currency would convert. */
		out->net += net;
		out->charges += t->charges;
		out->refunded += t->refunded;
	}
}

int roi_delta_pct(int64_t before, int64_t after, double *out)
{
	if (before == 0)
		return HINGE_ENODATA;
	*out = 100.0 * (double)(after - before) / fabs((double)before);
	return 0;
}

static json_t *money(int64_t minor, const char *cur)
{
	char buf[32];

	return json_string(roi_money_format(minor, cur, buf, sizeof(buf)));
}

static json_t *iso(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The lines, net, cost and roi of one set of figures. */
static json_t *figures_json(const struct roi_figures *f, int64_t cost, const char *cur)
{
	json_t *o = json_object();

	for (int k = 0; k < ROI_NLINES; k++)
		json_object_set_new(o, roi_line_names[k], money(f->line[k], cur));
	json_object_set_new(o, "net", money(f->net, cur));
	json_object_set_new(o, "cost", money(cost, cur));
	json_object_set_new(o, "charges", json_integer(f->charges));
	json_object_set_new(o, "refund_count", json_integer(f->refunded));
	json_object_set_new(o, "unconverted_currencies", json_integer(f->unconverted));
	json_object_set_new(o, "roi", cost > 0 && f->unconverted == 0
				? json_real((double)(f->net - cost) / (double)cost) : json_null());
	return o;
}

static json_t *currencies_json(const struct roi_ledger *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++) {
		const char *cur = l->rows[i].currency;
		json_t *c = json_object();

		for (int k = 0; k < ROI_NLINES; k++)
			json_object_set_new(c, roi_line_names[k], money(l->rows[i].t.line[k], cur));
		json_object_set_new(c, "net", money(roi_totals_net(&l->rows[i].t), cur));
		json_object_set_new(o, cur, c);
	}
	return o;
}

json_t *roi_report_json(const struct roi_report *rep, const struct roi_rates *rates,
			int stale, const char *last_error, int64_t last_ok_ms)
{
	json_t *doc = json_object(), *periods = json_array();
	struct roi_ledger all = { 0 };
	struct roi_figures f;
	int64_t cost = 0;

	for (size_t i = 0; i < rep->n; i++) {
		const struct roi_bucket *b = &rep->b[i];
		json_t *p;

		roi_figures_of(&b->ledger, rates, &f);
		p = figures_json(&f, b->cost, rates->to);
		json_object_set_new(p, "start", iso(b->start));
		json_object_set_new(p, "end", iso(b->end));
		json_object_set_new(p, "currencies", currencies_json(&b->ledger));
		json_array_append_new(periods, p);
		cost += b->cost;
		for (size_t c = 0; c < b->ledger.n; c++) {
			struct roi_totals *t = roi_ledger_get(&all, b->ledger.rows[c].currency);

			if (t != NULL)
				roi_totals_merge(t, &b->ledger.rows[c].t);
		}
	}
	roi_figures_of(&all, rates, &f);
	json_object_set_new(doc, "schema", json_string("hinge.roi.report/1"));
	json_object_set_new(doc, "period", json_string(roi_period_name(rep->period)));
	json_object_set_new(doc, "currency", json_string(rates->to));
	json_object_set_new(doc, "periods", periods);
	json_object_set_new(doc, "total", figures_json(&f, cost, rates->to));
	json_object_set_new(json_object_get(doc, "total"), "currencies", currencies_json(&all));
	roi_report_sync_fields(doc, stale, last_error, last_ok_ms);
	roi_ledger_free(&all);
	return doc;
}

void roi_report_sync_fields(json_t *doc, int stale, const char *last_error, int64_t last_ok_ms)
{
	json_object_set_new(doc, "stale", json_boolean(stale));
	json_object_set_new(doc, "last_error", last_error && *last_error ? json_string(last_error)
								   : json_null());
	json_object_set_new(doc, "last_sync", last_ok_ms > 0 ? iso(last_ok_ms / 1000) : json_null());
}
