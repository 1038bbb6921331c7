/*
 * token.c - sign and verify feedback tokens (see TOKEN.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token.h"

#define MAC_LEN 32
#define EXPIRY_MAX 999999999999999999LL /* 18 digits, what parse takes */

int fb_id_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e)
			return 0;
	return n >= 1 && n <= FB_ID_MAX;
}

/* Append s percent-encoded (TOKEN.md) at out; returns the end. */
static char *pct_encode(char *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	return out;
}

struct pair {
	const char *key, *value;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->key, ((const struct pair *)b)->key);
}

char *fb_segments_canonical(const char *const *keys, const char *const *values,
			    size_t n)
{
	struct pair *pairs;
	size_t len = 1, i;
	char *text, *p;

	for (i = 0; i < n; i++)
		len += 3 * (strlen(keys[i]) + strlen(values[i])) + 2;
	if ((pairs = malloc((n ? n : 1) * sizeof(*pairs))) == NULL)
		return NULL;
	if ((text = malloc(len)) == NULL) {
		free(pairs);
		return NULL;
	}
	for (i = 0; i < n; i++)
		pairs[i] = (struct pair){ keys[i], values[i] };
	qsort(pairs, n, sizeof(*pairs), by_key); /* strcmp: byte order */
	p = text;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(pairs[i - 1].key, pairs[i].key) == 0) {
			free(pairs);
			free(text);
			return NULL;
		}
		if (i > 0)
			*p++ = '&';
		p = pct_encode(p, pairs[i].key);
		*p++ = '=';
		p = pct_encode(p, pairs[i].value);
	}
	*p = '\0';
	free(pairs);
	return text;
}

/*
 * The MAC of a token of version 1 or 2.  Version 1's message has no
 * segments line: it ends with the expiry.
 */
static int mac(int version, const void *key, size_t keylen, const char *txn,
	       const char *user, const char *segments, int64_t expiry,
	       unsigned char out[MAC_LEN])
{
	size_t cap = 2 * FB_ID_MAX + 64 + (segments ? strlen(segments) : 0);
	unsigned int len = MAC_LEN;
	char *msg = malloc(cap);
	int n, rc = -1;

	if (msg == NULL)
		return -1;
	if (version == 1)
		n = snprintf(msg, cap, "hinge-feedback/v1\n%s\n%s\n%" PRId64, txn, user, expiry);
	else
		n = snprintf(msg, cap, "hinge-feedback/v2\n%s\n%s\n%" PRId64 "\n%s", txn, user,
			     expiry, segments ? segments : "");
	if (n >= 0 && (size_t)n < cap &&
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, (size_t)n, out,
		 &len) != NULL && len == MAC_LEN)
		rc = 0;
	free(msg);
	return rc;
}

int fb_token_sign(const void *key, size_t keylen, const char *txn,
		  const char *user, const char *segments, int64_t expiry,
		  char *out, size_t outsz)
{
	unsigned char m[MAC_LEN];
	int n, i;

	if (!fb_id_valid(txn) || !fb_id_valid(user) || expiry < 0 || expiry > EXPIRY_MAX)
		return -1;
	if (mac(2, key, keylen, txn, user, segments, expiry, m) < 0)
		return -1;
	n = snprintf(out, outsz, "v2.%" PRId64 ".", expiry);
	if (n < 0 || (size_t)n + 2 * MAC_LEN + 1 > outsz)
		return -1;
	for (i = 0; i < MAC_LEN; i++)
		snprintf(out + n + 2 * i, 3, "%02x", m[i]);
	OPENSSL_cleanse(m, sizeof(m));
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse "v1|v2.<digits>.<64 lower-case hex>"; the version, or -1. */
static int parse(const char *token, int64_t *expiry, unsigned char m[MAC_LEN])
{
	const char *p;
	int64_t e = 0;
	int i, digits = 0, version;

	if (token == NULL || token[0] != 'v' || (token[1] != '1' && token[1] != '2') ||
	    token[2] != '.')
		return -1;
	version = token[1] - '0';
	for (p = token + 3; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits >= 18)
			return -1;
		e = e * 10 + (*p - '0');
	}
	/* one spelling per expiry: the MAC covers it as %PRId64 writes it */
	if (digits == 0 || *p != '.' || (digits > 1 && token[3] == '0'))
		return -1;
	p++;
	if (strlen(p) != 2 * MAC_LEN)
		return -1;
	for (i = 0; i < MAC_LEN; i++) {
		int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		m[i] = (unsigned char)(hi << 4 | lo);
	}
	*expiry = e;
	return version;
}

int fb_token_verify(const void *key, size_t keylen, const char *txn,
		    const char *user, const char *segments, const char *token,
		    int64_t now)
{
	unsigned char given[MAC_LEN], want[MAC_LEN];
	int64_t expiry;
	int same, version;

	if (!fb_id_valid(txn) || !fb_id_valid(user) ||
	    (version = parse(token, &expiry, given)) < 0)
		return FB_TOKEN_MALFORMED;
	if (mac(version, key, keylen, txn, user, segments, expiry, want) < 0)
		return FB_TOKEN_MALFORMED;
	same = CRYPTO_memcmp(given, want, MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (!same)
		return FB_TOKEN_FORGED;
	if (version == 1 && segments != NULL && segments[0] != '\0')
		return FB_TOKEN_UNBOUND;
	return expiry > now ? FB_TOKEN_OK : FB_TOKEN_EXPIRED;
}
