/*
 * ddl.h - the common life of a typed schema action (add_column,
 * create_index, set_not_null ...): each says how to read its parameters,
 * how to tell whether its effect is on a table, the statements that make
 * it and the one that undoes it; ddl.c does the rest the same way for all
 * (check, probe, capture, rehearsal on a copy of the table, apply under
 * an advisory lock after a preflight, verify, revert, history).
 */
#ifndef MIGRATION_DDL_H
#define MIGRATION_DDL_H

#include "plugins/migration/mig.h"

#define DDL_MAX_STMTS 6

/* Statements to run one after another, each malloc'ed. */
struct sqlv {
	char *s[DDL_MAX_STMTS];
	int n;
	int oom; /* a statement could not be made */
};

/* Append a statement made from a format; sets v->oom on failure. */
void sqlv_addf(struct sqlv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sqlv_free(struct sqlv *v);

/* One step of a typed action, during one callback. */
struct ddl {
	struct mig_ctx *c;
	struct hinge_step *st;
	PGconn *conn;
	struct mig_target t;
	const struct ddl_ops *ops;
	void *aux; /* the action's own, from open, freed by close */
};

struct ddl_ops {
	const char *name;
	const struct hinge_setting *params;
	unsigned flags;
	/* Read and check parameters (the table is resolved): 0, or
	 * HINGE_EINVAL with the step's error set. */
	int (*open)(struct ddl *d);
	/* Before the inverse is stored: keep what revert will need (a copy
	 * of data the step destroys); may be NULL. */
	int (*capture)(struct ddl *d);
	/* Extra checks for `plan` (findings; <0 refuses); may be NULL. */
	int (*check)(struct ddl *d);
	/* 1 when the effect is on rel (regclass text), 0 when not; <0 on
	 * error, HINGE_EFAIL when something else of that name is there. */
	int (*state)(struct ddl *d, const char *rel);
	/* The statements that make the change on rel; live = 0 on the
	 * rehearsal's copy, inside a transaction. */
	void (*forward)(struct ddl *d, const char *rel, int live, struct sqlv *out);
	/* The statement that undoes it on rel: malloc'ed, NULL when out of
	 * memory.  Stored as the artifact for the live table. */
	char *(*inverse)(struct ddl *d, const char *rel);
	/* The stored inverse aimed at the rehearsal copy copyrel instead of
	 * the live table: malloc'ed; NULL uses a plain replacement of the
	 * table's name. */
	char *(*for_copy)(struct ddl *d, const char *text, const char *copyrel);
	/* Remove what a forward statement that failed half way left on the
	 * live table (a NOT VALID constraint, an INVALID index); may be NULL.
	 * Runs when apply fails, and with cleanup_on_retry also before each
	 * retry of the last forward statement whose lock was not granted. */
	void (*cleanup)(struct ddl *d);
	int cleanup_on_retry;
	void (*close)(struct ddl *d);
};

/* Register ops as action ops->name; c keeps the registration's data. */
int mig_ddl_register(struct mig_ctx *c, const struct ddl_ops *ops);

/* "d's step" error helper: "step \"NAME\": " + message. */
void ddl_error(struct ddl *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first line of the connection's last error, into buf. */
const char *ddl_pq_error(struct ddl *d, char *buf, size_t len);

/* The index of name idx on rel: 1 valid, 0 absent, 2 INVALID, <0. */
int ddl_index_state(struct ddl *d, const char *rel, const char *idx);

/*
 * The constraint name on rel: its type ('c', 'f' ...) in *type and 1
 * when validated, 2 when NOT VALID, 0 when absent, <0 on error.
 */
int ddl_constraint_state(struct ddl *d, const char *rel, const char *name, char *type);

/*
 * The state of a constraint an action adds, for its ops->state: 1 when
 * validated, 0 when absent or NOT VALID (a leftover apply replaces);
 * HINGE_EFAIL when name is a constraint of another type than type
 * (the step's error calls it "not WHAT"), <0 on error.
 */
int ddl_added_constraint_state(struct ddl *d, const char *rel, const char *name,
			       const char *qname, char type, const char *what);

/*
 * Drop constraint name (quoted: qname) of type from the live table when
 * it is there NOT VALID: what a validation that failed leaves behind.
 */
void ddl_drop_not_valid(struct ddl *d, const char *name, const char *qname, char type);

/* "ALTER TABLE rel DROP CONSTRAINT IF EXISTS qname", malloc'ed; NULL when out of memory. */
char *ddl_drop_constraint_sql(const char *rel, const char *qname);

/* The typed actions. */
extern const struct ddl_ops mig_add_column_ops;
extern const struct ddl_ops mig_create_index_ops;
extern const struct ddl_ops mig_drop_index_ops;
extern const struct ddl_ops mig_set_not_null_ops;
extern const struct ddl_ops mig_drop_not_null_ops;
extern const struct ddl_ops mig_add_check_ops;
extern const struct ddl_ops mig_add_foreign_key_ops;
extern const struct ddl_ops mig_drop_column_ops;

#endif
