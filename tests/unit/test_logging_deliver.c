/*
 * test_logging_deliver.c - the spool and the delivery state machine,
 * against an in-memory SQLite database and a scripted sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugins/logging/chunk.h"
#include "plugins/logging/deliver.h"
#include "plugins/logging/pack.h"
#include "plugins/logging/sinks.h"
#include "plugins/logging/stmt.h"

/* The scripted sink: replies[k] answers request k; records what it got. */
struct script {
	int replies[16];
	int64_t retry_after[16], limit[16];
	int calls;
	size_t sizes[16];
	char first_ids[16][40];
	char bodies[1024]; /* every body sent, each followed by a space */
};

static int scripted_send(void *ctx, const struct lg_item *items, size_t n,
			 int64_t now_ms, struct lg_reply *r)
{
	struct script *sc = ctx;
	int k = sc->calls++;

	(void)now_ms;
	sc->sizes[k] = n;
	snprintf(sc->first_ids[k], sizeof sc->first_ids[k], "%s", items[0].event_id);
	for (size_t i = 0; i < n; i++) {
		strncat(sc->bodies, items[i].body, sizeof sc->bodies - strlen(sc->bodies) - 1);
		strncat(sc->bodies, " ", sizeof sc->bodies - strlen(sc->bodies) - 1);
	}
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

/* No queue row outlives its chunk, none is empty, and each chunk counts
 * the events some sink still waits for. */
static void no_orphans(void)
{
	assert_int_equal(count("SELECT count(*) FROM logging_pending WHERE chunk"
			       " NOT IN (SELECT id FROM logging_chunks)"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_pending WHERE left <= 0"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunk_left WHERE left <= 0"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunk_left c WHERE left <"
			       " (SELECT max(left) FROM logging_pending p"
			       " WHERE p.chunk = c.chunk)"), 0);
	/* one count per chunk */
	assert_int_equal(count("SELECT count(*) FROM logging_chunks WHERE id NOT IN"
			       " (SELECT chunk FROM logging_chunk_left)"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunk_left WHERE chunk NOT IN"
			       " (SELECT id FROM logging_chunks)"), 0);
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

	assert_int_equal(lg_spool_batch(db, s->name, 64, SIZE_MAX, &items, &n), 0);
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

/* Alter the spool on disk with sql, then deliver: one event goes dead,
 * the two others are delivered (in two requests around it). */
static void corrupt_then_deliver(const char *sql)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
	st = run_once(&s, 0);
	assert_int_equal(st.dead, 1);
	assert_int_equal(st.delivered, 2);
	assert_int_equal(sc.calls, 2);
	assert_int_equal(lg_counter_get(db, "dead"), 1);
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	no_orphans();
}

/* A row of one event altered on disk: the rows around it still go. */
static void test_corrupt_row_skipped(void **state)
{
	(void)state;
	put(0, "{\"a\":1}", one, 1);
	put(1, "{\"a\":2}", one, 1);
	put(2, "{\"a\":3}", one, 1);
	corrupt_then_deliver("UPDATE logging_chunks SET bodies = '{\"a\":'"
			     " || char(10) WHERE id = 2");
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

/* Events k0.. of one chunk, event k with body bodies[k - k0] (NULL:
 * {"a":1}) for the sinks in masks[k - k0] (bit j: sinks[j]). */
static void put_chunk(int k0, int n, const char *const *bodies,
		      const unsigned *masks, const char *const *sinks, size_t nsinks)
{
	struct lg_chunk c = { 0 };
	char id[40];
	int k;

	for (k = 0; k < n; k++) {
		snprintf(id, sizeof id, "id%02d", k0 + k);
		assert_int_equal(lg_chunk_add(&c, id, 1000 + k0 + k,
					      bodies && bodies[k] ? bodies[k] : "{\"a\":1}",
					      masks[k]), 0);
	}
	assert_int_equal(lg_spool_chunk(db, &c, sinks, nsinks), 0);
	lg_chunk_free(&c);
}

/* One row of five events: s takes part of it, t (sampled: two of them)
 * the rest; each sink sees only its events, in order, with their ids. */
static void test_chunk_partial(void **state)
{
	static const char *const two[] = { "s", "t" };
	static const unsigned masks[] = { 1, 3, 1, 3, 1 };
	struct script sc = { .replies = { 200, 503, 200, 200, 200 } };
	struct lg_sink s = sink(&sc, 2);
	struct script tc = { .replies = { 200 } };
	struct lg_sink t = sink(&tc, 10);
	struct lg_run_stats st;

	(void)state;
	t.name = "t";
	put_chunk(0, 5, NULL, masks, two, 2);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 1);
	assert_int_equal(lg_spool_pending(db, "s"), 5);
	assert_int_equal(lg_spool_pending(db, "t"), 2);
	assert_int_equal(lg_spool_pending(db, NULL), 5);
	st = run_once(&s, 0);
	assert_int_equal(st.delivered, 2);
	assert_int_equal(st.retried, 2);
	/* event 0 is gone, 1 still waits for t; 2..4 for s */
	assert_int_equal(lg_spool_pending(db, "s"), 3);
	assert_int_equal(lg_spool_pending(db, NULL), 4);
	assert_int_equal(count("SELECT attempts FROM logging_pending WHERE sink = 's'"), 1);
	no_orphans();
	st = run_once(&s, 10000);
	assert_int_equal(st.delivered, 3);
	assert_string_equal(sc.first_ids[1], "id02");
	assert_string_equal(sc.first_ids[2], "id02");
	assert_string_equal(sc.first_ids[3], "id04");
	assert_int_equal(lg_spool_pending(db, "s"), 0);
	assert_int_equal(lg_spool_pending(db, NULL), 2);
	no_orphans();
	st = run_once(&t, 0);
	assert_int_equal(tc.sizes[0], 2);
	assert_string_equal(tc.first_ids[0], "id01");
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 0);
	assert_int_equal(lg_counter_get(db, "delivered"), 7);
}

