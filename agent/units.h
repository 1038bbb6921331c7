/*
 * units.h - durations and sizes, parsed in one place.
 * Durations: an integer with ms, s, m, h or d ("250ms", "30s", "5m").
 * Sizes: an integer, optionally with k, M, G (powers of 1024).
 */
#ifndef HINGE_UNITS_H
#define HINGE_UNITS_H

#include <stdint.h>

/* 0, or HINGE_EINVAL when the text is not a duration / size. */
int units_duration_ms(const char *text, int64_t *ms);
int units_size_bytes(const char *text, int64_t *bytes);

/* "1h30m", "250ms": writes at most len bytes. */
void units_format_ms(int64_t ms, char *buf, unsigned len);

#endif
