/*
 * prom.c - Prometheus text format of the current period's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/roi/money.h"
#include "plugins/roi/prom.h"

static void head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP hinge_roi_%s %s\n# TYPE hinge_roi_%s gauge\n", name, help, name);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "0";
}

static void lines(FILE *f, const json_t *cur, const char *period)
{
	const char *code;
	json_t *c;

	head(f, "revenue", "Revenue lines of the current period in major units of each currency.");
	json_object_foreach((json_t *)cur, code, c) {
		for (int k = 0; k < ROI_NLINES; k++)
			fprintf(f, "hinge_roi_revenue{currency=\"%s\",line=\"%s\",period=\"%s\"} %s\n",
				code, roi_line_names[k], period, str(c, roi_line_names[k]));
		fprintf(f, "hinge_roi_revenue{currency=\"%s\",line=\"net\",period=\"%s\"} %s\n", code,
			period, str(c, "net"));
	}
}

char *roi_prom_render(const json_t *doc, const struct roi_prom_extra *x)
{
	const json_t *periods = json_object_get(doc, "periods");
	const json_t *p = json_array_get(periods, json_array_size(periods) - 1);
	const char *period = str(doc, "period"), *to = str(doc, "currency");
	const json_t *roi = json_object_get(p, "roi");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (p == NULL || (f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	lines(f, json_object_get(p, "currencies"), period);
	head(f, "net", "Net revenue of the current period in the reporting currency.");
	fprintf(f, "hinge_roi_net{currency=\"%s\",period=\"%s\"} %s\n", to, period, str(p, "net"));
	head(f, "gross", "Gross revenue of the current period in the reporting currency.");
	fprintf(f, "hinge_roi_gross{currency=\"%s\",period=\"%s\"} %s\n", to, period,
		str(p, "gross"));
	head(f, "cost", "Costs of the current period in the reporting currency.");
	fprintf(f, "hinge_roi_cost{currency=\"%s\",period=\"%s\"} %s\n", to, period, str(p, "cost"));
	/* No cost, or a currency without a rate: no ROI rather than a wrong one. */
	if (json_is_number(roi)) {
		head(f, "roi", "(net - cost) / cost of the current period.");
		fprintf(f, "hinge_roi_roi{period=\"%s\"} %.6f\n", period, json_number_value(roi));
	}
	head(f, "unconverted_currencies", "Currencies left out of sums for want of a rate.");
	fprintf(f, "hinge_roi_unconverted_currencies %lld\n",
		(long long)json_integer_value(json_object_get(p, "unconverted_currencies")));
	head(f, "last_sync_timestamp_seconds", "When a Stripe sync last completed.");
	fprintf(f, "hinge_roi_last_sync_timestamp_seconds %lld\n", (long long)x->last_sync_s);
	head(f, "stale", "1 when the last Stripe sync failed and the figures are stale.");
	fprintf(f, "hinge_roi_stale %d\n", x->stale ? 1 : 0);
	head(f, "transactions", "Balance transactions stored.");
	fprintf(f, "hinge_roi_transactions %lld\n", (long long)x->transactions);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
