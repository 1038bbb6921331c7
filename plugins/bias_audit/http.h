/*
 * http.h - one JSON POST to the model's scoring endpoint with libcurl.
 */
#ifndef BIAS_HTTP_H
#define BIAS_HTTP_H

#include <stddef.h>

struct bias_http_opts {
	long timeout_ms;
	const char *ca_bundle; /* NULL: the system's */
	const char *proxy;     /* NULL: none */
};

/*
 * 0 when url may be used: https, or plain http to a loopback address;
 * HINGE_EINVAL with a message in err otherwise.
 */
int bias_http_url_ok(const char *url, char *err, size_t errlen);

/*
 * POST body (JSON) to url on the curl handle (a CURL *, reused between
 * calls).  *answer gets the malloc'ed, NUL-terminated reply of a 2xx
 * status, which the caller frees.  Returns 0; HINGE_EUNAVAIL when the
 * server cannot be reached; HINGE_EFAIL on a timeout or another status
 * (err says which); HINGE_ENOMEM.
 */
int bias_http_post(void *curl, const char *url, const char *body,
		   const struct bias_http_opts *o, char **answer, char *err, size_t errlen);

#endif
