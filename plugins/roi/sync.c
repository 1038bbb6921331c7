/*
 * sync.c - one sync: pages newest first from created >= cursor - overlap,
 * each page and its progress committed together, so that a sync cut at
 * any point resumes from its last stored id and counts nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/roi/roi.h"
#include "plugins/roi/store.h"
#include "plugins/roi/stripe_fetch.h"
#include "plugins/roi/stripe_parse.h"

int64_t roi_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sync_sleep(void *ctx, int64_t ms)
{
	struct roi *r = ctx;

	return r->host->sleep_ms(r->p, ms);
}

static void sync_note(void *ctx, const char *msg)
{
	struct roi *r = ctx;

	r->host->log(r->p, HINGE_LOG_WARNING, "stripe: %s", msg);
}

/* Fetch, parse and store one page; *more and *after tell what is next. */
static int one_page(struct roi *r, struct hinge_db *db, const struct roi_http *h,
		    const char *url, int *more, char *after, char *err, size_t errlen)
{
	sqlite3 *sq = r->host->db_sqlite(db);
	struct roi_page page;
	size_t len;
	char *body;
	int rc = roi_stripe_get(h, url, &body, &len, err, errlen);

	if (rc != 0)
		return rc;
	rc = roi_stripe_parse_page(body, len, &page, err, errlen);
	free(body);
	if (rc != 0)
		return rc == HINGE_EINVAL ? HINGE_EUNAVAIL : rc;
	if ((rc = r->host->db_begin(db)) == 0) {
		if ((rc = roi_store_page(sq, &page, roi_now_ms())) == 0)
			rc = r->host->db_commit(db);
		else
			r->host->db_rollback(db);
	}
	if (rc != 0)
		snprintf(err, errlen, "cannot store a page: %s", sqlite3_errmsg(sq));
	*more = page.has_more;
	if (page.n > 0)
		snprintf(after, 64, "%s", page.txn[page.n - 1].id);
	roi_page_free(&page);
	return rc;
}

static int pages(struct roi *r, struct hinge_db *db, const struct roi_http *h,
		 char *err, size_t errlen)
{
	const char *base = r->host->setting_str(r->p, "api_base");
	sqlite3 *sq = r->host->db_sqlite(db);
	struct roi_sync_state st;
	int more = 1, rc, n = 0;
	char after[64];

	if ((rc = roi_store_load(sq, &st)) != 0)
		return rc;
	if (!st.running) {
		int64_t gte = st.cursor - r->host->setting_ms(r->p, "overlap") / 1000;

		st.run_gte = gte > 0 ? gte : 0;
		if ((rc = roi_store_start(sq, st.run_gte)) != 0)
			return rc;
	} else if (st.run_after[0] != '\0') {
		r->host->log(r->p, HINGE_LOG_NOTICE, "resuming the sync cut after %s", st.run_after);
	}
	snprintf(after, sizeof(after), "%s", st.run_after);
	while (more) {
		char *url = roi_stripe_page_url(base, st.run_gte, after[0] ? after : NULL);
		char prev[64];

		if (url == NULL)
			return HINGE_ENOMEM;
		snprintf(prev, sizeof(prev), "%s", after);
		rc = one_page(r, db, h, url, &more, after, err, errlen);
		free(url);
		if (rc == HINGE_EINVAL && n == 0 && prev[0] != '\0') {
			/* Stripe will not go on after the id a cut sync stored:
			 * start that sync over; upserts count nothing twice. */
			r->host->log(r->p, HINGE_LOG_WARNING, "%s after %s; starting the sync over",
				     err, prev);
			after[0] = '\0';
			more = 1;
			n = -1;
			if ((rc = roi_store_start(sq, st.run_gte)) != 0)
				return rc;
		} else if (rc != 0) {
			return rc == HINGE_EINVAL ? HINGE_EUNAVAIL : rc;
		} else if (more && strcmp(prev, after) == 0) {
			snprintf(err, errlen, "Stripe's pages do not move on past \"%s\"", after);
			return HINGE_EUNAVAIL;
		}
		n++;
	}
	if ((rc = roi_store_finish(sq, roi_now_ms())) == 0)
		r->host->log(r->p, HINGE_LOG_INFO, "synced %d page(s) from created >= %lld", n,
			     (long long)st.run_gte);
	return rc;
}

int roi_sync(struct roi *r)
{
	struct roi_http h = {
		.ca_bundle = r->host->http_ca_bundle(r->p),
		.proxy = r->host->http_proxy(r->p),
		.timeout_ms = r->host->setting_ms(r->p, "http_timeout"),
		.retries = (int)r->host->setting_int(r->p, "retries"),
		.backoff_ms = r->host->setting_ms(r->p, "backoff"),
		.backoff_max_ms = r->host->setting_ms(r->p, "backoff_max"),
		.sleep = sync_sleep, .note = sync_note, .ctx = r,
	};
	const char *base = r->host->setting_str(r->p, "api_base");
	struct hinge_db *db = NULL;
	char *key = NULL, err[512] = "";
	int rc;

	if (!roi_stripe_base_ok(base)) {
		r->host->log(r->p, HINGE_LOG_ERROR, "api_base \"%s\" (%s) must be https://, or"
			     " http:// to a loopback address", base,
			     r->host->setting_where(r->p, "api_base"));
		return HINGE_EINVAL;
	}
	if ((rc = r->host->db_open(r->p, &db)) != 0)
		return rc;
	rc = r->host->secret_read(r->p, "secret_key", &key);
	if (rc != 0) {
		snprintf(err, sizeof(err), "cannot read the Stripe key named by secret_key");
	} else {
		h.key = key;
		rc = pages(r, db, &h, err, sizeof(err));
		explicit_bzero(key, strlen(key));
		free(key);
	}
	if (rc == HINGE_ECANCELED) {
		/* Stopped, not failed: what is stored is right, the next sync
		 * resumes it. */
		r->host->log(r->p, HINGE_LOG_NOTICE, "sync stopped: %s", err);
	} else if (rc != 0) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "the state database failed");
		r->host->log(r->p, HINGE_LOG_ERROR, "sync failed, figures are stale: %s", err);
		roi_store_fail(r->host->db_sqlite(db), err, roi_now_ms());
	}
	r->host->db_close(db);
	return rc;
}
