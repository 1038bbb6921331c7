/* lint.c - rules that flag SQL likely to block the table it touches. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/migration/lint.h"

enum { R_REWRITE, R_INDEX, R_NOTNULL, R_DROP, R_VALIDATE, R_ALLROWS, R_COUNT };

static const struct mig_finding rules[R_COUNT] = {
	[R_REWRITE] = { "M001", HINGE_SEV_WARNING,
			"rewrites the table under an ACCESS EXCLUSIVE lock",
			"add a new column, backfill it in batches (migration.backfill), then swap" },
	[R_INDEX] = { "M002", HINGE_SEV_WARNING,
		      "builds an index without CONCURRENTLY, blocking writes for the whole build",
		      "CREATE INDEX CONCURRENTLY (migration.create_index)" },
	[R_NOTNULL] = { "M003", HINGE_SEV_WARNING,
			"adds NOT NULL directly, scanning the table under an ACCESS EXCLUSIVE lock",
			"ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL (migration.set_not_null)" },
	[R_DROP] = { "M004", HINGE_SEV_WARNING,
		     "drops data without a backup to restore it from",
		     "migration.drop_column keeps the column's data for a rollback" },
	[R_VALIDATE] = { "M005", HINGE_SEV_WARNING,
			 "adds a constraint that is checked while the lock is held",
			 "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a second statement" },
	[R_ALLROWS] = { "M007", HINGE_SEV_INFO,
			"updates or deletes every row in one statement, holding their locks to the end",
			"migration.backfill, batched by primary key" },
};

const struct mig_finding mig_finding_volatile_default = {
	"M006", HINGE_SEV_ERROR,
	"the default is volatile: adding the column would rewrite the table",
	"add the column without a default, then fill it with migration.backfill"
};

/* Skip a quoted run starting at s[0] == q; returns the position after it. */
static const char *skip_quoted(const char *s, char q)
{
	for (s++; *s != '\0'; s++) {
		if (*s == q) {
			if (s[1] == q) {
				s++;
				continue;
			}
			return s + 1;
		}
	}
	return s;
}

/* A dollar quote opening at s ("$$" or "$tag$"): its length, or 0. */
static size_t dollar_open(const char *s)
{
	size_t n = 1;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return s[n] == '$' ? n + 1 : 0;
}

static void put_space(char **w, char *start)
{
	if (*w > start && (*w)[-1] != ' ')
		*(*w)++ = ' ';
}

/*
 * Lower case, literals and quoted identifiers emptied, comments dropped,
 * punctuation spaced, white space collapsed, one space at each end: so
 * that a rule is a search for " words ".
 */
static char *normalise(const char *sql)
{
	char *out = malloc(4 * strlen(sql) + 4), *w;
	const char *s = sql;

	if (out == NULL)
		return NULL;
	w = out;
	*w++ = ' ';
	while (*s != '\0') {
		size_t d;

		if (*s == '\'' || *s == '"') {
			char q = *s;

			s = skip_quoted(s, q);
			put_space(&w, out);
			*w++ = q;
			*w++ = q;
			*w++ = ' ';
		} else if (s[0] == '-' && s[1] == '-') {
			while (*s != '\0' && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			s = end ? end + 2 : s + strlen(s);
			put_space(&w, out);
		} else if (*s == '$' && (d = dollar_open(s)) > 0) {
			char tag[64];
			const char *end;

			if (d >= sizeof(tag))
				d = sizeof(tag) - 1;
			memcpy(tag, s, d);
			tag[d] = '\0';
			end = strstr(s + d, tag);
			s = end ? end + d : s + strlen(s);
			put_space(&w, out);
		} else if (isspace((unsigned char)*s)) {
			put_space(&w, out);
			s++;
		} else if (strchr("(),;", *s) != NULL) {
			put_space(&w, out);
			*w++ = *s++;
			*w++ = ' ';
		} else {
			*w++ = (char)tolower((unsigned char)*s++);
		}
	}
	put_space(&w, out);
	*w = '\0';
	return out;
}

static int has(const char *n, const char *words)
{
	return strstr(n, words) != NULL;
}

/*
 * Each statement is judged on its own, so that a WHERE in one does not
 * excuse an UPDATE in the next.
 */
static void judge(const char *n, int hit[R_COUNT])
{
	int alter = has(n, " alter table ");

	if ((alter && has(n, " alter column ") && has(n, " type ")) ||
	    has(n, " vacuum full ") || has(n, " cluster "))
		hit[R_REWRITE] = 1;
	if ((has(n, " create index ") || has(n, " create unique index ")) &&
	    !has(n, " index concurrently "))
		hit[R_INDEX] = 1;
	if (alter && has(n, " set not null "))
		hit[R_NOTNULL] = 1;
	if ((alter && has(n, " drop column ")) || has(n, " drop table "))
		hit[R_DROP] = 1;
	if (alter && (has(n, " foreign key ") || has(n, " references ") ||
		      has(n, " check (")) && !has(n, " not valid "))
		hit[R_VALIDATE] = 1;
	if ((has(n, " update ") || has(n, " delete from ")) && !has(n, " where "))
		hit[R_ALLROWS] = 1;
}

int mig_lint_sql(const char *sql,
		 void (*fn)(void *arg, const struct mig_finding *f), void *arg)
{
	int hit[R_COUNT] = { 0 }, count = 0;
	char *n = normalise(sql), *stmt;

	if (n == NULL)
		return HINGE_ENOMEM;
	for (stmt = n;;) {
		char *semi = strchr(stmt, ';');

		if (semi != NULL)
			*semi = '\0';
		judge(stmt, hit);
		if (semi == NULL)
			break;
		stmt = semi + 1;
	}
	free(n);
	for (int r = 0; r < R_COUNT; r++) {
		if (hit[r]) {
			fn(arg, &rules[r]);
			count++;
		}
	}
	return count;
}
