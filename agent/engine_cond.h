/*
 * engine_cond.h - gate conditions: METRIC[{label="value",...}] OP NUMBER,
 * OP one of < <= > >= == !=.  Pure: no registry, no I/O.
 */
#ifndef HINGE_ENGINE_COND_H
#define HINGE_ENGINE_COND_H

#include <stddef.h>

enum cond_op { COND_LT, COND_LE, COND_GT, COND_GE, COND_EQ, COND_NE };

struct cond {
	char *metric;  /* "logging.error_rate" */
	char **labels; /* key, value, key, value, ..., NULL */
	enum cond_op op;
	double value;
};

/*
 * Parse text into *out (fields owned by *out, release with cond_free).
 * Returns 0, or HINGE_EINVAL with a lower-case reason in err (at most
 * errlen bytes) and *out left empty.
 */
int cond_parse(const char *text, struct cond *out, char *err, size_t errlen);
void cond_free(struct cond *c);

/* 1 when `value OP c->value` holds, else 0. */
int cond_holds(const struct cond *c, double value);

/* The operator's text ("<=") for messages. */
const char *cond_op_name(enum cond_op op);

#endif
