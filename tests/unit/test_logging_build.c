/*
 * test_logging_build.c - a round built on several threads is what
 * building it event by event gives: same messages, fingerprints and
 * bodies in the same slots, every event id its own; a forked child does
 * not hand out the ids its parent goes on to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <hinge/plugin.h>

#include "plugins/logging/build.h"
#include "plugins/logging/scrub.h"

#define N 1000

static char *texts[N];
static struct lg_raw raws[N];

static int setup(void **state)
{
	(void)state;
	for (size_t k = 0; k < N; k++) {
		char line[200];

		/* a few groups, a secret to scrub, an invalid byte now and then */
		snprintf(line, sizeof line, "ERROR request %zu failed%s: password=s%zu user=u%zu",
			 k, k % 97 == 0 ? " \xff" : "", k, k % 7);
		texts[k] = strdup(line);
		raws[k] = (struct lg_raw){ .time_ms = 1795600000000 + (int64_t)k, .level = HINGE_LOG_ERROR,
					   .source = "file", .type = "/var/log/app.log",
					   .message = texts[k], .host = "h1" };
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t k = 0; k < N; k++)
		free(texts[k]);
	return 0;
}

/* The body without its event id, which is random by design. */
static char *body_sans_id(const char *body)
{
	json_t *o = json_loads(body, 0, NULL);
	char *text;

	assert_non_null(o);
	assert_int_equal(json_object_del(o, "event_id"), 0);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void same_as_one_by_one(struct lg_builder *b, size_t n)
{
	struct lg_built *got = calloc(n, sizeof *got);
	char **ids = calloc(n, sizeof *ids);

	assert_int_equal(lg_builder_run(b, raws, n, LG_SCRUB_EMAIL, got), 0);
	for (size_t k = 0; k < n; k++) {
		struct lg_built one;
		char *mine, *theirs;

		assert_int_equal(lg_event_build(&raws[k], LG_SCRUB_EMAIL, &one), 0);
		assert_string_equal(got[k].message, one.message);
		assert_string_equal(got[k].normalized, one.normalized);
		assert_string_equal(got[k].fingerprint, one.fingerprint);
		assert_int_equal(got[k].time_ms, raws[k].time_ms);
		/* the builder prepares; the body is printed afterwards */
		assert_null(got[k].body);
		assert_int_equal(lg_event_print(&raws[k], LG_SCRUB_EMAIL, &got[k]), 0);
		assert_null(strstr(got[k].body, "password=s"));
		mine = body_sans_id(got[k].body);
		theirs = body_sans_id(one.body);
		assert_string_equal(mine, theirs);
		free(mine);
		free(theirs);
		lg_built_free(&one);
		ids[k] = got[k].event_id;
	}
	qsort(ids, n, sizeof *ids, by_id);
	for (size_t k = 1; k < n; k++)
		assert_string_not_equal(ids[k - 1], ids[k]);
	for (size_t k = 0; k < n; k++)
		lg_built_free(&got[k]);
	free(ids);
	free(got);
}

static void with_threads(int threads, const size_t *sizes, size_t rounds)
{
	struct lg_builder *b;

	assert_int_equal(lg_builder_start(threads, &b), 0);
	for (size_t r = 0; r < rounds; r++)
		same_as_one_by_one(b, sizes[r]);
	lg_builder_stop(b);
}

static void test_threads_match_one(void **state)
{
	static const size_t sizes[] = { N };

	(void)state;
	with_threads(1, sizes, 1);
}

/* one builder, round after round, its threads kept between them */
static void test_four_threads(void **state)
{
	static const size_t sizes[] = { N, N, N / 2, N };

	(void)state;
	with_threads(4, sizes, 4);
}

/* shares that do not divide evenly, too few events for every thread,
 * more threads than the most allowed, one event, nothing at all */
static void test_uneven_and_small(void **state)
{
	static const size_t three[] = { N - 3 }, eight[] = { 100, 1, 64, 129 }, many[] = { N };
	struct lg_builder *b;

	(void)state;
	with_threads(3, three, 1);
	with_threads(8, eight, 4);
	with_threads(64, many, 1);
	assert_int_equal(lg_builder_start(2, &b), 0);
	assert_int_equal(lg_builder_run(b, raws, 0, 0, NULL), 0);
	lg_builder_stop(b);
	lg_builder_stop(NULL);
}

/* The child's next id and the parent's, after the pool was filled. */
static void test_fork_own_ids(void **state)
{
	struct lg_built b;
	char child[33] = "";
	int fd[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(lg_event_build(&raws[0], 0, &b), 0);
	lg_built_free(&b);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = lg_event_build(&raws[1], 0, &b) == 0 &&
			 write(fd[1], b.event_id, 32) == 32;

		_exit(ok ? 0 : 1);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], child, 32), 32);
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lg_event_build(&raws[1], 0, &b), 0);
	assert_string_not_equal(child, b.event_id);
	lg_built_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_match_one),
		cmocka_unit_test(test_four_threads),
		cmocka_unit_test(test_uneven_and_small),
		cmocka_unit_test(test_fork_own_ids),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
