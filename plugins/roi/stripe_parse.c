/*
 * stripe_parse.c - URLs, acceptable API bases and list pages of Stripe's
 * balance transactions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "plugins/roi/stripe_parse.h"

int roi_stripe_base_ok(const char *base)
{
	static const char *const loopback[] = {
		"http://127.", "http://localhost:", "http://localhost/", "http://[::1]", NULL,
	};

	if (base == NULL)
		return 0;
	if (strncmp(base, "https://", 8) == 0)
		return base[8] != '\0';
	if (strcmp(base, "http://localhost") == 0)
		return 1;
	for (const char *const *l = loopback; *l != NULL; l++)
		if (strncmp(base, *l, strlen(*l)) == 0) {
			/* "http://127.0.0.1.evil.example" is not loopback. */
			const char *host = base + 7, *end = host + strcspn(host, ":/");

			if (host[0] == '[' || strncmp(host, "localhost", 9) == 0)
				return 1;
			for (const char *c = host; c < end; c++)
				if ((*c < '0' || *c > '9') && *c != '.')
					return 0;
			return 1;
		}
	return 0;
}

char *roi_stripe_page_url(const char *base, int64_t gte, const char *after)
{
	size_t blen = strlen(base);
	size_t len = blen + 128 + (after ? strlen(after) * 3 : 0);
	char *url = malloc(len), *p;

	if (url == NULL)
		return NULL;
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	p = url + snprintf(url, len, "%.*s/v1/balance_transactions?limit=100&created%%5Bgte%%5D=%lld",
			   (int)blen, base, (long long)gte);
	if (after != NULL) {
		p += sprintf(p, "&starting_after=");
		/* Ids are [A-Za-z0-9_]; anything else is escaped all the same. */
		for (const unsigned char *c = (const unsigned char *)after; *c; c++)
			p += sprintf(p, (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
					(*c >= '0' && *c <= '9') || *c == '_' ? "%c" : "%%%02X", *c);
	}
	return url;
}

void roi_page_free(struct roi_page *page)
{
	free(page->txn);
	memset(page, 0, sizeof(*page));
}

static int copy_str(json_t *item, const char *key, char *out, size_t outlen)
{
	const char *s = json_string_value(json_object_get(item, key));

	if (s == NULL || s[0] == '\0' || strlen(s) >= outlen)
		return -1;
	strcpy(out, s);
	return 0;
}

static int parse_txn(json_t *item, struct roi_txn *x, char *err, size_t errlen, size_t i)
{
	json_t *created = json_object_get(item, "created"), *amount = json_object_get(item, "amount");
	json_t *fee = json_object_get(item, "fee");

	memset(x, 0, sizeof(*x));
	if (!json_is_object(item) || copy_str(item, "id", x->id, sizeof(x->id)) != 0) {
		snprintf(err, errlen, "data[%zu] has no id", i);
		return HINGE_EINVAL;
	}
	if (!json_is_integer(created) || !json_is_integer(amount) || !json_is_integer(fee)) {
		snprintf(err, errlen, "%s: created, amount and fee must be integers", x->id);
		return HINGE_EINVAL;
	}
	if (copy_str(item, "currency", x->currency, sizeof(x->currency)) != 0 ||
	    roi_currency_decimals(x->currency) < 0) {
		snprintf(err, errlen, "%s: unknown currency \"%.16s\"", x->id,
			 json_string_value(json_object_get(item, "currency")) ?: "");
		return HINGE_EINVAL;
	}
	if (copy_str(item, "reporting_category", x->category, sizeof(x->category)) != 0 &&
	    copy_str(item, "type", x->category, sizeof(x->category)) != 0) {
		snprintf(err, errlen, "%s: no reporting_category or type", x->id);
		return HINGE_EINVAL;
	}
	x->created = json_integer_value(created);
	x->amount = json_integer_value(amount);
	x->fee = json_integer_value(fee);
	return 0;
}

int roi_stripe_parse_page(const char *body, size_t len, struct roi_page *page,
			  char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je), *data, *item;
	size_t i;
	int rc = 0;

	memset(page, 0, sizeof(*page));
	if (doc == NULL) {
		snprintf(err, errlen, "malformed JSON at line %d column %d: %s", je.line, je.column,
			 je.text);
		return HINGE_EINVAL;
	}
	data = json_object_get(doc, "data");
	if (!json_is_array(data) || !json_is_boolean(json_object_get(doc, "has_more"))) {
		snprintf(err, errlen, "not a list: no data array or has_more");
		json_decref(doc);
		return HINGE_EINVAL;
	}
	page->has_more = json_is_true(json_object_get(doc, "has_more"));
	if (json_array_size(data) > 0 &&
	    (page->txn = calloc(json_array_size(data), sizeof(*page->txn))) == NULL) {
		json_decref(doc);
		return HINGE_ENOMEM;
	}
	json_array_foreach(data, i, item) {
		if ((rc = parse_txn(item, &page->txn[i], err, errlen, i)) != 0)
			break;
		page->n++;
	}
	/* A page that says there is more must give the id to go on from. */
	if (rc == 0 && page->has_more && page->n == 0) {
		snprintf(err, errlen, "has_more is true on an empty page");
		rc = HINGE_EINVAL;
	}
	json_decref(doc);
	if (rc != 0)
		roi_page_free(page);
	return rc;
}

void roi_stripe_error_type(const char *body, size_t len, char *out, size_t outlen)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *t = json_string_value(json_object_get(json_object_get(doc, "error"), "type"));

	snprintf(out, outlen, "%s", t != NULL ? t : "unknown");
	json_decref(doc);
}

int64_t roi_stripe_retry_ms(long status, int64_t retry_after_s, int attempt, int retries,
			    int64_t backoff_ms, int64_t max_ms)
{
	int64_t wait = backoff_ms;

	if (attempt >= retries || (status >= 400 && status < 500 && status != 429) ||
	    (status > 0 && status < 400))
		return -1;
	if (status == 429 && retry_after_s >= 0) {
		wait = retry_after_s * 1000;
	} else {
		for (int i = 0; i < attempt && wait < max_ms; i++)
			wait *= 2;
	}
	return wait < max_ms ? wait : max_ms;
}
