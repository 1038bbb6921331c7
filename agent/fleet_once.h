/*
 * fleet_once.h - changes that must run once (run_once = true in the
 * change, e.g. a migration of the shared database): exactly one host of
 * the first wave executes it, under a fleet-level advisory lock, and the
 * other hosts wait for its outcome and count as done or failed with it.
 */
#ifndef HINGE_FLEET_ONCE_H
#define HINGE_FLEET_ONCE_H

#include <stddef.h>

#include <libpq-fe.h>

/* What this host does with its open assignment in a run-once rollout. */
enum fleet_once {
	FLEET_ONCE_RUN,   /* it is the executor and holds the lock: run, then release */
	FLEET_ONCE_WAIT,  /* another host executes; the state machine settles this one */
	FLEET_ONCE_LATER, /* the lock is held elsewhere or the database failed: next round */
};

/*
 * Decide for host's assignment (state "pending" or "running", in wave
 * `wave`) of run-once rollout id, whose executor so far is once_host
 * (NULL: none yet).  The first host of wave 1 that takes the lock
 * becomes the executor, recorded in the rollout's row.
 */
enum fleet_once fleet_once_claim(PGconn *c, const char *id, const char *host,
				 int wave, const char *state, const char *once_host);

/* Release the lock FLEET_ONCE_RUN took. */
void fleet_once_release(PGconn *c);

/*
 * Inside the row lock of rollout id while it runs: settle the hosts that
 * wait with the executor's outcome.  0, 1 when the rollout must halt (why
 * in msg: the change failed, or no host of wave 1 could run it), or
 * HINGE_EUNAVAIL.  0 at once for a rollout that is not run-once.
 */
int fleet_once_settle(PGconn *c, const char *id, char *msg, size_t len);

#endif
