/*
 * fleet_sim.c - many fleet agents in one process, for bench/fleet.sh:
 * each thread is one host with its own config, state database and
 * PostgreSQL connections, and runs the agent's real fleet loop
 * (heartbeat thread, LISTEN/poll, state machine, local rollouts).
 * Only the plugins and the daemon's jobs are left out.
 *
 * usage: fleet_sim CONFIG...   one config per simulated host; runs until
 *                              SIGTERM or SIGINT
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/config.h"
#include "agent/engine.h"
#include "agent/fleet_agent.h"
#include "agent/fleet_exec.h"
#include "agent/host.h"
#include "state/state.h"

struct sim_host {
	struct config *cfg;
	pthread_t thread;
	int started;
};

static void *host_thread(void *arg)
{
	struct sim_host *h = arg;
	const char *db = settings_str(h->cfg->agent, "state_db");
	struct fleet_work *work = fleet_exec_new(h->cfg->fleet, db);

	if (work == NULL)
		fprintf(stderr, "fleet_sim: cannot open %s\n", db);
	else
		fleet_agent_run(h->cfg->fleet, work);
	fleet_exec_free(work);
	host_release_thread_state();
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc - 1, sig, status = 0;
	struct sim_host *hosts = calloc(n > 0 ? (size_t)n : 1, sizeof(*hosts));
	sigset_t stop;

	if (n < 1 || hosts == NULL) {
		fprintf(stderr, "usage: fleet_sim CONFIG...\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct state *st;

		if (config_load(argv[i + 1], &hosts[i].cfg) != 0 || hosts[i].cfg->fleet == NULL ||
		    state_open(settings_str(hosts[i].cfg->agent, "state_db"), STATE_CREATE, &st) != 0) {
			fprintf(stderr, "fleet_sim: %s: a config with a fleet group is needed\n", argv[i + 1]);
			return 2;
		}
		state_close(st);
	}
	if (engine_configure(hosts[0].cfg->agent) != 0)
		return 2;
	/* Signals stay with this thread, which waits for them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	for (int i = 0; i < n; i++)
		hosts[i].started = pthread_create(&hosts[i].thread, NULL, host_thread, &hosts[i]) == 0;
	printf("fleet_sim: %d hosts running\n", n);
	fflush(stdout);
	sigwait(&stop, &sig);
	host_request_stop();
	for (int i = 0; i < n; i++) {
		if (hosts[i].started)
			pthread_join(hosts[i].thread, NULL);
		else
			status = 1;
		config_free(hosts[i].cfg);
	}
	free(hosts);
	return status;
}
