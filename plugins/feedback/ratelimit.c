/*
 * ratelimit.c - fixed-window request counts per address.
 */
#include <string.h>

#include "ratelimit.h"

int fb_rate_allow(struct fb_rate *r, const char *addr, int64_t now_ms)
{
	struct fb_rate_slot *s = NULL, *oldest = &r->slots[0];
	size_t i;

	for (i = 0; i < FB_RATE_SLOTS; i++) {
		if (strcmp(r->slots[i].addr, addr) == 0) {
			s = &r->slots[i];
			break;
		}
		if (r->slots[i].window_ms < oldest->window_ms)
			oldest = &r->slots[i];
	}
	if (s == NULL) {
		s = oldest;
		strncpy(s->addr, addr, sizeof(s->addr) - 1);
		s->addr[sizeof(s->addr) - 1] = '\0';
		s->window_ms = now_ms;
		s->count = 0;
	}
	if (now_ms - s->window_ms >= r->window_ms) {
		s->window_ms = now_ms;
		s->count = 0;
	}
	return ++s->count <= r->limit;
}
