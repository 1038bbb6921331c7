/*
 * engine_change.h - a change file (libconfig) parsed into its steps.
 * This is the structure only: durations, conditions, kinds and keys are
 * checked here; actions, metrics and parameters are resolved against the
 * loaded plugins by engine_plan.c.  Every error is logged as
 * "FILE:LINE: KEY: what is wrong".
 */
#ifndef HINGE_ENGINE_CHANGE_H
#define HINGE_ENGINE_CHANGE_H

#include <stdint.h>
#include <libconfig.h>

#include "agent/engine_cond.h"

enum step_kind { STEP_ACTION, STEP_PAUSE, STEP_GATE };

struct change_step {
	char *name;
	unsigned line;
	enum step_kind kind;
	const config_setting_t *group; /* the step's group, in change->cfg */
	/* action */
	char *action;                  /* "plugin.action" */
	const config_setting_t *with;  /* NULL when absent */
	int irreversible;
	int64_t timeout_ms;            /* action, gate; 0: none */
	/* pause */
	int manual;
	int64_t pause_ms;
	/* gate */
	struct cond *conds;
	size_t nconds;
	int64_t bake_ms, interval_ms;
	int64_t failure_limit, inconclusive_limit;
};

struct change {
	char *file;        /* as named on the command line */
	char *text;        /* the exact text parsed */
	config_t cfg;
	char *id;
	char *description;
	int on_failure_pause; /* on_failure = "pause" */
	struct change_step *steps;
	size_t nsteps;
};

/*
 * Parse text (the content of file) into *out, which the caller releases
 * with change_free.  Returns 0, or HINGE_EINVAL after logging every
 * problem found.
 */
int change_parse(const char *file, const char *text, struct change **out);

/* Read the file and parse it: HINGE_EUNAVAIL when it cannot be read. */
int change_load(const char *file, struct change **out);

void change_free(struct change *c);

/* Log "FILE:LINE: KEY: message" for a setting of the change. */
void change_error(const struct change *c, const config_setting_t *s,
		  const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The step kind's name: "action", "pause", "gate". */
const char *change_step_kind_name(enum step_kind k);

#endif
