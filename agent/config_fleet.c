/*
 * config_fleet.c - the settings of the `fleet` group: present when this
 * host takes part in fleet rollouts.
 */
#include "agent/config.h"
#include "agent/fleet.h"

const struct hinge_setting fleet_settings[] = {
	{ "conninfo", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "the PostgreSQL the hosts share (no password: use a password file)" },
	{ "host_id", HINGE_T_STRING, 0, NULL, 0, 0, "this host's id (default: the hostname)" },
	{ "labels", HINGE_T_JSON, 0, "{}", 0, 0,
	  "labels a rollout can select on, e.g. { role = \"web\"; region = \"eu\"; }" },
	{ "heartbeat", HINGE_T_DURATION, 0, "5s", 1, 3600000, "how often the agent heartbeats" },
	{ "late_after", HINGE_T_DURATION, 0, "30s", 1, 86400000,
	  "a host whose last heartbeat is older (by the database's clock) is unreachable" },
	{ "poll", HINGE_T_DURATION, 0, "2s", 1, 3600000,
	  "how often the agent looks for work when no notification came" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};
