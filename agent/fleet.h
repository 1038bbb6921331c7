/*
 * fleet.h - rollouts across waves of hosts, coordinated through the
 * PostgreSQL the hosts share (schema hinge).  The fleet state machine
 * advances in transactions that lock the fleet rollout's row, so any
 * agent or operator may advance it and none can open a wave twice.
 * Heartbeats and lateness are timed by the database's clock.
 */
#ifndef HINGE_FLEET_H
#define HINGE_FLEET_H

#include <libpq-fe.h>
#include <jansson.h>
#include <hinge/plugin.h>

struct settings;

/* The fleet group's settings table (hinge.conf(5) shows it). */
extern const struct hinge_setting fleet_settings[];

/* Connect and bring the fleet tables up to date.  0 or HINGE_E*. */
int fleet_connect(const struct settings *fleet, PGconn **out);

/* This host's id: the setting, else the hostname. */
const char *fleet_host_id(const struct settings *fleet);

/* Register or refresh this host (labels, version, plugins JSON). */
int fleet_heartbeat(PGconn *c, const struct settings *fleet,
		    const char *plugins_json);

/* "hinge.fleet-hosts/1": every host, late ones marked unreachable. */
int fleet_hosts(PGconn *c, int64_t late_ms, json_t **out);

struct fleet_start {
	const char *change_id;
	const char *change_text;
	const char *waves;    /* "1,10%,50%,100%" */
	json_t *select;       /* {"role":"web"} or NULL */
	int max_failed;
	const char *reason;
	const char *actor;
	int64_t late_ms;      /* after this without heartbeat: unreachable */
	int run_once;         /* executed by exactly one host of wave 1 */
	json_t *gates;        /* wave gates over fleet-wide metrics (fleet_gate.h) or NULL */
	int64_t gate_bake_ms;     /* how long they must hold after a wave */
	int64_t gate_interval_ms; /* how often they are evaluated and values published */
};

/*
 * Record a fleet rollout and assign the selected hosts to waves; *id is
 * malloc'ed.  HINGE_EINVAL (message logged) for a wave list that does
 * not add up, a gate that does not parse or a selector that matches no
 * host: nothing recorded.
 */
int fleet_start(PGconn *c, const struct fleet_start *s, char **id);

/*
 * Advance fleet rollout id (NULL: every running one): mark late hosts
 * unreachable, fail it past its failure budget, open the next wave when
 * the current one completed, complete it after the last.  Safe to run
 * from any number of processes at once.
 */
int fleet_advance(PGconn *c, const char *id);

/* "hinge.fleet-status/1", "hinge.fleet-history/1", "hinge.fleet-events/1". */
int fleet_status(PGconn *c, const char *id, json_t **out);
int fleet_history(PGconn *c, json_t **out);
int fleet_events(PGconn *c, const char *id, json_t **out);

/* Operator requests: "abort" or "rollback" (hosts that applied roll back). */
int fleet_request(PGconn *c, const char *id, const char *kind,
		  const char *reason, const char *actor);

/* Record an event of a fleet rollout (host may be NULL). */
int fleet_event(PGconn *c, const char *id, const char *host,
		const char *kind, const char *message);

#endif