/* A body written over several lines is spooled on one (its newlines as
 * spaces: whitespace between JSON tokens) and read back whole. */
static void test_chunk_body_newlines(void **state)
{
	static const unsigned masks[] = { 1, 1 };
	static const char *const bodies[] = { "{\n \"a\": 1\n}", "{\"b\":2}" };
	struct lg_item *items;
	size_t n;

	(void)state;
	put_chunk(0, 2, bodies, masks, one, 1);
	assert_int_equal(lg_spool_batch(db, "s", 10, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].body, "{  \"a\": 1 }");
	assert_string_equal(items[1].body, "{\"b\":2}");
	assert_string_equal(items[1].event_id, "id01");
	assert_false(items[0].malformed);
	lg_items_free(items, n);
	/* events for none of the sinks given: no row at all */
	put_chunk(2, 2, NULL, (const unsigned[]){ 2, 4 }, one, 1);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 1);
	no_orphans();
}

/* The cap drops the oldest events even from the middle of a row, for
 * every sink, and counts exactly those. */
static void test_cap_partial_chunk(void **state)
{
	static const char *const two[] = { "s", "t" };
	static const unsigned masks[] = { 1, 2, 3, 3, 3, 1 };
	struct script sc = { .replies = { 200 } };
	struct lg_sink s = sink(&sc, 10);
	int64_t dropped;

	(void)state;
	put_chunk(0, 6, NULL, masks, two, 2);
	put_chunk(6, 2, NULL, masks, two, 2);
	assert_int_equal(lg_spool_pending(db, NULL), 8);
	assert_int_equal(lg_spool_cap(db, 5, &dropped), 0);
	assert_int_equal(dropped, 3);
	assert_int_equal(lg_counter_get(db, "dropped"), 3);
	assert_int_equal(lg_spool_pending(db, NULL), 5);
	/* s keeps 3, 4, 5 of the first row and 6 of the second; t 3, 4, 6, 7 */
	assert_int_equal(lg_spool_pending(db, "s"), 4);
	assert_int_equal(lg_spool_pending(db, "t"), 3);
	no_orphans();
	run_once(&s, 0);
	assert_string_equal(sc.first_ids[0], "id03");
	assert_int_equal(sc.sizes[0], 4);
	/* the whole first row past the cap: it goes, counted */
	assert_int_equal(lg_spool_cap(db, 1, &dropped), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 1);
	assert_int_equal(lg_spool_pending(db, "t"), 1);
	assert_int_equal(lg_counter_get(db, "dropped"), 5);
	no_orphans();
}

/* A row altered on disk fails its checksum: each body is then parsed,
 * the broken one goes dead with its id, the others are delivered. */
static void test_corrupt_chunk(void **state)
{
	static const unsigned masks[] = { 1, 1, 1 };
	static const char *const bodies[] = { "{\"a\":1}", "{\"a\":2}", "{\"a\":3}" };
	sqlite3_stmt *q;

	(void)state;
	put_chunk(0, 3, bodies, masks, one, 1);
	corrupt_then_deliver("UPDATE logging_chunks SET bodies ="
			     " replace(bodies, '{\"a\":2}', '{\"a\":')");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT event_id, body, reason"
					    " FROM logging_dead", -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "id01");
	assert_string_equal((const char *)sqlite3_column_text(q, 1), "{\"a\":");
	assert_string_equal((const char *)sqlite3_column_text(q, 2),
			    "corrupt spool row: the body is not a JSON object");
	sqlite3_finalize(q);
}

/* Bodies that carry their ids, as the plugin's do. */
static const char *const idbodies[] = {
	"{\"event_id\":\"id00\",\"a\":0}", "{\"event_id\":\"id01\",\"a\":1}",
	"{\"event_id\":\"id02\",\"a\":2}", "{\"event_id\":\"id03\",\"a\":3}",
};

