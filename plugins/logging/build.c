/*
 * build.c - building a round's events on several threads: the round is
 * cut into one contiguous share per thread, so each writes its own part
 * of out[] and needs no lock while it builds.  The caller builds share 0
 * and waits for the others; the threads wait for the next round.
 */
#include <pthread.h>
#include <stdlib.h>

#include <hinge/plugin.h>

#include "build.h"

/* Below this many events per thread a thread costs more than it saves. */
#define MIN_SHARE 64
#define MAX_THREADS 16

struct share {
	const struct lg_raw *raw;
	struct lg_built *out;
	size_t n;
	int rc;
};

struct lg_builder {
	pthread_mutex_t lock;
	pthread_cond_t work, done; /* a round began; a share was finished */
	pthread_t tid[MAX_THREADS];
	struct share sh[MAX_THREADS];
	int threads;    /* the caller's and the started ones */
	unsigned round; /* bumped when a round begins */
	int busy;       /* shares of this round not finished yet */
	int stop;
	unsigned flags;
};

/* Build one share; on failure what it built is released. */
static void build_share(struct share *sh, unsigned flags)
{
	size_t k;

	sh->rc = 0;
	for (k = 0; k < sh->n; k++)
		if ((sh->rc = lg_event_build(&sh->raw[k], flags, &sh->out[k])) < 0)
			break;
	if (sh->rc < 0)
		while (k-- > 0)
			lg_built_free(&sh->out[k]);
}

struct worker_arg {
	struct lg_builder *b;
	int t;
};

static void *worker(void *arg)
{
	struct lg_builder *b = ((struct worker_arg *)arg)->b;
	int t = ((struct worker_arg *)arg)->t;
	unsigned seen = 0;

	free(arg);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->stop && b->round == seen)
			pthread_cond_wait(&b->work, &b->lock);
		if (b->stop)
			break;
		seen = b->round;
		pthread_mutex_unlock(&b->lock);
		build_share(&b->sh[t], b->flags);
		pthread_mutex_lock(&b->lock);
		if (--b->busy == 0)
			pthread_cond_signal(&b->done);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int lg_builder_start(int threads, struct lg_builder **out)
{
	struct lg_builder *b = calloc(1, sizeof *b);

	if (!b)
		return HINGE_ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->done, NULL);
	b->threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	while (b->threads < threads) {
		struct worker_arg *a = malloc(sizeof *a);

		if (!a)
			break;
		*a = (struct worker_arg){ b, b->threads };
		if (pthread_create(&b->tid[b->threads], NULL, worker, a) != 0) {
			free(a);
			break;
		}
		b->threads++;
	}
	*out = b;
	return 0;
}

int lg_builder_run(struct lg_builder *b, const struct lg_raw *raw, size_t n,
		   unsigned flags, struct lg_built *out)
{
	int used = b->threads, t, rc = 0;
	size_t per, at = 0;

	if (n == 0)
		return 0;
	if (used > 1 && n / (size_t)used < MIN_SHARE)
		used = (int)(n / MIN_SHARE) > 1 ? (int)(n / MIN_SHARE) : 1;
	per = (n + (size_t)used - 1) / (size_t)used;
	pthread_mutex_lock(&b->lock);
	/* every thread takes a share; those past `used` get empty ones */
	for (t = 0; t < b->threads; t++) {
		size_t len = t >= used ? 0 : n - at < per ? n - at : per;

		b->sh[t] = (struct share){ raw + at, out + at, len, 0 };
		at += len;
	}
	b->flags = flags;
	b->busy = b->threads - 1;
	b->round++;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->lock);

	build_share(&b->sh[0], flags);

	pthread_mutex_lock(&b->lock);
	while (b->busy > 0)
		pthread_cond_wait(&b->done, &b->lock);
	pthread_mutex_unlock(&b->lock);
	for (t = 0; t < b->threads; t++)
		if (b->sh[t].rc < 0)
			rc = b->sh[t].rc;
	if (rc < 0)
		for (t = 0; t < b->threads; t++)
			if (b->sh[t].rc == 0)
				for (size_t k = 0; k < b->sh[t].n; k++)
					lg_built_free(&b->sh[t].out[k]);
	return rc;
}

void lg_builder_stop(struct lg_builder *b)
{
	int t;

	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->lock);
	for (t = 1; t < b->threads; t++)
		pthread_join(b->tid[t], NULL);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->done);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
