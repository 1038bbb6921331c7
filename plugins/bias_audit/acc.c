/*
 * acc.c - counting rows into groups, in an open-addressing hash table
 * keyed by dimension and value.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/acc.h"

struct bias_acc {
	struct bias_spec spec;
	size_t *attr_col;     /* column index of each attribute */
	size_t pred_col, score_col, label_col, width;
	struct bias_group *slots;
	size_t cap, used;
	uint64_t rows, labelled;
	uint64_t *hist;
	char *key;            /* scratch for the intersection's value */
	size_t key_cap;
};

#define NONE ((size_t)-1)

struct bias_acc *bias_acc_new(const struct bias_spec *spec)
{
	struct bias_acc *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->spec = *spec;
	a->cap = 64;
	a->attr_col = calloc(spec->n_attrs ? spec->n_attrs : 1, sizeof(*a->attr_col));
	a->slots = calloc(a->cap, sizeof(*a->slots));
	a->hist = spec->bins ? calloc(spec->bins, sizeof(*a->hist)) : NULL;
	if (a->attr_col == NULL || a->slots == NULL || (spec->bins && a->hist == NULL)) {
		bias_acc_free(a);
		return NULL;
	}
	return a;
}

void bias_acc_free(struct bias_acc *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->cap && a->slots != NULL; i++)
		free(a->slots[i].value);
	free(a->slots);
	free(a->attr_col);
	free(a->hist);
	free(a->key);
	free(a);
}

static size_t find_col(char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return i;
	return NONE;
}

static int need_col(char *const *names, size_t n, const char *want, const char *what,
		    size_t *out, char *err, size_t errlen)
{
	*out = NONE;
	if (want == NULL)
		return 0;
	*out = find_col(names, n, want);
	if (*out == NONE) {
		snprintf(err, errlen, "column \"%s\" (%s) is not in the header", want, what);
		return HINGE_EINVAL;
	}
	return 0;
}

int bias_acc_header(struct bias_acc *a, char *const *names, size_t n, char *err, size_t errlen)
{
	int rc;

	a->width = n;
	for (size_t i = 0; i < a->spec.n_attrs; i++)
		if ((rc = need_col(names, n, a->spec.attrs[i], "attributes", &a->attr_col[i],
				   err, errlen)) != 0)
			return rc;
	if ((rc = need_col(names, n, a->spec.prediction, "prediction_column", &a->pred_col,
			   err, errlen)) != 0 ||
	    (rc = need_col(names, n, a->spec.score, "score_column", &a->score_col,
			   err, errlen)) != 0)
		return rc;
	return need_col(names, n, a->spec.label, "label_column", &a->label_col, err, errlen);
}

static uint64_t hash(size_t dim, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ dim;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int grow(struct bias_acc *a)
{
	size_t ncap = a->cap * 2;
	struct bias_group *n = calloc(ncap, sizeof(*n));

	if (n == NULL)
		return HINGE_ENOMEM;
	for (size_t i = 0; i < a->cap; i++) {
		size_t j;

		if (a->slots[i].value == NULL)
			continue;
		j = hash(a->slots[i].dim, a->slots[i].value) & (ncap - 1);
		while (n[j].value != NULL)
			j = (j + 1) & (ncap - 1);
		n[j] = a->slots[i];
	}
	free(a->slots);
	a->slots = n;
	a->cap = ncap;
	return 0;
}

/* The group of (dim, value), made when new; NULL when out of memory. */
static struct bias_group *group(struct bias_acc *a, size_t dim, const char *value)
{
	size_t i;

	if (a->used * 2 >= a->cap && grow(a) != 0)
		return NULL;
	i = hash(dim, value) & (a->cap - 1);
	while (a->slots[i].value != NULL) {
		if (a->slots[i].dim == dim && strcmp(a->slots[i].value, value) == 0)
			return &a->slots[i];
		i = (i + 1) & (a->cap - 1);
	}
	if ((a->slots[i].value = strdup(value)) == NULL)
		return NULL;
	a->slots[i].dim = dim;
	a->used++;
	return &a->slots[i];
}

/* 0 or 1 from "0"/"1"/"false"/"true"; -1 otherwise. */
static int parse_bool(const char *s)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "t") == 0)
		return 1;
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "f") == 0)
		return 0;
	return -1;
}

static int parse_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

static int bad_value(char *err, size_t errlen, uint64_t row, const char *col,
		     const char *value, const char *want)
{
	snprintf(err, errlen, "row %llu: column \"%s\": \"%.40s\" is not %s",
		 (unsigned long long)row, col, value, want);
	return HINGE_EINVAL;
}

