/*
 * build.c - building a round's events on several threads.  The threads
 * take the round's events a few at a time from a shared counter, so one
 * that the scheduler holds back (the delivery job, the printer and the
 * committer share the cores) leaves more to the others instead of keeping them
 * waiting; each writes only the slots it took.  The caller builds too,
 * then closes the round and waits for the threads still building; a
 * thread that wakes after that leaves the round alone.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>

#include "build.h"

#define MAX_THREADS 16
/* Events a thread takes at once: few enough to even out, enough that
 * the shared counter is not fought over. */
#define TAKE 16

struct lg_builder {
	pthread_mutex_t lock;
	pthread_cond_t work, done; /* a round began; a thread finished its part */
	pthread_t tid[MAX_THREADS];
	int threads;    /* the caller's and the started ones */
	unsigned round; /* bumped when a round begins */
	int open;       /* threads may still join this round */
	int busy;       /* threads that joined it and are still building */
	int stop;
	/* this round */
	const struct lg_raw *raw;
	struct lg_built *out;
	size_t n;
	unsigned flags;
	atomic_size_t next;  /* the first event no thread has taken */
	atomic_int failed;   /* an event could not be built: stop taking */
};

/* Prepare events TAKE at a time until none are left or one failed. */
static void build_some(struct lg_builder *b)
{
	size_t k, end;

	while (!atomic_load(&b->failed) && (k = atomic_fetch_add(&b->next, TAKE)) < b->n) {
		end = k + TAKE < b->n ? k + TAKE : b->n;
		for (; k < end; k++)
			if (lg_event_prepare(&b->raw[k], b->flags, &b->out[k]) < 0) {
				atomic_store(&b->failed, 1);
				return;
			}
	}
}

static void *worker(void *arg)
{
	struct lg_builder *b = arg;
	unsigned seen = 0;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->stop && b->round == seen)
			pthread_cond_wait(&b->work, &b->lock);
		if (b->stop)
			break;
		seen = b->round;
		if (!b->open)
			continue; /* woke after the caller had finished it */
		b->busy++;
		pthread_mutex_unlock(&b->lock);
		build_some(b);
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
	while (b->threads < threads && pthread_create(&b->tid[b->threads], NULL, worker, b) == 0)
		b->threads++;
	*out = b;
	return 0;
}

int lg_builder_run(struct lg_builder *b, const struct lg_raw *raw, size_t n,
		   unsigned flags, struct lg_built *out)
{
	if (n == 0)
		return 0;
	/* a slot nobody took, or whose build failed, is empty to free */
	memset(out, 0, n * sizeof *out);
	pthread_mutex_lock(&b->lock);
	b->raw = raw;
	b->out = out;
	b->n = n;
	b->flags = flags;
	atomic_store(&b->next, 0);
	atomic_store(&b->failed, 0);
	/* a round too small to share is the caller's alone */
	if (n > TAKE && b->threads > 1) {
		b->open = 1;
		b->round++;
		pthread_cond_broadcast(&b->work);
	}
	pthread_mutex_unlock(&b->lock);

	build_some(b);

	/* nothing is left to take: wait only for the threads building */
	pthread_mutex_lock(&b->lock);
	b->open = 0;
	while (b->busy > 0)
		pthread_cond_wait(&b->done, &b->lock);
	pthread_mutex_unlock(&b->lock);
	if (!atomic_load(&b->failed))
		return 0;
	for (size_t k = 0; k < n; k++)
		lg_built_free(&out[k]);
	return HINGE_ENOMEM;
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
