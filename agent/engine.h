/*
 * engine.h - the rollout engine, as the command line and the daemon see
 * it.  The engine never writes to a terminal: it returns JSON documents
 * and HINGE_E* codes, and reports transitions through an observer that
 * the command line renders.
 */
#ifndef HINGE_ENGINE_H
#define HINGE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct state;
struct settings;

/* Told of every transition (a step's phase, the rollout's state). */
struct engine_observer {
	/* step is NULL for the rollout's own state changes. */
	void (*transition)(void *data, const char *rollout, const char *step,
			   const char *phase, const char *message);
	/* A long apply's progress: done of total units. */
	void (*progress)(void *data, const char *rollout, const char *step,
			 int64_t done, int64_t total);
	void *data;
};

struct engine_opts {
	const char *reason; /* --reason, may be NULL */
	int force;          /* --force */
	int detach;         /* start: record it and leave it to the agent */
	int handover;       /* at a wait, leave the rollout to a running agent */
	const struct engine_observer *obs; /* may be NULL */
};

/*
 * The agent group's settings (request_poll, lease_ttl, lock_wait, the
 * webhook's and the HTTP ones), borrowed until the next call.  0, or
 * HINGE_EINVAL (logged) for a webhook_url that is not https or loopback.
 */
int engine_configure(const struct settings *agent);

/*
 * Validate a change file against the loaded plugins and describe it:
 * *out is a "hinge.plan/1" document (new reference).  Records nothing.
 * 0, HINGE_EINVAL (problems logged with file:line), HINGE_EUNAVAIL.
 */
int engine_plan(const char *file, json_t **out);

/*
 * Record the change file as a new rollout and run it in this process
 * until it completes, fails or rests at a pause.  *id is set (malloc'ed,
 * the caller frees) as soon as the rollout is recorded.  Returns the
 * outcome: 0 (completed, or resting at a pause), HINGE_EFAIL (a step or
 * gate failed and the change was rolled back, or it paused on failure),
 * With o->detach it returns 0 once recorded: the agent runs it
 * (engine_daemon_poll), or `rollout resume`.
 * HINGE_EINVAL (nothing recorded), HINGE_EBUSY (a lock target is held,
 * the change has a rollout that has not ended, or rollouts are frozen:
 * nothing recorded), HINGE_EOPERATOR (a rollback failed: see status).
 */
int engine_start(struct state *st, const char *file,
		 const struct engine_opts *o, char **id);

/*
 * An operator's request on rollout id: "promote", "pause", "abort",
 * "rollback", "resume" or "finalize".  Recorded; when no live process
 * executes the rollout, this one does (and runs it on as start would);
 * otherwise it waits for the executor to act on it.  Returns an outcome
 * like engine_start's, HINGE_EINVAL for a request the rollout's state
 * does not allow (nothing changed).
 */
int engine_request(struct state *st, const char *id, const char *kind,
		   const struct engine_opts *o);

/*
 * After exit 4: record that an operator put step `step` of rollout id
 * in place ("applied") or undid it ("reverted") by hand.  0 or
 * HINGE_EINVAL.
 */
int engine_repair(struct state *st, const char *id, const char *step,
		  const char *mark, const char *reason);

/* Documents for status (id NULL: every rollout that has not ended),
 * show, history and events; *out is a new reference.  HINGE_EINVAL for
 * an unknown id. */
int engine_status(struct state *st, const char *id, json_t **out);
int engine_show(struct state *st, const char *id, json_t **out);
int engine_history(struct state *st, json_t **out);
int engine_events(struct state *st, const char *id, json_t **out);

/*
 * The steps of rollout id, in order, as an array of objects {number,
 * name, kind, phase, started_ms, ended_ms} (times 0 when unset): what
 * host->rollout_steps walks.  HINGE_EINVAL (logged) for an unknown id.
 */
int engine_steps(struct state *st, const char *id, json_t **out);

/* freeze on|off: no rollout starts or advances while frozen. */
int engine_freeze(struct state *st, int on, const char *reason, json_t **out);

/*
 * Re-rehearse the stored rollback artifacts of rollout id (NULL: of every
 * rollout that can still be rolled back), recording each result and
 * raising an error event for each stale one.  *out is a
 * "hinge.artifacts/1" document.  0, or HINGE_EFAIL when one is stale.
 */
int engine_artifacts_verify(struct state *st, const char *id, json_t **out);

/*
 * The agent calls this every request_poll: it takes over rollouts that
 * no live process executes (started with --detach, or whose executor
 * died), each in a thread of its own with its own state connection, and
 * re-rehearses warm artifacts every rehearse_interval.  st is the
 * daemon's connection (used from the calling thread only).  0 or
 * HINGE_EUNAVAIL.
 */
int engine_daemon_poll(struct state *st);

/*
 * At shutdown (stop already requested): wait up to timeout_ms for the
 * rollouts engine_daemon_poll runs to reach a safe point and end.
 * Returns how many did not: their threads still use plugin code.
 */
size_t engine_daemon_stop(int64_t timeout_ms);

#endif
