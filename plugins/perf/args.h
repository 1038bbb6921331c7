/*
 * args.h - the options of `hinge perf` subcommands.
 */
#ifndef PERF_ARGS_H
#define PERF_ARGS_H

#include <stdint.h>

struct perf_args {
	int64_t since_ms; /* --since DURATION */
	long limit;       /* --limit N: rows per ranking */
	const char *queryid; /* --queryid N (propose), borrowed from argv */
	const char *out;     /* --out FILE (propose), borrowed from argv */
};

/*
 * Parse a duration: a whole number followed by ms, s, m, h or d.
 * Returns 0 and sets *ms, or HINGE_EINVAL.
 */
int perf_duration_parse(const char *text, int64_t *ms);

/*
 * Parse argv[first..argc) as --since D, --limit N, --queryid N and
 * --out FILE into *a, which holds
 * the defaults on entry.  Returns 0, or HINGE_EINVAL with *bad pointing at
 * the argument that is wrong (borrowed from argv).
 */
int perf_args_parse(int argc, char **argv, int first, struct perf_args *a,
		    const char **bad);

#endif