/* The four events of idbodies in one row for s, the row altered on disk by
 * sql, then one delivery run. */
static struct lg_run_stats corrupt_idrow(const char *sql, struct lg_sink *s)
{
	static const unsigned masks[] = { 1, 1, 1, 1 };

	put_chunk(0, 4, idbodies, masks, one, 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
	return run_once(s, 0);
}

/* Event id has dead letters (one per sink), and each holds body. */
static void dead_is(const char *id, const char *body)
{
	sqlite3_stmt *q;
	int rows = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT body FROM logging_dead"
					    " WHERE event_id = ?1", -1, &q, NULL), 0);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	for (; sqlite3_step(q) == SQLITE_ROW; rows++)
		assert_string_equal((const char *)sqlite3_column_text(q, 0), body);
	sqlite3_finalize(q);
	assert_true(rows > 0);
}

/* A byte of a row turned into a newline splits a body in two: the lines
 * after it no longer stand at their events' places.  The broken event
 * goes dead; every other is still delivered, none lost. */
static void test_corrupt_chunk_split(void **state)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	(void)state;
	st = corrupt_idrow("UPDATE logging_chunks SET bodies = replace(bodies,"
			   " '\"id01\",', '\"id01\",' || char(10))", &s);
	assert_int_equal(st.dead, 1);
	assert_int_equal(st.delivered, 3);
	assert_string_equal(sc.bodies, "{\"event_id\":\"id00\",\"a\":0} "
			    "{\"event_id\":\"id02\",\"a\":2} {\"event_id\":\"id03\",\"a\":3} ");
	dead_is("id01", "{\"event_id\":\"id01\",");
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	no_orphans();
}

/* A newline lost joins two bodies: both go dead, and each sink is sent
 * only the events it sampled (t: event 2 alone, which is broken).  Both
 * dead letters keep the joined text, where their bodies are, not the body
 * of event 3 that moved into event 2's place (sent under its own id). */
static void test_corrupt_chunk_joined(void **state)
{
	static const char *const two[] = { "s", "t" };
	static const unsigned masks[] = { 1, 1, 3, 1 };
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct script tc = { .replies = { 200 } };
	struct lg_sink t = sink(&tc, 10);
	struct lg_run_stats st;

	(void)state;
	t.name = "t";
	put_chunk(0, 4, idbodies, masks, two, 2);
	assert_int_equal(sqlite3_exec(db, "UPDATE logging_chunks SET bodies ="
				      " replace(bodies, '1}' || char(10), '1}')",
				      NULL, NULL, NULL), 0);
	st = run_once(&t, 0);
	assert_int_equal(st.requests, 0);
	assert_int_equal(st.dead, 1);
	st = run_once(&s, 0);
	assert_int_equal(st.dead, 2);
	assert_int_equal(st.delivered, 2);
	assert_string_equal(sc.bodies, "{\"event_id\":\"id00\",\"a\":0} "
			    "{\"event_id\":\"id03\",\"a\":3} ");
	assert_int_equal(count("SELECT count(*) FROM logging_dead WHERE event_id"
			       " IN ('id01', 'id02')"), 3);
	dead_is("id01", "{\"event_id\":\"id01\",\"a\":1}{\"event_id\":\"id02\",\"a\":2}");
	dead_is("id02", "{\"event_id\":\"id01\",\"a\":1}{\"event_id\":\"id02\",\"a\":2}");
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	no_orphans();
}

/* A newline added to the ids text moves the ids after it: the bodies,
 * still one per event and each naming its event, are all delivered,
 * each once; nothing goes dead under an id that is not its own. */
