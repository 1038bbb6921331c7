/*
 * bias.h - the plugin's context, shared by its glue files (plugin.c,
 * audit.c, cmd.c).  Nothing here is exported from the module.
 */
#ifndef BIAS_BIAS_H
#define BIAS_BIAS_H

#include <pthread.h>
#include <stdint.h>

#include <hinge/plugin.h>
#include <jansson.h>

#include "plugins/bias_audit/acc.h"
#include "plugins/bias_audit/results.h"
#include "plugins/bias_audit/source.h"

struct bias {
	const struct hinge_host *h;
	struct hinge_plugin *p;
	struct bias_spec spec;
	struct bias_policy policy;
	const char **attrs; /* spec.attrs: borrowed strings, owned array */
	/* Held by an audit or probe and by reload: the scheduled audit runs
	 * in a job thread while SIGHUP reconfigures in the main one. */
	pthread_mutex_t lock;
};

/*
 * Fill b->spec and b->policy from the plugin's settings (again after a
 * reload).  Returns 0, or HINGE_EINVAL after logging which setting is
 * wrong and where.
 */
int bias_configure(struct bias *b);

/*
 * 0 when an audit or probe has an input: source postgresql, a csv_path,
 * or csv_path given (not NULL); else HINGE_EINVAL, logged.
 */
int bias_has_input(struct bias *b, const char *csv_path);

/*
 * Run one audit of the configured source (or of the CSV file csv_path when
 * not NULL) and store it.  *audit gets the stored document (a new
 * reference, the caller decrefs) whenever one was stored.  Returns 0 on
 * PASS, HINGE_EFAIL on FAIL or INCONCLUSIVE, HINGE_EUNAVAIL when the
 * input could not be reached (stored as INCONCLUSIVE), or another
 * negative code when nothing could be stored.
 */
int bias_audit_run(struct bias *b, const char *csv_path, json_t **audit);

/*
 * Read the configured source (or the CSV file csv_path when not NULL)
 * into the sink; source gets a description ("csv:PATH", "postgresql"),
 * sha the input's SHA-256.  Returns as bias_read_csv and bias_read_pg.
 */
int bias_read_input(struct bias *b, const char *csv_path, const struct bias_sink *to,
		    char *source, size_t srclen, char *sha, char *err, size_t errlen);

/*
 * Run the counterfactual probe on a sample of the configured source (or
 * of csv_path) and store it.  *probe gets the stored document (a new
 * reference) whenever one was stored.  Returns 0 on PASS, HINGE_EFAIL on
 * FAIL or INCONCLUSIVE, HINGE_EUNAVAIL when the input or the model could
 * not be reached (stored as INCONCLUSIVE), HINGE_EINVAL when the probe is
 * not configured (nothing stored), or another negative code.
 */
int bias_probe_run(struct bias *b, const char *csv_path, json_t **probe);

/* The wall clock in Unix milliseconds. */
int64_t bias_now_ms(void);

/* The `audit` command: returns the exit status (0-5). */
int bias_cmd_audit(void *data, struct hinge_command *cmd, int argc, char **argv);

#endif
