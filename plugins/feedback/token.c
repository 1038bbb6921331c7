/*
 * token.c - sign and verify feedback tokens (see TOKEN.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token.h"

#define MAC_LEN 32

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

static int mac(const void *key, size_t keylen, const char *txn,
	       const char *user, int64_t expiry, unsigned char out[MAC_LEN])
{
	char msg[2 * FB_ID_MAX + 64];
	unsigned int len = MAC_LEN;
	int n;

	n = snprintf(msg, sizeof(msg), "hinge-feedback/v1\n%s\n%s\n%" PRId64,
		     txn, user, expiry);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		 (size_t)n, out, &len) == NULL || len != MAC_LEN)
		return -1;
	return 0;
}

int fb_token_sign(const void *key, size_t keylen, const char *txn,
		  const char *user, int64_t expiry, char *out, size_t outsz)
{
	unsigned char m[MAC_LEN];
	int n, i;

	if (!fb_id_valid(txn) || !fb_id_valid(user) || expiry < 0)
		return -1;
	if (mac(key, keylen, txn, user, expiry, m) < 0)
		return -1;
	n = snprintf(out, outsz, "v1.%" PRId64 ".", expiry);
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

/* Parse "v1.<digits>.<64 lower-case hex>". */
static int parse(const char *token, int64_t *expiry, unsigned char m[MAC_LEN])
{
	const char *p;
	int64_t e = 0;
	int i, digits = 0;

	if (token == NULL || strncmp(token, "v1.", 3) != 0)
		return -1;
	for (p = token + 3; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits >= 18)
			return -1;
		e = e * 10 + (*p - '0');
	}
	if (digits == 0 || *p != '.')
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
	return 0;
}

int fb_token_verify(const void *key, size_t keylen, const char *txn,
		    const char *user, const char *token, int64_t now)
{
	unsigned char given[MAC_LEN], want[MAC_LEN];
	int64_t expiry;
	int same;

	if (!fb_id_valid(txn) || !fb_id_valid(user) ||
	    parse(token, &expiry, given) < 0)
		return FB_TOKEN_MALFORMED;
	if (mac(key, keylen, txn, user, expiry, want) < 0)
		return FB_TOKEN_MALFORMED;
	same = CRYPTO_memcmp(given, want, MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (!same)
		return FB_TOKEN_FORGED;
	return expiry > now ? FB_TOKEN_OK : FB_TOKEN_EXPIRED;
}
