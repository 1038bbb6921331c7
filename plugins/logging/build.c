/*
 * build.c - building a round's events on several threads: the round is
 * cut into one contiguous share per thread, so each writes its own part
 * of out[] and no locks are needed.
 */
#include <pthread.h>

#include "build.h"

/* Below this many events per thread a thread costs more than it saves. */
#define LG_BUILD_MIN_SHARE 64
#define LG_BUILD_MAX_THREADS 16

struct share {
	const struct lg_raw *raw;
	struct lg_built *out;
	size_t n;
	unsigned flags;
	int rc;
};

/* Build one share; on failure what it built is released. */
static void *build_share(void *arg)
{
	struct share *sh = arg;
	size_t k;

	for (k = 0; k < sh->n; k++)
		if ((sh->rc = lg_event_build(&sh->raw[k], sh->flags, &sh->out[k])) < 0)
			break;
	if (sh->rc < 0)
		while (k-- > 0)
			lg_built_free(&sh->out[k]);
	return NULL;
}

int lg_build_all(const struct lg_raw *raw, size_t n, unsigned flags,
		 int threads, struct lg_built *out)
{
	struct share sh[LG_BUILD_MAX_THREADS];
	pthread_t tid[LG_BUILD_MAX_THREADS];
	int started[LG_BUILD_MAX_THREADS] = { 0 };
	size_t per, at = 0;
	int t, rc = 0;

	if (threads > LG_BUILD_MAX_THREADS)
		threads = LG_BUILD_MAX_THREADS;
	if (threads > 1 && n / (size_t)threads < LG_BUILD_MIN_SHARE)
		threads = (int)(n / LG_BUILD_MIN_SHARE);
	if (threads < 1)
		threads = 1;
	per = (n + (size_t)threads - 1) / (size_t)threads;
	for (t = 0; t < threads; t++) {
		size_t len = n - at < per ? n - at : per;

		sh[t] = (struct share){ raw + at, out + at, len, flags, 0 };
		at += len;
	}
	/* share 0 is the caller's; a thread that cannot start is built here too */
	for (t = 1; t < threads; t++)
		started[t] = pthread_create(&tid[t], NULL, build_share, &sh[t]) == 0;
	build_share(&sh[0]);
	for (t = 1; t < threads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			build_share(&sh[t]);
	}
	for (t = 0; t < threads; t++)
		if (sh[t].rc < 0)
			rc = sh[t].rc;
	if (rc < 0)
		for (t = 0; t < threads; t++)
			if (sh[t].rc == 0)
				for (size_t k = 0; k < sh[t].n; k++)
					lg_built_free(&sh[t].out[k]);
	return rc;
}
