/*
 * scrub.h - removing secrets from text and JSON before anything is
 * spooled: values of sensitive keys, and strings that look like
 * credentials wherever they appear.
 */
#ifndef LOGGING_SCRUB_H
#define LOGGING_SCRUB_H

#include <jansson.h>

#define LG_FILTERED "[Filtered]"

#define LG_SCRUB_EMAIL 0x1 /* also replace e-mail addresses with [email] */
#define LG_SCRUB_IP 0x2    /* also replace IPv4 addresses with [ip] */

/*
 * 1 when a key names a secret: it contains (ignoring case) password,
 * passwd, secret, token, api_key, api-key, apikey, auth, credential,
 * private_key, cookie or session; else 0.
 */
int lg_scrub_key(const char *key);

/*
 * Scrub text: in KEY=VALUE, KEY: VALUE and "KEY": "VALUE" the value of a
 * sensitive key; Stripe keys (sk_/rk_/pk_ live/test, whsec_); the token
 * after Bearer or Basic; the password (or the whole user part when there
 * is no password) of URLs such as DSNs and postgres:// connection URIs.
 * Each becomes [Filtered].  flags are LG_SCRUB_*.  Returns a malloc'ed
 * string the caller frees, or NULL when out of memory.
 */
char *lg_scrub_text(const char *text, unsigned flags);

/*
 * Scrub a JSON value in place: the value of every sensitive key becomes
 * "[Filtered]", every other string is scrubbed as text.  Returns 0, or
 * HINGE_ENOMEM.
 */
int lg_scrub_json(json_t *v, unsigned flags);

#endif
