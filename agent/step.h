/*
 * step.h - struct hinge_step: what a plugin's action callbacks work on.
 * The engine fills it (parameters, the stored artifact and checkpoint)
 * and reads back what the plugin set (error, findings, inverse, lock
 * target, progress, a new artifact).  The functions below are the host
 * table's step members; their meaning is documented in hinge/plugin.h.
 */
#ifndef HINGE_STEP_H
#define HINGE_STEP_H

#include <jansson.h>
#include <hinge/plugin.h>

struct settings;

struct hinge_step {
	const char *name;       /* borrowed from the engine */
	const char *rollout_id; /* "" during plan */
	const struct settings *params;
	char *error;            /* step_error; freed by step_clear */
	char *inverse;
	char *lock_target;
	json_t *findings;       /* [{code, severity, message, hint}] */
	int64_t progress_done, progress_total;
	unsigned char *artifact;
	size_t artifact_len;
	char artifact_sha256[65]; /* hex; set with the artifact */
	char *checkpoint;
	int64_t retry_ms;       /* step_retry_after: apply's HINGE_ENOTYET */
	char *retry_why;
	/* Engine hooks: make a checkpoint durable, show progress. */
	int (*on_checkpoint)(struct hinge_step *st, void *data);
	void (*on_progress)(struct hinge_step *st, void *data);
	void *hook_data;
};

/* Zero st and set its name, rollout and parameters (all borrowed). */
void step_init(struct hinge_step *st, const char *name, const char *rollout_id,
	       const struct settings *params);
/* Free what the step owns. */
void step_clear(struct hinge_step *st);
/* Load a stored artifact with its recorded hex SHA-256 (copied). */
int step_artifact_load(struct hinge_step *st, const void *buf, size_t len,
		       const char *sha256_hex);
/* Hex SHA-256 of buf into out[65]. */
void step_sha256_hex(const void *buf, size_t len, char out[65]);

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
void step_retry_after(struct hinge_step *st, int64_t ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
