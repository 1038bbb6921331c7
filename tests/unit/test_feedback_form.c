/*
 * test_feedback_form.c - url-encoded fields and the form template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugins/feedback/form.h"

static void test_fields(void **state)
{
	static const char body[] =
		"transaction=ch_3Mml&user=42&comment=fast+and%20clear%21&score=5&empty=";
	char v[32];

	(void)state;
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "transaction", v, sizeof(v)), 1);
	assert_string_equal(v, "ch_3Mml");
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "comment", v, sizeof(v)), 1);
	assert_string_equal(v, "fast and clear!");
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "score", v, sizeof(v)), 1);
	assert_string_equal(v, "5");
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "empty", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	/* "user" is a key; "use" and "ser" are not. */
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "use", v, sizeof(v)), 0);
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "ser", v, sizeof(v)), 0);
	/* The body's length bounds the search, not a NUL. */
	assert_int_equal(fb_urlencoded_get(body, 20, "user", v, sizeof(v)), 0);
	/* Too long for the buffer, a bad escape, a cut escape, an escaped NUL. */
	assert_int_equal(fb_urlencoded_get(body, strlen(body), "comment", v, 8), -1);
	assert_int_equal(fb_urlencoded_get("a=%zz", 5, "a", v, sizeof(v)), -1);
	assert_int_equal(fb_urlencoded_get("a=%4", 4, "a", v, sizeof(v)), -1);
	assert_int_equal(fb_urlencoded_get("a=x%00", 6, "a", v, sizeof(v)), -1);
	assert_int_equal(fb_urlencoded_get("a=%41", 5, "a", v, sizeof(v)), 1);
	assert_string_equal(v, "A");
}

static void test_template(void **state)
{
	const char *names[] = { "user", "token" };
	const char *values[] = { "<b>\"Eve\" & 'co'</b>", "v1.1.ab" };
	char *out;

	(void)state;
	out = fb_template_fill("<input value=\"{{user}}\"> {{token}} {{other}} {{open", names,
			       values, 2);
	assert_string_equal(out, "<input value=\"&lt;b&gt;&quot;Eve&quot; &amp; &#39;co&#39;&lt;/b&gt;\">"
			    " v1.1.ab {{other}} {{open");
	free(out);
	out = fb_template_fill("", names, values, 2);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_template),
	};

	return cmocka_run_group_tests_name("feedback_form", tests, NULL, NULL);
}
