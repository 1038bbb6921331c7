/*
 * test_logging_sentry.c - DSN, auth header, envelope, and the event body
 * they are made from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <hinge/plugin.h>

#include "plugins/logging/event.h"
#include "plugins/logging/http.h"
#include "plugins/logging/sentry.h"

static void test_dsn(void **state)
{
	struct lg_dsn d;
	char *auth;

	(void)state;
	assert_int_equal(lg_dsn_parse("https://abc123@o1.ingest.sentry.io/42", &d), 0);
	assert_string_equal(d.envelope_url, "https://o1.ingest.sentry.io/api/42/envelope/");
	assert_string_equal(d.public_key, "abc123");
	auth = lg_sentry_auth(&d, "0.1");
	assert_string_equal(auth, "X-Sentry-Auth: Sentry sentry_version=7, "
			    "sentry_key=abc123, sentry_client=hinge-logging/0.1");
	free(auth);
	lg_dsn_free(&d);
	assert_int_equal(lg_dsn_parse("http://k:s@127.0.0.1:9000/sub/7", &d), 0);
	assert_string_equal(d.envelope_url, "http://127.0.0.1:9000/sub/api/7/envelope/");
	assert_string_equal(d.public_key, "k");
	lg_dsn_free(&d);
	assert_int_equal(lg_dsn_parse("not a dsn", &d), HINGE_EINVAL);
	assert_int_equal(lg_dsn_parse("https://host/42", &d), HINGE_EINVAL);
	assert_int_equal(lg_dsn_parse("https://k@host/", &d), HINGE_EINVAL);
	assert_int_equal(lg_dsn_parse("https://k@host/abc", &d), HINGE_EINVAL);
}

static void test_build_and_envelope(void **state)
{
	json_t *detail = json_pack("{s:s,s:i}", "password", "pw", "n", 1);
	struct lg_raw raw = {
		.time_ms = 1764102065123LL, .level = HINGE_LOG_WARNING,
		.source = "agent", .type = "error",
		.message = "connect failed: password=hunter2 after 3 tries",
		.rollout = "r1", .host = "h1", .detail = detail,
	};
	struct lg_sentry_opts o = { .environment = "prod", .release = "1.0" };
	struct lg_built b;
	char *env, *nl1, *nl2, *nl3;
	size_t len;
	json_t *head, *item, *ev;

	(void)state;
	assert_int_equal(lg_event_build(&raw, 0, &b), 0);
	assert_int_equal(strlen(b.event_id), 32);
	assert_string_equal(b.message, "connect failed: password=[Filtered] after 3 tries");
	assert_string_equal(b.normalized, "connect failed: password=[Filtered] after <num> tries");
	assert_null(strstr(b.body, "hunter2"));
	assert_null(strstr(b.body, "\"pw\""));
	assert_int_equal(lg_sentry_envelope(b.body, &o, 1764102066000LL, &env, &len), 0);
	assert_int_equal(strlen(env), len);
	nl1 = strchr(env, '\n');
	nl2 = strchr(nl1 + 1, '\n');
	nl3 = strchr(nl2 + 1, '\n');
	assert_non_null(nl3);
	assert_int_equal(nl3[1], '\0');
	head = json_loadb(env, (size_t)(nl1 - env), 0, NULL);
	item = json_loadb(nl1 + 1, (size_t)(nl2 - nl1 - 1), 0, NULL);
	ev = json_loadb(nl2 + 1, (size_t)(nl3 - nl2 - 1), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(head, "event_id")), b.event_id);
	assert_string_equal(json_string_value(json_object_get(item, "type")), "event");
	assert_int_equal(json_integer_value(json_object_get(item, "length")),
			 nl3 - nl2 - 1);
	assert_string_equal(json_string_value(json_object_get(ev, "event_id")), b.event_id);
	assert_string_equal(json_string_value(json_object_get(ev, "level")), "warning");
	assert_string_equal(json_string_value(json_object_get(ev, "logger")), "hinge.agent");
	assert_string_equal(json_string_value(json_object_get(ev, "timestamp")),
			    "2025-11-25T20:21:05.123Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "fingerprint"), 0)),
			    b.fingerprint);
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "tags"), "rollout")), "r1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "tags"), "host")), "h1");
	assert_string_equal(json_string_value(json_object_get(ev, "environment")), "prod");
	assert_string_equal(json_string_value(json_object_get(ev, "release")), "1.0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "extra"), "password")),
			    "[Filtered]");
	json_decref(head);
	json_decref(item);
	json_decref(ev);
	free(env);
	lg_built_free(&b);
	json_decref(detail);
}

static void test_corrupt_body(void **state)
{
	struct lg_sentry_opts o = { 0 };
	char *env;
	size_t len;

	(void)state;
	assert_int_equal(lg_sentry_envelope("{\"event_id\":", &o, 0, &env, &len),
			 HINGE_EINVAL);
	assert_int_equal(lg_sentry_envelope("[1]", &o, 0, &env, &len), HINGE_EINVAL);
}

static void test_url_allowed(void **state)
{
	(void)state;
	assert_true(lg_http_url_allowed("https://o1.ingest.sentry.io/api/1/envelope/"));
	assert_true(lg_http_url_allowed("http://127.0.0.1:9000/api/1/envelope/"));
	assert_true(lg_http_url_allowed("http://127.8.9.10/x"));
	assert_true(lg_http_url_allowed("http://localhost:8080/bulk/t/tag/x/"));
	assert_true(lg_http_url_allowed("http://[::1]:8080/"));
	assert_false(lg_http_url_allowed("http://logs-01.loggly.com/bulk/t/tag/x/"));
	assert_false(lg_http_url_allowed("http://127.0.0.1.evil.example/"));
	assert_false(lg_http_url_allowed("http://10.0.0.1/"));
	assert_false(lg_http_url_allowed("ftp://127.0.0.1/"));
	assert_false(lg_http_url_allowed("not a url"));
}

static void test_refused_before_sending(void **state)
{
	struct lg_http_opts o = { .timeout_ms = 1000 };
	struct lg_http_resp r;

	(void)state;
	assert_int_equal(lg_http_post("http://192.0.2.1/x", NULL, "x", 1, &o, &r),
			 HINGE_EINVAL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.error, "loopback"));
}

static void test_parse_agent_event(void **state)
{
	struct lg_raw raw;
	json_t *doc;

	(void)state;
	assert_int_equal(lg_event_parse("{\"time\":5,\"level\":\"warning\","
					"\"kind\":\"error\",\"source\":\"migration\","
					"\"message\":\"m\",\"rollout\":\"r9\","
					"\"detail\":{\"a\":1}}", 0, &raw, &doc), 0);
	assert_int_equal(raw.time_ms, 5);
	assert_int_equal(raw.level, HINGE_LOG_WARNING);
	assert_string_equal(raw.source, "migration");
	assert_string_equal(raw.type, "error");
	assert_string_equal(raw.rollout, "r9");
	assert_non_null(raw.detail);
	json_decref(doc);
	assert_int_equal(lg_event_parse("{\"time\":\"2026\",\"level\":3,"
					"\"message\":\"m\"}", 77, &raw, &doc), 0);
	assert_int_equal(raw.time_ms, 77);
	assert_int_equal(raw.level, HINGE_LOG_ERROR);
	assert_string_equal(raw.source, "agent");
	json_decref(doc);
	assert_int_equal(lg_event_parse("{\"level\":3}", 0, &raw, &doc), HINGE_EINVAL);
	assert_int_equal(lg_event_parse("nope", 0, &raw, &doc), HINGE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsn),
		cmocka_unit_test(test_build_and_envelope),
		cmocka_unit_test(test_corrupt_body),
		cmocka_unit_test(test_url_allowed),
		cmocka_unit_test(test_refused_before_sending),
		cmocka_unit_test(test_parse_agent_event),
	};
	return cmocka_run_group_tests_name("logging_sentry", tests, NULL, NULL);
}