static void test_corrupt_chunk_ids_split(void **state)
{
	struct script sc = { .replies = { 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	(void)state;
	st = corrupt_idrow("UPDATE logging_chunks SET ids ="
			   " replace(ids, 'id01', 'id' || char(10) || '01')", &s);
	assert_int_equal(st.dead, 0);
	assert_int_equal(st.delivered, 4);
	assert_string_equal(sc.bodies, "{\"event_id\":\"id00\",\"a\":0} "
			    "{\"event_id\":\"id01\",\"a\":1} {\"event_id\":\"id02\",\"a\":2} "
			    "{\"event_id\":\"id03\",\"a\":3} ");
	assert_int_equal(count("SELECT count(*) FROM logging_dead"), 0);
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	no_orphans();
}

/* The ids text and one body both damaged (an id line split, event 2's
 * body cut short, the lines still one per event): the others are
 * delivered; event 2's dead letter keeps the text at its place. */
static void test_corrupt_chunk_both(void **state)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;

	(void)state;
	st = corrupt_idrow("UPDATE logging_chunks SET"
			   " ids = replace(ids, 'id03', 'id' || char(10) || '03'),"
			   " bodies = replace(bodies, '\"a\":2}', '\"a\":2')", &s);
	assert_int_equal(st.dead, 1);
	assert_int_equal(st.delivered, 3);
	dead_is("id02", "{\"event_id\":\"id02\",\"a\":2");
	assert_string_equal(sc.bodies, "{\"event_id\":\"id00\",\"a\":0} "
			    "{\"event_id\":\"id01\",\"a\":1} {\"event_id\":\"id03\",\"a\":3} ");
	no_orphans();
}

/*
 * A batch read before its row left the spool and acknowledged after must
 * not touch the row spooled next: s reads event 0 and sends it; meanwhile
 * the cap drops event 0 (the oldest) and t takes event 1, so the row (the
 * newest) is deleted; a new row comes for s.  s's acknowledgement of its
 * old batch must leave the new row's event waiting, and it is delivered.
 */
static void test_chunk_id_not_reused(void **state)
{
	static const char *const two[] = { "s", "t" };
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct script tc = { .replies = { 200 } };
	struct lg_sink t = sink(&tc, 10);
	struct lg_outcome out[4];
	struct lg_run_stats st;
	struct lg_item *items;
	int64_t dropped, old;
	size_t n;

	(void)state;
	t.name = "t";
	put_chunk(0, 2, NULL, (const unsigned[]){ 1, 2 }, two, 2);
	old = count("SELECT max(id) FROM logging_chunks");
	assert_int_equal(lg_spool_batch(db, "s", 10, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 1);
	lg_deliver_send(&s, items, n, 0, 0, out, &st);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(lg_spool_cap(db, 1, &dropped), 0);
	assert_int_equal(dropped, 1);
	run_once(&t, 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 0);
	put_chunk(2, 1, NULL, (const unsigned[]){ 1 }, two, 2);
	assert_int_equal(lg_deliver_apply(db, "s", items, out, n, 0), 0);
	lg_items_free(items, n);
	assert_int_equal(lg_spool_pending(db, "s"), 1);
	assert_true(count("SELECT max(id) FROM logging_chunks") > old);
	no_orphans();
	st = run_once(&s, 0);
	assert_int_equal(st.delivered, 1);
	assert_string_equal(sc.first_ids[1], "id02");
	assert_int_equal(lg_spool_pending(db, NULL), 0);
}

/* One delivery run reading at most limit events. */
static struct lg_run_stats run_limit(struct lg_sink *s, int limit, int64_t now)
{
	struct lg_item *items;
	struct lg_outcome out[64];
	struct lg_run_stats st = { 0 };
	size_t n;

	assert_int_equal(lg_spool_batch(db, s->name, limit, SIZE_MAX, &items, &n), 0);
	if (n) {
		lg_deliver_send(s, items, n, now, 0, out, &st);
		assert_int_equal(lg_deliver_apply(db, s->name, items, out, n, now), 0);
	}
	lg_items_free(items, n);
	return st;
}

/* One row of 20 events read 3 at a time, for two sinks sampled apart
 * (s: all, t: the even ones): the cap drops part of it, s takes some, t
 * gets a 503 and then a 400 on one event, and the row's counts follow
 * each step until it is gone. */
static void test_chunk_bookkeeping(void **state)
{
	static const char *const two[] = { "s", "t" };
	unsigned masks[20];
	struct script sc = { .replies = { 200, 200, 200, 200, 200, 200 } };
	struct lg_sink s = sink(&sc, 2);
	struct script tc = { .replies = { 503, 400, 200, 200, 200, 200, 200, 200, 200, 200 } };
	struct lg_sink t = sink(&tc, 1);
	int64_t dropped;
	int k;

	(void)state;
	t.name = "t";
	for (k = 0; k < 20; k++)
		masks[k] = k % 2 ? 1 : 3;
	put_chunk(0, 20, NULL, masks, two, 2);
	assert_int_equal(lg_spool_cap(db, 17, &dropped), 0);
	assert_int_equal(dropped, 3);
	assert_int_equal(lg_spool_pending(db, "s"), 17);
	assert_int_equal(lg_spool_pending(db, "t"), 8);
	no_orphans();
	run_limit(&s, 3, 0);
	assert_string_equal(sc.first_ids[0], "id03");
	assert_int_equal(lg_spool_pending(db, "s"), 14);
	assert_int_equal(lg_spool_pending(db, NULL), 15);
	no_orphans();
	run_limit(&t, 3, 0);
	assert_int_equal(lg_spool_pending(db, "t"), 8);
	assert_int_equal(count("SELECT attempts FROM logging_pending WHERE sink = 't'"), 1);
	run_limit(&t, 3, 100000);
	assert_string_equal(tc.first_ids[1], "id04");
	assert_int_equal(count("SELECT count(*) FROM logging_dead WHERE event_id = 'id04'"), 1);
	assert_int_equal(lg_spool_pending(db, "t"), 5);
	/* id04 was delivered to s already: it left the spool */
	assert_int_equal(lg_spool_pending(db, NULL), 14);
	no_orphans();
	/* the rest, 3 at a time, in one request each */
	for (k = 0; k < 5; k++) {
		memset(&sc, 0, sizeof sc);
		sc.replies[0] = 200;
		s.per_request = 10;
		run_limit(&s, 3, 100000);
	}
	assert_int_equal(lg_spool_pending(db, "s"), 0);
	assert_int_equal(lg_spool_pending(db, NULL), 5);
	no_orphans();
	for (k = 0; k < 2; k++) {
		memset(&tc, 0, sizeof tc);
		tc.replies[0] = 200;
		t.per_request = 10;
		run_limit(&t, 3, 100000);
	}
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_pending"), 0);
	assert_int_equal(lg_counter_get(db, "delivered"), 17 + 7);
}

static void old_event(int k, const char *body, int attempts_t)
{
	char sql[512];

	snprintf(sql, sizeof sql, "INSERT INTO logging_events (id, event_id,"
		 " time_ms, fingerprint, body) VALUES (%d, 'id%02d', %d, 'fp', '%s');"
		 "INSERT INTO logging_queue (sink, event) VALUES ('s', %d);"
		 "INSERT INTO logging_queue (sink, event, attempts) VALUES ('t', %d, %d);",
		 10 + k, k, 1000 + k, body, 10 + k, 10 + k, attempts_t);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), 0);
}

