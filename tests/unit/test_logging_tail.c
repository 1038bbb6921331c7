/*
 * test_logging_tail.c - following files through both kinds of rotation,
 * against an in-memory state database and real files in a temp folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/logging/spool.h"
#include "plugins/logging/stmt.h"
#include "plugins/logging/tail.h"

static sqlite3 *db;
static char dir[64], path[128], got[LG_TAIL_LINE_MAX + 4096];
static int nlines;

static int collect(void *ctx, const char *p, const char *line, size_t len)
{
	(void)ctx;
	(void)p;
	strncat(got, line, len);
	strcat(got, "|");
	nlines++;
	return 0;
}

static int setup(void **state)
{
	int k;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (k = 0; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	snprintf(dir, sizeof dir, "/tmp/lgtail.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/app.log", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	lg_stmt_forget(db);
	sqlite3_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void append(const char *p, const char *text)
{
	FILE *f = fopen(p, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t max_bytes = 1 << 20;
static int64_t rotate_wait_ms;

static const char *poll_once(int at_end)
{
	struct lg_tail_opts o = { .start_at_end = at_end, .max_bytes = max_bytes,
				  .rotate_wait_ms = rotate_wait_ms };

	got[0] = '\0';
	nlines = 0;
	assert_true(lg_tail_poll(db, path, &o, collect, NULL) >= 0);
	return got;
}

static void test_lines_and_partial(void **state)
{
	(void)state;
	append(path, "one\ntwo\nthr");
	assert_string_equal(poll_once(0), "one|two|");
	assert_string_equal(poll_once(0), "");
	append(path, "ee\n");
	assert_string_equal(poll_once(0), "three|");
}

static void test_start_at_end(void **state)
{
	(void)state;
	append(path, "old\n");
	assert_string_equal(poll_once(1), "");
	append(path, "new\n");
	assert_string_equal(poll_once(1), "new|");
}

static char old[160];

/* "a" read, then unread lines appended, the file renamed to old and a
 * new one at path holding "c". */
static void rotate_by_rename(const char *unread)
{
	snprintf(old, sizeof old, "%s.1", path);
	append(path, "a\n");
	assert_string_equal(poll_once(0), "a|");
	append(path, unread);
	assert_int_equal(rename(path, old), 0);
	append(path, "c\n");
}

static void test_rename_rotation(void **state)
{
	(void)state;
	rotate_by_rename("b\n");
	assert_string_equal(poll_once(0), "b|c|");
	append(path, "d\n");
	assert_string_equal(poll_once(0), "d|");
}

/*
 * logrotate renames the file, then signals its writer, which goes on
 * writing to the renamed file until it reopens the path: those lines
 * are read too, until the renamed file has been quiet for the wait.
 */
static void test_rename_late_writes(void **state)
{
	struct timespec past[2] = { { 0, UTIME_OMIT }, { time(NULL) - 3600, 0 } };

	(void)state;
	rotate_by_rename("b\n");
	rotate_wait_ms = 60000;
	assert_string_equal(poll_once(0), "b|");
	append(old, "late\n");
	assert_string_equal(poll_once(0), "late|");
	assert_string_equal(poll_once(0), "");
	/* quiet for an hour: the new file's turn */
	assert_int_equal(utimensat(AT_FDCWD, old, past, 0), 0);
	assert_string_equal(poll_once(0), "c|");
	append(old, "too late\n");
	append(path, "d\n");
	assert_string_equal(poll_once(0), "d|");
	rotate_wait_ms = 0;
}

/* A renamed file with much left is read max_bytes a poll, not at once:
 * one transaction, one spool row, stays bounded. */
static void test_rename_in_rounds(void **state)
{
	(void)state;
	rotate_by_rename("b1\nb2\nb3\n");
	max_bytes = 4;
	assert_string_equal(poll_once(0), "b1|");
	assert_string_equal(poll_once(0), "b2|");
	assert_string_equal(poll_once(0), "b3|c|");
	max_bytes = 1 << 20;
}

