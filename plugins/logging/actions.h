/*
 * actions.h - the reversible action "logging.sink": enable or disable a
 * sink and set its sample rate, so that turning on Sentry reporting is
 * itself a staged rollout (sample_rate 0.1, then 0.5, then 1).
 *
 *   with = { sink = "sentry"; enabled = true; sample_rate = 0.1; };
 *
 * The artifact is the sink's previous state as JSON; revert restores it
 * (removing the override when there was none).
 */
#ifndef LOGGING_ACTIONS_H
#define LOGGING_ACTIONS_H

#include <stddef.h>

#include <hinge/plugin.h>

struct lg_actions {
	const struct hinge_host *host;
	struct hinge_plugin *p;
	size_t n;               /* configured sinks */
	const char *names[3];   /* their names */
	double rates[3];        /* their configured sample rates */
};

/*
 * Register the action; a (borrowed) must outlive the registration (the
 * plugin's own state).  Returns what register_action returns.
 */
int lg_actions_register(struct lg_actions *a);

#endif