/* The index of the first migration that contains sql. */
static int migration_with(const char *sql)
{
	int k;

	for (k = 0; lg_spool_migrations[k]; k++)
		if (strstr(lg_spool_migrations[k], sql))
			return k;
	fail_msg("no migration contains %s", sql);
	return -1;
}

/* A new in-memory database with the plugin's migrations [0, upto). */
static void migrate_upto(int upto)
{
	int k;

	lg_stmt_forget(db);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (k = 0; k < upto; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
}

/* Ten rows of 50 events, s sampled down to one event of each: a read
 * copies a row's whole text for its one event, and stops after the row
 * that brings what it copied to max_text (one row at least). */
static void test_read_bounded_by_text(void **state)
{
	static const char *const two[] = { "s", "t" };
	unsigned masks[50];
	struct lg_item *items;
	size_t n, three;
	int k;

	(void)state;
	for (k = 0; k < 50; k++)
		masks[k] = k == 7 ? 3 : 2;
	for (k = 0; k < 10; k++)
		put_chunk(50 * k, 50, NULL, masks, two, 2);
	three = (size_t)count("SELECT sum(length(ids) + length(bodies)) FROM"
			      " (SELECT * FROM logging_chunks ORDER BY id LIMIT 3)");
	assert_int_equal(lg_spool_batch(db, "s", 8192, three, &items, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(items[2].event_id, "id107");
	lg_items_free(items, n);
	assert_int_equal(lg_spool_batch(db, "s", 8192, 0, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "id07");
	lg_items_free(items, n);
	assert_int_equal(lg_spool_batch(db, "s", 8192, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 10);
	lg_items_free(items, n);
}

/* Rows of 3, 3 and 4 events: a read takes whole rows while they fit in
 * its limit, and splits only a first row that alone holds more. */
static void test_read_whole_rows(void **state)
{
	static const char *const just_s[] = { "s" };
	static const unsigned masks[] = { 1, 1, 1, 1 };
	struct lg_item *items;
	size_t n;
	unsigned char gone[4] = { 1, 1, 1, 1 };

	(void)state;
	put_chunk(0, 3, NULL, masks, just_s, 1);
	put_chunk(10, 3, NULL, masks, just_s, 1);
	put_chunk(20, 4, NULL, masks, just_s, 1);
	assert_int_equal(lg_spool_batch(db, "s", 5, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(items[2].event_id, "id02");
	lg_items_free(items, n);
	assert_int_equal(lg_spool_batch(db, "s", 6, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 6);
	assert_string_equal(items[5].event_id, "id12");
	lg_items_free(items, n);
	/* the first row alone is over the limit: part of it */
	assert_int_equal(lg_spool_batch(db, "s", 2, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lg_spool_done(db, "s", items, gone, n), 0);
	lg_items_free(items, n);
	/* its rest fits, the next row does not */
	assert_int_equal(lg_spool_batch(db, "s", 3, SIZE_MAX, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "id02");
	lg_items_free(items, n);
}

/* Events spooled one row each (the first schema, then the rebuilt one)
 * come through both migrations into chunks: same ids, order and attempts;
 * a body over several lines still goes as one; a corrupt one goes dead. */
static void test_migrate_to_chunks(void **state)
{
	struct script sc = { .replies = { 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct lg_run_stats st;
	int k, last = migration_with("CREATE TABLE logging_chunks (");

	(void)state;
	/* up to the first schema of the spool's two tables */
	migrate_upto(last - 1);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), 0);
	for (k = 0; k < 4; k++)
		old_event(k, k == 1 ? "{\n \"a\": 1\n}" : k == 2 ? "{\"a\":" : "{\"a\":1}", 3);
	/* delivered to t already: only s waits for it */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM logging_queue WHERE sink = 't'"
				      " AND event = 13", NULL, NULL, NULL), 0);
	assert_int_equal(sqlite3_exec(db, lg_spool_migrations[last - 1], NULL, NULL, NULL), 0);
	old_event(4, "{\"a\":1}", 2);
	for (k = last; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE name IN"
			       " ('logging_events', 'logging_queue')"), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 5);
	assert_int_equal(lg_spool_pending(db, "s"), 5);
	assert_int_equal(lg_spool_pending(db, "t"), 4);
	assert_int_equal(count("SELECT sum(attempts) FROM logging_pending"
			       " WHERE sink = 't'"), 11);
	no_orphans();
	st = run_once(&s, 0);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(st.dead, 1);
	assert_string_equal(sc.first_ids[0], "id00");
	assert_int_equal(sc.sizes[0], 2);
	assert_string_equal(sc.first_ids[1], "id03");
	assert_int_equal(count("SELECT count(*) FROM logging_dead WHERE event_id = 'id02'"), 1);
	assert_int_equal(lg_spool_pending(db, "s"), 0);
	assert_int_equal(lg_spool_pending(db, NULL), 4);
	no_orphans();
}

/* The rows of the spool as text, to compare before and after a migration;
 * left is the SQL that gives a chunk's count (its id: id). */
static char *spool_text(const char *left)
{
	sqlite3_stmt *q;
	char sql[1024];
	char *text;

	snprintf(sql, sizeof sql, "SELECT (SELECT group_concat(id || ','"
		 " || n || ',' || %s || ',' || time_ms || ',' || ids"
		 " || bodies || hex(sum), ';') FROM (SELECT * FROM"
		 " logging_chunks ORDER BY id)) || '|' || (SELECT"
		 " group_concat(sink || ',' || chunk || ',' || left || ','"
		 " || hex(bits) || ',' || attempts, ';') FROM (SELECT *"
		 " FROM logging_pending ORDER BY sink, chunk))", left);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	text = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	assert_non_null(text);
	return text;
}

/* The spool as the schema before the rebuild at `at` held it: ids could
 * come back, and each chunk's count was in its row. */
static void to_old_chunks(void)
{
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE old_chunks (id INTEGER PRIMARY KEY,"
				      " n INTEGER NOT NULL, left INTEGER NOT NULL,"
				      " time_ms INTEGER NOT NULL, ids TEXT NOT NULL,"
				      " bodies TEXT NOT NULL, sum BLOB);"
				      "INSERT INTO old_chunks SELECT c.id, c.n, l.left,"
				      " c.time_ms, c.ids, c.bodies, c.sum FROM logging_chunks c"
				      " JOIN logging_chunk_left l ON l.chunk = c.id;"
				      "DROP TABLE logging_chunks;"
				      "DROP TABLE logging_chunk_left;"
				      "DELETE FROM sqlite_sequence WHERE name = 'logging_chunks';"
				      "ALTER TABLE old_chunks RENAME TO logging_chunks",
				      NULL, NULL, NULL), 0);
}

/* The chunks, their ids, counts and the pending bitmaps come through the
 * rebuild that makes ids never reused and moves the counts out as they
 * were, and are delivered after it; the newest chunk deleted, the next
 * one still gets a new id. */
static void test_migrate_autoincrement(void **state)
{
	static const char *const two[] = { "s", "t" };
	static const unsigned masks[] = { 1, 3, 2, 3, 1 };
	struct script sc = { .replies = { 200, 200, 200 } };
	struct lg_sink s = sink(&sc, 10);
	struct script tc = { .replies = { 200, 200 } };
	struct lg_sink t = sink(&tc, 10);
	int k, at = migration_with("AUTOINCREMENT");
	int64_t dropped, top;
	char *before, *after;

	(void)state;
	t.name = "t";
	migrate_upto(at + 1);
	put_chunk(0, 5, NULL, masks, two, 2);
	put_chunk(5, 5, NULL, masks, two, 2);
	put_chunk(10, 5, NULL, masks, two, 2);
	/* partial bitmaps, attempts, a chunk gone from the middle */
	run_limit(&s, 2, 0);
	assert_int_equal(lg_spool_cap(db, 12, &dropped), 0);
	assert_int_equal(lg_spool_retry(db, "t", 3), 0);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM logging_pending WHERE chunk = 2;"
				      "DELETE FROM logging_chunk_left WHERE chunk = 2;"
				      "DELETE FROM logging_chunks WHERE id = 2", NULL, NULL, NULL), 0);
	to_old_chunks();
	before = spool_text("left");
	for (k = at; lg_spool_migrations[k]; k++)
		assert_int_equal(sqlite3_exec(db, lg_spool_migrations[k], NULL, NULL, NULL), 0);
	after = spool_text("(SELECT left FROM logging_chunk_left WHERE chunk = id)");
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE name ="
			       " 'logging_chunks_new'"), 0);
	no_orphans();
	/* the newest chunk leaves the spool; the next one gets a new id */
	top = count("SELECT max(id) FROM logging_chunks");
	assert_int_equal(sqlite3_exec(db, "DELETE FROM logging_pending WHERE chunk ="
				      " (SELECT max(id) FROM logging_chunks);"
				      "DELETE FROM logging_chunk_left WHERE chunk ="
				      " (SELECT max(id) FROM logging_chunks);"
				      "DELETE FROM logging_chunks WHERE id ="
				      " (SELECT max(id) FROM logging_chunks)", NULL, NULL, NULL), 0);
	put_chunk(15, 2, NULL, masks, two, 2);
	assert_int_equal(count("SELECT max(id) FROM logging_chunks"), top + 1);
	run_limit(&s, 64, 0);
	run_limit(&t, 64, 0);
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks"), 0);
	no_orphans();
}

/* A sink that takes every batch and checks each body is its event's:
 * the bodies of packed rows name their ids first. */
static int checking_send(void *ctx, const struct lg_item *items, size_t n,
			 int64_t now_ms, struct lg_reply *r)
{
	size_t *seen = ctx;
	char want[64];

	(void)now_ms;
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof want, "{\"event_id\":\"%s\",", items[i].event_id);
		assert_true(strncmp(items[i].body, want, strlen(want)) == 0);
	}
	*seen += n;
	*r = (struct lg_reply){ .status = 200, .retry_after_ms = -1, .limit_ms = -1 };
	return 0;
}

