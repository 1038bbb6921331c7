/*
 * test_host_standin.c - the host stand-in that the migration and
 * feedback tests trust (tests/doubles/host_standin.c), driven through a
 * plugin of its own: settings and their changes, step parameters and
 * their defaults, what a step records (error, inverse, lock target,
 * checkpoint, retry, artifact), mh_forward's order and its stop at the
 * first failure, stopping after n asks, the metric's table label, and
 * a broken promise (progress going backwards, a finding without a hint)
 * ending the test process.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/doubles/host_standin.h"

static const struct hinge_host *H;
static char calls[128]; /* the callbacks run, in order: "check probe ..." */
static const char *fail_at; /* the callback that returns HINGE_EFAIL */

static int step(const char *name, struct hinge_step *st)
{
	(void)st;
	strcat(calls, name);
	strcat(calls, " ");
	return fail_at && strcmp(fail_at, name) == 0 ? HINGE_EFAIL : 0;
}

static int cb_check(void *d, struct hinge_step *st) { (void)d; return step("check", st); }
static int cb_probe(void *d, struct hinge_step *st) { (void)d; return step("probe", st); }
static int cb_capture(void *d, struct hinge_step *st) { (void)d; return step("capture", st); }
static int cb_rehearse(void *d, struct hinge_step *st) { (void)d; return step("rehearse", st); }
static int cb_apply(void *d, struct hinge_step *st) { (void)d; return step("apply", st); }
static int cb_verify(void *d, struct hinge_step *st) { (void)d; return step("verify", st); }

static const struct hinge_setting params[] = {
	{ "table", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "a table" },
	{ "batch", HINGE_T_INT, 0, "500", 0, 0, "rows a batch" },
	{ "ratio", HINGE_T_DOUBLE, 0, "0.25", 0, 0, "a ratio" },
	{ "concurrently", HINGE_T_BOOL, 0, "true", 0, 0, "a flag" },
	{ NULL },
};

/* The metric reads back the table label it was asked with, as a number. */
static int metric_read(void *data, const struct hinge_mquery *q, double *out)
{
	const char *table = H->mq_label(q, "table");

	(void)data;
	*out = table ? (double)strlen(table) : -1;
	return 0;
}

static int plugin_init(struct hinge_plugin *p, const struct hinge_host *host)
{
	const struct hinge_action a = {
		.name = "thing", .params = params, .check = cb_check, .probe = cb_probe,
		.capture = cb_capture, .rehearse = cb_rehearse, .apply = cb_apply,
		.verify = cb_verify,
	};
	const struct hinge_metric m = { .name = "width", .read = metric_read };

	H = host;
	return host->register_action(p, &a) || host->register_metric(p, &m);
}

static void plugin_fini(struct hinge_plugin *p)
{
	(void)p;
}

const struct hinge_abi *hinge_plugin_entry(void)
{
	static const struct hinge_abi abi = {
		HINGE_ABI_INIT, .name = "standin", .init = plugin_init, .fini = plugin_fini,
	};

	return &abi;
}

static int setup(void **state)
{
	(void)state;
	calls[0] = '\0';
	fail_at = NULL;
	return mh_attach("host=/nonexistent dbname=none");
}

static void test_settings(void **state)
{
	struct hinge_plugin *p = NULL; /* the stand-in has one plugin */

	(void)state;
	assert_string_equal(H->setting_str(p, "conninfo"), "host=/nonexistent dbname=none");
	assert_int_equal(H->setting_int(p, "lock_retries"), 2);
	assert_int_equal(H->setting_ms(p, "lock_timeout"), 50);
	assert_null(H->setting_str(p, "no_such_setting"));
	mh_setting_set("lock_retries", "7");
	assert_int_equal(H->setting_int(p, "lock_retries"), 7);
	mh_setting_set("lock_retries", "2");
	assert_int_equal(H->setting_int(p, "lock_retries"), 2);
}

static void test_params(void **state)
{
	const struct kv with[] = { { "table", "items" }, { "batch", "20" }, { NULL, NULL } };
	struct hinge_step st = mh_step("thing", with);

	(void)state;
	assert_string_equal(H->param_str(&st, "table"), "items");
	assert_int_equal(H->param_int(&st, "batch"), 20);
	assert_true(H->param_given(&st, "batch"));
	/* not given: the action's default */
	assert_false(H->param_given(&st, "ratio"));
	assert_true(H->param_double(&st, "ratio") == 0.25);
	assert_true(H->param_bool(&st, "concurrently"));
	assert_null(H->param_str(&st, "unknown"));
	mh_step_free(&st);
}

