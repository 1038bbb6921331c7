/*
 * engine_start.c - plan and start: a change file is parsed, resolved and
 * checked by its plugins before anything is recorded; then the rollout,
 * its steps and its lock targets are recorded in one transaction, and
 * this process executes it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/engine_crash.h"
#include "agent/engine_exec.h"
#include "agent/engine_sql.h"
#include "agent/events.h"
#include "agent/log.h"
#include "state/state.h"

/* Parse, resolve and check: error findings refuse the change too. */
static int load_plan(const char *file, struct plan **out)
{
	struct change *ch;
	int rc = change_load(file, &ch);

	*out = NULL;
	if (rc != 0)
		return rc;
	if ((rc = plan_resolve(ch, "", PLAN_CHECK, out)) != 0)
		return rc;
	if (plan_has_error_findings(*out)) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: a step has lint findings of severity error (see rollout plan)", file);
		return HINGE_EINVAL;
	}
	return 0;
}

int engine_plan(const char *file, json_t **out)
{
	struct plan *p = NULL;
	int rc = load_plan(file, &p);

	if (p != NULL) {
		*out = plan_json(p);
		plan_free(p);
	}
	return rc;
}

/* "r" and six base-32 characters: short enough to type, checked unique. */
static void new_id(char id[8])
{
	static const char digits[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char buf[6];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)rand_r(&seed);
	}
	if (fd >= 0)
		close(fd);
	id[0] = 'r';
	for (size_t i = 0; i < sizeof(buf); i++)
		id[i + 1] = digits[buf[i] % 32];
	id[7] = '\0';
}

/* Why this change cannot start now: NULL, or a message (malloc'ed). */
static char *conflict(sqlite3 *db, const struct plan *p)
{
	char *other = NULL, *msg = NULL;

	sql_text(db, &other, "SELECT id || ' (' || state || ')' FROM rollouts WHERE change_id = ?"
		 " AND state NOT IN ('completed', 'rolled_back', 'finalized')", "s", p->ch->id);
	if (other != NULL) {
		if (asprintf(&msg, "change \"%s\" has a rollout that has not ended: %s", p->ch->id, other) < 0)
			msg = NULL;
		free(other);
		return msg;
	}
	for (size_t i = 0; i < p->ch->nsteps && msg == NULL; i++) {
		if (p->steps[i].lock_target == NULL)
			continue;
		sql_text(db, &other, "SELECT rollout_id FROM locks WHERE target = ?", "s", p->steps[i].lock_target);
		if (other != NULL && asprintf(&msg, "target %s is locked by rollout %s",
					      p->steps[i].lock_target, other) < 0)
			msg = NULL;
		free(other);
		other = NULL;
	}
	return msg;
}

static int insert(struct state *st, const struct plan *p, const char *id,
		  const struct engine_opts *o)
{
	sqlite3 *db = state_sqlite(st);
	int64_t now = state_now_ms();
	int rc = sql_run(db,
		"INSERT INTO rollouts (id, change_id, description, file, text, sha256, state, on_failure,"
		" actor, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
		"sssssssssi", id, p->ch->id, p->ch->description, p->ch->file, p->ch->text, p->sha256,
		p->ch->on_failure_pause ? "pause" : "rollback", events_actor(), o->reason, now);

	for (size_t i = 0; rc == 0 && i < p->ch->nsteps; i++) {
		const struct plan_step *ps = &p->steps[i];

		rc = sql_run(db, "INSERT INTO steps (rollout_id, idx, name, kind, action, irreversible, lock_target, inverse)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "sisssiss", id, (int64_t)i, ps->cs->name,
			     change_step_kind_name(ps->cs->kind), ps->cs->action, (int64_t)ps->cs->irreversible,
			     ps->lock_target, ps->inverse);
		if (rc == 0 && ps->lock_target != NULL)
			rc = sql_run(db, "INSERT OR REPLACE INTO locks (target, rollout_id) VALUES (?, ?)", "ss",
				     ps->lock_target, id);
	}
	/* The lease is ours from the start, or the agent could take it. */
	if (rc == 0 && !o->detach)
		rc = lease_insert(st, id);
	if (rc == 0)
		rc = events_raise(st, HINGE_LOG_NOTICE, "rollout.started", "hinge", id,
				  o->detach ? "rollout recorded for the agent" : "rollout started", o->reason, NULL);
	return rc;
}

/* Record the rollout once nothing conflicts, waiting up to lock_wait. */
static int record(struct state *st, const struct plan *p, const struct engine_opts *o, char id[8])
{
	int64_t deadline = state_now_ms() + engine_conf()->lock_wait;

	for (;;) {
		char *why;
		int64_t taken = 1;

		if (state_begin(st) != 0)
			return HINGE_EUNAVAIL;
		why = conflict(state_sqlite(st), p);
		if (why == NULL) {
			while (taken) {
				new_id(id);
				sql_int(state_sqlite(st), &taken, 0, "SELECT count(*) FROM rollouts WHERE id = ?", "s", id);
			}
			if (insert(st, p, id, o) != 0 ||
			    (!o->detach && lease_claim_new(st, id) != 0) || state_commit(st) != 0) {
				state_rollback(st);
				return HINGE_EUNAVAIL;
			}
			return 0;
		}
		state_rollback(st);
		if (state_now_ms() >= deadline || strncmp(why, "change", 6) == 0) {
			hlog(HINGE_LOG_ERROR, "hinge", "%s; nothing was started", why);
			free(why);
			return HINGE_EBUSY;
		}
		free(why);
		usleep((useconds_t)engine_conf()->request_poll * 1000);
	}
}

int engine_start(struct state *st, const char *file, const struct engine_opts *o, char **id)
{
	struct plan *p = NULL;
	char rid[8], *frozen;
	int rc;

	*id = NULL;
	if ((rc = load_plan(file, &p)) != 0) {
		plan_free(p);
		return rc;
	}
	if ((rc = engine_frozen(st, &frozen)) != 0) {
		plan_free(p);
		return rc;
	}
	if (frozen != NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "rollouts are frozen (%s): nothing was started; hinge freeze off lifts it",
		     frozen);
		free(frozen);
		plan_free(p);
		return HINGE_EBUSY;
	}
	rc = record(st, p, o, rid);
	plan_free(p);
	if (rc != 0)
		return rc;
	*id = strdup(rid);
	if (o->obs != NULL && o->obs->transition != NULL)
		o->obs->transition(o->obs->data, rid, NULL, "running", "rollout started");
	crash_point("start.recorded");
	return o->detach ? 0 : exec_run(st, rid, o);
}
