/*
 * test_logging_deliver.c - the spool and the delivery state machine,
 * against an in-memory SQLite database and a scripted sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugins/logging/deliver.h"
#include "plugins/logging/stmt.h"

/* The scripted sink: replies[k] answers request k; records what it got. */
struct script {
	int replies[16];
	int64_t retry_after[16], limit[16];
	int calls;
	size_t sizes[16];
	char first_ids[16][40];
};

static int scripted_send(void *ctx, const struct lg_item *items, size_t n,
			 int64_t now_ms, struct lg_reply *r)
{
	struct script *sc = ctx;
	int k = sc->calls++;

	(void)now_ms;
	sc->sizes[k] = n;
	snprintf(sc->first_ids[k], sizeof sc->first_ids[k], "%s", items[0].event_id);
	r->status = sc->replies[k];
	r->retry_after_ms = sc->retry_after[k] ? sc->retry_after[k] : -1;
	r->limit_ms = sc->limit[k] ? sc->limit[k] : -1;
	snprintf(r->reason, sizeof r->reason, "scripted");
	return 0;
}

static sqlite3 *db;

static int setup(void **state)
{
	int k;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), 0);
	for (k = 0; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lg_stmt_forget(db);
	sqlite3_close(db);
	return 0;
}

static void put(int k, const char *body, const char *const *sinks, size_t n)
{
	char id[40], fp[8];
	struct lg_event ev = {
		.event_id = id, .time_ms = 1000 + k, .source = "agent",
		.type = "error", .message = "m", .normalized = "m",
		.fingerprint = fp, .body = body,
	};

	snprintf(id, sizeof id, "id%02d", k);
	snprintf(fp, sizeof fp, "fp%d", k % 2);
	assert_int_equal(lg_spool_put(db, &ev, sinks, n), 0);
}

static const char *const one[] = { "s" };

static int64_t count(const char *sql)
{
	sqlite3_stmt *q;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* No queue row outlives its event (nothing cascades: the spool's code
 * deletes both). */
static void no_orphans(void)
{
	assert_int_equal(count("SELECT count(*) FROM logging_queue WHERE event"
			       " NOT IN (SELECT id FROM logging_events)"), 0);
}

static void fill(int n)
{
	int k;

	for (k = 0; k < n; k++)
		put(k, "{\"a\":1}", one, 1);
}

static struct lg_sink sink(struct script *sc, int per_request)
{
	struct lg_sink s = {
		.name = "s", .per_request = per_request,
		.backoff_initial_ms = 100, .backoff_max_ms = 1000,
		.send = scripted_send, .ctx = sc,
	};
	return s;
}

/* One delivery run: batch, send, apply. */
static struct lg_run_stats run_once(struct lg_sink *s, int64_t now)
{
	struct lg_item *items;
	struct lg_outcome out[64];
	struct lg_run_stats st;
	size_t n;

	assert_int_equal(lg_spool_batch(db, s->name, 64, &items, &n), 0);
	lg_deliver_send(s, items, n, now, 0, out, &st);
	assert_int_equal(lg_deliver_apply(db, s->name, items, out, n, now), 0);
	lg_items_free(items, n);
	return st;
}

static void test_delivered_and_grouped(void **state)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 3);
	struct lg_run_stats st;

	(void)state;
	fill(5);
	assert_int_equal(lg_spool_pending(db, "s"), 5);
	st = run_once(&s, 0);
	assert_int_equal(st.requests, 2);
	assert_int_equal(sc.sizes[0], 3);
	assert_int_equal(sc.sizes[1], 2);
	assert_string_equal(sc.first_ids[0], "id00");
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	assert_int_equal(lg_counter_get(db, "delivered"), 5);
	/* five hits in two groups */
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(count)"
					    " FROM logging_groups", -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 2);
	assert_int_equal(sqlite3_column_int(q, 1), 5);
	sqlite3_finalize(q);
}