static void test_what_a_step_records(void **state)
{
	struct hinge_step st = mh_step("thing", (const struct kv[]){ { NULL, NULL } });
	const void *buf;
	size_t len;

	(void)state;
	H->step_error(&st, "step \"%s\" failed: %d", H->step_name(&st), 42);
	assert_string_equal(st.error, "step \"expand\" failed: 42");
	H->step_inverse(&st, "DROP INDEX i");
	assert_string_equal(st.inverse, "DROP INDEX i");
	H->step_lock_target(&st, "public.items");
	assert_string_equal(st.lock, "public.items");
	assert_null(H->checkpoint_get(&st));
	assert_int_equal(H->checkpoint_set(&st, "id 900"), 0);
	assert_string_equal(H->checkpoint_get(&st), "id 900");
	H->step_retry_after(&st, 250, "not before %s", "the window");
	assert_int_equal(st.retry_ms, 250);
	assert_string_equal(st.retry_why, "not before the window");
	H->step_finding(&st, "M002", HINGE_SEV_WARNING, "a lock", "a hint");
	H->step_finding(&st, "M004", HINGE_SEV_INFO, "another", "a hint");
	assert_string_equal(st.findings, "M002 M004 ");
	H->step_progress(&st, 3, 10);
	H->step_progress(&st, 10, 10);
	assert_int_equal(st.progress_done, 10);
	assert_int_equal(H->artifact_get(&st, &buf, &len), HINGE_EFAIL);
	assert_int_equal(H->artifact_set(&st, "undo", 4), 0);
	assert_int_equal(H->artifact_get(&st, &buf, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "undo", 4);
	mh_step_free(&st);
	assert_null(st.artifact);
}

static void test_forward(void **state)
{
	struct hinge_step st = mh_step("thing", (const struct kv[]){ { NULL, NULL } });

	(void)state;
	assert_int_equal(mh_forward(&st), 0);
	assert_string_equal(calls, "check probe capture rehearse apply verify ");
	calls[0] = '\0';
	fail_at = "rehearse";
	assert_int_equal(mh_forward(&st), HINGE_EFAIL);
	assert_string_equal(calls, "check probe capture rehearse ");
	mh_step_free(&st);
}

static void test_stopping_and_metric(void **state)
{
	double v;

	(void)state;
	assert_false(H->stopping(NULL));
	mh_stop_after(2);
	assert_false(H->stopping(NULL));
	assert_false(H->stopping(NULL));
	assert_true(H->stopping(NULL));
	mh_stop_after(-1);
	assert_false(H->stopping(NULL));
	assert_int_equal(mh_metric_read("items", &v), 0);
	assert_true(v == 5);
	assert_int_equal(mh_metric_read(NULL, &v), 0);
	assert_true(v == -1);
}

/* What a child ended by: the signal, or 0 when it exited. */
static int ended_by(void (*broken)(struct hinge_step *st))
{
	struct hinge_step st = mh_step("thing", (const struct kv[]){ { NULL, NULL } });
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the stand-in's "Bail out!" is not for this test's TAP stream */
		if (!freopen("/dev/null", "w", stdout))
			_exit(2);
		signal(SIGABRT, SIG_DFL);
		broken(&st);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	mh_step_free(&st);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void backwards(struct hinge_step *st)
{
	H->step_progress(st, 5, 10);
	H->step_progress(st, 4, 10);
}

static void past_total(struct hinge_step *st)
{
	H->step_progress(st, 11, 10);
}

static void no_hint(struct hinge_step *st)
{
	H->step_finding(st, "M001", HINGE_SEV_ERROR, "a message", NULL);
}

static void kept(struct hinge_step *st)
{
	H->step_progress(st, 5, 10);
	H->step_progress(st, 5, 10);
	H->step_finding(st, "M001", HINGE_SEV_ERROR, "a message", "a hint");
}

static void test_broken_promises_abort(void **state)
{
	(void)state;
	assert_int_equal(ended_by(backwards), SIGABRT);
	assert_int_equal(ended_by(past_total), SIGABRT);
	assert_int_equal(ended_by(no_hint), SIGABRT);
	assert_int_equal(ended_by(kept), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_settings, setup),
		cmocka_unit_test_setup(test_params, setup),
		cmocka_unit_test_setup(test_what_a_step_records, setup),
		cmocka_unit_test_setup(test_forward, setup),
		cmocka_unit_test_setup(test_stopping_and_metric, setup),
		cmocka_unit_test_setup(test_broken_promises_abort, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
