/*
 * http.c - a POST per request with curl_easy.  curl_global_init is the
 * agent's business (main), never a plugin's.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <hinge/plugin.h>

#include "http.h"

static int loopback_host(const char *host)
{
	struct in_addr a4;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return 1;
	return inet_pton(AF_INET, host, &a4) == 1 &&
	       (ntohl(a4.s_addr) >> 24) == 127;
}

int lg_http_url_allowed(const char *url)
{
	char *scheme = NULL, *host = NULL;
	int ok = 0;
	CURLU *u = curl_url();

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcmp(scheme, "https") == 0 ||
		     (strcmp(scheme, "http") == 0 && loopback_host(host));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* Copy a header's value, trimmed, when the line is that header. */
static void header_value(const char *line, size_t len, const char *name,
			 char *out, size_t outsz)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	line += n + 1;
	len -= n + 1;
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, line, len);
	out[len] = '\0';
}

static size_t on_header(char *line, size_t size, size_t n, void *data)
{
	struct lg_http_resp *r = data;

	header_value(line, size * n, "retry-after", r->retry_after,
		     sizeof r->retry_after);
	header_value(line, size * n, "x-sentry-rate-limits", r->rate_limits,
		     sizeof r->rate_limits);
	return size * n;
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct lg_http_resp *r = data;
	size_t have = strlen(r->body), room = sizeof r->body - 1 - have;
	size_t len = size * n < room ? size * n : room;

	memcpy(r->body + have, p, len);
	r->body[have + len] = '\0';
	return size * n;
}

int lg_http_post(const char *url, const char *const *headers,
		 const char *body, size_t len, const struct lg_http_opts *o,
		 struct lg_http_resp *r)
{
	struct curl_slist *list = NULL, *l;
	CURLcode cc;
	CURL *c;
	int k;

	memset(r, 0, sizeof *r);
	if (!lg_http_url_allowed(url)) {
		snprintf(r->error, sizeof r->error,
			 "plain http is allowed only to loopback addresses");
		return HINGE_EINVAL;
	}
	c = curl_easy_init();
	if (!c) {
		snprintf(r->error, sizeof r->error, "out of memory");
		return HINGE_EUNAVAIL;
	}
	for (k = 0; headers && headers[k]; k++) {
		l = curl_slist_append(list, headers[k]);
		if (!l)
			break;
		list = l;
	}
	/* no "Expect: 100-continue" round trip on big bodies */
	l = curl_slist_append(list, "Expect:");
	if (l)
		list = l;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_bundle);
	if (o->proxy)
		curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(cc));
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	return cc == CURLE_OK ? 0 : HINGE_EUNAVAIL;
}
