/*
 * events.c - raising events: the event log in the state database, and
 * every registered sink.  The actor is the uid and, behind sudo, the
 * invoking user and the login uid.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/events.h"
#include "agent/registry.h"
#include "state/state.h"

static char actor[256];
static pthread_once_t actor_once = PTHREAD_ONCE_INIT;

/* Computed once, whichever thread logs first. */
static void actor_init(void)
{
	struct passwd *pw;
	const char *sudo;
	char login[32] = "";
	FILE *f;

	pw = getpwuid(getuid());
	sudo = getenv("SUDO_USER");
	f = fopen("/proc/self/loginuid", "r");
	if (f != NULL) {
		if (fgets(login, sizeof(login), f) == NULL || strcmp(login, "4294967295") == 0)
			login[0] = '\0';
		login[strcspn(login, "\n")] = '\0';
		fclose(f);
	}
	snprintf(actor, sizeof(actor), "uid=%u (%s)%s%s%s%s", (unsigned)getuid(),
		 pw ? pw->pw_name : "?", sudo ? " sudo_user=" : "", sudo ? sudo : "",
		 login[0] ? " login_uid=" : "", login);
}

const char *events_actor(void)
{
	pthread_once(&actor_once, actor_init);
	return actor;
}

static void deliver(json_t *ev)
{
	const struct reg_sink *s;
	char *text;

	if (registry_sink_at(0) == NULL)
		return;
	text = json_dumps(ev, JSON_COMPACT);
	if (text == NULL)
		return;
	for (size_t i = 0; (s = registry_sink_at(i)) != NULL; i++)
		s->s.deliver(s->s.data, text);
	free(text);
}

int events_raise(struct state *st, enum hinge_log_level level,
		 const char *kind, const char *source, const char *rollout_id,
		 const char *message, const char *reason,
		 const char *detail_json)
{
	int64_t now = state_now_ms();
	json_t *ev, *detail = NULL;
	int rc = 0;

	if (st != NULL)
		rc = state_event_append(st, now, (int)level, kind, source, rollout_id,
					message, events_actor(), reason, detail_json);
	if (detail_json != NULL)
		detail = json_loads(detail_json, 0, NULL);
	ev = json_pack("{s:I, s:i, s:s, s:s, s:s, s:s?, s:s, s:s?, s:o?}",
		       "time", (json_int_t)now, "level", (int)level, "kind", kind,
		       "source", source, "message", message, "rollout", rollout_id,
		       "actor", events_actor(), "reason", reason, "detail", detail);
	if (ev != NULL) {
		deliver(ev);
		json_decref(ev);
	}
	return rc;
}
