/*
 * token.h - the feedback token: an HMAC-SHA256 that binds a transaction,
 * a user, an expiry and (version 2) the segment values of the form link,
 * so that only the application that holds the secret can invite a rating
 * and choose the segment it counts under.  The format is in TOKEN.md.
 */
#ifndef FEEDBACK_TOKEN_H
#define FEEDBACK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define FB_ID_MAX 128     /* longest transaction or user id, in bytes */
#define FB_TOKEN_SIZE 100 /* room for any token and its NUL */

/*
 * Outcomes of fb_token_verify.  It checks them in the order malformed,
 * forged, unbound, expired (UNBOUND came later and keeps a new number).
 */
enum fb_token_status {
	FB_TOKEN_OK = 0,
	FB_TOKEN_MALFORMED = -1, /* not "v1|v2.<expiry>.<64 hex>", or a bad id */
	FB_TOKEN_FORGED = -2,    /* the MAC does not match */
	FB_TOKEN_EXPIRED = -3,   /* genuine, but its expiry has passed */
	FB_TOKEN_UNBOUND = -4,   /* a genuine v1 token, but the link has segment
				    values, which v1 does not bind */
};

/* 1 when s is a usable id: 1 to FB_ID_MAX printable ASCII bytes. */
int fb_id_valid(const char *s);

/*
 * The canonical text of n segment values (keys[i] = values[i]) that a v2
 * token binds: "k=v" pairs sorted by key in byte order, joined by "&",
 * keys and values percent-encoded (RFC 3986 unreserved bytes A-Z a-z 0-9
 * - . _ ~ kept, every other byte %XX in upper-case hex); "" when n is 0.
 * Keys must differ.  Returns a malloc'ed string the caller frees, or NULL
 * when out of memory or a key is repeated.
 */
char *fb_segments_canonical(const char *const *keys, const char *const *values,
			    size_t n);

/*
 * Write the v2 token for (txn, user, segments, expiry unix seconds) under
 * key into out, which holds outsz bytes (FB_TOKEN_SIZE is enough);
 * segments is fb_segments_canonical's text ("" or NULL for none).
 * Returns 0, or -1 when an id is not valid, expiry is negative or over
 * 18 digits, out is too small or memory runs out.
 */
int fb_token_sign(const void *key, size_t keylen, const char *txn,
		  const char *user, const char *segments, int64_t expiry,
		  char *out, size_t outsz);

/*
 * Check token for (txn, user, segments) at unix time now: a v2 token
 * against segments (canonical text, "" or NULL for none), a v1 token
 * without them (FB_TOKEN_UNBOUND when segments is not empty).  The MAC
 * is compared in constant time before anything else about the token is
 * looked at.  Returns an enum fb_token_status.
 */
int fb_token_verify(const void *key, size_t keylen, const char *txn,
		    const char *user, const char *segments, const char *token,
		    int64_t now);

#endif
