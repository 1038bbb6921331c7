/*
 * http.h - one HTTP POST with libcurl, as every sink sends: a timeout, the
 * agent's CA bundle and proxy, TLS verification on, plain http only to
 * loopback.
 */
#ifndef LOGGING_HTTP_H
#define LOGGING_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct lg_http_opts {
	int64_t timeout_ms;
	const char *ca_bundle; /* NULL: the system's */
	const char *proxy;     /* NULL: none set here */
};

struct lg_http_resp {
	long status;           /* 0 when no reply came */
	char retry_after[64];  /* the header's value, "" when absent */
	char rate_limits[512]; /* X-Sentry-Rate-Limits, "" when absent */
	char body[160];        /* the start of the reply body */
	char error[160];       /* why no reply came (never the URL) */
};

/*
 * 1 when url may be used: https://, or http:// to 127.0.0.0/8, ::1 or
 * localhost; 0 otherwise.
 */
int lg_http_url_allowed(const char *url);

/*
 * POST body (len bytes) to url with the extra header lines (NULL-ended
 * array, may be NULL).  Fills *r.  Returns 0 when a reply came (any
 * status), HINGE_EUNAVAIL when none did (r->error says why), HINGE_EINVAL
 * when the URL is refused.
 */
int lg_http_post(const char *url, const char *const *headers,
		 const char *body, size_t len, const struct lg_http_opts *o,
		 struct lg_http_resp *r);

#endif
