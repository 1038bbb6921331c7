/*
 * ratelimit.h - requests per client address in fixed windows, for the
 * feedback endpoint.  Not thread-safe: the endpoint serves from one
 * thread.
 */
#ifndef FEEDBACK_RATELIMIT_H
#define FEEDBACK_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define FB_RATE_SLOTS 1024 /* addresses tracked at once */
#define FB_RATE_ADDR 48    /* longest address text, with its NUL */

struct fb_rate_slot {
	char addr[FB_RATE_ADDR];
	int64_t window_ms; /* start of the slot's current window */
	int64_t count;
};

/* A limiter the caller owns; zero it, then set limit and window_ms. */
struct fb_rate {
	int64_t limit;     /* requests per window and address */
	int64_t window_ms;
	struct fb_rate_slot slots[FB_RATE_SLOTS];
};

/*
 * Count one request from addr at now_ms.  Returns 1 when it is within the
 * limit, 0 when over it.  With every slot in use, the one whose window
 * is oldest is reused: an address can gain a fresh window only by
 * pushing out the longest-idle one.
 */
int fb_rate_allow(struct fb_rate *r, const char *addr, int64_t now_ms);

#endif
