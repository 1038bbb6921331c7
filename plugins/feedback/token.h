/*
 * token.h - the feedback token: an HMAC-SHA256 that binds a transaction,
 * a user and an expiry, so that only the application that holds the
 * secret can invite a rating.  The format is in TOKEN.md.
 */
#ifndef FEEDBACK_TOKEN_H
#define FEEDBACK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define FB_ID_MAX 128     /* longest transaction or user id, in bytes */
#define FB_TOKEN_SIZE 100 /* room for any token and its NUL */

/* Outcomes of fb_token_verify, in the order it checks them. */
enum fb_token_status {
	FB_TOKEN_OK = 0,
	FB_TOKEN_MALFORMED = -1, /* not "v1.<expiry>.<64 hex>", or a bad id */
	FB_TOKEN_FORGED = -2,    /* the MAC does not match */
	FB_TOKEN_EXPIRED = -3,   /* genuine, but its expiry has passed */
};

/* 1 when s is a usable id: 1 to FB_ID_MAX printable ASCII bytes. */
int fb_id_valid(const char *s);

/*
 * Write the token for (txn, user, expiry unix seconds) under key into
 * out, which holds outsz bytes (FB_TOKEN_SIZE is enough).  Returns 0, or
 * -1 when an id is not valid, expiry is negative or out is too small.
 */
int fb_token_sign(const void *key, size_t keylen, const char *txn,
		  const char *user, int64_t expiry, char *out, size_t outsz);

/*
 * Check token for (txn, user) at unix time now: the MAC is compared in
 * constant time before the expiry is looked at.  Returns an
 * enum fb_token_status.
 */
int fb_token_verify(const void *key, size_t keylen, const char *txn,
		    const char *user, const char *token, int64_t now);

#endif
