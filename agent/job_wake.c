/*
 * job_wake.c - the jobs a plugin woke, and the sleep that ends at a wake.
 * The set is a short list under one lock, with one condition for all
 * sleeping jobs: jobs are few, and wakes are asked once in a while (the
 * logging plugin: once per delivery run at most).
 */
#include <pthread.h>
#include <stdlib.h>

#include "agent/clock.h"
#include "agent/host.h"
#include "agent/job_wake.h"
#include "agent/log.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct reg_job **woken; /* under lock */
static size_t nwoken, maxwoken;

/* The condition counts on CLOCK_MONOTONIC, as every wait here does. */
static void init_cond(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &a);
	pthread_condattr_destroy(&a);
}

/* Under lock: where j is in woken, or nwoken. */
static size_t find(const struct reg_job *j)
{
	size_t k;

	for (k = 0; k < nwoken && woken[k] != j; k++)
		;
	return k;
}

int job_wake(struct hinge_plugin *p, const char *name)
{
	const struct reg_job *j = registry_job(p, name);
	int rc = 0;

	if (j == NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "job_wake: no job \"%s\"", name);
		return HINGE_EINVAL;
	}
	pthread_once(&once, init_cond);
	pthread_mutex_lock(&lock);
	if (find(j) == nwoken) {
		if (nwoken == maxwoken) {
			size_t cap = maxwoken ? maxwoken * 2 : 8;
			const struct reg_job **w = realloc(woken, cap * sizeof *w);

			if (w != NULL) {
				woken = w;
				maxwoken = cap;
			}
		}
		if (nwoken < maxwoken)
			woken[nwoken++] = j;
		else
			rc = HINGE_ENOMEM;
	}
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return rc;
}

/* Under lock: whether j was woken, forgetting it. */
static int take(const struct reg_job *j)
{
	size_t k = find(j);

	if (k == nwoken)
		return 0;
	woken[k] = woken[--nwoken];
	return 1;
}

int job_sleep(const struct reg_job *j, int64_t ms, int wakeable)
{
	int64_t end = clock_after_ms(clock_mono_ms(), ms), now;
	int was = 0;

	pthread_once(&once, init_cond);
	pthread_mutex_lock(&lock);
	if (!wakeable)
		(void)take(j);
	/* in slices of at most 50 ms: a stop is asked from a signal
	 * handler, which cannot signal the condition */
	while (!(was = wakeable && take(j)) && !host_stop_requested() &&
	       (now = clock_mono_ms()) < end) {
		int64_t until = end - now < 50 ? end : now + 50;
		struct timespec ts = { until / 1000, (long)(until % 1000) * 1000000L };

		pthread_cond_timedwait(&cond, &lock, &ts);
	}
	if (!wakeable)
		(void)take(j);
	pthread_mutex_unlock(&lock);
	return was;
}

void job_wake_forget(void)
{
	pthread_mutex_lock(&lock);
	free(woken);
	woken = NULL;
	nwoken = maxwoken = 0;
	pthread_mutex_unlock(&lock);
}
