/*
 * test_logging_utf8.c - text that is not valid UTF-8 repaired, and an
 * event built from a Latin-1 log line (jansson refuses invalid strings).
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
#include "plugins/logging/utf8.h"

#define FFFD "\xef\xbf\xbd"

static void repair_is(const char *in, const char *want)
{
	char *got = lg_utf8_repair(strdup(in));

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_true(lg_utf8_valid(got));
	free(got);
}

static void test_valid_kept(void **state)
{
	(void)state;
	assert_true(lg_utf8_valid(""));
	assert_true(lg_utf8_valid("plain ascii"));
	/* 2, 3 and 4 bytes, at the edges of the ranges */
	assert_true(lg_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf"));
	repair_is("caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_invalid_replaced(void **state)
{
	(void)state;
	repair_is("caf\xe9 ok", "caf" FFFD " ok");                 /* Latin-1 */
	repair_is("\x80x", FFFD "x");                              /* lone continuation */
	repair_is("\xc0\x80", FFFD FFFD);                          /* overlong NUL */
	repair_is("\xe0\x80\xaf", FFFD FFFD FFFD);                 /* overlong / */
	repair_is("\xed\xa0\x80", FFFD FFFD FFFD);                 /* a surrogate */
	repair_is("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);        /* past U+10FFFF */
	repair_is("\xf5", FFFD);
	repair_is("end \xe2\x82", "end " FFFD FFFD);               /* cut short */
	repair_is("\xe2\x82\xac\xff\xe2\x82\xac", "\xe2\x82\xac" FFFD "\xe2\x82\xac");
	assert_null(lg_utf8_repair(NULL));
}

static void test_event_from_latin1(void **state)
{
	struct lg_raw raw = {
		.time_ms = 1764100000000, .level = HINGE_LOG_ERROR, .source = "file:/var/log/caf\xe9.log",
		.type = "caf\xe9.log", .message = "ERROR caf\xe9 password=s\xe9same",
	};
	struct lg_built b;
	json_t *o;

	(void)state;
	assert_int_equal(lg_event_build(&raw, 0, &b), 0);
	o = json_loads(b.body, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "message")),
			    "ERROR caf" FFFD " password=[Filtered]");
	assert_string_equal(json_string_value(json_object_get(o, "source")),
			    "file:/var/log/caf" FFFD ".log");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "caf" FFFD ".log");
	json_decref(o);
	lg_built_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_kept),
		cmocka_unit_test(test_invalid_replaced),
		cmocka_unit_test(test_event_from_latin1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
