/*
 * group.h - grouping recurring errors: a message is normalised (the parts
 * that vary between occurrences replaced by placeholders) and hashed with
 * its source and type into a fingerprint.
 */
#ifndef LOGGING_GROUP_H
#define LOGGING_GROUP_H

#include <stddef.h>

/* Longest normalised message kept, in bytes; the rest is cut. */
#define LG_NORM_MAX 1024

/*
 * Normalise msg: UUIDs become <uuid>, 0x-prefixed and long mixed hex runs
 * <hex>, tokens starting with a digit (numbers, "42ms", dates) <num>,
 * quoted values "<str>" (the quote kept), absolute paths <path>; runs of
 * white space become one space, both ends trimmed.  Returns a malloc'ed
 * string the caller frees, or NULL when out of memory.
 */
char *lg_normalize(const char *msg);

/* Length of a fingerprint in hex, without the NUL. */
#define LG_FP_HEX 64

/*
 * The fingerprint of a group: SHA-256 (libcrypto) of source, type and the
 * normalised message, separated by NUL bytes, written as 64 lower-case hex
 * digits and a NUL into out.  type may be NULL (hashed as "").  Returns 0,
 * or HINGE_ENOMEM when the digest could not be made.
 */
int lg_fingerprint(const char *source, const char *type, const char *norm,
		   char out[LG_FP_HEX + 1]);

#endif
