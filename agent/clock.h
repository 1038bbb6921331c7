/*
 * clock.h - the clock that measures intervals.  Timestamps that are
 * stored or shown come from state_now_ms (the wall clock); a timeout or
 * a deadline held in memory is counted on CLOCK_MONOTONIC, so that the
 * wall clock stepped by NTP or an operator neither fires it early nor
 * holds it off.
 */
#ifndef HINGE_CLOCK_H
#define HINGE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The time ms after from, held at INT64_MAX, which a deadline never
 * reaches, where the sum would wrap around into the past: a step timeout
 * may be as long as a duration can be written.
 */
static inline int64_t clock_after_ms(int64_t from, int64_t ms)
{
	return from > 0 && ms > INT64_MAX - from ? INT64_MAX : from + ms;
}

#endif
