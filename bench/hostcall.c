/*
 * hostcall.c - the cost of one host-function call from a plugin: loads
 * the example plugin through the real loader and calls through the host
 * table in a loop (setting_double), against a direct call to the
 * function behind it; the difference is what the table costs.
 *
 * usage: hostcall CONFIG [CALLS]   prints ns per call, host and direct
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent/config.h"
#include "agent/host.h"
#include "agent/loader.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const struct hinge_host *h = host_table();
	struct config *cfg;
	struct hinge_plugin *p;
	long calls = argc > 2 ? atol(argv[2]) : 10000000;
	volatile double sink = 0;
	double t0, t1, t2;

	if (argc < 2 || config_load(argv[1], &cfg) != 0 || loader_load_all(cfg, NULL) != 0 ||
	    (p = loader_plugin("example")) == NULL) {
		fprintf(stderr, "usage: hostcall CONFIG [CALLS] (with the example plugin enabled)\n");
		return 2;
	}
	t0 = now_ns();
	for (long i = 0; i < calls; i++)
		sink += h->setting_double(p, "answer");
	t1 = now_ns();
	for (long i = 0; i < calls; i++)
		sink += settings_double(p->settings, "answer");
	t2 = now_ns();
	printf("host_call_ns %.2f\ndirect_call_ns %.2f\n", (t1 - t0) / calls, (t2 - t1) / calls);
	loader_shutdown();
	config_free(cfg);
	return 0;
}
