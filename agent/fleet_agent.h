/* fleet_agent.h - the agent's fleet loop (a daemon thread). */
#ifndef HINGE_FLEET_AGENT_H
#define HINGE_FLEET_AGENT_H

#include <libpq-fe.h>

struct settings;

/* What the loop does with this host's open assignments each round. */
struct fleet_work {
	int (*run)(struct fleet_work *w, PGconn *c);
	void *data;
};

/*
 * Heartbeat, listen and advance until the agent stops.  Returns 0, or
 * HINGE_EINVAL when another live agent uses this host id.
 */
int fleet_agent_run(const struct settings *fleet, struct fleet_work *work);

#endif
