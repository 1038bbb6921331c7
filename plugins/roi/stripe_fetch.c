/*
 * stripe_fetch.c - GET with libcurl: TLS verified, the pinned
 * Stripe-Version, Bearer auth, retries with backoff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <hinge/plugin.h>

#include "plugins/roi/stripe_fetch.h"
#include "plugins/roi/stripe_parse.h"

struct reply {
	char *data;
	size_t len;
	int64_t retry_after_s;
	int nomem;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	char *d = realloc(r->data, r->len + size * n + 1);

	if (d == NULL) {
		r->nomem = 1;
		return 0;
	}
	memcpy(d + r->len, ptr, size * n);
	r->len += size * n;
	d[r->len] = '\0';
	r->data = d;
	return size * n;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;

	if (size * n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0)
		r->retry_after_s = strtoll(ptr + 12, NULL, 10);
	return size * n;
}

/* One attempt: the HTTP status, or 0 with err set when none came. */
static long attempt(const struct roi_http *h, const char *url, struct curl_slist *hdr,
		    struct reply *r, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (c == NULL) {
		snprintf(err, errlen, "cannot start an HTTP request");
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hinge-roi");
	if (h->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_bundle);
	if (h->proxy != NULL)
		curl_easy_setopt(c, CURLOPT_PROXY, h->proxy);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return status;
}

static struct curl_slist *headers(const char *key)
{
	size_t len = strlen(key) + 32;
	char *auth = malloc(len);
	struct curl_slist *h = NULL, *t;

	if (auth == NULL)
		return NULL;
	snprintf(auth, len, "Authorization: Bearer %s", key);
	h = curl_slist_append(NULL, auth);
	explicit_bzero(auth, len);
	free(auth);
	if (h != NULL && (t = curl_slist_append(h, "Stripe-Version: " ROI_STRIPE_VERSION)) != NULL)
		return t;
	curl_slist_free_all(h);
	return NULL;
}

static int give_up(long status, const struct reply *r, char *err, size_t errlen)
{
	char type[64];

	if (status == 0)
		return HINGE_EUNAVAIL; /* err holds curl's reason */
	roi_stripe_error_type(r->data ? r->data : "", r->len, type, sizeof(type));
	if (status == 401 || status == 403) {
		snprintf(err, errlen, "Stripe refused the API key (HTTP %ld %s): check the file"
			 " secret_key names, and that the key is not revoked", status, type);
		return HINGE_EUNAVAIL;
	}
	snprintf(err, errlen, "Stripe answered HTTP %ld (%s)", status, type);
	return status >= 400 && status < 500 && status != 429 ? HINGE_EINVAL : HINGE_EUNAVAIL;
}

int roi_stripe_get(const struct roi_http *h, const char *url, char **body, size_t *len,
		   char *err, size_t errlen)
{
	struct curl_slist *hdr = headers(h->key);
	struct reply r;
	char why[256];
	int64_t wait;
	long status;
	int rc;

	*body = NULL;
	*len = 0;
	if (hdr == NULL)
		return HINGE_ENOMEM;
	for (int n = 0;; n++) {
		memset(&r, 0, sizeof(r));
		r.retry_after_s = -1;
		why[0] = '\0';
		status = attempt(h, url, hdr, &r, why, sizeof(why));
		if (r.nomem) {
			rc = HINGE_ENOMEM;
			break;
		}
		if (status == 200) {
			*body = r.data;
			*len = r.len;
			curl_slist_free_all(hdr);
			return 0;
		}
		wait = roi_stripe_retry_ms(status, r.retry_after_s, n, h->retries, h->backoff_ms,
					   h->backoff_max_ms);
		if (wait < 0) {
			snprintf(err, errlen, "%s", why);
			rc = give_up(status, &r, err, errlen);
			if (status == 0 || status >= 500 || status == 429)
				snprintf(err + strlen(err), errlen - strlen(err), "%s%s",
					 why[0] || status ? "; " : "", "retries used up");
			break;
		}
		if (status != 0)
			snprintf(why, sizeof(why), "HTTP %ld", status);
		snprintf(err, errlen, "%s; retry %d of %d in %lld ms", why, n + 1, h->retries,
			 (long long)wait);
		h->note(h->ctx, err);
		free(r.data);
		if (h->sleep(h->ctx, wait) != 0) {
			snprintf(err, errlen, "cancelled while waiting to retry");
			curl_slist_free_all(hdr);
			return HINGE_ECANCELED;
		}
	}
	free(r.data);
	curl_slist_free_all(hdr);
	return rc;
}
