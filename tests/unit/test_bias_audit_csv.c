/*
 * test_bias_audit_csv.c - the streaming RFC 4180 reader: quotes, doubled
 * quotes, CRLF, newlines inside quotes, and bad input named by its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/bias_audit/csv.h"

struct fixture {
	FILE *f;
	struct csv_reader *r;
	size_t bytes;
};

static void count_bytes(void *arg, const void *buf, size_t len)
{
	(void)buf;
	((struct fixture *)arg)->bytes += len;
}

static void open_text(struct fixture *fx, const char *text)
{
	fx->bytes = 0;
	fx->f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(fx->f);
	fx->r = csv_open(fx->f, count_bytes, fx);
	assert_non_null(fx->r);
}

static void close_text(struct fixture *fx)
{
	csv_close(fx->r);
	fclose(fx->f);
}

static void expect(struct fixture *fx, size_t n, const char *const *want)
{
	char **fields;
	size_t got;

	assert_int_equal(csv_next(fx->r, &fields, &got), 1);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(fields[i], want[i]);
}

static void plain_and_quoted(void **state)
{
	struct fixture fx;
	const char *text = "id,name,score\r\n"
			   "1,\"Smith, J\",0.5\r\n"
			   "2,\"say \"\"hi\"\"\",0.25\r\n"
			   "3,\"two\r\nlines\",\r\n"
			   "4,,\"\"\r\n";
	char **fields;
	size_t n;

	(void)state;
	open_text(&fx, text);
	expect(&fx, 3, (const char *[]){ "id", "name", "score" });
	assert_int_equal(csv_record(fx.r), 1);
	expect(&fx, 3, (const char *[]){ "1", "Smith, J", "0.5" });
	expect(&fx, 3, (const char *[]){ "2", "say \"hi\"", "0.25" });
	expect(&fx, 3, (const char *[]){ "3", "two\r\nlines", "" });
	assert_int_equal(csv_line(fx.r), 4);
	expect(&fx, 3, (const char *[]){ "4", "", "" });
	/* Record 5 started on line 6: line 4 held a newline inside quotes. */
	assert_int_equal(csv_record(fx.r), 5);
	assert_int_equal(csv_line(fx.r), 6);
	assert_int_equal(csv_next(fx.r, &fields, &n), 0);
	assert_int_equal(fx.bytes, strlen(text));
	close_text(&fx);
}

static void lf_and_no_final_newline(void **state)
{
	struct fixture fx;
	char **fields;
	size_t n;

	(void)state;
	open_text(&fx, "a,b\nx,y\nlast,\"q\"");
	expect(&fx, 2, (const char *[]){ "a", "b" });
	expect(&fx, 2, (const char *[]){ "x", "y" });
	expect(&fx, 2, (const char *[]){ "last", "q" });
	assert_int_equal(csv_next(fx.r, &fields, &n), 0);
	close_text(&fx);
}

/* Longer than the reader's 64 KiB input buffer: a field spans two reads. */
static void long_field(void **state)
{
	static char text[200000];
	struct fixture fx;
	char **fields;
	size_t n;

	(void)state;
	strcpy(text, "k,v\n1,\"");
	memset(text + 7, 'x', 150000);
	strcpy(text + 7 + 150000, "\"\n");
	open_text(&fx, text);
	expect(&fx, 2, (const char *[]){ "k", "v" });
	assert_int_equal(csv_next(fx.r, &fields, &n), 1);
	assert_int_equal(strlen(fields[1]), 150000);
	close_text(&fx);
}

static void bad(const char *text, int good_records, const char *message)
{
	struct fixture fx;
	char **fields;
	size_t n;

	open_text(&fx, text);
	for (int i = 0; i < good_records; i++)
		assert_int_equal(csv_next(fx.r, &fields, &n), 1);
	assert_int_equal(csv_next(fx.r, &fields, &n), HINGE_EINVAL);
	assert_string_equal(csv_error(fx.r), message);
	close_text(&fx);
}

static void bad_input(void **state)
{
	(void)state;
	bad("a,b,c\n1,2,3\n4,5\n", 2, "row 3 (line 3): 2 fields where the header has 3");
	bad("a,b\n1,2,3\n", 1, "row 2 (line 2): 3 fields where the header has 2");
	bad("a,b\n1,\"open\n", 1,
	    "row 2 (line 2): a quoted field is not closed before the end of the file");
	bad("a,b\n1,\"x\"y\n", 1, "row 2 (line 2): unexpected character after field 2");
	bad("a,b\n1,x\"y\n", 1, "row 2 (line 2): a quote inside unquoted field 2");
	bad("a,b\n1,2\n\n3,4\n", 2, "row 3 (line 3): 1 fields where the header has 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_and_quoted),
		cmocka_unit_test(lf_and_no_final_newline),
		cmocka_unit_test(long_field),
		cmocka_unit_test(bad_input),
	};

	return cmocka_run_group_tests_name("bias_audit_csv", tests, NULL, NULL);
}