static void histogram(struct bias_acc *a, double score)
{
	double span = a->spec.score_hi - a->spec.score_lo;
	double pos = span > 0 ? (score - a->spec.score_lo) / span : 0;
	size_t bin = pos <= 0 ? 0 : (size_t)(pos * (double)a->spec.bins);

	a->hist[bin < a->spec.bins ? bin : a->spec.bins - 1]++;
}

/* The decision and outcome of a row: 0, or an error naming the value. */
static int decide(struct bias_acc *a, char *const *f, uint64_t row, int *sel, int *label,
		  char *err, size_t errlen)
{
	double score;

	if (a->pred_col != NONE) {
		if ((*sel = parse_bool(f[a->pred_col])) < 0)
			return bad_value(err, errlen, row, a->spec.prediction, f[a->pred_col], "0 or 1");
	}
	if (a->score_col != NONE) {
		if (parse_number(f[a->score_col], &score) != 0)
			return bad_value(err, errlen, row, a->spec.score, f[a->score_col], "a number");
		if (a->pred_col == NONE)
			*sel = score >= a->spec.threshold;
		if (a->hist != NULL)
			histogram(a, score);
	}
	*label = -1;
	if (a->label_col != NONE && f[a->label_col][0] != '\0' &&
	    (*label = parse_bool(f[a->label_col])) < 0)
		return bad_value(err, errlen, row, a->spec.label, f[a->label_col],
				 "0, 1 or empty");
	return 0;
}

static void count(struct bias_counts *c, int sel, int label)
{
	c->n++;
	c->sel += (uint64_t)sel;
	if (label == 1) {
		c->tp += (uint64_t)sel;
		c->fn += (uint64_t)!sel;
	} else if (label == 0) {
		c->fp += (uint64_t)sel;
		c->tn += (uint64_t)!sel;
	}
}

/* The intersection's value: the attributes' values joined by ", ". */
static const char *joined(struct bias_acc *a, char *const *f)
{
	size_t len = 1;

	for (size_t i = 0; i < a->spec.n_attrs; i++)
		len += strlen(f[a->attr_col[i]]) + 2;
	if (len > a->key_cap) {
		char *k = realloc(a->key, len);

		if (k == NULL)
			return NULL;
		a->key = k;
		a->key_cap = len;
	}
	a->key[0] = '\0';
	for (size_t i = 0; i < a->spec.n_attrs; i++) {
		if (i > 0)
			strcat(a->key, ", ");
		strcat(a->key, f[a->attr_col[i]]);
	}
	return a->key;
}

int bias_acc_row(struct bias_acc *a, char *const *f, size_t n, uint64_t row,
		 char *err, size_t errlen)
{
	struct bias_group *g;
	int sel = 0, label, rc;

	if (n != a->width) {
		snprintf(err, errlen, "row %llu: %zu fields where the header has %zu",
			 (unsigned long long)row, n, a->width);
		return HINGE_EINVAL;
	}
	if ((rc = decide(a, f, row, &sel, &label, err, errlen)) != 0)
		return rc;
	for (size_t i = 0; i < a->spec.n_attrs; i++) {
		if ((g = group(a, i, f[a->attr_col[i]])) == NULL)
			return HINGE_ENOMEM;
		count(&g->c, sel, label);
	}
	if (bias_acc_dims(a) > a->spec.n_attrs) {
		const char *k = joined(a, f);

		if (k == NULL || (g = group(a, a->spec.n_attrs, k)) == NULL)
			return HINGE_ENOMEM;
		count(&g->c, sel, label);
	}
	a->rows++;
	a->labelled += label >= 0;
	return 0;
}

uint64_t bias_acc_rows(const struct bias_acc *a) { return a->rows; }
uint64_t bias_acc_labelled(const struct bias_acc *a) { return a->labelled; }

size_t bias_acc_dims(const struct bias_acc *a)
{
	return a->spec.n_attrs + (a->spec.intersections && a->spec.n_attrs > 1);
}

const uint64_t *bias_acc_histogram(const struct bias_acc *a)
{
	return a->hist;
}

static int by_value(const void *x, const void *y)
{
	return strcmp((*(const struct bias_group *const *)x)->value,
		      (*(const struct bias_group *const *)y)->value);
}

const struct bias_group **bias_acc_groups(const struct bias_acc *a, size_t dim, size_t *n)
{
	const struct bias_group **out = malloc((a->used + 1) * sizeof(*out));

	*n = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < a->cap; i++)
		if (a->slots[i].value != NULL && a->slots[i].dim == dim)
			out[(*n)++] = &a->slots[i];
	qsort(out, *n, sizeof(*out), by_value);
	return out;
}
