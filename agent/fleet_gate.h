/*
 * fleet_gate.h - wave gates over fleet-wide metrics.  A gate is
 *   AGG(METRIC[{label="v",...}]) OP NUMBER, AGG one of max, mean, sum, or
 *   share(METRIC[{...}] OP NUMBER) OP NUMBER (the share of hosts, 0 to 1,
 *   whose value meets the inner condition).
 * Each agent publishes the values of the metrics its open rollouts' gates
 * read (hinge.fleet_metrics, the latest per host); when a wave's hosts
 * have completed, the state machine aggregates the values of the hosts
 * that applied and opens the next wave once every gate held for `bake`,
 * evaluating every `interval`.
 */
#ifndef HINGE_FLEET_GATE_H
#define HINGE_FLEET_GATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "agent/engine_cond.h"

enum fleet_agg { FLEET_MAX, FLEET_MEAN, FLEET_SUM, FLEET_SHARE };

struct fleet_gate {
	enum fleet_agg agg;
	struct cond inner; /* the metric and labels; for share, its condition too */
	enum cond_op op;
	double value;
	char key[512];     /* the metric with its labels, as published */
};

/* Parse text; 0, or HINGE_EINVAL with a reason in err. */
int fleet_gate_parse(const char *text, struct fleet_gate *g, char *err, size_t errlen);
void fleet_gate_free(struct fleet_gate *g);

/* The aggregate of n values (n > 0) into *out. */
void fleet_gate_aggregate(const struct fleet_gate *g, const double *v, size_t n, double *out);

/* Agent: publish this host's values for the gates of rollouts it applied. */
int fleet_gate_publish(PGconn *c, const char *host);

enum fleet_gate_verdict { FLEET_GATE_PASS, FLEET_GATE_WAIT, FLEET_GATE_FAIL };

/*
 * Inside the row lock of running rollout id whose open waves completed:
 * PASS (no gates, or every gate held for the bake), WAIT, or FAIL (why
 * in msg).  HINGE_EUNAVAIL on a database error.
 */
int fleet_gate_check(PGconn *c, const char *id, int wave, char *msg, size_t len);

#endif
