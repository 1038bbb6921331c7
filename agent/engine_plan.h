/*
 * engine_plan.h - a parsed change resolved against the loaded plugins:
 * each action step's registration and checked parameters, each gate
 * condition's metric, and what the action's check() said (findings,
 * inverse, lock target).  `rollout plan` prints it; the executor runs it.
 */
#ifndef HINGE_ENGINE_PLAN_H
#define HINGE_ENGINE_PLAN_H

#include <jansson.h>

#include "agent/engine_change.h"
#include "agent/registry.h"

struct settings;

struct plan_step {
	const struct change_step *cs;
	const struct reg_action *ra;         /* action steps */
	struct settings *params;             /* action steps: `with` checked */
	const struct reg_metric **metrics;   /* gate steps: one per condition */
	char *inverse;                       /* from check(), may be NULL */
	char *lock_target;                   /* from check(), may be NULL */
	json_t *findings;                    /* from check(): an array */
};

struct plan {
	struct change *ch;
	char sha256[65]; /* of ch->text */
	struct plan_step *steps; /* ch->nsteps of them */
};

#define PLAN_CHECK 0x1 /* call every action's check() (plan, start) */

/*
 * Resolve ch, which the plan takes over (also on failure).  Every problem
 * is logged with file:line; returns 0 or HINGE_EINVAL.  rollout_id is
 * what check() sees ("" for plan).  Free *out with plan_free.
 */
int plan_resolve(struct change *ch, const char *rollout_id, unsigned flags,
		 struct plan **out);
void plan_free(struct plan *p);

/* True when a check() reported a finding of severity error. */
int plan_has_error_findings(const struct plan *p);

/* The plan as the document `rollout plan --json` prints (new reference). */
json_t *plan_json(const struct plan *p);

#endif
