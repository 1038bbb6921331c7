/*
 * log.h - the agent's own log: stderr or syslog, a minimum level, and every
 * message at warning or above handed to the event sinks as an "error" event.
 */
#ifndef HINGE_LOG_H
#define HINGE_LOG_H

#include <hinge/plugin.h>

enum log_target { LOG_TARGET_STDERR, LOG_TARGET_SYSLOG };

void log_configure(enum hinge_log_level min, enum log_target target);

/*
 * Log in PostgreSQL's house style: source is "hinge" or a plugin's name,
 * the message lower case without a full stop.
 */
void hlog(enum hinge_log_level level, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vhlog(enum hinge_log_level level, const char *source, const char *fmt,
	   va_list ap) __attribute__((format(printf, 3, 0)));

/* The first error logged in this process ("" when none). */
const char *log_first_error(void);

/* Parse "error", "warning", "notice", "info", "debug"; -1 when unknown. */
int log_level_parse(const char *name);
const char *log_level_name(enum hinge_log_level level);

#endif
