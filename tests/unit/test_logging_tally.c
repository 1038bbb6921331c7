/*
 * test_logging_tally.c - counting a transaction's events per group at its
 * end leaves the tables as counting them one by one does: counts, first
 * and last times, the latest sample, the samples' slots, and the
 * occurrences `errors top --since` and errors_per_minute add up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <hinge/plugin.h>

#include "plugins/logging/errors.h"
#include "plugins/logging/spool.h"
#include "plugins/logging/stmt.h"
#include "plugins/logging/tally.h"

static sqlite3 *one, *tallied;

static sqlite3 *open_db(void)
{
	sqlite3 *db;
	int k;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (k = 0; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	return db;
}

static int setup(void **state)
{
	(void)state;
	one = open_db();
	tallied = open_db();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lg_stmt_forget(one);
	lg_stmt_forget(tallied);
	sqlite3_close(one);
	sqlite3_close(tallied);
	return 0;
}

/* Event k: three groups, uneven; times repeat in runs as a tail's do. */
static void event(int k, char id[16], char msg[32], struct lg_event *ev)
{
	static const char *const fps[] = { "fpA", "fpB", "fpA", "fpC", "fpA", "fpB" };

	snprintf(id, 16, "e%03d", k);
	snprintf(msg, 32, "message %d", k);
	memset(ev, 0, sizeof *ev);
	ev->event_id = id;
	ev->time_ms = 1000 + (k / 4) * 10 - (k == 9 ? 500 : 0);
	ev->source = "file";
	ev->type = "/var/log/app.log";
	ev->message = msg;
	ev->normalized = "message <num>";
	ev->fingerprint = fps[k % 6];
	ev->body = "{}";
}

/* The rows of sql joined into one string, to compare two databases. */
static char *dump(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	size_t len = 0, cap = 1 << 16;
	char *out = calloc(1, cap);
	int c;

	assert_non_null(out);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		for (c = 0; c < sqlite3_column_count(s); c++) {
			const char *v = (const char *)sqlite3_column_text(s, c);

			len += (size_t)snprintf(out + len, cap - len, "%s%c",
						v ? v : "NULL",
						c + 1 < sqlite3_column_count(s) ? '|' : '\n');
		}
	sqlite3_finalize(s);
	return out;
}

static void same(const char *sql)
{
	char *a = dump(one, sql), *b = dump(tallied, sql);

	assert_string_equal(a, b);
	assert_true(strlen(a) > 0);
	free(a);
	free(b);
}

/* 23 events one by one against the same in two tallies (a transaction
 * boundary after event 13, inside group fpA's run of samples). */
static void test_same_tables(void **state)
{
	struct lg_tally t = { 0 };
	struct lg_event ev;
	char id[16], msg[32];
	int k;

	(void)state;
	for (k = 0; k < 23; k++) {
		event(k, id, msg, &ev);
		assert_int_equal(lg_spool_put(one, &ev, NULL, 0), 0);
		assert_int_equal(lg_tally_add(tallied, &t, &ev), 0);
		if (k == 13)
			assert_int_equal(lg_tally_flush(tallied, &t), 0);
	}
	assert_int_equal(lg_tally_flush(tallied, &t), 0);
	lg_tally_free(&t);
	same("SELECT fingerprint, source, type, normalized, sample, count,"
	     " first_ms, last_ms FROM logging_groups ORDER BY fingerprint");
	same("SELECT fingerprint, slot, seq, time_ms, event_id, message"
	     " FROM logging_samples ORDER BY fingerprint, slot");
	same("SELECT fingerprint, time_ms, sum(n) FROM logging_hits"
	     " GROUP BY fingerprint, time_ms ORDER BY fingerprint, time_ms");
	assert_int_equal(lg_errors_since(tallied, 0, "file"), 23);
	assert_int_equal(lg_errors_since(tallied, 1030, NULL),
			 lg_errors_since(one, 1030, NULL));
}

/* Tally n events all at time_ms; each its own group when distinct. */
static void add_many(struct lg_tally *t, int n, int64_t time_ms, int distinct)
{
	struct lg_event ev;
	char id[16], msg[32];
	int k;

	for (k = 0; k < n; k++) {
		event(k, id, msg, &ev);
		if (distinct)
			ev.fingerprint = msg;
		ev.time_ms = time_ms;
		assert_int_equal(lg_tally_add(tallied, t, &ev), 0);
	}
}

static void expect(const char *sql, const char *rows)
{
	char *got = dump(tallied, sql);

	assert_string_equal(got, rows);
	free(got);
}

/* Fewer rows: one occurrence row per group and time, not per event. */
static void test_fewer_rows(void **state)
{
	struct lg_tally t = { 0 };

	(void)state;
	add_many(&t, 8, 5000, 0);
	assert_int_equal(lg_tally_flush(tallied, &t), 0);
	lg_tally_free(&t);
	expect("SELECT count(*), sum(n) FROM logging_hits", "3|8\n");
	expect("SELECT count(*) FROM logging_samples WHERE fingerprint = 'fpA'", "4\n");
}

/* Freed without a flush (a rolled-back transaction): nothing written. */
static void test_free_writes_nothing(void **state)
{
	struct lg_tally t = { 0 };

	(void)state;
	add_many(&t, 200, 7000, 1); /* 200 groups: the table grows */
	lg_tally_free(&t);
	expect("SELECT count(*) FROM logging_groups", "0\n");
	expect("SELECT count(*) FROM logging_hits", "0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewer_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_writes_nothing, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
