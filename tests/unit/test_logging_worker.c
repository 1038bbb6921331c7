/*
 * test_logging_worker.c - the worker runs each job on its own thread,
 * hands back what it returned, tells whether a job still runs, and runs
 * a job posted before it stops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>

#include <cmocka.h>

#include "plugins/logging/worker.h"

struct job {
	pthread_t ran_on;
	int runs;
	int rc;
};

static int job_run(void *arg)
{
	struct job *j = arg;

	j->ran_on = pthread_self();
	j->runs++;
	return j->rc;
}

static void test_jobs_in_turn(void **state)
{
	struct lg_worker *w;
	struct job a = { .rc = 0 }, b = { .rc = -5 };

	(void)state;
	assert_int_equal(lg_worker_start(&w), 0);
	assert_int_equal(lg_worker_wait(w), 0); /* nothing posted yet */
	lg_worker_post(w, job_run, &a);
	assert_int_equal(lg_worker_wait(w), 0);
	lg_worker_post(w, job_run, &b);
	assert_int_equal(lg_worker_wait(w), -5);
	assert_int_equal(lg_worker_wait(w), -5); /* the last job's, again */
	assert_int_equal(a.runs, 1);
	assert_int_equal(b.runs, 1);
	assert_false(pthread_equal(a.ran_on, pthread_self()));
	assert_true(pthread_equal(a.ran_on, b.ran_on));
	lg_worker_stop(w);
}

/* A job that runs until the test opens its gate. */
struct gated {
	pthread_mutex_t lock;
	pthread_cond_t open;
	int opened;
};

static int gated_run(void *arg)
{
	struct gated *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->opened)
		pthread_cond_wait(&g->open, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return 3;
}

static void test_busy_while_running(void **state)
{
	struct gated g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	struct lg_worker *w;

	(void)state;
	assert_int_equal(lg_worker_start(&w), 0);
	assert_false(lg_worker_busy(w)); /* nothing posted */
	lg_worker_post(w, gated_run, &g);
	assert_true(lg_worker_busy(w));
	assert_true(lg_worker_busy(w)); /* asking does not wait */
	pthread_mutex_lock(&g.lock);
	g.opened = 1;
	pthread_cond_signal(&g.open);
	pthread_mutex_unlock(&g.lock);
	assert_int_equal(lg_worker_wait(w), 3);
	assert_false(lg_worker_busy(w));
	lg_worker_stop(w);
}

static void test_stop_runs_posted(void **state)
{
	struct lg_worker *w;
	struct job a = { .rc = 0 };

	(void)state;
	assert_int_equal(lg_worker_start(&w), 0);
	lg_worker_post(w, job_run, &a);
	lg_worker_stop(w);
	assert_int_equal(a.runs, 1);
	lg_worker_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_in_turn),
		cmocka_unit_test(test_busy_while_running),
		cmocka_unit_test(test_stop_runs_posted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
