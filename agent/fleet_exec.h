/* fleet_exec.h - running this host's part of fleet rollouts. */
#ifndef HINGE_FLEET_EXEC_H
#define HINGE_FLEET_EXEC_H

#include "agent/fleet_agent.h"

struct settings;

/*
 * The work the fleet loop does each round: roll back what aborted fleet
 * rollouts applied here, then run the change of every open wave this
 * host is in, as a local rollout in the state database at state_db.
 * NULL when that database cannot be opened.  Free with fleet_exec_free.
 */
struct fleet_work *fleet_exec_new(const struct settings *fleet, const char *state_db);
void fleet_exec_free(struct fleet_work *w);

#endif
