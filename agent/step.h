/*
 * step.h - the host functions a plugin calls on a step (struct hinge_step,
 * defined by the rollout engine).  host.c puts these into the host table;
 * their meaning is documented there, in hinge/plugin.h.
 */
#ifndef HINGE_STEP_H
#define HINGE_STEP_H

#include <hinge/plugin.h>

const char *step_param_str(struct hinge_step *st, const char *key);
int64_t step_param_int(struct hinge_step *st, const char *key);
double step_param_double(struct hinge_step *st, const char *key);
int step_param_bool(struct hinge_step *st, const char *key);
int64_t step_param_ms(struct hinge_step *st, const char *key);
int step_param_given(struct hinge_step *st, const char *key);
const char *step_name(struct hinge_step *st);
const char *step_rollout(struct hinge_step *st);
void step_error(struct hinge_step *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void step_finding(struct hinge_step *st, const char *code,
		  enum hinge_severity sev, const char *message, const char *hint);
void step_inverse(struct hinge_step *st, const char *text);
void step_lock_target(struct hinge_step *st, const char *target);
void step_progress(struct hinge_step *st, int64_t done, int64_t total);
int step_artifact_set(struct hinge_step *st, const void *buf, size_t len);
int step_artifact_get(struct hinge_step *st, const void **buf, size_t *len);
int step_checkpoint_set(struct hinge_step *st, const char *text);
const char *step_checkpoint_get(struct hinge_step *st);

#endif
