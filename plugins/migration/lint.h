/*
 * lint.h - findings on SQL a change runs: each with a stable code, a
 * severity and the safer form.  Codes are never renumbered.
 *   M001 table rewrite        M002 index without CONCURRENTLY
 *   M003 NOT NULL directly    M004 drop without backup
 *   M005 constraint validated under lock
 *   M006 volatile default (found from the catalog by add_column)
 *   M007 UPDATE or DELETE of every row in one statement
 *   M008 drift: history in schema hinge disagrees with the live catalog
 */
#ifndef MIGRATION_LINT_H
#define MIGRATION_LINT_H

#include <hinge/plugin.h>

struct mig_finding {
	const char *code;
	enum hinge_severity severity;
	const char *message;
	const char *hint; /* the safer form */
};

/* The M006 finding, raised by add_column when its default rewrites. */
extern const struct mig_finding mig_finding_volatile_default;

/*
 * Lint sql (text as the operator wrote it; literals, quoted identifiers
 * and comments are ignored) and call fn once per finding, in code order,
 * with arg.  The findings are static.  Returns the number of findings,
 * or HINGE_ENOMEM.
 */
int mig_lint_sql(const char *sql,
		 void (*fn)(void *arg, const struct mig_finding *f), void *arg);

#endif
