/*
 * events.h - raising events: appended to the state database's event log
 * and handed to every registered sink (the logging plugin, the webhook).
 * Who did it is filled in here: the uid and, behind sudo, SUDO_USER.
 */
#ifndef HINGE_EVENTS_H
#define HINGE_EVENTS_H

#include <hinge/plugin.h>

struct state;

/* The actor string "uid=0 (root) sudo_user=alice", computed once. */
const char *events_actor(void);

/*
 * Record and deliver.  st may be NULL (deliver only, for log lines); the
 * event JSON handed to sinks is {"time","level","kind","source",
 * "message","rollout","actor","reason","detail"}.
 */
int events_raise(struct state *st, enum hinge_log_level level,
		 const char *kind, const char *source, const char *rollout_id,
		 const char *message, const char *reason,
		 const char *detail_json);

#endif
