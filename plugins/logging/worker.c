/*
 * worker.c - a thread running its owner's jobs one at a time.
 */
#include <pthread.h>
#include <stdlib.h>

#include <hinge/plugin.h>

#include "worker.h"

struct lg_worker {
	pthread_mutex_t lock;
	pthread_cond_t change; /* a job was posted or ended, or stop was asked */
	pthread_t tid;
	int (*fn)(void *arg);  /* the posted job, NULL once it ended */
	void *arg;
	int rc;                /* what the last job returned */
	int stop;
};

static void *run(void *arg)
{
	struct lg_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		int (*fn)(void *arg);
		void *job;
		int rc;

		while (!w->stop && !w->fn)
			pthread_cond_wait(&w->change, &w->lock);
		if (!w->fn)
			break;
		fn = w->fn;
		job = w->arg;
		pthread_mutex_unlock(&w->lock);
		rc = fn(job);
		pthread_mutex_lock(&w->lock);
		w->rc = rc;
		w->fn = NULL;
		pthread_cond_broadcast(&w->change);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int lg_worker_start(struct lg_worker **out)
{
	struct lg_worker *w = calloc(1, sizeof *w);

	if (!w)
		return HINGE_ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->change, NULL);
	if (pthread_create(&w->tid, NULL, run, w) != 0) {
		pthread_cond_destroy(&w->change);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return HINGE_ENOMEM;
	}
	*out = w;
	return 0;
}

void lg_worker_post(struct lg_worker *w, int (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	w->rc = 0;
	pthread_cond_broadcast(&w->change);
	pthread_mutex_unlock(&w->lock);
}

int lg_worker_wait(struct lg_worker *w)
{
	int rc;

	pthread_mutex_lock(&w->lock);
	while (w->fn)
		pthread_cond_wait(&w->change, &w->lock);
	rc = w->rc;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void lg_worker_stop(struct lg_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->change);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->change);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
