/*
 * http.c - JSON over HTTP to the model; verification of TLS stays on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <hinge/plugin.h>

#include "plugins/bias_audit/http.h"

/* Replies bigger than this are not a score. */
#define MAX_ANSWER (1 << 20)

struct buf {
	char *p;
	size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;
	char *p;

	if (b->len + add > MAX_ANSWER || (p = realloc(b->p, b->len + add + 1)) == NULL)
		return 0;
	memcpy(p + b->len, data, add);
	b->p = p;
	b->len += add;
	b->p[b->len] = '\0';
	return add;
}

int bias_http_url_ok(const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = HINGE_EINVAL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (strcmp(scheme, "https") == 0 ||
		    (strcmp(scheme, "http") == 0 &&
		     (strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
		      strcmp(host, "[::1]") == 0)))
			rc = 0;
		else
			snprintf(err, errlen, "probe_url: use https (plain http only to a loopback address)");
	} else {
		snprintf(err, errlen, "probe_url: not a URL");
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int bias_http_post(void *curl, const char *url, const char *body,
		   const struct bias_http_opts *o, char **answer, char *err, size_t errlen)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	struct buf b = { 0 };
	long status = 0;
	CURLcode cc;
	CURL *c = curl;

	*answer = NULL;
	if (hdr == NULL)
		return HINGE_ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_bundle);
	if (o->proxy != NULL)
		curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
	cc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OK && status / 100 == 2) {
		*answer = b.p ? b.p : strdup("");
		return *answer ? 0 : HINGE_ENOMEM;
	}
	free(b.p);
	if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
		snprintf(err, errlen, "probe_url: the model cannot be reached: %s", curl_easy_strerror(cc));
		return HINGE_EUNAVAIL;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "probe_url: no answer within probe_timeout (%ld ms)", o->timeout_ms);
	else if (cc != CURLE_OK)
		snprintf(err, errlen, "probe_url: %s", curl_easy_strerror(cc));
	else
		snprintf(err, errlen, "probe_url: the model answered HTTP %ld", status);
	return HINGE_EFAIL;
}
