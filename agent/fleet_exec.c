/*
 * fleet_exec.c - what an agent does with its fleet assignments: run the
 * change of an open wave as an ordinary local rollout (local journal,
 * local artifacts, the same kill-safety), report the outcome, and roll
 * back its own rollout when the fleet rollout is aborted or rolled back.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "agent/engine.h"
#include "agent/fleet.h"
#include "agent/fleet_exec.h"
#include "agent/fleet_gate.h"
#include "agent/fleet_once.h"
#include "agent/fleet_pg.h"
#include "agent/host.h"
#include "agent/log.h"
#include "state/state.h"

struct fleet_runner {
	struct fleet_work work;
	const struct settings *fleet;
	struct state *st;
	PGconn *pg;         /* during a run, for the observer */
	const char *rollout;
	int recorded;       /* the local rollout's id is in the fleet tables */
};

static int set_assignment(PGconn *c, const char *rollout, const char *host,
			  const char *state, const char *local, const char *detail)
{
	const char *p[5] = { rollout, host, state, local, detail };

	return fleet_exec(c, "UPDATE hinge.fleet_assignments SET state = $3,"
			  " local_rollout = coalesce($4, local_rollout), detail = $5, updated_at = now()"
			  " WHERE rollout_id = $1 AND host_id = $2", 5, p);
}

/* The engine names the local rollout at its first transition: record it. */
static void on_transition(void *data, const char *rollout, const char *step,
			  const char *phase, const char *message)
{
	struct fleet_runner *x = data;
	const char *p[3];

	(void)message;
	if (!x->recorded && rollout != NULL) {
		p[0] = x->rollout;
		p[1] = fleet_host_id(x->fleet);
		p[2] = rollout;
		x->recorded = fleet_exec(x->pg, "UPDATE hinge.fleet_assignments SET local_rollout = $3"
					 " WHERE rollout_id = $1 AND host_id = $2", 3, p) == 0;
	}
	hlog(HINGE_LOG_INFO, "fleet", "%s: %s%s%s", rollout ? rollout : "", step ? step : "",
	     step ? " " : "", phase ? phase : "");
}

/* The change text, kept beside the state database for the engine to read. */
static int write_change(struct fleet_runner *x, const char *id, const char *text,
			char *path, size_t len)
{
	char *copy = strdup(state_path(x->st));
	ssize_t n = (ssize_t)strlen(text);
	int fd;

	if (copy == NULL)
		return HINGE_ENOMEM;
	snprintf(path, len, "%s/fleet-%s.conf", dirname(copy), id);
	free(copy);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n) {
		hlog(HINGE_LOG_ERROR, "fleet", "cannot write \"%s\": %m", path);
		if (fd >= 0)
			close(fd);
		return HINGE_EUNAVAIL;
	}
	close(fd);
	return 0;
}

/*
 * The outcome of a local rollout that has already ended (the agent may
 * have finished it after a restart): 0 completed, HINGE_EFAIL rolled
 * back or failed, 1 still going, 2 still going in another thread (the
 * agent's takeover): look again next round.
 */
static int local_outcome(struct state *st, const char *local)
{
	json_t *doc = NULL;
	const char *state;
	int rc = 1;

	if (engine_status(st, local, &doc) != 0)
		return 1;
	state = json_string_value(json_object_get(json_object_get(doc, "rollout"), "state"));
	if (state != NULL && strcmp(state, "completed") == 0)
		rc = 0;
	else if (state != NULL && (strcmp(state, "rolled_back") == 0 || strcmp(state, "finalized") == 0))
		rc = HINGE_EFAIL;
	else if (!json_is_null(json_object_get(json_object_get(doc, "rollout"), "executor")) &&
		 json_object_get(json_object_get(doc, "rollout"), "executor") != NULL)
		rc = 2;
	json_decref(doc);
	return rc;
}

/*
 * The local rollout started from path, when the agent died before it
 * could record its id in the fleet tables: the newest one of that file.
 */
static char *find_local(struct state *st, const char *path)
{
	json_t *doc = NULL, *r;
	char *id = NULL;
	size_t i;

	if (engine_history(st, &doc) != 0)
		return NULL;
	json_array_foreach(json_object_get(doc, "rollouts"), i, r) {
		const char *file = json_string_value(json_object_get(r, "file"));

		if (file != NULL && strcmp(file, path) == 0) {
			free(id);
			id = strdup(json_string_value(json_object_get(r, "id")));
		}
	}
	json_decref(doc);
	return id;
}

