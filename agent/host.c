/*
 * host.c - the host table: the only way a plugin reaches the agent.
 * Append-only: a member is never moved or removed (see plugin.h).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "agent/clock.h"
#include "agent/config.h"
#include "agent/engine.h"
#include "agent/events.h"
#include "agent/host.h"
#include "agent/job_wake.h"
#include "agent/log.h"
#include "agent/pg.h"
#include "agent/registry.h"
#include "agent/secret.h"
#include "agent/step.h"
#include "state/state.h"

struct hinge_db {
	struct state *st;
};

static volatile sig_atomic_t stop_requested;
static char *state_db_path;
/*
 * HTTP settings are read by plugin threads while SIGHUP may replace them:
 * swapped atomically, and the old strings kept until the agent stops.
 */
static char *ca_bundle, *proxy;
static char **retired_http;
static size_t nretired_http;

/* A plugin's settings, as a reload may be swapping them (see loader.c). */
static const struct settings *plugin_settings(struct hinge_plugin *p)
{
	return __atomic_load_n(&p->settings, __ATOMIC_ACQUIRE);
}

/* One state connection per thread for samples and events. */
static pthread_key_t thread_state_key;
static pthread_once_t thread_state_once = PTHREAD_ONCE_INIT;

static void thread_state_free(void *p)
{
	state_close(p);
}

static void thread_state_init(void)
{
	pthread_key_create(&thread_state_key, thread_state_free);
}

static struct state *thread_state(void)
{
	struct state *st;

	pthread_once(&thread_state_once, thread_state_init);
	st = pthread_getspecific(thread_state_key);
	if (st == NULL && state_db_path != NULL &&
	    state_open(state_db_path, 0, &st) == 0)
		pthread_setspecific(thread_state_key, st);
	return st;
}

void host_release_thread_state(void)
{
	struct state *st;

	pthread_once(&thread_state_once, thread_state_init);
	st = pthread_getspecific(thread_state_key);
	if (st != NULL) {
		state_close(st);
		pthread_setspecific(thread_state_key, NULL);
	}
}

void host_shrink_thread_state(void)
{
	pthread_once(&thread_state_once, thread_state_init);
	state_release_memory(pthread_getspecific(thread_state_key));
}

/* Set around an action's callback by the engine's watchdog (clock_mono_ms). */
static __thread int64_t step_deadline_ms;

void host_set_step_deadline(int64_t deadline_ms)
{
	step_deadline_ms = deadline_ms;
}

/* The agent stops, or the calling thread's step is past its timeout. */
static int cancelled(void)
{
	return host_stop_requested() || (step_deadline_ms > 0 && clock_mono_ms() >= step_deadline_ms);
}

void host_request_stop(void)
{
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELEASE);
}

int host_stop_requested(void)
{
	return __atomic_load_n(&stop_requested, __ATOMIC_ACQUIRE);
}

void host_set_state_path(const char *path)
{
	free(state_db_path);
	state_db_path = path ? strdup(path) : NULL;
}

static void swap_http(char **slot, const char *value)
{
	char *old = __atomic_exchange_n(slot, value ? strdup(value) : NULL, __ATOMIC_ACQ_REL);
	char **nr;

	if (old == NULL)
		return;
	nr = realloc(retired_http, (nretired_http + 1) * sizeof(*nr));
	if (nr == NULL)
		return; /* lose the string rather than free it under a reader */
	retired_http = nr;
	retired_http[nretired_http++] = old;
}

void host_set_http(const char *ca, const char *px)
{
	swap_http(&ca_bundle, ca);
	swap_http(&proxy, px);
}

void host_release_http(void)
{
	host_set_http(NULL, NULL);
	for (size_t i = 0; i < nretired_http; i++)
		free(retired_http[i]);
	free(retired_http);
	retired_http = NULL;
	nretired_http = 0;
}

static void h_log(struct hinge_plugin *p, enum hinge_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vhlog(level, p->name, fmt, ap);
	va_end(ap);
}

static const char *h_setting_str(struct hinge_plugin *p, const char *key)
{
	return settings_str(plugin_settings(p), key);
}

static int64_t h_setting_int(struct hinge_plugin *p, const char *key)
{
	return settings_int(plugin_settings(p), key);
}

static double h_setting_double(struct hinge_plugin *p, const char *key)
{
	return settings_double(plugin_settings(p), key);
}

static int h_setting_bool(struct hinge_plugin *p, const char *key)
{
	return settings_bool(plugin_settings(p), key);
}

