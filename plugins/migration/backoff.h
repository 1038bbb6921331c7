/* backoff.h - how long to wait before retrying a lock that was not granted. */
#ifndef MIGRATION_BACKOFF_H
#define MIGRATION_BACKOFF_H

#include <stdint.h>

/*
 * The wait before retry number attempt (0 for the first retry): base_ms
 * doubled attempt times, capped at max_ms, then "equal jitter": half of
 * it fixed and half scaled by jitter, a number in [0, 1) the caller draws.
 * Returns milliseconds, at least 1 when base_ms > 0.
 */
int64_t mig_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, double jitter);

#endif
