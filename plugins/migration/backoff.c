/* backoff.c - jittered exponential backoff for lock retries. */
#include "plugins/migration/backoff.h"

int64_t mig_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, double jitter)
{
	int64_t delay = base_ms;
	int64_t half;

	if (base_ms <= 0)
		return 0;
	if (max_ms < base_ms)
		max_ms = base_ms;
	for (int i = 0; i < attempt && delay < max_ms; i++)
		delay *= 2;
	if (delay > max_ms)
		delay = max_ms;
	if (jitter < 0)
		jitter = 0;
	if (jitter >= 1)
		jitter = 0.999999;
	half = delay / 2;
	delay = (delay - half) + (int64_t)((double)half * jitter);
	return delay > 0 ? delay : 1;
}
