/*
 * fleet_once.c - run-once changes in a fleet rollout.  The executor is
 * recorded in hinge.fleet_rollouts.once_host, set once in a transaction,
 * so that exactly one host runs the change even across agent restarts
 * (a restarted executor resumes its own local rollout).  The fleet-level
 * advisory lock is held by the executor's session while the change runs:
 * no two run-once changes of the fleet (two migrations of the shared
 * database) run at the same time, and a second executor cannot start
 * while the first one's session is alive.
 */
#include <stdio.h>
#include <string.h>

#include <hinge/plugin.h>

#include "agent/fleet.h"
#include "agent/fleet_once.h"
#include "agent/fleet_pg.h"
#include "agent/log.h"

/* The key of the fleet-level advisory lock ("hingeonc"). */
#define FLEET_ONCE_LOCK "7523666042861612643"

static int try_lock(PGconn *c)
{
	PGresult *r = fleet_q(c, "SELECT pg_try_advisory_lock(" FLEET_ONCE_LOCK ")", 0, NULL);
	int got = r != NULL && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';

	PQclear(r);
	return got;
}

void fleet_once_release(PGconn *c)
{
	PQclear(fleet_q(c, "SELECT pg_advisory_unlock(" FLEET_ONCE_LOCK ")", 0, NULL));
}

static enum fleet_once wait_for(PGconn *c, const char *id, const char *host, const char *executor)
{
	char detail[320];
	const char *p[3] = { id, host, detail };

	snprintf(detail, sizeof(detail), "waits for the run-once change on %s", executor);
	if (fleet_exec(c, "UPDATE hinge.fleet_assignments SET state = 'waiting', detail = $3, updated_at = now()"
		       " WHERE rollout_id = $1 AND host_id = $2 AND state = 'pending'", 3, p) != 0)
		return FLEET_ONCE_LATER;
	return FLEET_ONCE_WAIT;
}

/* Become the executor of rollout id, holding the lock: 1 yes, 0 no. */
static int become_executor(PGconn *c, const char *id, const char *host)
{
	const char *p[2] = { id, host };
	PGresult *r;
	int won;

	if (fleet_exec(c, "BEGIN", 0, NULL) != 0)
		return 0;
	r = fleet_q(c, "UPDATE hinge.fleet_rollouts SET once_host = $2, updated_at = now()"
		    " WHERE id = $1 AND once_host IS NULL AND state = 'running' RETURNING id", 2, p);
	won = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	if (won && fleet_exec(c, "UPDATE hinge.fleet_assignments SET state = 'running', updated_at = now()"
			      " WHERE rollout_id = $1 AND host_id = $2 AND state = 'pending'", 2, p) == 0 &&
	    fleet_event(c, id, host, "run-once", "executes the run-once change; the other hosts wait") == 0 &&
	    fleet_exec(c, "COMMIT", 0, NULL) == 0)
		return 1;
	PQclear(PQexec(c, "ROLLBACK"));
	return 0;
}

enum fleet_once fleet_once_claim(PGconn *c, const char *id, const char *host,
				 int wave, const char *state, const char *once_host)
{
	const char *p[2] = { id, host };

	if (once_host != NULL && strcmp(once_host, host) != 0)
		return wait_for(c, id, host, once_host);
	if (once_host == NULL && wave != 1)
		return FLEET_ONCE_LATER; /* the state machine halts such a rollout */
	if (!try_lock(c))
		return FLEET_ONCE_LATER;
	if (once_host == NULL) {
		if (become_executor(c, id, host))
			return FLEET_ONCE_RUN;
		fleet_once_release(c);
		return FLEET_ONCE_LATER; /* another host won: wait from next round */
	}
	/* Ours already: a restart resumes it, a retry runs it again. */
	if (strcmp(state, "pending") == 0 &&
	    fleet_exec(c, "UPDATE hinge.fleet_assignments SET state = 'running', updated_at = now()"
		       " WHERE rollout_id = $1 AND host_id = $2 AND state = 'pending'", 2, p) != 0) {
		fleet_once_release(c);
		return FLEET_ONCE_LATER;
	}
	return FLEET_ONCE_RUN;
}

int fleet_once_settle(PGconn *c, const char *id, char *msg, size_t len)
{
	const char *p[1] = { id };
	PGresult *r = fleet_q(c, "SELECT r.once_host, e.state,"
			      " EXISTS (SELECT 1 FROM hinge.fleet_assignments w WHERE w.rollout_id = r.id"
			      "  AND w.wave = 1 AND w.state IN ('pending', 'running', 'waiting'))"
			      " FROM hinge.fleet_rollouts r LEFT JOIN hinge.fleet_assignments e"
			      "  ON e.rollout_id = r.id AND e.host_id = r.once_host"
			      " WHERE r.id = $1 AND r.run_once", 1, p);
	const char *executor, *outcome;
	char detail[320];
	int rc = 0;

	if (r == NULL)
		return HINGE_EUNAVAIL;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	executor = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
	outcome = PQgetisnull(r, 0, 1) ? "" : PQgetvalue(r, 0, 1);
	if (executor == NULL || strcmp(outcome, "completed") != 0) {
		/* Wave 1 is over without the change done: nobody else may run it. */
		if (PQgetvalue(r, 0, 2)[0] == 'f' || strcmp(outcome, "failed") == 0) {
			if (executor != NULL)
				snprintf(msg, len, "the run-once change failed on %s; halted", executor);
			else
				snprintf(msg, len, "no host of wave 1 ran the run-once change; halted");
			rc = 1;
		}
	}
	if (executor != NULL && (rc == 1 || strcmp(outcome, "completed") == 0)) {
		const char *q[3] = { id, rc ? "failed" : "completed", detail };

		snprintf(detail, sizeof(detail), rc ? "the run-once change failed on %s" : "ran once on %s", executor);
		/* A failure settles the hosts that have not acknowledged yet too. */
		if (fleet_exec(c, "UPDATE hinge.fleet_assignments a SET state = $2, detail = $3, updated_at = now()"
			       " FROM hinge.fleet_rollouts r WHERE r.id = a.rollout_id AND a.rollout_id = $1"
			       " AND (a.state = 'waiting' OR ($2 = 'failed' AND a.state = 'pending'"
			       "  AND a.wave <= r.current_wave))", 3, q) != 0)
			rc = HINGE_EUNAVAIL;
	}
	PQclear(r);
	return rc;
}
