/*
 * args.h - parsing of the feedback command's arguments.
 */
#ifndef FEEDBACK_ARGS_H
#define FEEDBACK_ARGS_H

#include <stdint.h>

/*
 * A duration such as "250ms", "30s", "5m", "2h", "7d" (a bare number is
 * seconds) into *ms.  Returns 0, or -1 when s does not parse, is
 * negative or overflows.
 */
int fb_duration_ms(const char *s, int64_t *ms);

/*
 * Find "--name VALUE" in argv[from..argc): *value borrows argv.  Returns
 * 1 when found, 0 when absent, -1 when the option has no value.
 */
int fb_option(int argc, char **argv, int from, const char *name,
	      const char **value);

/*
 * 0 when every argv[from..argc) (from >= 1) is a known option ("--json" style flags
 * in flags, "--name VALUE" options in opts, both NULL-ended), or the
 * index of the first argument that is not.
 */
int fb_args_unknown(int argc, char **argv, int from,
		    const char *const *flags, const char *const *opts);

#endif
