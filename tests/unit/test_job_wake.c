/*
 * test_job_wake.c - host->job_wake and the daemon's sleep between a
 * job's runs: a wake ends the sleep, asked before it or during it (from
 * another thread); a wake for a job that failed is dropped, so that its
 * back-off holds; an unknown job is refused with a message; clearing the
 * registry forgets the wakes; a stop ends the sleep too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "agent/clock.h"
#include "agent/host.h"
#include "agent/job_wake.h"
#include "agent/registry.h"
#include "capture.h"

static struct hinge_plugin plugin = { .name = "demo" };
static struct hinge_plugin other = { .name = "other" };

static int run_nothing(void *data)
{
	(void)data;
	return 0;
}

static int setup(void **s)
{
	struct hinge_job a = { .name = "deliver", .interval_ms = 60000, .run = run_nothing };
	struct hinge_job b = { .name = "poll", .interval_ms = 60000, .run = run_nothing };

	(void)s;
	assert_int_equal(registry_add_job(&plugin, &a), 0);
	assert_int_equal(registry_add_job(&plugin, &b), 0);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	registry_clear();
	return 0;
}

/* A sleep of ms that no wake ended: it returns 0 and lasts ms at least. */
static void slept_out(const struct reg_job *j, int64_t ms, int wakeable)
{
	int64_t t0 = clock_mono_ms();

	assert_int_equal(job_sleep(j, ms, wakeable), 0);
	assert_true(clock_mono_ms() - t0 >= ms);
}

static void test_wake_before_sleep(void **s)
{
	const struct reg_job *j = registry_job(&plugin, "deliver");
	int64_t t0;

	(void)s;
	assert_non_null(j);
	assert_int_equal(host_table()->job_wake(&plugin, "deliver"), 0);
	assert_int_equal(host_table()->job_wake(&plugin, "deliver"), 0); /* twice is once */
	t0 = clock_mono_ms();
	assert_int_equal(job_sleep(j, 60000, 1), 1);
	assert_true(clock_mono_ms() - t0 < 30000);
	slept_out(j, 120, 1); /* taken: the next sleep is slept out */
}

static void test_only_that_job(void **s)
{
	(void)s;
	assert_int_equal(job_wake(&plugin, "deliver"), 0);
	slept_out(registry_job(&plugin, "poll"), 120, 1);
	assert_int_equal(job_sleep(registry_job(&plugin, "deliver"), 60000, 1), 1);
}

struct sleeper {
	const struct reg_job *j;
	int woken;
	int64_t took_ms;
};

static void *sleep_thread(void *arg)
{
	struct sleeper *z = arg;
	int64_t t0 = clock_mono_ms();

	z->woken = job_sleep(z->j, 60000, 1);
	z->took_ms = clock_mono_ms() - t0;
	return NULL;
}

static void test_wake_from_another_thread(void **s)
{
	struct sleeper z = { .j = registry_job(&plugin, "deliver") };
	struct timespec ts = { 0, 100 * 1000000L };
	pthread_t t;

	(void)s;
	assert_int_equal(pthread_create(&t, NULL, sleep_thread, &z), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(job_wake(&plugin, "deliver"), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(z.woken, 1);
	assert_true(z.took_ms < 30000);
}

static void test_failed_job_keeps_backoff(void **s)
{
	const struct reg_job *j = registry_job(&plugin, "deliver");

	(void)s;
	assert_int_equal(job_wake(&plugin, "deliver"), 0);
	slept_out(j, 120, 0);
	slept_out(j, 120, 1); /* the wake was dropped, not kept for later */
}

static void test_unknown_job(void **s)
{
	struct capture cap;

	(void)s;
	capture_start(&cap);
	assert_int_equal(job_wake(&plugin, "nosuch"), HINGE_EINVAL);
	assert_int_equal(job_wake(&other, "deliver"), HINGE_EINVAL); /* another plugin's name */
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "job_wake: no job \"nosuch\""));
	assert_non_null(strstr(cap.text, "job_wake: no job \"deliver\""));
}

/* Jobs registered again after a clear (the same addresses, likely)
 * inherit no wake of the jobs before them. */
static void test_clear_forgets(void **s)
{
	assert_int_equal(job_wake(&plugin, "deliver"), 0);
	registry_clear();
	setup(s);
	slept_out(registry_job(&plugin, "deliver"), 120, 1);
}

static void test_stop_ends_sleep(void **s)
{
	int64_t t0 = clock_mono_ms();

	(void)s;
	host_request_stop();
	assert_int_equal(job_sleep(registry_job(&plugin, "deliver"), 60000, 1), 0);
	assert_true(clock_mono_ms() - t0 < 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wake_before_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_that_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_from_another_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_job_keeps_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_forgets, setup, teardown),
		/* last: a stop cannot be taken back */
		cmocka_unit_test_setup_teardown(test_stop_ends_sleep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
