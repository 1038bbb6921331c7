/*
 * log.c - the agent's log.  Lines go to stderr (or syslog); messages at
 * warning and above also become "error" events for the sinks, so that the
 * logging plugin reports the agent's own errors.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "agent/events.h"
#include "agent/log.h"

static enum hinge_log_level min_level = HINGE_LOG_NOTICE;
/* The first error of the command, for the JSON document of a failure. */
static char first_error[2400];
static pthread_mutex_t first_error_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_target target = LOG_TARGET_STDERR;
/* A sink that logs must not loop back into the sinks. */
static __thread int in_log;

static const char *const level_names[] = {
	[HINGE_LOG_ERROR] = "error",   [HINGE_LOG_WARNING] = "warning",
	[HINGE_LOG_NOTICE] = "notice", [HINGE_LOG_INFO] = "info",
	[HINGE_LOG_DEBUG] = "debug",
};

void log_configure(enum hinge_log_level min, enum log_target t)
{
	__atomic_store_n(&min_level, min, __ATOMIC_RELAXED);
	__atomic_store_n(&target, t, __ATOMIC_RELAXED);
	if (t == LOG_TARGET_SYSLOG)
		openlog("hinge", LOG_PID, LOG_DAEMON);
}

const char *log_first_error(void)
{
	return first_error;
}

int log_level_parse(const char *name)
{
	for (int i = HINGE_LOG_ERROR; i <= HINGE_LOG_DEBUG; i++)
		if (name != NULL && strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_name(enum hinge_log_level level)
{
	if (level < HINGE_LOG_ERROR || level > HINGE_LOG_DEBUG)
		return "error";
	return level_names[level];
}

void vhlog(enum hinge_log_level level, const char *source, const char *fmt,
	   va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level <= HINGE_LOG_ERROR) {
		pthread_mutex_lock(&first_error_lock);
		if (first_error[0] == '\0')
			snprintf(first_error, sizeof(first_error), "%s%s%s",
				 strcmp(source, "hinge") == 0 ? "" : source,
				 strcmp(source, "hinge") == 0 ? "" : ": ", msg);
		pthread_mutex_unlock(&first_error_lock);
	}
	if (level <= __atomic_load_n(&min_level, __ATOMIC_RELAXED)) {
		if (__atomic_load_n(&target, __ATOMIC_RELAXED) == LOG_TARGET_SYSLOG)
			syslog((int)level, "%s: %s", source, msg);
		else
			fprintf(stderr, "hinge: %s%s%s: %s\n",
				strcmp(source, "hinge") == 0 ? "" : source,
				strcmp(source, "hinge") == 0 ? "" : ": ",
				log_level_name(level), msg);
	}
	if (level <= HINGE_LOG_WARNING && !in_log) {
		in_log = 1;
		events_raise(NULL, level, "error", source, NULL, msg, NULL, NULL);
		in_log = 0;
	}
}

void hlog(enum hinge_log_level level, const char *source, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vhlog(level, source, fmt, ap);
	va_end(ap);
}
