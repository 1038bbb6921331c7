/*
 * fleet_machine.c - the fleet state machine: advancing waves, operator
 * requests, and the documents status, history and events print.
 *
 * States of a fleet rollout: running -> completed | failed, and
 * running | failed | completed -> aborting | rolling_back -> aborted |
 * rolled_back once no host still has the change applied.  States of a
 * host's assignment: pending -> running -> completed | failed, pending ->
 * unreachable | skipped, completed | running -> rolled_back; in a run-once
 * rollout, pending -> waiting -> completed | failed with the executor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fleet.h"
#include "agent/fleet_gate.h"
#include "agent/fleet_once.h"
#include "agent/fleet_pg.h"
#include "agent/log.h"


static long count(PGconn *c, const char *sql, const char *id)
{
	const char *p[1] = { id };
	PGresult *r = fleet_q(c, sql, 1, p);
	long n = r && PQntuples(r) ? atol(PQgetvalue(r, 0, 0)) : -1;

	PQclear(r);
	return n;
}

static int set_state(PGconn *c, const char *id, const char *state, const char *message)
{
	const char *p[2] = { id, state };

	if (fleet_exec(c, "UPDATE hinge.fleet_rollouts SET state = $2, updated_at = now() WHERE id = $1", 2, p) != 0)
		return HINGE_EUNAVAIL;
	return fleet_event(c, id, NULL, state, message);
}

/* One step of a running rollout, inside its row lock. */
static int advance_running(PGconn *c, const char *id, int wave, int nwaves, int max_failed)
{
	const char *p[1] = { id };
	char msg[400], w[16];
	long failed, active;
	int once, gate;

	/*
	 * Late by the database's clock, and the database itself up for longer
	 * than that: after a restart of PostgreSQL every host is late until
	 * its agent reconnects, and none of them is unreachable for it.
	 */
	if (fleet_exec(c, "UPDATE hinge.fleet_assignments a SET state = 'unreachable', updated_at = now()"
		  " FROM hinge.fleet_hosts h, hinge.fleet_rollouts r"
		  " WHERE a.rollout_id = $1 AND r.id = a.rollout_id AND h.host_id = a.host_id"
		  "  AND a.wave <= r.current_wave AND a.state = 'pending'"
		  "  AND h.last_heartbeat < now() - r.late_ms * interval '1 millisecond'"
		  "  AND pg_postmaster_start_time() < now() - r.late_ms * interval '1 millisecond'", 1, p) != 0)
		return HINGE_EUNAVAIL;
	failed = count(c, "SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = $1"
		       " AND state IN ('failed', 'unreachable')", id);
	active = count(c, "SELECT count(*) FROM hinge.fleet_assignments a JOIN hinge.fleet_rollouts r"
		       " ON r.id = a.rollout_id WHERE a.rollout_id = $1 AND a.wave <= r.current_wave"
		       " AND a.state IN ('pending', 'running', 'waiting')", id);
	if (failed < 0 || active < 0)
		return HINGE_EUNAVAIL;
	/*
	 * After the counts: each statement sees the rows committed when it
	 * starts, so a run-once executor that failed in between is seen here
	 * and halts the rollout with its own reason, not as a budget overrun.
	 */
	if ((once = fleet_once_settle(c, id, msg, sizeof(msg))) != 0)
		return once == 1 ? set_state(c, id, "failed", msg) : once;
	if (failed > max_failed) {
		snprintf(msg, sizeof(msg), "%ld hosts failed or were unreachable, over the budget of %d; halted",
			 failed, max_failed);
		return set_state(c, id, "failed", msg);
	}
	if (active > 0)
		return 0;
	if ((gate = fleet_gate_check(c, id, wave, msg, sizeof(msg))) != FLEET_GATE_PASS)
		return gate == FLEET_GATE_FAIL ? set_state(c, id, "failed", msg) : gate == FLEET_GATE_WAIT ? 0 : gate;
	if (wave >= nwaves)
		return set_state(c, id, "completed", "every wave completed");
	/* Open the next wave that has hosts; empty ones pass at once. */
	do {
		wave++;
		snprintf(w, sizeof(w), "%d", wave);
		const char *pw[2] = { id, w };
		if (fleet_exec(c, "UPDATE hinge.fleet_rollouts SET current_wave = $2::int, updated_at = now()"
			  " WHERE id = $1", 2, pw) != 0)
			return HINGE_EUNAVAIL;
	} while (wave < nwaves && count(c, "SELECT count(*) FROM hinge.fleet_assignments a"
					" JOIN hinge.fleet_rollouts r ON r.id = a.rollout_id"
					" WHERE a.rollout_id = $1 AND a.wave = r.current_wave", id) == 0);
	snprintf(msg, sizeof(msg), "wave %d opened", wave);
	if (fleet_event(c, id, NULL, "wave", msg) != 0)
		return HINGE_EUNAVAIL;
	return fleet_exec(c, "NOTIFY hinge_fleet", 0, NULL);
}

