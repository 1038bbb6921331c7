/*
 * probe.h - the counterfactual probe's pure parts: a fixed-seed sample of
 * rows, a record turned into the model's request with the protected
 * attribute swapped, and the score found in the model's answer.
 */
#ifndef BIAS_PROBE_H
#define BIAS_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct bias_sample;

/* A reservoir of up to k rows, chosen with a fixed seed (reproducible).
 * NULL when out of memory; free with bias_sample_free. */
struct bias_sample *bias_sample_new(size_t k, uint64_t seed);
void bias_sample_free(struct bias_sample *s);

/* Sink callbacks (struct bias_sink, arg = the sample): keep the header
 * and a copy of each row chosen. */
int bias_sample_header(void *s, char *const *names, size_t n, char *err, size_t errlen);
int bias_sample_row(void *s, char *const *fields, size_t n, uint64_t row, char *err,
		    size_t errlen);

/* The rows kept, their width, the header, and row i's fields and number
 * (all borrowed from the sample). */
size_t bias_sample_size(const struct bias_sample *s);
size_t bias_sample_width(const struct bias_sample *s);
char *const *bias_sample_names(const struct bias_sample *s);
char *const *bias_sample_fields(const struct bias_sample *s, size_t i);
uint64_t bias_sample_rowno(const struct bias_sample *s, size_t i);

/*
 * The model's request for one record: a deep copy of tmpl in which every
 * string "{{column}}" becomes that column's value and "{{column:number}}"
 * the value as a number; the column named attr reads as `value` instead
 * of its own.  A new reference, or NULL with a message in err when a
 * column is unknown or a number does not parse.
 */
json_t *bias_probe_request(const json_t *tmpl, char *const *names, char *const *fields,
			   size_t n, const char *attr, const char *value, char *err,
			   size_t errlen);

/*
 * The number at a dotted path ("result.scores.0") of answer.  Returns 0,
 * or HINGE_EINVAL with a message in err when the path does not lead to a
 * number.
 */
int bias_probe_score(const json_t *answer, const char *path, double *out, char *err,
		     size_t errlen);

#endif
