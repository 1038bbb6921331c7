/*
 * test_logging_event.c - a built event's body is one JSON object holding
 * that event's values, also when the values events share (time, level,
 * source, type, rollout, host), whose text each thread keeps, change
 * from one event to the next, move from one field to another, or are too
 * long to keep, and when groups recur (each body's fingerprint is put
 * into a part printed once per thread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <hinge/plugin.h>

#include "plugins/logging/event.h"

/* The text value of key in o, or NULL when o lacks it. */
static const char *text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v)
		assert_true(json_is_string(v));
	return json_string_value(v);
}

static void assert_same_text(const char *want, const char *got)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

/* Build raw and check every field of its body against raw and the event. */
static void assert_body_of(const struct lg_raw *raw)
{
	struct lg_built b;
	json_t *o;
	char ts[32], *again;

	assert_int_equal(lg_event_build(raw, 0, &b), 0);
	o = json_loads(b.body, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_true(json_is_object(o));
	/* the joined parts are what jansson prints for the whole, byte for byte */
	again = json_dumps(o, JSON_COMPACT);
	assert_non_null(again);
	assert_string_equal(again, b.body);
	free(again);
	lg_iso_time(raw->time_ms, ts);
	assert_string_equal(text(o, "event_id"), b.event_id);
	assert_string_equal(text(o, "message"), b.message);
	assert_string_equal(text(o, "fingerprint"), b.fingerprint);
	assert_int_equal(json_integer_value(json_object_get(o, "time_ms")), raw->time_ms);
	assert_string_equal(text(o, "timestamp"), ts);
	assert_string_equal(text(o, "level"), lg_level_name(raw->level));
	assert_string_equal(text(o, "source"), raw->source);
	assert_string_equal(text(o, "type"), raw->type ? raw->type : "");
	assert_same_text(raw->rollout, text(o, "rollout"));
	assert_same_text(raw->host, text(o, "host"));
	assert_int_equal(json_object_size(o), 8 + (raw->rollout != NULL) + (raw->host != NULL) +
						  (raw->detail != NULL));
	if (raw->detail)
		assert_true(json_equal(json_object_get(o, "detail"), raw->detail));
	json_decref(o);
	lg_built_free(&b);
}

static void test_shared_values_change(void **state)
{
	const struct lg_raw base = { .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
				     .source = "file", .type = "/var/log/app.log",
				     .message = "ERROR job 1 failed", .host = "h1" };
	struct lg_raw r[15];
	json_t *detail = json_pack("{s:s}", "task", "t-7");

	(void)state;
	for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
		r[k] = base;
	/* r[0] and r[1] share all: the second uses the kept text */
	r[2].time_ms += 1;
	r[3] = r[2];
	r[3].level = HINGE_LOG_WARNING;
	r[4] = r[3];
	r[4].source = "pg";
	r[5] = r[4];
	r[5].type = NULL;
	/* the same texts in other fields: "ab" and "c" move */
	r[6] = r[5];
	r[6].type = "ab";
	r[6].host = "c";
	r[7] = r[6];
	r[7].rollout = "c";
	r[7].host = NULL;
	r[8] = r[7];
	r[8].type = "abc";
	r[8].rollout = NULL;
	r[9] = r[8];
	r[9].detail = detail;
	r[10] = r[9];
	r[10].message = "a message of its own";
	r[11] = base;
	/* each alone */
	r[12] = base;
	r[12].host = "h2";
	r[13] = r[12];
	r[13].rollout = "r-1";
	r[14] = r[13];
	r[14].rollout = "r-2";
	for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
		assert_body_of(&r[k]);
	json_decref(detail);
}

/*
 * The own part's head is printed once per thread and each event's id put
 * into it: ids differ from event to event, messages that jansson escapes
 * come out escaped, and a message too long for the stack buffer, or an
 * event with a detail, is printed as an object, before and after which
 * the head still serves.
 */
static void test_own_part(void **state)
{
	static const char *const messages[] = {
		"plain", "", "say \"hi\"", "back\\slash and /slash", "tab\there\nnewline",
		"\x01\x1f control", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	};
	struct lg_raw r = { .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
			    .source = "file", .type = "/var/log/app.log" };
	json_t *detail = json_pack("{s:s}", "task", "t-7");
	struct lg_built a, b;
	char *quotes = malloc(1500);
	size_t k;

	(void)state;
	assert_non_null(quotes);
	for (k = 0; k < sizeof messages / sizeof messages[0]; k++) {
		r.message = messages[k];
		assert_body_of(&r);
	}
	/* 1,499 quotes print as 2,998 bytes: more than the stack buffer */
	memset(quotes, '"', 1499);
	quotes[1499] = '\0';
	r.message = quotes;
	assert_body_of(&r);
	r.detail = detail;
	r.message = "with a detail";
	assert_body_of(&r);
	r.detail = NULL;
	r.message = "plain";
	assert_int_equal(lg_event_build(&r, 0, &a), 0);
	assert_int_equal(lg_event_build(&r, 0, &b), 0);
	assert_string_not_equal(a.event_id, b.event_id);
	assert_non_null(strstr(a.body, a.event_id));
	assert_null(strstr(a.body, b.event_id));
	lg_built_free(&a);
	lg_built_free(&b);
	free(quotes);
	json_decref(detail);
}

/* A type longer than the kept text: printed for that event alone. */
static void test_too_long_to_keep(void **state)
{
	struct lg_raw r = { .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
			    .source = "file", .message = "ERROR disk full", .host = "h1" };
	char *path = malloc(5000);

	(void)state;
	for (size_t len = 2030; len < 5000; len += 700) {
		memset(path, 'p', len);
		path[0] = '/';
		path[len] = '\0';
		r.type = path;
		assert_body_of(&r);
		r.type = "/short";
		assert_body_of(&r);
	}
	free(path);
}

/* A type whose key fits but whose printed text does not (each quote
 * takes two bytes): printed for that event alone, and the kept text is
 * not taken for the next event's. */
static void test_key_fits_text_does_not(void **state)
{
	struct lg_raw r = { .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
			    .source = "file", .message = "ERROR disk full", .host = "h1" };
	char quotes[1500];

	(void)state;
	r.type = "/short";
	assert_body_of(&r);
	memset(quotes, '"', sizeof quotes - 1);
	quotes[sizeof quotes - 1] = '\0';
	r.type = quotes;
	assert_body_of(&r);
	assert_body_of(&r);
	r.type = "/short";
	assert_body_of(&r);
}

/* A detail whose keys are those of the body's other values stays one
 * value of its own: no key twice, and the body's values are the event's. */
static void test_detail_keys_like_the_body(void **state)
{
	struct lg_raw r = { .time_ms = 1795600000000, .level = HINGE_LOG_WARNING,
			    .source = "pg", .type = "task", .message = "task failed",
			    .rollout = "r-1", .host = "h1" };
	json_t *detail = json_pack("{s:I,s:s,s:s,s:s,s:s}", "time_ms", (json_int_t)1,
				   "host", "other", "event_id", "x", "level", "debug",
				   "detail", "y");

	(void)state;
	assert_non_null(detail);
	r.detail = detail;
	assert_body_of(&r);
	assert_body_of(&r);
	json_decref(detail);
}

/* Groups that recur, three hundred of them, met in turn and again:
 * each body carries its own event's fingerprint. */
static void test_recurring_groups(void **state)
{
	struct lg_raw r = { .time_ms = 1795600000000, .level = HINGE_LOG_ERROR,
			    .source = "file", .type = "/var/log/app.log", .host = "h1" };
	char message[64];

	(void)state;
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 300; k++) {
			int g = round == 1 ? 299 - k : k;

			/* letters, not digits: digits would normalise to one group */
			snprintf(message, sizeof message, "ERROR kind %c%c%c failed",
				 'a' + g % 26, 'a' + g / 26 % 26, 'a' + g / 676);
			r.message = message;
			assert_body_of(&r);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_values_change),
		cmocka_unit_test(test_own_part),
		cmocka_unit_test(test_too_long_to_keep),
		cmocka_unit_test(test_key_fits_text_does_not),
		cmocka_unit_test(test_detail_keys_like_the_body),
		cmocka_unit_test(test_recurring_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