static void run_one(struct fleet_runner *x, PGconn *c, const char *id, const char *text,
		    const char *state, const char *local)
{
	struct engine_observer obs = { .transition = on_transition, .data = x };
	struct engine_opts o = { .reason = "fleet rollout", .obs = &obs };
	const char *host = fleet_host_id(x->fleet);
	char path[4300], detail[64], *lid = NULL;
	int rc;

	x->pg = c;
	x->rollout = id;
	x->recorded = local != NULL;
	if (write_change(x, id, text, path, sizeof(path)) != 0)
		return;
	if (strcmp(state, "running") == 0 && local == NULL)
		local = lid = find_local(x->st, path);
	if (strcmp(state, "running") == 0 && local != NULL) {
		/* We died while running it: it may have ended since, or resume. */
		if (lid == NULL)
			lid = strdup(local);
		rc = local_outcome(x->st, local);
		if (rc == 2) {
			free(lid);
			return;
		}
		if (rc == 1)
			rc = engine_request(x->st, local, "resume", &o);
		if (rc == HINGE_EINVAL)
			rc = local_outcome(x->st, local);
	} else {
		rc = engine_start(x->st, path, &o, &lid);
	}
	if (rc == 0) {
		set_assignment(c, id, host, "completed", lid, NULL);
	} else {
		snprintf(detail, sizeof(detail), "local rollout %s ended with exit %d",
			 lid ? lid : "(none)", rc == HINGE_EFAIL ? 1 : rc == HINGE_EINVAL ? 2 :
			 rc == HINGE_EBUSY ? 3 : rc == HINGE_EOPERATOR ? 4 : 5);
		set_assignment(c, id, host, "failed", lid, detail);
	}
	fleet_event(c, id, host, rc == 0 ? "host-completed" : "host-failed", rc == 0 ? "completed" : detail);
	free(lid);
	fleet_advance(c, id);
}

/* Claim a pending assignment: 1 when this host won it. */
static int claim(PGconn *c, const char *const *p)
{
	PGresult *r = fleet_q(c, "UPDATE hinge.fleet_assignments SET state = 'running',"
			      " updated_at = now() WHERE rollout_id = $1 AND host_id = $2"
			      " AND state = 'pending' RETURNING host_id", 2, p);
	int mine = r != NULL && PQntuples(r) == 1;

	PQclear(r);
	return mine;
}

/* Claim and run this host's assignments in open waves. */
static int run_waves(struct fleet_runner *x, PGconn *c)
{
	const char *p[1] = { fleet_host_id(x->fleet) };
	PGresult *r = fleet_q(c, "SELECT a.rollout_id, r.change_text, a.state, a.local_rollout,"
			      " a.wave, r.run_once, r.once_host"
			      " FROM hinge.fleet_assignments a JOIN hinge.fleet_rollouts r ON r.id = a.rollout_id"
			      " WHERE a.host_id = $1 AND r.state = 'running' AND a.wave <= r.current_wave"
			      " AND a.state IN ('pending', 'running') ORDER BY r.created_at", 1, p);

	if (r == NULL)
		return HINGE_EUNAVAIL;
	for (int i = 0; i < PQntuples(r) && !host_stop_requested(); i++) {
		const char *id = PQgetvalue(r, i, 0), *state = PQgetvalue(r, i, 2);
		const char *local = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
		const char *q[2] = { id, p[0] };

		if (PQgetvalue(r, i, 5)[0] == 't') {
			if (fleet_once_claim(c, id, p[0], atoi(PQgetvalue(r, i, 4)), state,
					     PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6)) != FLEET_ONCE_RUN)
				continue;
			run_one(x, c, id, PQgetvalue(r, i, 1), state, local);
			fleet_once_release(c);
			continue;
		}
		if (strcmp(state, "pending") == 0 && !claim(c, q))
			continue;
		run_one(x, c, id, PQgetvalue(r, i, 1), state, local);
	}
	PQclear(r);
	return 0;
}

/* Roll back what this host applied of an aborted or rolled-back rollout. */
static int unwind(struct fleet_runner *x, PGconn *c)
{
	const char *host = fleet_host_id(x->fleet);
	const char *p[1] = { host };
	PGresult *r = fleet_q(c, "SELECT a.rollout_id, a.local_rollout FROM hinge.fleet_assignments a"
			      " JOIN hinge.fleet_rollouts r ON r.id = a.rollout_id"
			      " WHERE a.host_id = $1 AND r.state IN ('aborting', 'rolling_back')"
			      " AND a.state IN ('completed', 'running')", 1, p);

	if (r == NULL)
		return HINGE_EUNAVAIL;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = PQgetvalue(r, i, 0);
		const char *local = PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);
		struct engine_opts o = { .reason = "fleet rollback" };
		int rc = 0;

		if (local != NULL) {
			rc = engine_request(x->st, local, "rollback", &o);
			if (rc == HINGE_EINVAL) /* not completed: stop it where it is */
				rc = engine_request(x->st, local, "abort", &o);
		}
		set_assignment(c, id, host, rc == 0 ? "rolled_back" : "failed", NULL,
			       rc == 0 ? NULL : "its rollback did not complete; see hinge rollout status");
		fleet_event(c, id, host, "host-rolled-back", rc == 0 ? "rolled back" : "rollback failed");
		fleet_advance(c, id);
	}
	PQclear(r);
	return 0;
}

static int work_run(struct fleet_work *w, PGconn *c)
{
	struct fleet_runner *x = w->data;
	int rc = unwind(x, c);

	if (rc == 0)
		rc = run_waves(x, c);
	return rc != 0 ? rc : fleet_gate_publish(c, fleet_host_id(x->fleet));
}

struct fleet_work *fleet_exec_new(const struct settings *fleet, const char *state_db)
{
	struct fleet_runner *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	if (state_open(state_db, 0, &x->st) != 0) {
		free(x);
		return NULL;
	}
	x->fleet = fleet;
	x->work.run = work_run;
	x->work.data = x;
	return &x->work;
}

void fleet_exec_free(struct fleet_work *w)
{
	struct fleet_runner *x;

	if (w == NULL)
		return;
	x = w->data;
	state_close(x->st);
	free(x);
}
