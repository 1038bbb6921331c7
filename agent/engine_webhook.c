/*
 * engine_webhook.c - the webhook's queue and its delivery thread.  The
 * thread has its own state connection; the executor only inserts rows.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "agent/config.h"
#include "agent/engine_exec.h"
#include "agent/engine_sql.h"
#include "agent/engine_webhook.h"
#include "agent/log.h"
#include "state/state.h"

static struct {
	const char *url, *ca_bundle, *proxy;
	int64_t timeout_ms, retries;
	pthread_t thread;
	int running;
	volatile int stop;
	char *path;
} wh;

static int loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

int webhook_configure(const struct settings *agent)
{
	char *scheme = NULL, *host = NULL;
	CURLU *u;
	int ok;

	wh.url = settings_str(agent, "webhook_url");
	if (wh.url == NULL)
		return 0;
	wh.ca_bundle = settings_str(agent, "http_ca_bundle");
	wh.proxy = settings_str(agent, "http_proxy");
	wh.timeout_ms = settings_ms(agent, "webhook_timeout");
	wh.retries = settings_int(agent, "webhook_retries");
	u = curl_url();
	ok = u != NULL && curl_url_set(u, CURLUPART_URL, wh.url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	     (strcmp(scheme, "https") == 0 || (strcmp(scheme, "http") == 0 && loopback(host)));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!ok) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: webhook_url: \"%s\" must be https (plain http only to a loopback address)",
		     settings_where(agent, "webhook_url"), wh.url);
		wh.url = NULL;
		return HINGE_EINVAL;
	}
	return 0;
}

int webhook_enqueue(struct state *st, const char *event_json)
{
	int64_t now = state_now_ms();

	if (wh.url == NULL)
		return 0;
	return sql_run(state_sqlite(st), "INSERT INTO webhook_outbox (event, created_ms, next_ms) VALUES (?, ?, ?)",
		       "sii", event_json, now, now);
}

static size_t discard(char *p, size_t size, size_t n, void *data)
{
	(void)p;
	(void)data;
	return size * n;
}

/* One POST: 0 on a 2xx answer, else a message in err. */
static int post(const char *body, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long code = 0;
	CURLcode rc;

	if (c == NULL || h == NULL) {
		snprintf(err, errlen, "out of memory");
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		return HINGE_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, wh.url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)wh.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (wh.ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, wh.ca_bundle);
	if (wh.proxy != NULL)
		curl_easy_setopt(c, CURLOPT_PROXY, wh.proxy);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		snprintf(err, errlen, "the endpoint answered HTTP %ld", code);
	return rc == CURLE_OK && code >= 200 && code <= 299 ? 0 : HINGE_EUNAVAIL;
}

/* Post every due event once; with `all`, those not yet due too.  Returns
 * how many are still waiting for a retry. */
static int deliver(struct state *st, int all)
{
	sqlite3 *db = state_sqlite(st);
	int64_t now = state_now_ms(), waiting = 0;
	sqlite3_stmt *s = sql_query(db, "SELECT id, event, attempts FROM webhook_outbox"
				    " WHERE delivered_ms IS NULL AND attempts <= ? AND (? OR next_ms <= ?) ORDER BY id",
				    "iii", wh.retries, (int64_t)all, now);
	struct { int64_t id, attempts; char *event; } rows[16];
	size_t n = 0;

	while (s != NULL && n < 16 && sqlite3_step(s) == SQLITE_ROW) {
		rows[n].id = sqlite3_column_int64(s, 0);
		rows[n].event = strdup(sql_col(s, 1));
		rows[n].attempts = sqlite3_column_int64(s, 2);
		n++;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		char err[256] = "";
		int ok = rows[i].event != NULL && post(rows[i].event, err, sizeof(err)) == 0;
		int64_t backoff = engine_conf()->request_poll << (rows[i].attempts < 10 ? rows[i].attempts : 10);

		sql_run(db, "UPDATE webhook_outbox SET attempts = attempts + 1,"
			" delivered_ms = CASE WHEN ? THEN ? ELSE NULL END, error = ?, next_ms = ? WHERE id = ?",
			"iisii", (int64_t)ok, state_now_ms(), ok ? NULL : err, state_now_ms() + backoff, rows[i].id);
		if (!ok && rows[i].attempts + 1 > wh.retries)
			hlog(HINGE_LOG_WARNING, "hinge", "webhook: gave up on an event after %lld attempts: %s",
			     (long long)rows[i].attempts + 1, err);
		free(rows[i].event);
	}
	sql_int(db, &waiting, 0, "SELECT count(*) FROM webhook_outbox WHERE delivered_ms IS NULL AND attempts <= ?",
		"i", wh.retries);
	return (int)waiting;
}

static void *run(void *arg)
{
	struct state *st;

	(void)arg;
	if (state_open(wh.path, 0, &st) != 0)
		return NULL;
	while (!wh.stop) {
		struct timespec ts = { 0, (long)engine_conf()->request_poll * 1000000L };

		deliver(st, 0);
		nanosleep(&ts, NULL);
	}
	/* Leaving: every queued event gets the retries it has left. */
	for (int64_t i = 0; i <= wh.retries && deliver(st, 1) > 0; i++)
		;
	state_close(st);
	return NULL;
}

void webhook_start(const char *state_path)
{
	if (wh.url == NULL || wh.running)
		return;
	wh.path = strdup(state_path);
	wh.stop = 0;
	wh.running = wh.path != NULL && pthread_create(&wh.thread, NULL, run, NULL) == 0;
}

void webhook_stop(void)
{
	if (!wh.running)
		return;
	wh.stop = 1;
	pthread_join(wh.thread, NULL);
	wh.running = 0;
	free(wh.path);
	wh.path = NULL;
}
