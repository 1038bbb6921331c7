/*
 * metrics.c - the roi metrics gates read: net revenue per hour and the
 * refund rate over the last metric_window, and the change of net revenue
 * per hour since the rollout started against the same length of time
 * before it.  Figures of a failed last sync are stale: a gate reading
 * them is inconclusive, never a pass.
 */
#include <math.h>
#include <stdlib.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"

static int add(void *arg, const struct roi_txn *x)
{
	return roi_ledger_add(arg, x);
}

int roi_window(struct roi *r, int64_t from, int64_t to, struct roi_figures *f)
{
	const struct roi_conf *cf = roi_conf(r);
	struct roi_ledger l = { 0 };
	struct roi_sync_state st;
	struct hinge_db *db;
	int rc;

	if ((rc = r->host->db_open(r->p, &db)) != 0)
		return rc;
	rc = roi_store_load(r->host->db_sqlite(db), &st);
	if (rc == 0 && st.last_ok_ms == 0)
		rc = HINGE_ENODATA;
	else if (rc == 0 && st.last_error[0] != '\0')
		rc = HINGE_EUNAVAIL;
	if (rc == 0)
		rc = roi_store_scan(r->host->db_sqlite(db), from, to, add, &l);
	r->host->db_close(db);
	if (rc == 0)
		roi_figures_of(&l, &cf->rates, f);
	roi_ledger_free(&l);
	return rc;
}

/* Major units of the reporting currency. */
static double major(struct roi *r, int64_t minor)
{
	const struct roi_conf *cf = roi_conf(r);
	return (double)minor / pow(10, roi_currency_decimals(cf->rates.to));
}

/* The figures of the last metric_window, and its length in seconds. */
static int last_window(struct roi *r, struct roi_figures *f, int64_t *secs)
{
	int64_t now = roi_now_ms() / 1000;

	*secs = r->host->setting_ms(r->p, "metric_window") / 1000;
	return roi_window(r, now - *secs, now, f);
}

static int per_hour(void *data, const struct hinge_mquery *q, double *out)
{
	struct roi *r = data;
	struct roi_figures f;
	int64_t w;
	int rc = last_window(r, &f, &w);

	(void)q;
	if (rc != 0)
		return rc;
	*out = major(r, f.net) * 3600.0 / (double)w;
	return 0;
}

static int refund_rate(void *data, const struct hinge_mquery *q, double *out)
{
	struct roi_figures f;
	int64_t w;
	int rc = last_window(data, &f, &w);

	(void)q;
	if (rc != 0)
		return rc;
	if (f.line[ROI_GROSS] <= 0)
		return HINGE_ENODATA;
	*out = (double)f.line[ROI_REFUNDS] / (double)f.line[ROI_GROSS];
	return 0;
}

static int delta_pct(void *data, const struct hinge_mquery *q, double *out)
{
	struct roi *r = data;
	int64_t start = r->host->mq_rollout_start_ms(q) / 1000;
	int64_t now = roi_now_ms() / 1000;
	struct roi_figures before, after;
	int rc;

	if (start <= 0 || now <= start)
		return HINGE_ENODATA;
	if ((rc = roi_window(r, start - (now - start), start, &before)) != 0 ||
	    (rc = roi_window(r, start, now, &after)) != 0)
		return rc;
	return roi_delta_pct(before.net, after.net, out);
}

int roi_metrics_register(struct roi *r)
{
	const struct hinge_metric m[] = {
		{ .name = "net_revenue_per_hour", .read = per_hour, .data = r,
		  .description = "net revenue per hour over metric_window, reporting currency" },
		{ .name = "net_revenue_delta_pct", .read = delta_pct, .data = r,
		  .description = "net revenue since the rollout started vs the same time before, %" },
		{ .name = "refund_rate", .read = refund_rate, .data = r,
		  .description = "refunds / gross over metric_window" },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]) && rc == 0; i++)
		rc = r->host->register_metric(r->p, &m[i]);
	return rc;
}
