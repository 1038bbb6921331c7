/*
 * test_feedback_exposure.c - action feedback.exposure against the test
 * PostgreSQL ($HINGE_TEST_PGHOST), driven through the host stand-in the
 * migration plugin's tests share (host_standin.c): probe, capture,
 * rehearse, apply, verify and revert, and the property that matters to
 * users: hinge.flag_enabled() is stable per user and monotone as the
 * percentage rises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "plugins/feedback/fb.h"
#include "tests/doubles/host_standin.h"

#define USERS 20000

/* --- the plugin, reduced to this action ------------------------------ */

static struct fb fb;

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	fb.p = p;
	fb.h = h;
	return fb_exposure_register(&fb);
}

static void fini(struct hinge_plugin *p)
{
	(void)p;
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "feedback",
	.init = init,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}

/* plugin.c's, through the stand-in's pg_connect and pg_migrate. */
int fb_pg_open(struct fb *f, void **conn)
{
	int rc = f->h->pg_connect(f->p, f->h->setting_str(f->p, "conninfo"), conn);

	if (rc == 0 && (rc = f->h->pg_migrate(f->p, *conn, fb_pg_migrations)) < 0)
		PQfinish(*conn);
	return rc;
}

/* --- helpers ---------------------------------------------------------- */

static PGconn *db(void)
{
	static PGconn *c;

	if (c == NULL)
		c = mh_db();
	return c;
}

/* in[u] = hinge.flag_enabled('feedback_form', u) for u in 1..USERS. */
static void enabled_set(unsigned char *in)
{
	PGresult *r = PQexec(db(), "SELECT hinge.flag_enabled('feedback_form', g::bigint)"
				   " FROM generate_series(1, 20000) g ORDER BY g");
	int i;

	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), USERS);
	for (i = 0; i < USERS; i++)
		in[i] = PQgetvalue(r, i, 0)[0] == 't';
	PQclear(r);
}

static int count(const unsigned char *in)
{
	int i, n = 0;

	for (i = 0; i < USERS; i++)
		n += in[i];
	return n;
}

/* The step of the last forward(): revert undoes it with its artifact. */
static struct hinge_step step;
static char pct[16];
static const struct kv params[] = { { "percentage", pct }, { NULL, NULL } };

/* A new step to pct percent, not yet run. */
static struct hinge_step *step_to(double percentage)
{
	mh_step_free(&step);
	snprintf(pct, sizeof(pct), "%g", percentage);
	step = mh_step("exposure", params);
	return &step;
}

static int forward(double percentage)
{
	struct hinge_step *st = step_to(percentage);

	if (CALL(st, capture) < 0 || CALL(st, rehearse) < 0 || CALL(st, apply) < 0 ||
	    CALL(st, verify) < 0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return mh_setup("feedback_exposure", "SELECT 1");
}

static int teardown(void **state)
{
	(void)state;
	mh_step_free(&step);
	PQfinish(db());
	mh_teardown();
	return 0;
}

/* --- tests ------------------------------------------------------------ */

static void test_rollout_and_back(void **state)
{
	unsigned char s5[USERS], again[USERS], s25[USERS], s100[USERS], back[USERS];
	int i;

	(void)state;
	assert_int_equal(CALL(step_to(5), probe), 0);
	/* From no row at all to 5%. */
	assert_int_equal(forward(5), 0);
	assert_int_equal(CALL(&step, probe), 1);
	enabled_set(s5);
	enabled_set(again);
	assert_memory_equal(s5, again, USERS);
	/* 5% of 20000 is 1000; the binomial sd is sqrt(20000 * .05 * .95) = 31. */
	assert_in_range(count(s5), 1000 - 4 * 31, 1000 + 4 * 31);

	assert_int_equal(forward(25), 0);
	enabled_set(s25);
	for (i = 0; i < USERS; i++)
		assert_true(!s5[i] || s25[i]);
	assert_in_range(count(s25), 5000 - 4 * 61, 5000 + 4 * 61);
	assert_int_equal(forward(100), 0);
	enabled_set(s100);
	assert_int_equal(count(s100), USERS);

	/* Revert the 100% step: back to 25% with the same salt and users. */
	assert_int_equal(CALL(&step, revert), 0);
	enabled_set(back);
	assert_memory_equal(back, s25, USERS);
	assert_string_equal(mh_value("SELECT percentage::text FROM hinge.flags"
				     " WHERE name = 'feedback_form'"), "25.000");
}

/* The documented hash: sha256(salt || user) as the application computes it. */
static void test_documented_hash(void **state)
{
	unsigned char md[32];
	unsigned int len;
	char salt[64], uid[16];
	char buf[160];
	int u;

	(void)state;
	snprintf(salt, sizeof(salt), "%s",
		 mh_value("SELECT salt FROM hinge.flags WHERE name = 'feedback_form'"));
	for (u = 1; u <= 200; u++) {
		snprintf(uid, sizeof(uid), "%d", u);
		snprintf(buf, sizeof(buf), "%s%s", salt, uid);
		EVP_Digest(buf, strlen(buf), md, &len, EVP_sha256(), NULL);
		snprintf(buf, sizeof(buf), "SELECT hinge.flag_bucket(salt, '%s') FROM hinge.flags"
			 " WHERE name = 'feedback_form'", uid);
		assert_int_equal(atol(mh_value(buf)),
				 (((uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
				   (uint32_t)md[2] << 8 | md[3]) % 10000));
	}
	assert_string_equal(mh_value("SELECT hinge.flag_enabled('no_such_flag', 1::bigint)::text"),
			    "false");
}

/* Reverting the first step removes the row it created. */
static void test_revert_to_nothing(void **state)
{
	const char *tampered = "{\"flag\":\"other\",\"existed\":false}";

	(void)state;
	mh_sql_ok(db(), "DELETE FROM hinge.flags");
	assert_int_equal(forward(5), 0);
	assert_int_equal(CALL(&step, revert), 0);
	assert_string_equal(mh_value("SELECT count(*)::text FROM hinge.flags"), "0");
	/* A tampered artifact is refused by rehearse. */
	mh_artifact_set(&step, tampered, strlen(tampered));
	assert_int_equal(CALL(&step, rehearse), HINGE_EFAIL);
	assert_non_null(strstr(step.error, "not a hinge.flags row"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollout_and_back),
		cmocka_unit_test(test_documented_hash),
		cmocka_unit_test(test_revert_to_nothing),
	};

	return cmocka_run_group_tests_name("feedback_exposure", tests, setup, teardown);
}
