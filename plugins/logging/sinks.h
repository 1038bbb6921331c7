/*
 * sinks.h - the transports behind struct lg_sink: Sentry (one envelope per
 * event), Loggly (bulk newline-delimited JSON) and a local JSON-lines file.
 * Each send function has the signature of lg_sink.send; its ctx is the
 * matching struct below, owned by the plugin.
 */
#ifndef LOGGING_SINKS_H
#define LOGGING_SINKS_H

#include "deliver.h"
#include "http.h"
#include "sentry.h"

struct lg_sentry_ctx {
	struct lg_dsn dsn;
	char *auth;                 /* the X-Sentry-Auth header line */
	struct lg_sentry_opts opts;
	struct lg_http_opts http;
};

struct lg_loggly_ctx {
	char *url; /* holds the token: never logged */
	struct lg_http_opts http;
};

struct lg_file_ctx {
	const char *path;
};

int lg_sentry_send(void *ctx, const struct lg_item *items, size_t n,
		   int64_t now_ms, struct lg_reply *r);
int lg_loggly_send(void *ctx, const struct lg_item *items, size_t n,
		   int64_t now_ms, struct lg_reply *r);
int lg_file_send(void *ctx, const struct lg_item *items, size_t n,
		 int64_t now_ms, struct lg_reply *r);

/*
 * The Loggly bulk URL BASE/bulk/TOKEN/tag/TAGS/, malloc'ed (the caller
 * frees it, and clears it: it holds the token); NULL when out of memory.
 */
char *lg_loggly_url(const char *base, const char *token, const char *tags);

#endif