#define PACKED_N 600

/*
 * PACKED_N events of about 300 bytes in one row: its bodies are packed.
 * The last body lacks its closing brace: a row read whole (its sum
 * matches) hands it on as it is, one read loose parses it and makes it a
 * dead letter, which tells the two reads apart.
 */
static void put_packed(void)
{
	static char text[PACKED_N][320];
	const char *bodies[PACKED_N];
	unsigned masks[PACKED_N];

	for (int k = 0; k < PACKED_N; k++) {
		snprintf(text[k], sizeof text[k], "{\"event_id\":\"id%02d\",\"k\":%d,\"pad\":\"%0260d\"}",
			 k, k, k);
		bodies[k] = text[k];
		masks[k] = 1;
	}
	text[PACKED_N - 1][strlen(text[PACKED_N - 1]) - 1] = '\0';
	put_chunk(0, PACKED_N, bodies, masks, one, 1);
	assert_int_equal(count("SELECT count(*) FROM logging_chunks WHERE typeof(bodies) = 'blob'"
			       " AND length(bodies) < 320 * " "600 / 2"), 1);
}

/* Deliver until nothing waits; the sum of each run's figures. */
static struct lg_run_stats deliver_all(size_t *seen)
{
	struct lg_sink s = {
		.name = "s", .per_request = 50, .backoff_initial_ms = 100,
		.backoff_max_ms = 1000, .send = checking_send, .ctx = seen,
	};
	struct lg_run_stats all = { 0 }, st;

