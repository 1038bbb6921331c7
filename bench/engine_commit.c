/*
 * engine_commit.c - the cost of one commit of the state database, as the
 * engine makes them (BEGIN IMMEDIATE, one small write, COMMIT with
 * synchronous=FULL), for bench/engine_overhead.sh's bound.
 *
 *   usage: bench/engine_commit STATE.db N    prints "commit_us MEDIAN"
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <hinge/plugin.h>

#include "state/state.h"

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	struct state *st;
	int n = argc == 3 ? atoi(argv[2]) : 0;
	int64_t *us;

	if (n <= 0 || state_open(argv[1], STATE_CREATE, &st) != 0) {
		fprintf(stderr, "usage: engine_commit STATE.db N\n");
		return 2;
	}
	us = calloc((size_t)n, sizeof(*us));
	for (int i = 0; us != NULL && i < n; i++) {
		char v[32];
		int64_t t0 = now_us();

		snprintf(v, sizeof(v), "%d", i);
		if (state_begin(st) != 0 || state_kv_set(st, "bench.commit", v) != 0 ||
		    state_commit(st) != 0)
			return 5;
		us[i] = now_us() - t0;
	}
	if (us == NULL)
		return 5;
	qsort(us, (size_t)n, sizeof(*us), cmp);
	printf("commit_us %lld\n", (long long)us[n / 2]);
	free(us);
	state_close(st);
	return 0;
}
