/*
 * host_standin.h - the host stand-in the migration plugin's tests
 * drive its actions and metric through (host_standin.c); the
 * feedback plugin's exposure test drives its action through it too.
 */
#ifndef HOST_STANDIN_H
#define HOST_STANDIN_H

#include <libpq-fe.h>

#include <hinge/plugin.h>

struct kv {
	const char *key, *value;
};

/* A step: its action, its `with` (ends with { NULL }) and what it set. */
struct hinge_step {
	const struct hinge_action *action;
	const struct kv *params;
	char error[1024];
	char inverse[1024];
	char lock[512];
	char findings[256]; /* codes, "M002 M004 " */
	unsigned char *artifact;
	size_t artifact_len;
	char checkpoint[128];
	int64_t progress_done, progress_total;
	int64_t retry_ms; /* step_retry_after, with why */
	char retry_why[512];
};

/* The plugin's conninfo setting: the test database. */
extern char mh_conninfo[512];

/* Make database dbname afresh, run fixture in it, init the plugin: 0 or -1. */
int mh_setup(const char *dbname, const char *fixture);
void mh_teardown(void);
/* Init the plugin against an existing database: 0 or <0. */
int mh_attach(const char *conninfo);
/* host->stopping turns true after n more calls (-1: never). */
void mh_stop_after(int n);
/* Change a plugin setting (value is borrowed). */
void mh_setting_set(const char *key, const char *value);

/* A step of action name with params (borrowed); free with mh_step_free. */
struct hinge_step mh_step(const char *name, const struct kv *params);
void mh_step_free(struct hinge_step *st);
const struct hinge_action *mh_action(const char *name);
/* Replace the step's artifact, as a corrupt or stale one would. */
int mh_artifact_set(struct hinge_step *st, const void *buf, size_t len);

/* Call a callback of the step's action. */
#define CALL(st, cb) ((st)->action->cb((st)->action->data, (st)))

/* check, probe (0), capture, rehearse, apply, verify: 0 when each
 * succeeded, else the first failure's code. */
int mh_forward(struct hinge_step *st);

/* A new connection to the test database; the test PQfinishes it. */
PGconn *mh_db(void);
/* Run sql or fail the test. */
void mh_sql_ok(PGconn *c, const char *sql);
/* The first value of a query, in a static buffer. */
const char *mh_value(const char *sql);
/* A session that ran lock_sql in a transaction it keeps open. */
PGconn *mh_blocker(const char *lock_sql);
/* Read migration.lock_waiters with label table (NULL: none). */
int mh_metric_read(const char *table, double *out);

#endif
