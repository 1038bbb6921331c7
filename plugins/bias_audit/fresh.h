/*
 * fresh.h - whether a stored audit or probe may answer a gate's metric
 * read.
 */
#ifndef BIAS_FRESH_H
#define BIAS_FRESH_H

#include <stdint.h>

#include <jansson.h>

/*
 * 0 when audit (a stored audit or probe, with "started_ms" and
 * "finished_ms") may be read at now_ms: not older than max_age_ms (0: any
 * age) and, in a rollout (since_ms > 0, the current stage's start),
 * started after the stage began, so that a gate behind a change never
 * reads an audit of the system before it.  HINGE_ENODATA otherwise: the
 * gate's evaluation is inconclusive until a fresh audit runs.
 */
int bias_audit_fresh(const json_t *audit, int64_t now_ms, int64_t max_age_ms, int64_t since_ms);

#endif
