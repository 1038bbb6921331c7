/*
 * fleet_agent.c - the agent's side of the fleet: register and heartbeat,
 * listen for waves that open (polling as a fallback, so that a lost
 * notification only delays), and advance the fleet state machine.
 * Runs in a thread of the daemon until it stops; reconnects when the
 * database goes away.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <jansson.h>

#include "agent/config.h"
#include "agent/fleet.h"
#include "agent/fleet_agent.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "agent/log.h"
#include "state/state.h"

static char *plugins_json(void)
{
	json_t *a = json_array();
	struct hinge_plugin *p;
	char *text;

	for (size_t i = 0; (p = loader_plugin_at(i)) != NULL; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", p->name, "version", p->abi->version));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

/* Wait for a notification or the timeout, in slices so that stop is seen. */
static void wait_notify(PGconn *c, int64_t ms)
{
	int fd = PQsocket(c);

	while (fd >= 0 && ms > 0 && !host_stop_requested()) {
		int64_t slice = ms < 100 ? ms : 100;
		struct timeval tv = { 0, (long)slice * 1000 };
		fd_set set;
		PGnotify *n;
		int got = 0;

		FD_ZERO(&set);
		FD_SET(fd, &set);
		if (select(fd + 1, &set, NULL, NULL, &tv) > 0) {
			if (!PQconsumeInput(c))
				return; /* the server went away: reconnect at once */
			while ((n = PQnotifies(c)) != NULL) {
				got = 1;
				PQfreemem(n);
			}
			if (got)
				return;
		}
		ms -= slice;
	}
}

static PGconn *connect_fleet(const struct settings *fleet)
{
	PGconn *c = NULL;
	PGresult *r;

	if (fleet_connect(fleet, &c) != 0)
		return NULL;
	r = PQexec(c, "LISTEN hinge_fleet");
	PQclear(r);
	return c;
}

struct beat {
	const struct settings *fleet;
	char *plugins;
	int refused; /* another live agent has this host id (atomic) */
};

static void nap(int64_t ms)
{
	for (int64_t left = ms; left > 0 && !host_stop_requested(); left -= 50) {
		struct timespec ts = { 0, (long)(left < 50 ? left : 50) * 1000000L };
		nanosleep(&ts, NULL);
	}
}

/*
 * Heartbeats on a connection of their own, so that a host running a long
 * local rollout (a ten-minute bake) is not taken for unreachable.
 */
static void *beat_thread(void *arg)
{
	struct beat *b = arg;
	int64_t every = settings_ms(b->fleet, "heartbeat"), backoff = 100;
	PGconn *c = NULL;

	while (!host_stop_requested()) {
		int rc;

		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			if (fleet_connect(b->fleet, &c) != 0) {
				c = NULL;
				nap(backoff);
				backoff = backoff * 2 > every ? every : backoff * 2;
				continue;
			}
			backoff = 100;
		}
		rc = fleet_heartbeat(c, b->fleet, b->plugins);
		if (rc == HINGE_EINVAL) {
			__atomic_store_n(&b->refused, 1, __ATOMIC_RELEASE);
			break;
		}
		nap(every);
	}
	PQfinish(c);
	return NULL;
}

int fleet_agent_run(const struct settings *fleet, struct fleet_work *work)
{
	int64_t beat = settings_ms(fleet, "heartbeat"), poll = settings_ms(fleet, "poll");
	int64_t backoff = 100;
	struct beat b = { .fleet = fleet, .plugins = plugins_json() };
	pthread_t beater;
	PGconn *c = NULL;
	int rc = 0, beating, lost = 0;

	beating = pthread_create(&beater, NULL, beat_thread, &b) == 0;
	while (!host_stop_requested() && !__atomic_load_n(&b.refused, __ATOMIC_ACQUIRE)) {
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			lost |= c != NULL;
			PQfinish(c);
			if ((c = connect_fleet(fleet)) == NULL) {
				nap(backoff);
				backoff = backoff * 2 > beat ? beat : backoff * 2;
				continue;
			}
			if (lost)
				hlog(HINGE_LOG_NOTICE, "fleet", "reconnected to the fleet database");
			backoff = 100;
			lost = 0;
		}
		if (work != NULL && work->run(work, c) != 0 && PQstatus(c) != CONNECTION_OK)
			continue;
		fleet_advance(c, NULL);
		wait_notify(c, poll < beat ? poll : beat);
	}
	PQfinish(c);
	if (__atomic_load_n(&b.refused, __ATOMIC_ACQUIRE))
		rc = HINGE_EINVAL;
	if (beating)
		pthread_join(beater, NULL);
	free(b.plugins);
	return rc;
}
