/*
 * stripe_parse.h - Stripe's side of the wire: the URL of one page of
 * balance transactions, which API bases are acceptable, and the parsing
 * of a list page or an error body.  Pure: no I/O.
 */
#ifndef ROI_STRIPE_PARSE_H
#define ROI_STRIPE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/roi/money.h"

/* The Stripe-Version every request pins, so that fields keep their meaning. */
#define ROI_STRIPE_VERSION "2024-06-20"

/*
 * 1 when api_base may carry the key: https://, or http:// to a loopback
 * host (127.0.0.0/8, ::1, localhost) only; 0 otherwise.
 */
int roi_stripe_base_ok(const char *api_base);

/*
 * The URL of one page: {api_base}/v1/balance_transactions?limit=100
 * &created[gte]=GTE[&starting_after=AFTER], brackets escaped.  after may
 * be NULL.  Returns a malloc'ed string the caller frees, NULL when out of
 * memory.
 */
char *roi_stripe_page_url(const char *api_base, int64_t gte, const char *after);

/* One parsed page. */
struct roi_page {
	struct roi_txn *txn; /* malloc'ed, n of them; roi_page_free frees */
	size_t n;
	int has_more;
};

/*
 * Parse a list body of len bytes into page.  0, or HINGE_EINVAL with a
 * one-line reason in err (errlen bytes) naming what is wrong and where
 * (malformed JSON, a missing field, a currency that is not an ISO code),
 * or HINGE_ENOMEM.  On failure page is left empty.
 */
int roi_stripe_parse_page(const char *body, size_t len, struct roi_page *page,
			  char *err, size_t errlen);

void roi_page_free(struct roi_page *page);

/*
 * The error.type of a Stripe error body ("authentication_error"), copied
 * into out (outlen bytes); "unknown" when the body has none.  Stripe's
 * error.message is left out on purpose: it can echo part of the key.
 */
void roi_stripe_error_type(const char *body, size_t len, char *out, size_t outlen);



/*
 * How long to wait before attempt number attempt+1 (attempt counts from
 * 0) after an HTTP status (0 for a network error): 429 waits Retry-After
 * seconds (retry_after_s, -1 when absent, then as 5xx), 5xx and network
 * errors back off exponentially from backoff_ms; every wait is capped at
 * max_ms.  -1 when the status is not worth retrying (4xx but 429) or
 * attempt reached retries.
 */
int64_t roi_stripe_retry_ms(long status, int64_t retry_after_s, int attempt, int retries,
			    int64_t backoff_ms, int64_t max_ms);

#endif
