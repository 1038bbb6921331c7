/*
 * test_logging_worker.c - the worker runs each job on its own thread,
 * hands back what it returned, and runs a job posted before it stops.
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
		cmocka_unit_test(test_stop_runs_posted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