/* Aborting or rolling back ends when no host has the change applied. */
static int advance_unwinding(PGconn *c, const char *id, const char *state)
{
	long applied = count(c, "SELECT count(*) FROM hinge.fleet_assignments WHERE rollout_id = $1"
			     " AND state IN ('completed', 'running')", id);

	if (applied < 0)
		return HINGE_EUNAVAIL;
	if (applied > 0)
		return 0;
	return set_state(c, id, strcmp(state, "aborting") == 0 ? "aborted" : "rolled_back",
			 "no host has the change applied");
}

static int advance_one(PGconn *c, const char *id)
{
	const char *p[1] = { id };
	PGresult *r;
	int rc = 0;

	if (fleet_exec(c, "BEGIN", 0, NULL) != 0)
		return HINGE_EUNAVAIL;
	/* Whoever holds the row is advancing it already: skip, do not queue. */
	r = fleet_q(c, "SELECT state, current_wave, nwaves, max_failed FROM hinge.fleet_rollouts"
	      " WHERE id = $1 FOR UPDATE SKIP LOCKED", 1, p);
	if (r == NULL) {
		rc = HINGE_EUNAVAIL;
	} else if (PQntuples(r) == 0) {
		rc = 0;
	} else if (strcmp(PQgetvalue(r, 0, 0), "running") == 0) {
		rc = advance_running(c, id, atoi(PQgetvalue(r, 0, 1)), atoi(PQgetvalue(r, 0, 2)),
				     atoi(PQgetvalue(r, 0, 3)));
	} else if (strcmp(PQgetvalue(r, 0, 0), "aborting") == 0 ||
		   strcmp(PQgetvalue(r, 0, 0), "rolling_back") == 0) {
		rc = advance_unwinding(c, id, PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	if (rc == 0 && fleet_exec(c, "COMMIT", 0, NULL) == 0)
		return 0;
	PQclear(PQexec(c, "ROLLBACK"));
	return rc ? rc : HINGE_EUNAVAIL;
}

int fleet_advance(PGconn *c, const char *id)
{
	PGresult *r;
	int rc = 0;

	if (id != NULL)
		return advance_one(c, id);
	r = fleet_q(c, "SELECT id FROM hinge.fleet_rollouts WHERE state IN ('running', 'aborting', 'rolling_back')",
	      0, NULL);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	for (int i = 0; i < PQntuples(r); i++)
		if (advance_one(c, PQgetvalue(r, i, 0)) != 0)
			rc = HINGE_EUNAVAIL;
	PQclear(r);
	return rc;
}

int fleet_request(PGconn *c, const char *id, const char *kind, const char *reason,
		  const char *actor)
{
	const char *target = strcmp(kind, "abort") == 0 ? "aborting" : "rolling_back";
	const char *p[2] = { id, target };
	char msg[256];
	PGresult *r;

	if (fleet_exec(c, "BEGIN", 0, NULL) != 0)
		return HINGE_EUNAVAIL;
	r = fleet_q(c, "UPDATE hinge.fleet_rollouts SET state = $2, updated_at = now()"
	      " WHERE id = $1 AND state IN ('running', 'failed', 'completed') RETURNING id", 2, p);
	if (r == NULL || PQntuples(r) != 1) {
		if (r != NULL)
			hlog(HINGE_LOG_ERROR, "fleet", "fleet rollout \"%s\" does not exist or has already ended", id);
		PQclear(r);
		PQclear(PQexec(c, "ROLLBACK"));
		return r ? HINGE_EINVAL : HINGE_EUNAVAIL;
	}
	PQclear(r);
	snprintf(msg, sizeof(msg), "%s by %s%s%s", kind, actor, reason ? ": " : "", reason ? reason : "");
	if (fleet_exec(c, "UPDATE hinge.fleet_assignments SET state = 'skipped', updated_at = now()"
		  " WHERE rollout_id = $1 AND state IN ('pending', 'waiting')", 1, p) != 0 ||
	    fleet_event(c, id, NULL, kind, msg) != 0 ||
	    fleet_exec(c, "NOTIFY hinge_fleet", 0, NULL) != 0 || fleet_exec(c, "COMMIT", 0, NULL) != 0) {
		PQclear(PQexec(c, "ROLLBACK"));
		return HINGE_EUNAVAIL;
	}
	return fleet_advance(c, id);
}

static json_t *rows(PGresult *r)
{
	json_t *a = json_array();

	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();

		for (int f = 0; f < PQnfields(r); f++)
			json_object_set_new(o, PQfname(r, f), PQgetisnull(r, i, f) ? json_null()
					    : json_string(PQgetvalue(r, i, f)));
		json_array_append_new(a, o);
	}
	return a;
}

static int rows_doc(PGconn *c, const char *sql, int n, const char *const *p,
		    const char *schema, const char *key, json_t **out)
{
	PGresult *r = fleet_q(c, sql, n, p);

	if (r == NULL)
		return HINGE_EUNAVAIL;
	*out = json_pack("{s:s, s:o}", "schema", schema, key, rows(r));
	PQclear(r);
	return 0;
}

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int fleet_status(PGconn *c, const char *id, json_t **out)
{
	const char *p[1] = { id };
	json_t *hosts;
	PGresult *r = fleet_q(c, "SELECT id, change_id, sha256, waves, nwaves::text, current_wave::text,"
			" max_failed::text, state, reason, actor, " TS("created_at") " AS created,"
			" run_once::text, once_host, gates::text, gate_bake_ms::text AS bake_ms,"
			" gate_interval_ms::text AS interval_ms"
			" FROM hinge.fleet_rollouts WHERE id = $1", 1, p);

	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (PQntuples(r) == 0) {
		hlog(HINGE_LOG_ERROR, "fleet", "no fleet rollout \"%s\"", id);
		PQclear(r);
		return HINGE_EINVAL;
	}
	hosts = rows(r);
	*out = json_incref(json_array_get(hosts, 0));
	json_decref(hosts);
	json_object_set_new(*out, "gates", json_loads(json_string_value(json_object_get(*out, "gates")), 0, NULL));
	PQclear(r);
	r = fleet_q(c, "SELECT host_id AS host, wave::text, state, local_rollout, detail FROM hinge.fleet_assignments"
	      " WHERE rollout_id = $1 ORDER BY wave, host_id", 1, p);
	if (r == NULL) {
		json_decref(*out);
		return HINGE_EUNAVAIL;
	}
	hosts = rows(r);
	PQclear(r);
	json_object_set_new(*out, "hosts", hosts);
	json_object_set_new(*out, "schema", json_string("hinge.fleet-status/1"));
	return 0;
}

int fleet_history(PGconn *c, json_t **out)
{
	return rows_doc(c, "SELECT id, change_id, waves, state, reason, actor, " TS("created_at") " AS created"
			" FROM hinge.fleet_rollouts ORDER BY created_at DESC, id", 0, NULL,
			"hinge.fleet-history/1", "rollouts", out);
}

int fleet_events(PGconn *c, const char *id, json_t **out)
{
	const char *p[1] = { id };

	return rows_doc(c, "SELECT " TS("time") " AS time, host_id AS host, kind, message"
			" FROM hinge.fleet_events WHERE rollout_id = $1 ORDER BY id", 1, p,
			"hinge.fleet-events/1", "events", out);
}
