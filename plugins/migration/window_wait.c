/*
 * window_wait.c - steps with `window = true` wait for the maintenance
 * window before they take a lock.  The local day and time come from
 * PostgreSQL (now() AT TIME ZONE window_tz): its clock and its time zone
 * database, with no process-wide TZ to set in a threaded agent.  The
 * wait itself is the engine's: apply returns HINGE_ENOTYET with a poll
 * interval, and the engine sleeps, acting on abort and the step timeout,
 * then calls apply again.
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugins/migration/mig.h"
#include "plugins/migration/sqltext.h"
#include "plugins/migration/window.h"

/* The window from the settings: 0, or HINGE_EINVAL with why (naming the key) in err. */
static int window_read(struct mig_ctx *c, struct mig_window *w, char *err, size_t len)
{
	const struct hinge_host *h = c->host;
	const char *days = h->setting_str(c->p, "window_days");
	const char *hours = h->setting_str(c->p, "window_hours");
	char why[200];

	if (mig_window_days(days, &w->days, why, sizeof(why)) != 0) {
		snprintf(err, len, "migration.window_days (%s): %s", h->setting_where(c->p, "window_days"), why);
		return HINGE_EINVAL;
	}
	if (hours == NULL || hours[0] == '\0') {
		snprintf(err, len, "migration.window_hours is not set: a step with window = true needs it");
		return HINGE_EINVAL;
	}
	if (mig_window_hours(hours, &w->start, &w->end, why, sizeof(why)) != 0) {
		snprintf(err, len, "migration.window_hours (%s): %s", h->setting_where(c->p, "window_hours"), why);
		return HINGE_EINVAL;
	}
	return 0;
}

int mig_window_settings_ok(struct mig_ctx *c)
{
	const char *hours = c->host->setting_str(c->p, "window_hours");
	struct mig_window w;
	char err[400];

	/* Unset hours are fine until a step asks for the window. */
	if (hours == NULL || hours[0] == '\0') {
		unsigned days;

		if (mig_window_days(c->host->setting_str(c->p, "window_days"), &days, err, sizeof(err)) == 0)
			return 0;
	}
	if (window_read(c, &w, err, sizeof(err)) == 0)
		return 0;
	c->host->log(c->p, HINGE_LOG_ERROR, "%s", err);
	return HINGE_EINVAL;
}

/* The window of a step with window = true: 0, or HINGE_EINVAL with the step's error. */
static int step_window(struct mig_ctx *c, struct hinge_step *st, struct mig_window *w)
{
	const struct hinge_host *h = c->host;
	char err[400];

	if (!HINGE_HOST_HAS(h, step_retry_after)) {
		h->step_error(st, "step \"%s\": window = true needs an agent with ABI 1.3 or later",
			      h->step_name(st));
		return HINGE_EINVAL;
	}
	if (window_read(c, w, err, sizeof(err)) != 0) {
		h->step_error(st, "step \"%s\": %s", h->step_name(st), err);
		return HINGE_EINVAL;
	}
	return 0;
}

/* pg_timezone_names is slow to read (the whole zone database): at check only. */
int mig_window_check(struct mig_ctx *c, struct hinge_step *st, PGconn *conn)
{
	const struct hinge_host *h = c->host;
	const char *p[1] = { h->setting_str(c->p, "window_tz") };
	struct mig_window w;
	PGresult *r;
	int known, rc;

	if (!h->param_bool(st, "window"))
		return 0;
	if ((rc = step_window(c, st, &w)) != 0)
		return rc;
	if ((r = mig_query(c, st, conn, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names"
			   " WHERE name = $1)", 1, p)) == NULL)
		return HINGE_EUNAVAIL;
	known = mig_truthy(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!known) {
		h->step_error(st, "step \"%s\": migration.window_tz (%s): \"%s\" is not a time zone"
			      " the database knows (pg_timezone_names): an IANA name like Europe/Berlin",
			      h->step_name(st), h->setting_where(c->p, "window_tz"), p[0]);
		return HINGE_EINVAL;
	}
	return 0;
}

int mig_window_wait(struct mig_ctx *c, struct hinge_step *st, PGconn *conn)
{
	const struct hinge_host *h = c->host;
	const char *p[1] = { h->setting_str(c->p, "window_tz") };
	struct mig_window w;
	PGresult *r;
	int open, rc;

	if (!h->param_bool(st, "window"))
		return 0;
	if ((rc = step_window(c, st, &w)) != 0)
		return rc;
	r = mig_query(c, st, conn,
		      "SELECT extract(isodow FROM l)::int, extract(epoch FROM l::time)::int,"
		      " to_char(l, 'Dy HH24:MI:SS') FROM (SELECT now() AT TIME ZONE $1 AS l) n",
		      1, p);
	if (r == NULL)
		return HINGE_EUNAVAIL;
	open = mig_window_open(&w, atoi(PQgetvalue(r, 0, 0)), atoi(PQgetvalue(r, 0, 1)));
	if (!open)
		h->step_retry_after(st, h->setting_ms(c->p, "window_poll"),
				    "waiting for the maintenance window (%s %s %s): it is %s there",
				    h->setting_str(c->p, "window_days"),
				    h->setting_str(c->p, "window_hours"), p[0], PQgetvalue(r, 0, 2));
	PQclear(r);
	return open ? 0 : HINGE_ENOTYET;
}
