/*
 * engine_crash.h - the named points where the process may die during a
 * rollout, in one table, and the test hook that kills it there:
 * HINGE_CRASH_AT=NAME (or NAME:N for the Nth time the point is reached)
 * makes crash_point(NAME) raise SIGKILL.
 */
#ifndef HINGE_ENGINE_CRASH_H
#define HINGE_ENGINE_CRASH_H

#include <stddef.h>

/* Every point, NULL-terminated, in the order a rollout meets them. */
extern const char *const crash_points[];

/* Die here when HINGE_CRASH_AT names this point (and its count is due). */
void crash_point(const char *name);

#endif
