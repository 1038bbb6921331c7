/*
 * actions.c - the logging.sink action.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "actions.h"
#include "sinkcfg.h"

static const struct hinge_setting sink_params[] = {
	{ "sink", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0,
	  "sentry, loggly or file (a sink the configuration sets up)" },
	{ "enabled", HINGE_T_BOOL, 0, "true", 0, 0, "send events to it or not" },
	{ "sample_rate", HINGE_T_DOUBLE, 0, "1", 0, 1,
	  "the share of events spooled for it" },
	{ NULL },
};

/* The configured rate of the step's sink; -1 when it is not configured. */
static double configured(const struct lg_actions *a, struct hinge_step *st)
{
	const char *name = a->host->param_str(st, "sink");
	size_t k;

	for (k = 0; name && k < a->n; k++)
		if (strcmp(name, a->names[k]) == 0)
			return a->rates[k];
	return -1;
}

static void wanted(const struct lg_actions *a, struct hinge_step *st,
		   struct lg_sinkcfg *c)
{
	c->overridden = 1;
	c->enabled = a->host->param_bool(st, "enabled");
	c->sample_rate = a->host->param_double(st, "sample_rate");
}

/* Open the state database, run fn on it, close it. */
static int with_db(const struct lg_actions *a, struct hinge_step *st,
		   int (*fn)(const struct lg_actions *, struct hinge_step *,
			     sqlite3 *))
{
	struct hinge_db *db;
	int rc = a->host->db_open(a->p, &db);

	if (rc < 0) {
		a->host->step_error(st, "the state database cannot be opened");
		return rc;
	}
	rc = fn(a, st, a->host->db_sqlite(db));
	a->host->db_close(db);
	return rc;
}

static int current(const struct lg_actions *a, struct hinge_step *st,
		   sqlite3 *db, struct lg_sinkcfg *c)
{
	int rc = lg_sinkcfg_get(db, a->host->param_str(st, "sink"),
				configured(a, st), c);

	if (rc < 0)
		a->host->step_error(st, "logging_sinks cannot be read");
	return rc;
}

static int check(void *data, struct hinge_step *st)
{
	const struct lg_actions *a = data;
	const char *name = a->host->param_str(st, "sink");
	char text[160], target[96];

	if (configured(a, st) < 0) {
		a->host->step_error(st, "sink \"%s\" is not set up in the logging "
				    "plugin's configuration", name ? name : "");
		return HINGE_EINVAL;
	}
	snprintf(text, sizeof text, "restore sink %s to its state before the step",
		 name);
	snprintf(target, sizeof target, "logging:sink/%s", name);
	a->host->step_inverse(st, text);
	a->host->step_lock_target(st, target);
	return 0;
}

static int do_probe(const struct lg_actions *a, struct hinge_step *st, sqlite3 *db)
{
	struct lg_sinkcfg now, want;
	int rc = current(a, st, db, &now);

	if (rc < 0)
		return rc;
	wanted(a, st, &want);
	return now.overridden && now.enabled == want.enabled &&
	       now.sample_rate == want.sample_rate;
}

static int probe(void *data, struct hinge_step *st)
{
	return with_db(data, st, do_probe);
}

static int do_capture(const struct lg_actions *a, struct hinge_step *st,
		      sqlite3 *db)
{
	struct lg_sinkcfg now;
	char buf[128];
	int rc = current(a, st, db, &now), n;

	if (rc < 0)
		return rc;
	n = snprintf(buf, sizeof buf,
		     "{\"overridden\":%s,\"enabled\":%s,\"sample_rate\":%.17g}",
		     now.overridden ? "true" : "false",
		     now.enabled ? "true" : "false", now.sample_rate);
	return a->host->artifact_set(st, buf, (size_t)n);
}

static int capture(void *data, struct hinge_step *st)
{
	return with_db(data, st, do_capture);
}

/* The artifact back as a state; HINGE_EINVAL when it is not one. */
static int artifact(const struct lg_actions *a, struct hinge_step *st,
		    struct lg_sinkcfg *c)
{
	const void *buf;
	size_t len;
	json_t *o, *ov, *en, *rate;
	int rc = a->host->artifact_get(st, &buf, &len);

	if (rc < 0)
		return rc;
	o = json_loadb(buf, len, 0, NULL);
	ov = json_object_get(o, "overridden");
	en = json_object_get(o, "enabled");
	rate = json_object_get(o, "sample_rate");
	rc = json_is_boolean(ov) && json_is_boolean(en) && json_is_number(rate) &&
	     json_number_value(rate) >= 0 && json_number_value(rate) <= 1 ?
		0 : HINGE_EINVAL;
	if (rc == 0) {
		c->overridden = json_is_true(ov);
		c->enabled = json_is_true(en);
		c->sample_rate = json_number_value(rate);
	} else {
		a->host->step_error(st, "the artifact is not a sink state");
	}
	json_decref(o);
	return rc;
}

/* Proves the artifact restores: it parses into a state. */
static int rehearse(void *data, struct hinge_step *st)
{
	struct lg_sinkcfg c;

	return artifact(data, st, &c);
}

static int do_apply(const struct lg_actions *a, struct hinge_step *st, sqlite3 *db)
{
	struct lg_sinkcfg want;
	int rc;

	wanted(a, st, &want);
	rc = lg_sinkcfg_put(db, a->host->param_str(st, "sink"), &want);
	if (rc < 0)
		a->host->step_error(st, "logging_sinks cannot be written");
	return rc;
}

static int apply(void *data, struct hinge_step *st)
{
	return with_db(data, st, do_apply);
}

static int verify(void *data, struct hinge_step *st)
{
	int rc = probe(data, st);

	if (rc == 0)
		((const struct lg_actions *)data)->host->step_error(st,
			"the sink's state did not take");
	return rc == 1 ? 0 : rc < 0 ? rc : HINGE_EFAIL;
}

static int do_revert(const struct lg_actions *a, struct hinge_step *st, sqlite3 *db)
{
	struct lg_sinkcfg before;
	int rc = artifact(a, st, &before);

	if (rc == 0)
		rc = lg_sinkcfg_put(db, a->host->param_str(st, "sink"), &before);
	return rc;
}

static int revert(void *data, struct hinge_step *st)
{
	return with_db(data, st, do_revert);
}

int lg_actions_register(struct lg_actions *a)
{
	const struct hinge_action act = {
		.name = "sink",
		.params = sink_params,
		.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
		.data = a,
		.check = check,
		.probe = probe,
		.capture = capture,
		.rehearse = rehearse,
		.apply = apply,
		.verify = verify,
		.revert = revert,
	};

	return a->host->register_action(a->p, &act);
}
