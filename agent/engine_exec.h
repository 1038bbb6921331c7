/*
 * engine_exec.h - the executor: runs one rollout's state machine in this
 * process while it holds the rollout's lease.  Internal to the engine.
 */
#ifndef HINGE_ENGINE_EXEC_H
#define HINGE_ENGINE_EXEC_H

#include <stdint.h>

#include "agent/engine.h"
#include "agent/engine_plan.h"

struct state;

/* Settings the engine reads from the agent group (ms). */
struct engine_conf {
	int64_t request_poll, lease_ttl, lock_wait, rehearse_interval, callback_grace;
};
const struct engine_conf *engine_conf(void);

/*
 * Run rollout id (already recorded) until it ends or rests.  Takes the
 * lease first (HINGE_EBUSY, holder logged, when a live process has it),
 * acts on open requests, and returns the outcome as engine_start does.
 */
int exec_run(struct state *st, const char *id, const struct engine_opts *o);

/* Re-parse and resolve a rollout's stored change (no check() calls). */
int exec_load_plan(struct state *st, const char *id, struct plan **out);

/*
 * Take rollout id's lease for this process: 0, or HINGE_EBUSY with the
 * holder's pid and host logged.  A holder on this host whose process is
 * gone, or whose lease expired, is taken over.
 */
int lease_take(struct state *st, const char *id);
void lease_drop(struct state *st, const char *id);
/* Write this process's lease, inside the caller's transaction. */
int lease_insert(struct state *st, const char *id);
/* 1 when a live process other than this one holds the lease. */
int lease_held_elsewhere(struct state *st, const char *id);

/*
 * Inside the transaction that records a new rollout this thread will
 * execute: take its lease at once, so that no other thread of the agent
 * (engine_daemon_poll) sees it unexecuted.  The caller commits.
 */
int lease_claim_new(struct state *st, const char *id);

/* True when an ended state: completed, rolled_back, finalized. */
int rollout_state_ended(const char *state);

/*
 * The freeze flag's JSON text (malloc'ed) into *why, NULL when not
 * frozen.  Returns 0, or HINGE_EUNAVAIL (logged) when the flag cannot be
 * read: then no one can tell that rollouts may move.
 */
int engine_frozen(struct state *st, char **why);

/*
 * Why a rollback of rollout id must be refused without --force: an
 * applied irreversible step, or a later rollout that changed one of its
 * targets again.  A malloc'ed message, or NULL when none.
 */
char *rollback_obstacle(struct state *st, const char *id);

#endif