static int64_t h_setting_ms(struct hinge_plugin *p, const char *key)
{
	return settings_ms(plugin_settings(p), key);
}

static struct hinge_json *h_setting_json(struct hinge_plugin *p, const char *key)
{
	return settings_json(plugin_settings(p), key);
}

static const char *h_setting_where(struct hinge_plugin *p, const char *key)
{
	return settings_where(plugin_settings(p), key);
}

static int h_secret_read(struct hinge_plugin *p, const char *key, char **out)
{
	const char *path = settings_str(plugin_settings(p), key);

	*out = NULL;
	if (path == NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "%s: no secret file is configured", key);
		return HINGE_EINVAL;
	}
	return secret_read_file(p->name, key, path, out);
}

static const char *h_http_ca_bundle(struct hinge_plugin *p)
{
	(void)p;
	return __atomic_load_n(&ca_bundle, __ATOMIC_ACQUIRE);
}

static const char *h_http_proxy(struct hinge_plugin *p)
{
	(void)p;
	return __atomic_load_n(&proxy, __ATOMIC_ACQUIRE);
}

static void h_plugin_data_set(struct hinge_plugin *p, void *data)
{
	p->data = data;
}

static void *h_plugin_data_get(struct hinge_plugin *p)
{
	return p->data;
}

static int h_pg_connect(struct hinge_plugin *p, const char *conninfo, void **conn)
{
	PGconn *c = NULL;
	int rc = pg_connect_as(p->name, conninfo, &c);

	*conn = c;
	return rc;
}

static int h_pg_migrate(struct hinge_plugin *p, void *conn, const char *const *migrations)
{
	return pg_schema_migrate(p->name, conn, migrations);
}

static int h_db_open(struct hinge_plugin *p, struct hinge_db **out)
{
	struct hinge_db *db = calloc(1, sizeof(*db));
	int rc;

	if (db == NULL)
		return HINGE_ENOMEM;
	if (state_db_path == NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "no state database is open in this command");
		free(db);
		return HINGE_EUNAVAIL;
	}
	rc = state_open(state_db_path, 0, &db->st);
	if (rc != 0) {
		free(db);
		return rc;
	}
	*out = db;
	return 0;
}

static void *h_db_sqlite(struct hinge_db *db)
{
	return state_sqlite(db->st);
}

static int h_db_begin(struct hinge_db *db)
{
	return state_begin(db->st);
}

static int h_db_commit(struct hinge_db *db)
{
	return state_commit(db->st);
}

static void h_db_rollback(struct hinge_db *db)
{
	state_rollback(db->st);
}

static void h_db_close(struct hinge_db *db)
{
	if (db == NULL)
		return;
	state_close(db->st);
	free(db);
}

static int h_sample_put(struct hinge_plugin *p, const char *metric,
			const char *labels_json, double value)
{
	struct state *st = thread_state();
	char q[256];

	if (st == NULL)
		return HINGE_EUNAVAIL;
	snprintf(q, sizeof(q), "%s.%s", p->name, metric);
	return state_sample_put(st, state_now_ms(), q, labels_json, value);
}

static int h_event(struct hinge_plugin *p, enum hinge_log_level level,
		   const char *kind, const char *message, const char *detail_json)
{
	return events_raise(thread_state(), level, kind, p->name, NULL, message,
			    NULL, detail_json);
}

static int h_stopping(struct hinge_plugin *p)
{
	(void)p;
	return cancelled();
}