	for (int runs = 0; lg_spool_pending(db, NULL) > 0 && runs < 100; runs++) {
		st = run_once(&s, 0);
		all.delivered += st.delivered;
		all.dead += st.dead;
	}
	assert_int_equal(lg_spool_pending(db, NULL), 0);
	no_orphans();
	return all;
}

/* Set the packed row's sum to sum_of_text ? its ids and unpacked text's
 * (as a Hinge before the sum went over packed bytes wrote it) : its ids
 * and packed bytes', after checking the stored sum is the latter. */
static void packed_sum(int sum_of_text)
{
	unsigned char want[LG_CHUNK_SUM];
	sqlite3_stmt *q;
	char *text;
	size_t len;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ids, bodies, sum FROM logging_chunks",
					    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(q, 1), SQLITE_BLOB);
	lg_chunk_sum((const char *)sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0),
		     sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1), want);
	assert_int_equal(sqlite3_column_bytes(q, 2), LG_CHUNK_SUM);
	assert_memory_equal(sqlite3_column_blob(q, 2), want, LG_CHUNK_SUM);
	assert_int_equal(lg_unpack(sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1),
				   &text, &len), 0);
	lg_chunk_sum((const char *)sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0),
		     text, len, want);
	free(text);
	sqlite3_finalize(q);
	if (!sum_of_text)
		return;
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE logging_chunks SET sum = ?1", -1, &q,
					    NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, want, sizeof want, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/* A packed row, with its sum as packed_sum leaves it, delivered: read
 * whole when the sum is over the packed bytes (the body without its
 * brace goes as it is), else loose (that body is a dead letter). */
