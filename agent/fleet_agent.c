/*
 * fleet_agent.c - the agent's side of the fleet: register and heartbeat,
 * listen for waves that open (polling as a fallback, so that a lost
 * notification only delays), and advance the fleet state machine.
 * Runs in a thread of the daemon until it stops; reconnects when the
 * database goes away.
 */
#include <errno.h>
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

	while (ms > 0 && !host_stop_requested()) {
		int64_t slice = ms < 100 ? ms : 100;
		struct timeval tv = { 0, (long)slice * 1000 };
		fd_set set;
		PGnotify *n;
		int got = 0;

		FD_ZERO(&set);
		FD_SET(fd, &set);
		if (select(fd + 1, &set, NULL, NULL, &tv) > 0) {
			PQconsumeInput(c);
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

int fleet_agent_run(const struct settings *fleet, struct fleet_work *work)
{
	int64_t beat = settings_ms(fleet, "heartbeat"), poll = settings_ms(fleet, "poll");
	int64_t next_beat = 0, backoff = 100;
	char *plugins = plugins_json();
	PGconn *c = NULL;
	int rc = 0;

	while (!host_stop_requested()) {
		int64_t now = state_now_ms();

		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			if ((c = connect_fleet(fleet)) == NULL) {
				for (int64_t left = backoff; left > 0 && !host_stop_requested(); left -= 50) {
					struct timespec ts = { 0, 50 * 1000000L };
					nanosleep(&ts, NULL);
				}
				backoff = backoff * 2 > beat ? beat : backoff * 2;
				continue;
			}
			backoff = 100;
			next_beat = 0;
		}
		if (now >= next_beat) {
			rc = fleet_heartbeat(c, fleet, plugins);
			if (rc == HINGE_EINVAL)
				break; /* another live agent has this host id */
			next_beat = now + beat;
		}
		if (work != NULL && work->run(work, c) != 0 && PQstatus(c) != CONNECTION_OK)
			continue;
		fleet_advance(c, NULL);
		wait_notify(c, poll < beat ? poll : beat);
	}
	PQfinish(c);
	free(plugins);
	return rc;
}
