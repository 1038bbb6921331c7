/*
 * acc.h - the audit's accumulator: rows in (as text fields under a
 * header), confusion counts per group out.  A group is one value of one
 * attribute, or one combination of values of all attributes (the
 * intersection).  Memory grows with the number of groups, never rows.
 */
#ifndef BIAS_ACC_H
#define BIAS_ACC_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/bias_audit/figures.h"

/* Which columns mean what; the strings are borrowed for the acc's life. */
struct bias_spec {
	const char *const *attrs; /* protected attributes, n_attrs of them */
	size_t n_attrs;
	const char *prediction;   /* a 0/1 decision column, or NULL */
	const char *score;        /* a score column (decision: score >= threshold), or NULL */
	double threshold;
	const char *label;        /* the true outcome 0/1, empty when unknown; or NULL */
	int intersections;        /* also count the combinations of attributes */
	double score_lo, score_hi;/* histogram range of scores, for drift */
	size_t bins;              /* histogram bins (0: no histogram) */
};

struct bias_group {
	size_t dim;        /* attribute index; n_attrs for the intersection */
	char *value;       /* "Female", or "Female, 25-45" for the intersection */
	struct bias_counts c;
};

struct bias_acc;

/* A new accumulator for spec; NULL when out of memory.  Free with bias_acc_free. */
struct bias_acc *bias_acc_new(const struct bias_spec *spec);
void bias_acc_free(struct bias_acc *a);

/*
 * Find the spec's columns in a header row (the first of equal names
 * wins).  Returns 0, or HINGE_EINVAL with a message in err naming the
 * missing column.
 */
int bias_acc_header(struct bias_acc *a, char *const *names, size_t n, char *err, size_t errlen);

/*
 * Count one row (fields in header order).  Returns 0, HINGE_EINVAL with a
 * message naming the row and column of a bad value, or HINGE_ENOMEM.
 */
int bias_acc_row(struct bias_acc *a, char *const *fields, size_t n, uint64_t row,
		 char *err, size_t errlen);

/* Rows counted, and how many had a known outcome. */
uint64_t bias_acc_rows(const struct bias_acc *a);
uint64_t bias_acc_labelled(const struct bias_acc *a);

/* Dimensions: n_attrs, plus one for the intersection when counted. */
size_t bias_acc_dims(const struct bias_acc *a);

/*
 * The groups of dimension dim, sorted by value, in a malloc'ed array of
 * borrowed pointers that the caller frees; *n is their number.  NULL when
 * out of memory.
 */
const struct bias_group **bias_acc_groups(const struct bias_acc *a, size_t dim, size_t *n);

/* The score histogram (spec.bins counts, borrowed), NULL without one. */
const uint64_t *bias_acc_histogram(const struct bias_acc *a);

#endif
