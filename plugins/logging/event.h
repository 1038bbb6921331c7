/*
 * event.h - turning what a source captured into a spooled event: scrub,
 * normalise, fingerprint, fix the event id, and write the body that every
 * sink formats from.
 */
#ifndef LOGGING_EVENT_H
#define LOGGING_EVENT_H

#include <stdint.h>

#include <jansson.h>

#include "group.h"

/* What a source captured; every pointer is borrowed and may be NULL but
 * source and message. */
struct lg_raw {
	int64_t time_ms;
	int level;           /* enum hinge_log_level */
	const char *source;  /* "agent", "rollout", "pg", "file" */
	const char *type;    /* event kind, task type, file name */
	const char *message;
	const char *rollout; /* rollout id */
	const char *host;    /* this host's name */
	json_t *detail;      /* copied and scrubbed; an object or NULL */
};

/* A built event; lg_built_free releases what it holds. */
struct lg_built {
	char event_id[33];
	char fingerprint[LG_FP_HEX + 1];
	int64_t time_ms;
	int level;
	char *message;    /* scrubbed, made valid UTF-8 */
	const char *source; /* raw's source and type, valid UTF-8: raw's own */
	const char *type;   /* or the repaired copies below (type may be NULL) */
	char *fixed_source, *fixed_type; /* those copies, when one was needed */
	char *normalized;
	char *body;       /* JSON object text */
};

/*
 * Build an event from raw, scrubbing with flags (LG_SCRUB_*): the body is
 * {"event_id","message","detail","fingerprint","time_ms","timestamp",
 * "level","source","type","rollout","host"} (detail, rollout and host
 * when raw has them).  Returns 0 or HINGE_ENOMEM; on failure nothing is
 * left to free.
 */
int lg_event_build(const struct lg_raw *raw, unsigned flags,
		   struct lg_built *out);

/*
 * lg_event_build in two steps, so that a tailed round's bodies can be
 * printed on the printer's thread while the tailer prepares the next
 * round.  lg_event_prepare makes everything but the body (out->body stays
 * NULL); it returns 0 or HINGE_ENOMEM, and on failure nothing is left to
 * free.  lg_event_print then prints b's body, reading of raw only its
 * detail, rollout and host, which must be those b was prepared from; it
 * returns 0 or HINGE_ENOMEM (b then stays as it was prepared).
 */
int lg_event_prepare(const struct lg_raw *raw, unsigned flags,
		     struct lg_built *out);
int lg_event_print(const struct lg_raw *raw, unsigned flags, struct lg_built *b);
void lg_built_free(struct lg_built *b);

/*
 * Read an event the agent hands its sinks ({"time","level","kind",
 * "source","message","rollout","detail"}) into raw.  *doc holds the parsed
 * JSON raw points into; the caller json_decrefs it after use.  "time" may
 * be Unix ms or text (then now_ms is used); "level" a name or a number.
 * Returns 0, or HINGE_EINVAL when it is not such an object.
 */
int lg_event_parse(const char *json, int64_t now_ms, struct lg_raw *raw,
		   json_t **doc);

/* "error", "warning", "notice", "info", "debug" <-> enum hinge_log_level;
 * -1 / "error" for anything else. */
int lg_level_parse(const char *name);
const char *lg_level_name(int level);

/* Unix ms as "2026-11-25T20:21:05.123Z" into out (at least 25 bytes). */
void lg_iso_time(int64_t ms, char out[32]);

#endif
