/*
 * fleet_gate.c - wave gates over fleet-wide metrics: parsing, the
 * aggregates, the agents' publishing and the state machine's check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <hinge/plugin.h>

#include "agent/fleet_gate.h"
#include "agent/fleet.h"
#include "agent/fleet_pg.h"
#include "agent/registry.h"

static const char *const agg_names[] = { "max", "mean", "sum", "share" };

static int fail(char *err, size_t len, const char *msg)
{
	snprintf(err, len, "%s", msg);
	return HINGE_EINVAL;
}

/* "plugin.metric{k=\"v\",...}": the key values are published under. */
static void make_key(struct fleet_gate *g)
{
	size_t n = (size_t)snprintf(g->key, sizeof(g->key), "%s", g->inner.metric);

	for (size_t i = 0; g->inner.labels != NULL && g->inner.labels[i] != NULL && n < sizeof(g->key); i += 2)
		n += (size_t)snprintf(g->key + n, sizeof(g->key) - n, "%s%s=\"%s\"", i ? "," : "{",
				      g->inner.labels[i], g->inner.labels[i + 1]);
	if (g->inner.labels != NULL && g->inner.labels[0] != NULL && n < sizeof(g->key))
		snprintf(g->key + n, sizeof(g->key) - n, "}");
}

int fleet_gate_parse(const char *text, struct fleet_gate *g, char *err, size_t errlen)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	char buf[600], inner[600];
	struct cond outer;
	size_t alen;

	memset(g, 0, sizeof(*g));
	while (*text == ' ')
		text++;
	if (open == NULL || close == NULL || close < open)
		return fail(err, errlen, "expected AGG(METRIC) OP NUMBER, AGG one of max, mean, sum, share");
	alen = (size_t)(open - text);
	g->agg = FLEET_MAX;
	while (g->agg <= FLEET_SHARE && (strlen(agg_names[g->agg]) != alen ||
					  strncmp(text, agg_names[g->agg], alen) != 0))
		g->agg++;
	if (g->agg > FLEET_SHARE)
		return fail(err, errlen, "the aggregate must be max, mean, sum or share");
	snprintf(inner, sizeof(inner), "%.*s%s", (int)(close - open - 1), open + 1,
		 g->agg == FLEET_SHARE ? "" : " == 0");
	if (cond_parse(inner, &g->inner, err, errlen) != 0)
		return HINGE_EINVAL;
	snprintf(buf, sizeof(buf), "fleet.gate%s", close + 1);
	if (cond_parse(buf, &outer, err, errlen) != 0) {
		fleet_gate_free(g);
		return HINGE_EINVAL;
	}
	g->op = outer.op;
	g->value = outer.value;
	cond_free(&outer);
	make_key(g);
	return 0;
}

void fleet_gate_free(struct fleet_gate *g)
{
	cond_free(&g->inner);
}

void fleet_gate_aggregate(const struct fleet_gate *g, const double *v, size_t n, double *out)
{
	double acc = g->agg == FLEET_MAX ? v[0] : 0;

	for (size_t i = 0; i < n; i++) {
		if (g->agg == FLEET_MAX)
			acc = v[i] > acc ? v[i] : acc;
		else if (g->agg == FLEET_SHARE)
			acc += cond_holds(&g->inner, v[i]);
		else
			acc += v[i];
	}
	*out = g->agg == FLEET_MEAN || g->agg == FLEET_SHARE ? acc / (double)n : acc;
}

/* Publish one gate's value of this host (at most every interval). */
static void publish_one(PGconn *c, const char *id, const char *host, const char *text,
			const char *interval)
{
	struct fleet_gate g;
	const struct reg_metric *m;
	char err[256], value[64];
	double v;

	if (fleet_gate_parse(text, &g, err, sizeof(err)) != 0)
		return;
	m = registry_metric(g.inner.metric);
	if (m != NULL) {
		struct hinge_mquery q = { .labels = (const char *const *)g.inner.labels };

		if (registry_metric_read(m, &q, &v) == 0) {
			const char *p[5] = { id, host, g.key, value, interval };

			snprintf(value, sizeof(value), "%.17g", v);
			fleet_exec(c, "INSERT INTO hinge.fleet_metrics AS m (rollout_id, host_id, metric, value)"
				   " VALUES ($1, $2, $3, $4::float8) ON CONFLICT (rollout_id, host_id, metric)"
				   " DO UPDATE SET value = excluded.value, at = now()"
				   " WHERE m.at <= now() - $5::bigint * interval '1 millisecond'", 5, p);
		}
	}
	fleet_gate_free(&g);
}

int fleet_gate_publish(PGconn *c, const char *host)
{
	const char *p[1] = { host };
	PGresult *r = fleet_q(c, "SELECT r.id, r.gates::text, r.gate_interval_ms::text"
			      " FROM hinge.fleet_rollouts r JOIN hinge.fleet_assignments a ON a.rollout_id = r.id"
			      " WHERE a.host_id = $1 AND a.state = 'completed' AND r.state = 'running'"
			      " AND jsonb_array_length(r.gates) > 0", 1, p);

	if (r == NULL)
		return HINGE_EUNAVAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *gates = json_loads(PQgetvalue(r, i, 1), 0, NULL), *t;
		size_t k;

		json_array_foreach(gates, k, t)
			publish_one(c, PQgetvalue(r, i, 0), host, json_string_value(t), PQgetvalue(r, i, 2));
		json_decref(gates);
	}
	PQclear(r);
	return 0;
}

