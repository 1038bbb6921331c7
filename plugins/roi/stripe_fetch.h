/*
 * stripe_fetch.h - one GET against Stripe with libcurl, retried on 429
 * and 5xx as roi_stripe_retry_ms says.  The key goes into the
 * Authorization header only: it is never logged, never in a message.
 */
#ifndef ROI_STRIPE_FETCH_H
#define ROI_STRIPE_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct roi_http {
	const char *key;          /* the secret key (borrowed) */
	const char *ca_bundle;    /* NULL: the system's */
	const char *proxy;        /* NULL: none */
	int64_t timeout_ms;
	int retries;
	int64_t backoff_ms, backoff_max_ms;
	/* Wait ms; non-zero when the wait was cut short (shutdown). */
	int (*sleep)(void *ctx, int64_t ms);
	/* Say why a request is retried; the text holds no secret. */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

/*
 * GET url into *body (malloc'ed, NUL-terminated, *len bytes; the caller
 * frees it).  0 on HTTP 200; otherwise *body is NULL and err (errlen
 * bytes) says why: HINGE_EUNAVAIL for a refused key (401/403), an
 * unreachable server or retries used up, HINGE_EINVAL for another 4xx,
 * HINGE_ECANCELED when a wait was cut short, HINGE_ENOMEM.
 */
int roi_stripe_get(const struct roi_http *h, const char *url, char **body, size_t *len,
		   char *err, size_t errlen);

#endif
