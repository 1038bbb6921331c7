/*
 * step.c - the host functions a plugin calls on a step.  They only fill
 * or read struct hinge_step; the engine decides what is stored when.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent/config.h"
#include "agent/log.h"
#include "agent/step.h"

static const char *const severity_names[] = {
	[HINGE_SEV_INFO] = "info", [HINGE_SEV_WARNING] = "warning",
	[HINGE_SEV_ERROR] = "error",
};

void step_init(struct hinge_step *st, const char *name, const char *rollout_id,
	       const struct settings *params)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->rollout_id = rollout_id ? rollout_id : "";
	st->params = params;
	st->findings = json_array();
}

void step_clear(struct hinge_step *st)
{
	free(st->error);
	free(st->inverse);
	free(st->lock_target);
	json_decref(st->findings);
	free(st->artifact);
	free(st->checkpoint);
	free(st->retry_why);
	memset(st, 0, sizeof(*st));
}

void step_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void replace(char **slot, const char *text)
{
	free(*slot);
	*slot = text ? strdup(text) : NULL;
}

const char *step_param_str(struct hinge_step *st, const char *key)
{
	return settings_str(st->params, key);
}

int64_t step_param_int(struct hinge_step *st, const char *key)
{
	return settings_int(st->params, key);
}

double step_param_double(struct hinge_step *st, const char *key)
{
	return settings_double(st->params, key);
}

int step_param_bool(struct hinge_step *st, const char *key)
{
	return settings_bool(st->params, key);
}

int64_t step_param_ms(struct hinge_step *st, const char *key)
{
	return settings_ms(st->params, key);
}

int step_param_given(struct hinge_step *st, const char *key)
{
	return settings_given(st->params, key);
}

const char *step_name(struct hinge_step *st)
{
	return st->name;
}

const char *step_rollout(struct hinge_step *st)
{
	return st->rollout_id;
}

void step_error(struct hinge_step *st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	replace(&st->error, buf);
}

void step_finding(struct hinge_step *st, const char *code,
		  enum hinge_severity sev, const char *message, const char *hint)
{
	if (sev < HINGE_SEV_INFO || sev > HINGE_SEV_ERROR)
		sev = HINGE_SEV_ERROR;
	json_array_append_new(st->findings,
			      json_pack("{s:s, s:s, s:s, s:s?}", "code", code ? code : "",
					"severity", severity_names[sev],
					"message", message ? message : "", "hint", hint));
}

void step_inverse(struct hinge_step *st, const char *text)
{
	replace(&st->inverse, text);
}

void step_lock_target(struct hinge_step *st, const char *target)
{
	replace(&st->lock_target, target);
}

void step_progress(struct hinge_step *st, int64_t done, int64_t total)
{
	st->progress_done = done;
	st->progress_total = total;
	if (st->on_progress != NULL)
		st->on_progress(st, st->hook_data);
}

int step_artifact_set(struct hinge_step *st, const void *buf, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return HINGE_ENOMEM;
	if (len > 0) /* an empty artifact may come as NULL */
		memcpy(copy, buf, len);
	free(st->artifact);
	st->artifact = copy;
	st->artifact_len = len;
	step_sha256_hex(copy, len, st->artifact_sha256);
	return 0;
}

int step_artifact_load(struct hinge_step *st, const void *buf, size_t len,
		       const char *sha256_hex)
{
	int rc = step_artifact_set(st, buf, len);

	if (rc == 0 && sha256_hex != NULL)
		snprintf(st->artifact_sha256, sizeof(st->artifact_sha256), "%s", sha256_hex);
	return rc;
}

/* The artifact is checked against its SHA-256 before a plugin uses it. */
int step_artifact_get(struct hinge_step *st, const void **buf, size_t *len)
{
	char sha[65];

	if (st->artifact == NULL) {
		step_error(st, "no rollback artifact was captured for this step");
		return HINGE_EFAIL;
	}
	step_sha256_hex(st->artifact, st->artifact_len, sha);
	if (strcmp(sha, st->artifact_sha256) != 0) {
		step_error(st, "rollback artifact of step \"%s\" fails its SHA-256 check (stored %.12s..., now %.12s...)",
			   st->name, st->artifact_sha256, sha);
		return HINGE_EOPERATOR;
	}
	*buf = st->artifact;
	*len = st->artifact_len;
	return 0;
}

int step_checkpoint_set(struct hinge_step *st, const char *text)
{
	replace(&st->checkpoint, text);
	if (st->on_checkpoint != NULL)
		return st->on_checkpoint(st, st->hook_data);
	return 0;
}

const char *step_checkpoint_get(struct hinge_step *st)
{
	return st->checkpoint;
}

void step_retry_after(struct hinge_step *st, int64_t ms, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	st->retry_ms = ms;
	replace(&st->retry_why, buf);
}
