/*
 * engine_run.h - what the executor's files share while one rollout runs:
 * the executor's context, the commit helpers every transition goes
 * through, and the step kinds' forward and backward moves.
 */
#ifndef HINGE_ENGINE_RUN_H
#define HINGE_ENGINE_RUN_H

#include <stdint.h>
#include <sqlite3.h>

#include <hinge/plugin.h>

#include "agent/engine_exec.h"

struct exec {
	struct state *st;
	sqlite3 *db;
	const char *id;
	struct plan *plan;
	const struct engine_opts *o;
	int64_t created_ms;
	int force; /* rollouts.force: cross irreversible steps */
	const char *reason; /* recorded with events: --reason, or a request's */
	long agent_pid;     /* the agent run_wait found, for STEP_HANDOVER */
};

/* What a step's move returns besides 0 (next) and HINGE_E* codes. */
#define STEP_REST 1        /* the rollout rests (manual pause) */
#define STEP_INTERRUPT 2   /* a request changed the rollout's state */
#define STEP_INCONCLUSIVE 3 /* a gate hit its inconclusive limit */
#define STEP_STOP 4        /* rollback reached an irreversible step */
#define STEP_HANDOVER 5    /* a wait left to the agent (opts.handover) */

struct step_row {
	char phase[16];
	int found_applied;
	int64_t evals, failures, inconclusive, started_ms;
	char *checkpoint; /* malloc'ed or NULL */
};

/* Load step idx of the running rollout; free row->checkpoint after. */
int run_step_row(struct exec *ex, size_t idx, struct step_row *row);

/*
 * Commit one step transition: phase (and error, NULL clears it), plus
 * the cursor moved past the step when `advance`, with an event; the
 * observer hears of it.  0 or HINGE_EUNAVAIL.
 */
int run_step_phase(struct exec *ex, size_t idx, const char *phase,
		   const char *error, int advance, const char *message);

/* The same with extra(ex, idx, arg) run first in the same transaction
 * (an artifact, a gate's counts): one commit for the whole transition. */
int run_step_commit(struct exec *ex, size_t idx, const char *phase,
		    const char *error, int advance, const char *message,
		    int (*extra)(struct exec *, size_t, const void *), const void *arg);

/* The rollout's state (and error; failed: -1 keeps it), with an event. */
int run_set_state(struct exec *ex, const char *state, const char *error,
		  int failed, enum hinge_log_level level, const char *message);

/* Wait until deadline (unix ms), acting on requests and keeping the lease:
 * 0 at the deadline, STEP_INTERRUPT, HINGE_ECANCELED on shutdown, or
 * STEP_HANDOVER at once when opts.handover and an agent runs. */
int run_wait(struct exec *ex, int64_t deadline);

/* Act on the rollout's open requests: 1 when one changed its state. */
int run_requests(struct exec *ex);

/* The step as a plugin sees it (parameters, stored artifact, checkpoint,
 * hooks); release with step_clear. */
int run_prepare(struct exec *ex, size_t idx, const struct step_row *row,
		struct hinge_step *hs);

int action_forward(struct exec *ex, size_t idx);
int action_back(struct exec *ex, size_t idx);
int pause_forward(struct exec *ex, size_t idx);
int gate_forward(struct exec *ex, size_t idx);

#endif
