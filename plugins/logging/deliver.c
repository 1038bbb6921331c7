/*
 * deliver.c - the delivery state machine, shared by every sink.
 *
 * Sentry asks its SDKs to drop events on 5xx and 429; an agent that must
 * lose nothing keeps them spooled through both and only gives up on
 * replies that can never succeed (a 4xx for a single event).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "deliver.h"
#include "retry.h"

enum { GO_ON, STOP };

static void fate_all(struct lg_outcome *out, size_t n, enum lg_fate f)
{
	size_t k;

	for (k = 0; k < n; k++)
		out[k].fate = f;
}

static void block(struct lg_sink *s, int64_t until)
{
	if (until > s->blocked_until_ms)
		s->blocked_until_ms = until;
}

static void backoff(struct lg_sink *s, int64_t now_ms, uint32_t rnd)
{
	s->failures++;
	block(s, now_ms + lg_backoff_ms(s->failures, s->backoff_initial_ms,
					s->backoff_max_ms, rnd));
}

void lg_deliver_backoff(struct lg_sink *s, int64_t now_ms, uint32_t rnd)
{
	backoff(s, now_ms, rnd);
}

static int permanent(int status)
{
	return status >= 400 && status < 500 && status != 408 && status != 429;
}

static int send_range(struct lg_sink *s, const struct lg_item *items,
		      size_t n, int64_t now_ms, uint32_t rnd,
		      struct lg_outcome *out, struct lg_run_stats *st)
{
	struct lg_reply r;
	size_t half;

	memset(&r, 0, sizeof r);
	r.retry_after_ms = r.limit_ms = -1;
	if (s->send(s->ctx, items, n, now_ms, &r) < 0)
		r.status = 0;
	st->requests++;
	st->last_status = r.status;
	memcpy(st->last_reason, r.reason, sizeof st->last_reason);
	if (r.limit_ms > 0)
		block(s, now_ms + r.limit_ms);
	if (r.status >= 200 && r.status < 300) {
		s->failures = 0;
		fate_all(out, n, LG_DELIVERED);
		st->delivered += (int)n;
		return r.limit_ms > 0 ? STOP : GO_ON;
	}
	if (r.status == 429) {
		if (r.limit_ms <= 0 && r.retry_after_ms >= 0)
			block(s, now_ms + r.retry_after_ms);
		else if (r.limit_ms <= 0)
			backoff(s, now_ms, rnd);
		fate_all(out, n, LG_RETRY);
		st->retried += (int)n;
		return STOP;
	}
	if (permanent(r.status)) {
		if (n == 1) {
			out[0].fate = LG_DEAD;
			snprintf(out[0].reason, sizeof out[0].reason, "HTTP %d: %.180s",
				 r.status, r.reason);
			st->dead++;
			return GO_ON;
		}
		half = n / 2;
		if (send_range(s, items, half, now_ms, rnd, out, st) == STOP)
			return STOP;
		return send_range(s, items + half, n - half, now_ms, rnd,
				  out + half, st);
	}
	if (r.retry_after_ms >= 0)
		block(s, now_ms + r.retry_after_ms);
	backoff(s, now_ms, rnd);
	fate_all(out, n, LG_RETRY);
	st->retried += (int)n;
	return STOP;
}

/* A row that is not a JSON object, or too big: it can never be sent. */
static int unsendable(const struct lg_sink *s, const struct lg_item *it,
		      struct lg_outcome *o)
{
	size_t len = strlen(it->body);

	if (s->max_event_bytes && len > s->max_event_bytes) {
		snprintf(o->reason, sizeof o->reason,
			 "event of %zu bytes is over the sink's limit of %zu",
			 len, s->max_event_bytes);
		return 1;
	}
	if (it->malformed) {
		snprintf(o->reason, sizeof o->reason,
			 "corrupt spool row: the body is not a JSON object");
		return 1;
	}
	return 0;
}

void lg_deliver_send(struct lg_sink *s, const struct lg_item *items, size_t n,
		     int64_t now_ms, uint32_t rnd, struct lg_outcome *out,
		     struct lg_run_stats *st)
{
	size_t i = 0, j, bytes;

	memset(out, 0, n * sizeof *out);
	memset(st, 0, sizeof *st);
	while (i < n && now_ms >= s->blocked_until_ms) {
		if (unsendable(s, &items[i], &out[i])) {
			out[i++].fate = LG_DEAD;
			st->dead++;
			continue;
		}
		bytes = strlen(items[i].body) + 1;
		j = i + 1;
		while (j < n && (int)(j - i) < s->per_request) {
			size_t len = strlen(items[j].body) + 1;

			if (s->max_bytes && bytes + len > s->max_bytes)
				break;
			if (unsendable(s, &items[j], &out[j]))
				break;
			bytes += len;
			j++;
		}
		if (send_range(s, items + i, j - i, now_ms, rnd, out + i, st) == STOP)
			break;
		i = j;
	}
}

int lg_deliver_apply(sqlite3 *db, const char *sink, const struct lg_item *items,
		     const struct lg_outcome *out, size_t n, int64_t now_ms)
{
	unsigned char *gone = calloc(n ? n : 1, 1);
	int64_t retried = -1; /* the chunk whose attempt was last counted */
	size_t k, ndone = 0;
	int rc = 0;

	if (!gone)
		return HINGE_ENOMEM;
	for (k = 0; k < n && rc == 0; k++) {
		switch (out[k].fate) {
		case LG_DELIVERED:
			gone[k] = 1;
			ndone++;
			break;
		case LG_RETRY:
			if (items[k].chunk != retried)
				rc = lg_spool_retry(db, sink, items[k].chunk);
			retried = items[k].chunk;
			break;
		case LG_DEAD:
			rc = lg_spool_dead(db, sink, &items[k], out[k].reason, now_ms);
			gone[k] = 1;
			break;
		case LG_UNTRIED:
			break;
		}
	}
	if (rc == 0)
		rc = lg_spool_done(db, sink, items, gone, n);
	if (rc == 0 && ndone)
		rc = lg_counter_add(db, "delivered", (int64_t)ndone);
	free(gone);
	return rc;
}
