/*
 * retry.h - when to try a sink again: exponential backoff with jitter,
 * HTTP Retry-After, and Sentry's X-Sentry-Rate-Limits.
 */
#ifndef LOGGING_RETRY_H
#define LOGGING_RETRY_H

#include <stdint.h>

/*
 * The wait after the failures-th failure in a row (1 for the first):
 * initial_ms doubled each time, capped at max_ms, then "equal jitter":
 * half of it fixed and the other half scaled by rnd (0..UINT32_MAX).
 */
int64_t lg_backoff_ms(int failures, int64_t initial_ms, int64_t max_ms,
		      uint32_t rnd);

/*
 * A Retry-After value: delay-seconds, or an HTTP date.  Returns the wait
 * in ms from now_ms (0 for a date already past), or -1 when absent or
 * unreadable.
 */
int64_t lg_retry_after_ms(const char *value, int64_t now_ms);

/*
 * X-Sentry-Rate-Limits ("60:error;default:key, 2700::organization"): the
 * longest wait in ms that applies to category (a limit with no categories
 * applies to all), 0 when none does, -1 when the header does not parse.
 */
int64_t lg_sentry_limit_ms(const char *value, const char *category);

#endif
