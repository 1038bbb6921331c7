/*
 * args.c - durations and options of the feedback command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int fb_duration_ms(const char *s, int64_t *ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "", 1000 },
	};
	char *end;
	long long v;
	size_t i;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].ms)
			return -1;
		*ms = v * units[i].ms;
		return 0;
	}
	return -1;
}

int fb_option(int argc, char **argv, int from, const char *name,
	      const char **value)
{
	int i;

	for (i = from; i < argc; i++) {
		if (strcmp(argv[i], name) != 0)
			continue;
		if (i + 1 >= argc)
			return -1;
		*value = argv[i + 1];
		return 1;
	}
	return 0;
}

static int listed(const char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int fb_args_unknown(int argc, char **argv, int from,
		    const char *const *flags, const char *const *opts)
{
	int i;

	for (i = from; i < argc; i++) {
		if (listed(flags, argv[i]))
			continue;
		if (listed(opts, argv[i]) && i + 1 < argc) {
			i++;
			continue;
		}
		return i;
	}
	return 0;
}
