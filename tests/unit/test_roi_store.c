/*
 * test_roi_store.c - the roi plugin's tables: upsert by id (a transaction
 * that changed replaces its row, never adds to it), sync progress that
 * survives a sync cut between pages, the cursor moving only when a sync
 * completes, scans by creation time, and the cost query's last answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <hinge/plugin.h>

#include "plugins/roi/store.h"

static sqlite3 *db;

static int setup(void **s)
{
	(void)s;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (int i = 0; roi_store_migrations[i] != NULL; i++)
		assert_int_equal(sqlite3_exec(db, roi_store_migrations[i], NULL, NULL, NULL),
				 SQLITE_OK);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	sqlite3_close(db);
	return 0;
}

static struct roi_txn txn(const char *id, int64_t created, int64_t amount, int64_t fee)
{
	struct roi_txn x = { .created = created, .amount = amount, .fee = fee };

	strcpy(x.id, id);
	strcpy(x.category, "charge");
	strcpy(x.currency, "usd");
	return x;
}

static int add(void *arg, const struct roi_txn *x)
{
	return roi_ledger_add(arg, x);
}

static void test_resume_and_upsert(void **s)
{
	struct roi_txn p1[] = { txn("txn_c", 300, 1000, 59), txn("txn_b", 200, 2000, 88) };
	struct roi_txn p2[] = { txn("txn_b", 200, 2000, 90), txn("txn_a", 100, 500, 30) };
	struct roi_page page1 = { p1, 2, 1 }, page2 = { p2, 2, 0 };
	struct roi_sync_state st;
	struct roi_ledger l = { 0 };

	(void)s;
	assert_int_equal(roi_store_load(db, &st), 0);
	assert_int_equal(st.cursor, 0);
	assert_false(st.running);
	assert_int_equal(roi_store_start(db, 0), 0);
	assert_int_equal(roi_store_page(db, &page1, 1), 0);
	/* cut here: the progress says where to go on from */
	assert_int_equal(roi_store_fail(db, "HTTP 500", 2), 0);
	assert_int_equal(roi_store_load(db, &st), 0);
	assert_true(st.running);
	assert_string_equal(st.run_after, "txn_b");  /* the last id of page one */
	assert_int_equal(st.run_max, 300);
	assert_int_equal(st.cursor, 0);               /* not moved by a cut sync */
	assert_string_equal(st.last_error, "HTTP 500");
	/* page two repeats txn_b with its fee changed: replaced, not added */
	assert_int_equal(roi_store_page(db, &page2, 3), 0);
	assert_int_equal(roi_store_finish(db, 4), 0);
	assert_int_equal(roi_store_load(db, &st), 0);
	assert_false(st.running);
	assert_int_equal(st.cursor, 300);
	assert_int_equal(st.last_ok_ms, 4);
	assert_string_equal(st.last_error, "");
	assert_int_equal(st.txns, 3);
	assert_int_equal(roi_store_scan(db, 0, 1000, add, &l), 0);
	/* gross 1000 + 2000 + 500 = 3500; fees 59 + 90 + 30 = 179 */
	assert_int_equal(l.rows[0].t.line[ROI_GROSS], 3500);
	assert_int_equal(l.rows[0].t.line[ROI_FEES], 179);
	roi_ledger_free(&l);
}

static int first_only(void *arg, const struct roi_txn *x)
{
	strcpy(arg, x->id);
	return 7;
}

static void test_scan_range(void **s)
{
	struct roi_txn p[] = { txn("t3", 300, 3, 0), txn("t2", 200, 2, 0), txn("t1", 100, 1, 0) };
	struct roi_page page = { p, 3, 0 };
	struct roi_ledger l = { 0 };
	char id[64] = "";

	(void)s;
	assert_int_equal(roi_store_start(db, 0), 0);
	assert_int_equal(roi_store_page(db, &page, 1), 0);
	/* [100, 300) holds t1 and t2: 1 + 2 */
	assert_int_equal(roi_store_scan(db, 100, 300, add, &l), 0);
	assert_int_equal(l.rows[0].t.line[ROI_GROSS], 3);
	roi_ledger_free(&l);
	/* oldest first, and fn's status stops the scan */
	assert_int_equal(roi_store_scan(db, 0, 1000, first_only, id), 7);
	assert_string_equal(id, "t1");
}

static void test_costs(void **s)
{
	int64_t v = 0;

	(void)s;
	assert_int_equal(roi_store_cost_get(db, "day", 86400, &v), HINGE_ENODATA);
	assert_int_equal(roi_store_cost_put(db, "day", 86400, 1234, 1), 0);
	assert_int_equal(roi_store_cost_put(db, "day", 86400, 1500, 2), 0);
	assert_int_equal(roi_store_cost_put(db, "hour", 86400, 7, 2), 0);
	assert_int_equal(roi_store_cost_get(db, "day", 86400, &v), 0);
	assert_int_equal(v, 1500);                     /* the later answer */
	assert_int_equal(roi_store_cost_get(db, "hour", 86400, &v), 0);
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resume_and_upsert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_costs, setup, teardown),
	};

	return cmocka_run_group_tests_name("roi_store", tests, NULL, NULL);
}
