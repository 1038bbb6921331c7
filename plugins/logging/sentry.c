/*
 * sentry.c - the Sentry envelope protocol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <hinge/plugin.h>

#include "buf.h"
#include "event.h"
#include "sentry.h"

int lg_dsn_parse(const char *dsn, struct lg_dsn *out)
{
	const char *scheme_end, *at, *host, *slash, *project;
	struct lg_buf b = { 0 };
	size_t keylen;

	memset(out, 0, sizeof *out);
	scheme_end = strstr(dsn, "://");
	if (!scheme_end || scheme_end == dsn)
		return HINGE_EINVAL;
	host = scheme_end + 3;
	at = strchr(host, '@');
	slash = strchr(host, '/');
	if (!at || !slash || at > slash || at == host)
		return HINGE_EINVAL;
	keylen = strcspn(host, ":@");
	host = at + 1;
	slash = strrchr(host, '/');
	project = slash ? slash + 1 : NULL;
	if (!project || !*project || slash == host ||
	    strspn(project, "0123456789") != strlen(project))
		return HINGE_EINVAL;
	lg_buf_add(&b, dsn, (size_t)(scheme_end + 3 - dsn));
	lg_buf_add(&b, host, (size_t)(slash - host));
	lg_buf_adds(&b, "/api/");
	lg_buf_adds(&b, project);
	lg_buf_adds(&b, "/envelope/");
	out->envelope_url = lg_buf_take(&b);
	out->public_key = strndup(scheme_end + 3, keylen);
	if (!out->envelope_url || !out->public_key) {
		lg_dsn_free(out);
		return HINGE_ENOMEM;
	}
	return 0;
}

void lg_dsn_free(struct lg_dsn *d)
{
	free(d->envelope_url);
	if (d->public_key)
		memset(d->public_key, 0, strlen(d->public_key));
	free(d->public_key);
	d->envelope_url = d->public_key = NULL;
}

char *lg_sentry_auth(const struct lg_dsn *d, const char *version)
{
	struct lg_buf b = { 0 };

	lg_buf_adds(&b, "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=");
	lg_buf_adds(&b, d->public_key);
	lg_buf_adds(&b, ", sentry_client=hinge-logging/");
	lg_buf_adds(&b, version);
	return lg_buf_take(&b);
}

/* Sentry knows fatal, error, warning, info and debug. */
static const char *sentry_level(const char *level)
{
	if (level && strcmp(level, "notice") == 0)
		return "info";
	if (level && (strcmp(level, "warning") == 0 || strcmp(level, "info") == 0 ||
		      strcmp(level, "debug") == 0))
		return level;
	return "error";
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int set_opt(json_t *o, const char *key, const char *value)
{
	if (!value || !*value)
		return 0;
	return json_object_set_new(o, key, json_string(value));
}

static json_t *sentry_event(json_t *b, const struct lg_sentry_opts *o)
{
	char logger[128];
	json_t *ev, *tags;

	snprintf(logger, sizeof logger, "hinge.%s", str(b, "source"));
	tags = json_pack("{s:s,s:s}", "source", str(b, "source"),
			 "type", str(b, "type") ? str(b, "type") : "");
	if (!tags)
		return NULL;
	if (set_opt(tags, "host", str(b, "host")) < 0 ||
	    set_opt(tags, "rollout", str(b, "rollout")) < 0) {
		json_decref(tags);
		return NULL;
	}
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s},s:[s],s:o}",
		       "event_id", str(b, "event_id"),
		       "timestamp", str(b, "timestamp"),
		       "level", sentry_level(str(b, "level")),
		       "logger", logger, "platform", "other",
		       "message", "formatted", str(b, "message"),
		       "fingerprint", str(b, "fingerprint"), "tags", tags);
	if (!ev)
		return NULL;
	if (set_opt(ev, "environment", o->environment) < 0 ||
	    set_opt(ev, "release", o->release) < 0 ||
	    set_opt(ev, "server_name", str(b, "host")) < 0 ||
	    (json_is_object(json_object_get(b, "detail")) &&
	     json_object_set(ev, "extra", json_object_get(b, "detail")) < 0)) {
		json_decref(ev);
		return NULL;
	}
	return ev;
}

int lg_sentry_envelope(const char *body, const struct lg_sentry_opts *o,
		       int64_t now_ms, char **out, size_t *len)
{
	struct lg_buf buf = { 0 };
	json_t *b, *ev;
	char *payload, head[160], ts[32];
	int rc = HINGE_ENOMEM;

	*out = NULL;
	b = json_loads(body, 0, NULL);
	if (!json_is_object(b) || !str(b, "event_id") || !str(b, "timestamp") ||
	    !str(b, "message") || !str(b, "fingerprint") || !str(b, "source")) {
		json_decref(b);
		return HINGE_EINVAL;
	}
	ev = sentry_event(b, o);
	payload = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	if (payload) {
		lg_iso_time(now_ms, ts);
		snprintf(head, sizeof head, "{\"event_id\":\"%.32s\",\"sent_at\":\"%s\"}\n",
			 str(b, "event_id"), ts);
		lg_buf_adds(&buf, head);
		snprintf(head, sizeof head,
			 "{\"type\":\"event\",\"length\":%zu,\"content_type\":\"application/json\"}\n",
			 strlen(payload));
		lg_buf_adds(&buf, head);
		lg_buf_adds(&buf, payload);
		lg_buf_addc(&buf, '\n');
		*len = buf.len;
		*out = lg_buf_take(&buf);
		if (*out)
			rc = 0;
	}
	free(payload);
	json_decref(ev);
	json_decref(b);
	return rc;
}