static void test_down_then_back(void **state)
{
	struct script sc = { .replies = { 503, 0, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	(void)state;
	fill(4);
	st = run_once(&s, 0);
	assert_int_equal(st.retried, 4);
	assert_int_equal(s.failures, 1);
	assert_in_range(s.blocked_until_ms, 50, 100);
	/* blocked: no request at all */
	st = run_once(&s, 10);
	assert_int_equal(st.requests, 0);
	st = run_once(&s, 100);
	assert_int_equal(st.last_status, 0);
	assert_int_equal(s.failures, 2);
	assert_in_range(s.blocked_until_ms, 200, 300);
	st = run_once(&s, 1000);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(s.failures, 0);
	/* the same ids went each time: retries reuse the spooled event id */
	assert_string_equal(sc.first_ids[0], "id00");
	assert_string_equal(sc.first_ids[2], "id00");
	assert_int_equal(lg_spool_pending(db, "s"), 0);
}

static void test_429(void **state)
{
	struct script sc = { .replies = { 429, 200, 200 },
			     .retry_after = { 5000 }, .limit = { 0, 60000 } };
	struct lg_sink s = sink(&sc, 1);
	struct lg_run_stats st;

	(void)state;
	fill(3);
	st = run_once(&s, 0);
	assert_int_equal(st.requests, 1);
	assert_int_equal(s.blocked_until_ms, 5000);
	assert_int_equal(lg_spool_pending(db, "s"), 3);
	assert_int_equal(run_once(&s, 4999).requests, 0);
	/* a rate limit on a 200: that event is delivered, the rest wait */
	st = run_once(&s, 5000);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(s.blocked_until_ms, 65000);
	assert_int_equal(lg_spool_pending(db, "s"), 2);
}

static void test_413_split_and_dead(void **state)
{
	/* 4 events: 413 on all, 200 on the first half, 413 on the second,
	 * then 200 and 400 for the two singles */
	struct script sc = { .replies = { 413, 200, 413, 200, 400 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;
	sqlite3_stmt *q;

	(void)state;
	fill(4);
	st = run_once(&s, 0);
	assert_int_equal(st.requests, 5);
	assert_int_equal(st.delivered, 3);
	assert_int_equal(st.dead, 1);
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT event_id, reason FROM logging_dead",
					    -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "id03");
	assert_string_equal((const char *)sqlite3_column_text(q, 1), "HTTP 400: scripted");
	sqlite3_finalize(q);
}

static void test_corrupt_row_skipped(void **state)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	(void)state;
	put(0, "{\"a\":1}", one, 1);
	put(1, "{\"a\":", one, 1);
	put(2, "{\"a\":2}", one, 1);
	st = run_once(&s, 0);
	assert_int_equal(st.dead, 1);
	assert_int_equal(st.delivered, 2);
	assert_int_equal(sc.calls, 2);
	assert_int_equal(lg_counter_get(db, "dead"), 1);
}

static void test_two_sinks_and_cap(void **state)
{
	static const char *const two[] = { "s", "t" };
	struct script sc = { .replies = { 200 } };
	struct lg_sink s = sink(&sc, 10);
	int64_t dropped;
	int k;

	(void)state;
	for (k = 0; k < 6; k++)
		put(k, "{\"a\":1}", two, 2);
	assert_int_equal(lg_spool_cap(db, 4, &dropped), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(lg_counter_get(db, "dropped"), 2);
	assert_int_equal(lg_spool_pending(db, "t"), 4);
	no_orphans();
	run_once(&s, 0);
	assert_string_equal(sc.first_ids[0], "id02");
	/* delivered to s, still waiting for t */
	assert_int_equal(lg_spool_pending(db, "s"), 0);
	assert_int_equal(lg_spool_pending(db, NULL), 4);
	/* nothing but the group count without a sink */
	put(9, "{}", NULL, 0);
	assert_int_equal(lg_spool_pending(db, NULL), 4);
	no_orphans();
}

/* The migration that rebuilt the spool's tables keeps what was spooled:
 * rows, ids, attempts, and the queue still delivers. */
static void test_rebuild_keeps_spool(void **state)
{
	static const char *const two[] = { "s", "t" };
	struct script sc = { .replies = { 200 } };
	struct lg_sink s = sink(&sc, 10);
	int k, last = 0;

	(void)state;
	teardown(state);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), 0);
	while (lg_spool_migrations[last + 1])
		last++;
	for (k = 0; k < last; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	for (k = 0; k < 5; k++)
		put(k, "{\"a\":1}", two, 2);
	assert_int_equal(sqlite3_exec(db, "UPDATE logging_queue SET attempts = 3"
				      " WHERE sink = 't'", NULL, NULL, NULL), 0);
	lg_stmt_forget(db); /* statements prepared on the old tables */
	assert_int_equal(sqlite3_exec(db, lg_spool_migrations[last], NULL, NULL, NULL), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_events"), 5);
	assert_int_equal(count("SELECT count(*) FROM logging_queue WHERE sink = 't'"
			       " AND attempts = 3"), 5);
	assert_int_equal(count("SELECT count(*) FROM pragma_index_list('logging_events')"), 0);
	assert_int_equal(count("SELECT count(*) FROM pragma_foreign_key_list('logging_queue')"), 0);
	run_once(&s, 0);
	assert_string_equal(sc.first_ids[0], "id00");
	assert_int_equal(sc.sizes[0], 5);
	assert_int_equal(lg_spool_pending(db, "t"), 5);
	assert_int_equal(lg_spool_pending(db, NULL), 5);
	no_orphans();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delivered_and_grouped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_then_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429, setup, teardown),
		cmocka_unit_test_setup_teardown(test_413_split_and_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_row_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_sinks_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_keeps_spool, setup, teardown),
	};
	return cmocka_run_group_tests_name("logging_deliver", tests, NULL, NULL);
}
