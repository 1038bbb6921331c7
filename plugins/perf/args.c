/*
 * args.c - options of `hinge perf` subcommands (see args.h).
 */
#include "plugins/perf/args.h"

#include <hinge/plugin.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int perf_duration_parse(const char *text, int64_t *ms)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		      { "h", 3600000 }, { "d", 86400000 } };
	char *end;
	long long n;

	if (text == NULL || *text < '0' || *text > '9')
		return HINGE_EINVAL;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0)
		return HINGE_EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (n > INT64_MAX / units[i].ms)
			return HINGE_EINVAL;
		*ms = (int64_t)n * units[i].ms;
		return 0;
	}
	return HINGE_EINVAL;
}

int perf_args_parse(int argc, char **argv, int first, struct perf_args *a,
		    const char **bad)
{
	for (int i = first; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		*bad = argv[i];
		if (strcmp(argv[i], "--since") == 0) {
			if (perf_duration_parse(v, &a->since_ms) != 0 ||
			    a->since_ms <= 0)
				return HINGE_EINVAL;
		} else if (strcmp(argv[i], "--limit") == 0) {
			if (v == NULL)
				return HINGE_EINVAL;
			errno = 0;
			a->limit = strtol(v, &end, 10);
			if (errno != 0 || *end != '\0' || end == v ||
			    a->limit <= 0)
				return HINGE_EINVAL;
		} else if (strcmp(argv[i], "--queryid") == 0) {
			if (v == NULL)
				return HINGE_EINVAL;
			errno = 0;
			(void)strtoll(v, &end, 10);
			if (errno != 0 || *end != '\0' || end == v)
				return HINGE_EINVAL;
			a->queryid = v;
		} else if (strcmp(argv[i], "--out") == 0 && v != NULL && *v) {
			a->out = v;
		} else {
			return HINGE_EINVAL;
		}
		i++;
	}
	*bad = NULL;
	return 0;
}
