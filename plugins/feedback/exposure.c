/*
 * exposure.c - action feedback.exposure: the share of users who see the
 * feedback form, as a row of hinge.flags that hinge.flag_enabled() reads.
 * The artifact is the row as it was (or its absence), so that revert
 * puts back the percentage and the salt, and with them the same users.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "fb.h"

static const struct hinge_setting exposure_params[] = {
	{ "flag", HINGE_T_STRING, 0, "feedback_form", 0, 0,
	  "the flag's name in hinge.flags" },
	{ "percentage", HINGE_T_DOUBLE, HINGE_P_REQUIRED, NULL, 0, 100,
	  "share of users shown the form, 0 to 100" },
	{ NULL },
};

/*
 * Connect, run one parameterised statement and disconnect.  *out gets the
 * result (the caller PQclears it) when out is not NULL.  Returns 0, or a
 * HINGE_E* code with step_error set.
 */
static int exec1(struct fb *fb, struct hinge_step *st, const char *sql, int n,
		 const char *const *v, ExecStatusType want, PGresult **out)
{
	void *conn;
	PGresult *r;
	int rc = fb_pg_open(fb, &conn);

	if (rc < 0) {
		fb->h->step_error(st, "cannot reach the application database (setting conninfo at %s)",
				  fb->h->setting_where(fb->p, "conninfo"));
		return rc;
	}
	r = PQexecParams(conn, sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != want) {
		fb->h->step_error(st, "hinge.flags: %s", PQerrorMessage(conn));
		rc = HINGE_EUNAVAIL;
	}
	PQfinish(conn);
	if (rc == 0 && out != NULL)
		*out = r;
	else
		PQclear(r);
	return rc;
}

/* 1 when the first value of r is true. */
static int is_true(PGresult *r)
{
	return PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
}

static int exposure_check(void *data, struct hinge_step *st)
{
	struct fb *fb = data;
	const char *flag = fb->h->param_str(st, "flag");
	char text[512];
	void *conn;
	int rc;

	rc = fb->h->pg_connect(fb->p, fb->h->setting_str(fb->p, "conninfo"), &conn);
	if (rc < 0) {
		fb->h->step_error(st, "cannot reach the application database (setting conninfo at %s)",
				  fb->h->setting_where(fb->p, "conninfo"));
		return rc;
	}
	snprintf(text, sizeof(text),
		 "set hinge.flags %s back to its percentage and salt before the step (or remove it)",
		 flag);
	fb->h->step_inverse(st, text);
	snprintf(text, sizeof(text), "pg:%s/hinge.flags/%s", PQdb(conn), flag);
	fb->h->step_lock_target(st, text);
	PQfinish(conn);
	return 0;
}

/* Run sql with $1 = the flag and $2 = the percentage parameter. */
static int exec_flag(struct fb *fb, struct hinge_step *st, const char *sql,
		     ExecStatusType want, PGresult **out)
{
	char pct[32];
	const char *v[2] = { fb->h->param_str(st, "flag"), pct };

	snprintf(pct, sizeof(pct), "%.3f", fb->h->param_double(st, "percentage"));
	return exec1(fb, st, sql, 2, v, want, out);
}

static int exposure_probe(void *data, struct hinge_step *st)
{
	PGresult *r;
	int rc = exec_flag(data, st,
			   "SELECT percentage = $2::numeric FROM hinge.flags WHERE name = $1",
			   PGRES_TUPLES_OK, &r);

	if (rc < 0)
		return rc;
	rc = is_true(r);
	PQclear(r);
	return rc;
}

static int exposure_capture(void *data, struct hinge_step *st)
{
	struct fb *fb = data;
	const char *v[1] = { fb->h->param_str(st, "flag") };
	json_t *a;
	PGresult *r;
	char *text;
	int rc;

	rc = exec1(fb, st, "SELECT percentage::text, salt FROM hinge.flags WHERE name = $1",
		   1, v, PGRES_TUPLES_OK, &r);
	if (rc < 0)
		return rc;
	if (PQntuples(r) == 1)
		a = json_pack("{s:s, s:b, s:s, s:s}", "flag", v[0], "existed", 1,
			      "percentage", PQgetvalue(r, 0, 0), "salt",
			      PQgetvalue(r, 0, 1));
	else
		a = json_pack("{s:s, s:b}", "flag", v[0], "existed", 0);
	PQclear(r);
	text = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(a);
	if (text == NULL)
		return HINGE_ENOMEM;
	rc = fb->h->artifact_set(st, text, strlen(text));
	free(text);
	return rc;
}