static void test_copytruncate(void **state)
{
	(void)state;
	append(path, "first line of the old content\nsecond\n");
	assert_string_equal(poll_once(0), "first line of the old content|second|");
	assert_int_equal(truncate(path, 0), 0);
	append(path, "x\n");
	assert_string_equal(poll_once(0), "x|");
	/* truncated and grown past the old offset before the next poll */
	assert_int_equal(truncate(path, 0), 0);
	append(path, "a different start, longer than before......\n");
	assert_string_equal(poll_once(0), "a different start, longer than before......|");
}

static void test_inode_reuse(void **state)
{
	(void)state;
	append(path, "alpha\n");
	assert_string_equal(poll_once(0), "alpha|");
	/* a new file in place of the old, whatever inode it gets */
	assert_int_equal(unlink(path), 0);
	append(path, "omega and more\n");
	assert_string_equal(poll_once(0), "omega and more|");
}

static void test_long_line(void **state)
{
	char *big = malloc(100001);

	(void)state;
	memset(big, 'x', 100000);
	big[100000] = '\0';
	append(path, big);
	assert_string_equal(poll_once(0), "");
	append(path, "\nshort\n");
	poll_once(0);
	assert_int_equal(nlines, 2);
	assert_int_equal(strlen(got), LG_TAIL_LINE_MAX + strlen("|short|"));
	free(big);
}

/* A poll takes whole lines up to max_bytes (the tail transaction's
 * bound), the first line whatever its length; the rest waits. */
static void test_max_bytes(void **state)
{
	(void)state;
	append(path, "aaaa\nbbbb\ncccc\nlong line here\ndd\n");
	max_bytes = 12;
	assert_string_equal(poll_once(0), "aaaa|bbbb|");
	assert_string_equal(poll_once(0), "cccc|");
	max_bytes = 4;
	assert_string_equal(poll_once(0), "long line here|");
	assert_string_equal(poll_once(0), "dd|");
	assert_string_equal(poll_once(0), "");
	max_bytes = 1 << 20;
}

static void test_missing_file(void **state)
{
	struct lg_tail_opts o = { .max_bytes = 1 << 20 };

	(void)state;
	assert_int_equal(lg_tail_poll(db, path, &o, collect, NULL), HINGE_EUNAVAIL);
}

/* lg_tail_read on from the position the read before gave, nothing saved
 * in between (the plugin's pipeline: the round before is still being
 * committed): the same lines as polling, none twice, none skipped. */
static const char *read_on(struct lg_tail_pos *at, int at_end)
{
	struct lg_tail_opts o = { .start_at_end = at_end, .max_bytes = max_bytes };
	struct lg_tail_pos pos;

	got[0] = '\0';
	nlines = 0;
	assert_true(lg_tail_read(at, path, &o, collect, NULL, &pos) >= 0);
	*at = pos;
	return got;
}

static void test_read_on_unsaved(void **state)
{
	struct lg_tail_pos at;

	(void)state;
	append(path, "old\n");
	assert_int_equal(lg_tail_load(db, path, &at), 0);
	assert_false(at.found);
	/* no record: the end, once; then on from there */
	assert_string_equal(read_on(&at, 1), "");
	append(path, "new\n");
	assert_string_equal(read_on(&at, 1), "new|");
	/* renamed with lines left, read max_bytes at a time */
	snprintf(old, sizeof old, "%s.1", path);
	append(path, "b1\nb2\n");
	assert_int_equal(rename(path, old), 0);
	append(path, "c\n");
	max_bytes = 4;
	assert_string_equal(read_on(&at, 1), "b1|");
	assert_string_equal(read_on(&at, 1), "b2|c|");
	max_bytes = 1 << 20;
	/* copytruncate */
	assert_int_equal(truncate(path, 0), 0);
	append(path, "x\n");
	assert_string_equal(read_on(&at, 1), "x|");
	assert_string_equal(read_on(&at, 1), "");
	/* nothing was saved */
	assert_int_equal(lg_tail_load(db, path, &at), 0);
	assert_false(at.found);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lines_and_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_late_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_in_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_on_unsaved, setup, teardown),
	};
	return cmocka_run_group_tests_name("logging_tail", tests, NULL, NULL);
}