static int h_sleep_ms(struct hinge_plugin *p, int64_t ms)
{
	(void)p;
	while (ms > 0 && !cancelled()) {
		int64_t slice = ms < 50 ? ms : 50;
		struct timespec ts = { slice / 1000, (long)(slice % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return cancelled() ? HINGE_ECANCELED : 0;
}

static const char *h_mq_label(const struct hinge_mquery *q, const char *key)
{
	for (const char *const *l = q->labels; l != NULL && l[0] != NULL; l += 2)
		if (strcmp(l[0], key) == 0)
			return l[1];
	return NULL;
}

static const char *h_mq_label_at(const struct hinge_mquery *q, size_t i, const char **key)
{
	const char *const *l = q->labels;

	for (; l != NULL && l[0] != NULL && i > 0; l += 2)
		i--;
	if (l == NULL || l[0] == NULL)
		return NULL;
	*key = l[0];
	return l[1];
}

static int64_t h_mq_rollout_start_ms(const struct hinge_mquery *q)
{
	return q->rollout_start_ms;
}

static int64_t h_mq_stage_start_ms(const struct hinge_mquery *q)
{
	return q->stage_start_ms;
}

static int h_cmd_json(struct hinge_command *c)
{
	return c->json;
}

static int h_cmd_print_json(struct hinge_command *c, struct hinge_json *doc)
{
	char *text;

	if (c->printed) {
		json_decref((json_t *)doc);
		return HINGE_EINVAL;
	}
	text = json_dumps((json_t *)doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref((json_t *)doc);
	if (text == NULL)
		return HINGE_ENOMEM;
	puts(text);
	free(text);
	c->printed = 1;
	return 0;
}

/* The rows are read first, so that each() may use the database itself. */
static int h_rollout_steps(struct hinge_plugin *p, const char *id,
			   int (*each)(void *arg, int number, const char *name,
				       const char *kind, const char *phase,
				       int64_t started_ms, int64_t ended_ms),
			   void *arg)
{
	struct state *st = thread_state();
	json_t *steps, *o;
	size_t i;
	int rc;

	if (st == NULL) {
		hlog(HINGE_LOG_ERROR, p->name, "cannot open the state database");
		return HINGE_EUNAVAIL;
	}
	if ((rc = engine_steps(st, id, &steps)) != 0)
		return rc;
	json_array_foreach(steps, i, o) {
		rc = each(arg, (int)json_integer_value(json_object_get(o, "number")),
			  json_string_value(json_object_get(o, "name")),
			  json_string_value(json_object_get(o, "kind")),
			  json_string_value(json_object_get(o, "phase")),
			  json_integer_value(json_object_get(o, "started_ms")),
			  json_integer_value(json_object_get(o, "ended_ms")));
		if (rc != 0)
			break;
	}
	json_decref(steps);
	return rc;
}

static const struct hinge_host table = {
	.size = sizeof(struct hinge_host),
	.major = HINGE_ABI_MAJOR,
	.minor = HINGE_ABI_MINOR,
	.log = h_log,
	.setting_str = h_setting_str,
	.setting_int = h_setting_int,
	.setting_double = h_setting_double,
	.setting_bool = h_setting_bool,
	.setting_ms = h_setting_ms,
	.setting_json = h_setting_json,
	.setting_where = h_setting_where,
	.secret_read = h_secret_read,
	.http_ca_bundle = h_http_ca_bundle,
	.http_proxy = h_http_proxy,
	.register_action = registry_add_action,
	.register_metric = registry_add_metric,
	.register_job = registry_add_job,
	.register_service = registry_add_service,
	.register_command = registry_add_command,
	.register_sink = registry_add_sink,
	.plugin_data_set = h_plugin_data_set,
	.plugin_data_get = h_plugin_data_get,
	.db_open = h_db_open,
	.db_sqlite = h_db_sqlite,
	.db_begin = h_db_begin,
	.db_commit = h_db_commit,
	.db_rollback = h_db_rollback,
	.db_close = h_db_close,
	.pg_connect = h_pg_connect,
	.pg_migrate = h_pg_migrate,
	.sample_put = h_sample_put,
	.event = h_event,
	.stopping = h_stopping,
	.sleep_ms = h_sleep_ms,
	.param_str = step_param_str,
	.param_int = step_param_int,
	.param_double = step_param_double,
	.param_bool = step_param_bool,
	.param_ms = step_param_ms,
	.param_given = step_param_given,
	.step_name = step_name,
	.step_rollout = step_rollout,
	.step_error = step_error,
	.step_finding = step_finding,
	.step_inverse = step_inverse,
	.step_lock_target = step_lock_target,
	.step_progress = step_progress,
	.artifact_set = step_artifact_set,
	.artifact_get = step_artifact_get,
	.checkpoint_set = step_checkpoint_set,
	.checkpoint_get = step_checkpoint_get,
	.mq_label = h_mq_label,
	.mq_rollout_start_ms = h_mq_rollout_start_ms,
	.mq_stage_start_ms = h_mq_stage_start_ms,
	.cmd_json = h_cmd_json,
	.cmd_print_json = h_cmd_print_json,
	.rollout_steps = h_rollout_steps,
	.mq_label_at = h_mq_label_at,
	.step_retry_after = step_retry_after,
	.job_wake = job_wake,
};

const struct hinge_host *host_table(void)
{
	return &table;
}
