/*
 * sentry.h - the Sentry wire format: the DSN, the X-Sentry-Auth header
 * and the envelope that carries one event.
 */
#ifndef LOGGING_SENTRY_H
#define LOGGING_SENTRY_H

#include <stdint.h>

/* A parsed DSN; strings malloc'ed, released by lg_dsn_free. */
struct lg_dsn {
	char *envelope_url; /* scheme://host[:port][/path]/api/ID/envelope/ */
	char *public_key;
};

/*
 * Parse "scheme://KEY[:SECRET]@HOST[:PORT][/PATH]/PROJECT_ID".  Returns 0,
 * HINGE_EINVAL when it does not have that shape (the message never quotes
 * the DSN: it holds the key), or HINGE_ENOMEM.
 */
int lg_dsn_parse(const char *dsn, struct lg_dsn *out);
void lg_dsn_free(struct lg_dsn *d);

/*
 * The header line "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=K,
 * sentry_client=hinge-logging/VERSION", malloc'ed; NULL when out of
 * memory.
 */
char *lg_sentry_auth(const struct lg_dsn *d, const char *version);

/* Fields of every event this agent sends; NULL or "" leaves one out. */
struct lg_sentry_opts {
	const char *environment;
	const char *release;
};

/*
 * The envelope for one spooled event body (lg_event_build's JSON): an
 * envelope header with event_id and sent_at, one "event" item with
 * event_id, timestamp, level, logger, platform, message, fingerprint,
 * tags (host, rollout, source, type), environment, release, server_name
 * and extra (the detail).  *out is malloc'ed, *len its length.  Returns 0,
 * HINGE_EINVAL when the body is not such JSON (a corrupt spool row), or
 * HINGE_ENOMEM.
 */
int lg_sentry_envelope(const char *body, const struct lg_sentry_opts *o,
		       int64_t now_ms, char **out, size_t *len);

#endif