static void deliver_packed(int sum_of_text)
{
	size_t seen = 0;
	struct lg_run_stats st;

	put_packed();
	packed_sum(sum_of_text);
	st = deliver_all(&seen);
	assert_int_equal(st.dead, sum_of_text ? 1 : 0);
	assert_int_equal(st.delivered, PACKED_N - st.dead);
	assert_int_equal(seen, (size_t)st.delivered);
}

/* A packed row, its sum over the packed bytes. */
static void test_packed_row(void **state)
{
	(void)state;
	deliver_packed(0);
}

/* A packed row whose sum is over its text, as spooled by a Hinge from
 * before: read as loose, every event still delivered with its body (but
 * the one that is not a JSON object). */
static void test_packed_row_text_sum(void **state)
{
	(void)state;
	deliver_packed(1);
}

/* A byte of a packed row changed on disk, in a block past the first:
 * the events of the blocks before it are still delivered, each with its
 * own body, the others become dead letters; none is lost. */
static void test_packed_row_damaged(void **state)
{
	sqlite3_stmt *q;
	unsigned char *frame;
	size_t len, seen = 0;
	struct lg_run_stats st;

	(void)state;
	put_packed();
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT bodies FROM logging_chunks", -1, &q,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	len = (size_t)sqlite3_column_bytes(q, 0);
	frame = malloc(len);
	assert_non_null(frame);
	memcpy(frame, sqlite3_column_blob(q, 0), len);
	sqlite3_finalize(q);
	frame[len / 2] ^= 0x5a;
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE logging_chunks SET bodies = ?1", -1, &q,
					    NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, frame, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	free(frame);
	st = deliver_all(&seen);
	/* the first 64 KiB hold about 200 whole bodies */
	assert_true(st.delivered >= 200);
	assert_true(st.dead >= 1);
	assert_int_equal(st.delivered + st.dead, PACKED_N);
	assert_int_equal(seen, (size_t)st.delivered);
	assert_int_equal(lg_counter_get(db, "dead"), st.dead);
}

/* A packed row whose blob is empty (nothing lg_pack makes): its events
 * are dead letters, and delivery goes on past it. */
static void test_packed_row_empty(void **state)
{
	size_t seen = 0;
	struct lg_run_stats st;

	(void)state;
	put_packed();
	assert_int_equal(sqlite3_exec(db, "UPDATE logging_chunks SET bodies = x''", NULL, NULL,
				      NULL), 0);
	put(900, "{\"event_id\":\"id900\",\"a\":1}", one, 1);
	st = deliver_all(&seen);
	assert_int_equal(st.dead, PACKED_N);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(seen, 1);
}

/* The file sink appends whole lines: a part line an agent killed inside
 * a write left (its events were not acknowledged and come again) is cut
 * off first; a file of whole lines keeps them all. */
static void file_after(const char *before, const char *want)
{
	char path[] = "/tmp/hinge-test-file-sink-XXXXXX", got[256];
	char a[] = "{\"c\":3}", b[] = "{\"d\":4}";
	struct lg_item items[2] = { { .body = a }, { .body = b } };
	struct lg_file_ctx c = { .path = path };
	struct lg_reply r = { 0 };
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, before, strlen(before)), (ssize_t)strlen(before));
	close(fd);
	assert_int_equal(lg_file_send(&c, items, 2, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(f = fopen(path, "r"));
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(path);
	assert_string_equal(got, want);
}

static void test_file_sink_part_line(void **state)
{
	char *long_part = malloc(6000);

	(void)state;
	assert_non_null(long_part);
	file_after("", "{\"c\":3}\n{\"d\":4}\n");
	file_after("{\"a\":1}\n", "{\"a\":1}\n{\"c\":3}\n{\"d\":4}\n");
	file_after("{\"a\":1}\n{\"b\":", "{\"a\":1}\n{\"c\":3}\n{\"d\":4}\n");
	file_after("{\"b\":", "{\"c\":3}\n{\"d\":4}\n");
	/* a part line longer than one read back */
	strcpy(long_part, "{\"a\":1}\n{\"b\":\"");
	memset(long_part + strlen(long_part), 'x', 5000);
	long_part[strlen("{\"a\":1}\n{\"b\":\"") + 5000] = '\0';
	file_after(long_part, "{\"a\":1}\n{\"c\":3}\n{\"d\":4}\n");
	free(long_part);
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
		cmocka_unit_test_setup_teardown(test_chunk_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunk_body_newlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_partial_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chunk_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chunk_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunk_bookkeeping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_to_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chunk_ids_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_chunk_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunk_id_not_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_autoincrement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bounded_by_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_whole_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_row_text_sum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_row_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_row_empty, setup, teardown),
		cmocka_unit_test(test_file_sink_part_line),
	};
	return cmocka_run_group_tests_name("logging_deliver", tests, NULL, NULL);
}