/* The artifact as JSON; NULL (step_error set) when it is not ours. */
static json_t *artifact(struct fb *fb, struct hinge_step *st)
{
	const void *buf;
	size_t len;
	json_t *a;
	int existed;
	const char *flag, *pct = NULL, *salt = NULL;

	if (fb->h->artifact_get(st, &buf, &len) < 0) {
		fb->h->step_error(st, "the step's artifact cannot be read");
		return NULL;
	}
	a = json_loadb(buf, len, 0, NULL);
	if (a == NULL ||
	    json_unpack(a, "{s:s, s:b, s?:s, s?:s}", "flag", &flag, "existed",
			&existed, "percentage", &pct, "salt", &salt) != 0 ||
	    strcmp(flag, fb->h->param_str(st, "flag")) != 0 ||
	    (existed && (pct == NULL || salt == NULL))) {
		fb->h->step_error(st, "the step's artifact is not a hinge.flags row of flag %s",
				  fb->h->param_str(st, "flag"));
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * Prove revert can run: the artifact parses, its percentage is one the
 * table accepts, and hinge.flags has the columns revert writes.  Reads
 * only: no row of the live table is locked.
 */
static int exposure_rehearse(void *data, struct hinge_step *st)
{
	struct fb *fb = data;
	json_t *a = artifact(fb, st);
	const char *v[1];
	PGresult *r;
	int rc;

	if (a == NULL)
		return HINGE_EFAIL;
	v[0] = json_string_value(json_object_get(a, "percentage"));
	if (v[0] == NULL)
		v[0] = "0";
	rc = exec1(fb, st,
		   "SELECT $1::numeric(6,3) BETWEEN 0 AND 100"
		   " AND (SELECT count(*) FROM pg_attribute WHERE attrelid = 'hinge.flags'::regclass"
		   "      AND attname IN ('name', 'percentage', 'salt') AND NOT attisdropped) = 3",
		   1, v, PGRES_TUPLES_OK, &r);
	json_decref(a);
	if (rc < 0)
		return HINGE_EFAIL;
	rc = is_true(r) ? 0 : HINGE_EFAIL;
	PQclear(r);
	if (rc < 0)
		fb->h->step_error(st, "the artifact cannot be restored into hinge.flags");
	return rc;
}

static int exposure_apply(void *data, struct hinge_step *st)
{
	return exec_flag(data, st,
			 "INSERT INTO hinge.flags (name, percentage, salt)"
			 " VALUES ($1, $2::numeric, gen_random_uuid()::text)"
			 " ON CONFLICT (name) DO UPDATE SET percentage = EXCLUDED.percentage,"
			 " updated_at = now()",
			 PGRES_COMMAND_OK, NULL);
}

static int exposure_verify(void *data, struct hinge_step *st)
{
	struct fb *fb = data;
	int rc = exposure_probe(data, st);

	if (rc == 0)
		fb->h->step_error(st, "hinge.flags %s does not read %.3f",
				  fb->h->param_str(st, "flag"),
				  fb->h->param_double(st, "percentage"));
	return rc == 1 ? 0 : rc == 0 ? HINGE_EFAIL : rc;
}

static int exposure_revert(void *data, struct hinge_step *st)
{
	struct fb *fb = data;
	json_t *a = artifact(fb, st);
	const char *v[3];
	int rc;

	if (a == NULL)
		return HINGE_EFAIL;
	v[0] = json_string_value(json_object_get(a, "flag"));
	v[1] = json_string_value(json_object_get(a, "percentage"));
	v[2] = json_string_value(json_object_get(a, "salt"));
	if (json_is_true(json_object_get(a, "existed")))
		rc = exec1(fb, st,
			   "INSERT INTO hinge.flags (name, percentage, salt)"
			   " VALUES ($1, $2::numeric, $3)"
			   " ON CONFLICT (name) DO UPDATE SET percentage = EXCLUDED.percentage,"
			   " salt = EXCLUDED.salt, updated_at = now()",
			   3, v, PGRES_COMMAND_OK, NULL);
	else
		rc = exec1(fb, st, "DELETE FROM hinge.flags WHERE name = $1", 1, v,
			   PGRES_COMMAND_OK, NULL);
	json_decref(a);
	return rc;
}

int fb_exposure_register(struct fb *fb)
{
	const struct hinge_action a = {
		.name = "exposure",
		.params = exposure_params,
		.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
		.data = fb,
		.check = exposure_check,
		.probe = exposure_probe,
		.capture = exposure_capture,
		.rehearse = exposure_rehearse,
		.apply = exposure_apply,
		.verify = exposure_verify,
		.revert = exposure_revert,
	};

	return fb->h->register_action(fb->p, &a);
}