/*
 * One gate over the values the hosts that applied published since the
 * bake began: 1 holds, 0 fails (msg), -1 not every such host has
 * published one yet (an aggregate over part of them would mislead),
 * HINGE_EUNAVAIL.
 */
static int evaluate(PGconn *c, const char *id, const char *text, char *msg, size_t len)
{
	struct fleet_gate g;
	char err[256];
	double *v, agg;
	int n, holds;
	PGresult *r;

	if (fleet_gate_parse(text, &g, err, sizeof(err)) != 0)
		return 0;
	{
		const char *p[2] = { id, g.key };

		r = fleet_q(c, "SELECT m.value, (SELECT count(*) FROM hinge.fleet_assignments"
			    "  WHERE rollout_id = $1 AND state = 'completed')"
			    " FROM hinge.fleet_metrics m"
			    " JOIN hinge.fleet_assignments a ON a.rollout_id = m.rollout_id AND a.host_id = m.host_id"
			    " JOIN hinge.fleet_rollouts r ON r.id = m.rollout_id"
			    " WHERE m.rollout_id = $1 AND m.metric = $2 AND a.state = 'completed'"
			    " AND m.at >= r.gate_since", 2, p);
	}
	if (r == NULL || PQntuples(r) == 0 || PQntuples(r) < atoi(PQgetvalue(r, 0, 1))) {
		PQclear(r);
		fleet_gate_free(&g);
		return r ? -1 : HINGE_EUNAVAIL;
	}
	n = PQntuples(r);
	v = calloc((size_t)n, sizeof(*v));
	for (int i = 0; v != NULL && i < n; i++)
		v[i] = strtod(PQgetvalue(r, i, 0), NULL);
	PQclear(r);
	if (v == NULL) {
		fleet_gate_free(&g);
		return HINGE_ENOMEM;
	}
	fleet_gate_aggregate(&g, v, (size_t)n, &agg);
	free(v);
	{
		struct cond outer = { .op = g.op, .value = g.value };

		holds = cond_holds(&outer, agg);
	}
	if (!holds)
		snprintf(msg, len, "the gate %s failed: %g over %d hosts", text, agg, n);
	fleet_gate_free(&g);
	return holds;
}

/* Every gate, once the interval since the last check has passed. */
static int check_all(PGconn *c, const char *id, json_t *gates, char *msg, size_t len)
{
	size_t i;
	json_t *t;
	int verdict = FLEET_GATE_PASS;

	json_array_foreach(gates, i, t) {
		int rc = evaluate(c, id, json_string_value(t), msg, len);

		if (rc == 0)
			return FLEET_GATE_FAIL;
		if (rc == -1)
			verdict = FLEET_GATE_WAIT;
		else if (rc < 0)
			return rc;
	}
	return verdict;
}

int fleet_gate_check(PGconn *c, const char *id, int wave, char *msg, size_t len)
{
	const char *p[1] = { id };
	PGresult *r = fleet_q(c, "SELECT gates::text, gate_since IS NULL,"
			      " gate_since <= now() - gate_bake_ms * interval '1 millisecond',"
			      " gate_checked_at IS NULL OR gate_checked_at <= now() - gate_interval_ms * interval '1 millisecond'"
			      " FROM hinge.fleet_rollouts WHERE id = $1", 1, p);
	json_t *gates;
	char ev[64];
	int rc;

	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		return HINGE_EUNAVAIL;
	}
	gates = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	snprintf(ev, sizeof(ev), "wave %d", wave);
	if (json_array_size(gates) == 0) {
		rc = FLEET_GATE_PASS;
	} else if (PQgetvalue(r, 0, 1)[0] == 't') {
		rc = fleet_exec(c, "UPDATE hinge.fleet_rollouts SET gate_since = now(), gate_checked_at = NULL"
				" WHERE id = $1", 1, p) != 0 || fleet_event(c, id, NULL, "gate-baking", ev) != 0
			? HINGE_EUNAVAIL : FLEET_GATE_WAIT;
	} else if (PQgetvalue(r, 0, 3)[0] != 't') {
		rc = FLEET_GATE_WAIT;
	} else if (fleet_exec(c, "UPDATE hinge.fleet_rollouts SET gate_checked_at = now() WHERE id = $1", 1, p) != 0) {
		rc = HINGE_EUNAVAIL;
	} else {
		rc = check_all(c, id, gates, msg, len);
		if (rc == FLEET_GATE_PASS && PQgetvalue(r, 0, 2)[0] != 't')
			rc = FLEET_GATE_WAIT; /* held so far; still baking */
		if (rc == FLEET_GATE_PASS &&
		    (fleet_exec(c, "UPDATE hinge.fleet_rollouts SET gate_since = NULL WHERE id = $1", 1, p) != 0 ||
		     fleet_event(c, id, NULL, "gate-passed", ev) != 0))
			rc = HINGE_EUNAVAIL;
	}
	json_decref(gates);
	PQclear(r);
	return rc;
}
