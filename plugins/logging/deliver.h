/*
 * deliver.h - sending spooled events to one sink and deciding, from the
 * reply, what becomes of each: delivered, kept for a retry, or moved to
 * the dead letters.  Network and database are kept apart: lg_deliver_send
 * talks to the sink (no transaction open), lg_deliver_apply records the
 * outcomes in one short transaction of the caller's.
 */
#ifndef LOGGING_DELIVER_H
#define LOGGING_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "spool.h"

/* A sink's answer to one request. */
struct lg_reply {
	int status;             /* HTTP status (200 for a file written); 0 when
				 * no reply came (refused, timed out) */
	int64_t retry_after_ms; /* Retry-After, -1 when absent */
	int64_t limit_ms;       /* X-Sentry-Rate-Limits for our category, -1 */
	char reason[200];       /* short, secret-free: for dead letters, logs */
};

/*
 * One sink.  The transport and its limits are set by whoever builds it;
 * failures and blocked_until_ms are the delivery state kept between runs.
 */
struct lg_sink {
	const char *name;       /* "sentry", "loggly", "file": the queue name */
	int per_request;        /* most events in one request (>= 1) */
	int batch;              /* events the delivery job sends at once */
	size_t max_bytes;       /* most body bytes in one request; 0 = any */
	size_t max_event_bytes; /* a bigger event is dead; 0 = any */
	int64_t backoff_initial_ms, backoff_max_ms;
	/*
	 * Send items[0..n) as one request and describe the reply in *r.
	 * Returns 0 once it has a reply to describe (whatever its status),
	 * <0 when it could not even try (then r->status is 0).
	 */
	int (*send)(void *ctx, const struct lg_item *items, size_t n,
		    int64_t now_ms, struct lg_reply *r);
	void *ctx;

	int failures;             /* failed requests in a row */
	int64_t blocked_until_ms; /* backoff or rate limit: no request before */
};

enum lg_fate { LG_UNTRIED = 0, LG_DELIVERED, LG_RETRY, LG_DEAD };

struct lg_outcome {
	enum lg_fate fate;
	char reason[200]; /* for LG_DEAD */
};

/* What one run did, for logs and tests. */
struct lg_run_stats {
	int requests;
	int delivered, retried, dead;
	int last_status; /* of the last request, 0 for none */
	char last_reason[200]; /* and its reason */
};

/*
 * Send items[0..n) (oldest first) to s, in requests that respect its
 * limits; out[0..n) gets each item's fate (LG_UNTRIED for those never
 * sent because the sink stopped: backoff or rate limit).  Items marked
 * malformed (a corrupt row: the body is not a JSON object) and oversized events go dead without a
 * request.  2xx delivers; 429 blocks the sink for Retry-After or the rate
 * limit and keeps the events; 400, 413 and other 4xx split the request
 * and a single event that still fails goes dead with the reason; 5xx, 408
 * and no reply keep the events and back off (jitter from rnd).  A rate
 * limit on a 2xx blocks the sink after this request.
 */
void lg_deliver_send(struct lg_sink *s, const struct lg_item *items, size_t n,
		     int64_t now_ms, uint32_t rnd, struct lg_outcome *out,
		     struct lg_run_stats *stats);

/*
 * Hold s back as a failed request would (backoff with jitter from rnd):
 * for outcomes that could not be recorded, so that the events are not
 * sent again at every run meanwhile.
 */
void lg_deliver_backoff(struct lg_sink *s, int64_t now_ms, uint32_t rnd);

/*
 * Record out[0..n) for items in the spool of sink s (the caller holds a
 * transaction).  Returns 0 or HINGE_EUNAVAIL.
 */
int lg_deliver_apply(sqlite3 *db, const char *sink, const struct lg_item *items,
		     const struct lg_outcome *out, size_t n, int64_t now_ms);

#endif
