/*
 * test_feedback_exposure.c - action feedback.exposure against the test
 * PostgreSQL ($HINGE_TEST_PGHOST), driven through a host table that
 * stands in for the engine: probe, capture, rehearse, apply, verify and
 * revert, and the property that matters to users: hinge.flag_enabled()
 * is stable per user and monotone as the percentage rises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#include "plugins/feedback/fb.h"

#define USERS 20000

/* --- the stand-in host ----------------------------------------------- */

static char conninfo[512];
static double percentage;
static char *artifact;
static size_t artifact_len;
static char last_error[1024];

static const char *t_setting_str(struct hinge_plugin *p, const char *key)
{
	(void)p;
	return strcmp(key, "conninfo") == 0 ? conninfo : "";
}

static const char *t_setting_where(struct hinge_plugin *p, const char *key)
{
	(void)p;
	(void)key;
	return "test.conf:1";
}

static int t_pg_connect(struct hinge_plugin *p, const char *ci, void **conn)
{
	PGconn *c = PQconnectdb(ci);

	(void)p;
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return HINGE_EUNAVAIL;
	}
	*conn = c;
	return 0;
}

static const char *t_param_str(struct hinge_step *st, const char *key)
{
	(void)st;
	return strcmp(key, "flag") == 0 ? "feedback_form" : NULL;
}

static double t_param_double(struct hinge_step *st, const char *key)
{
	(void)st;
	(void)key;
	return percentage;
}

static void t_step_error(struct hinge_step *st, const char *fmt, ...)
{
	va_list ap;

	(void)st;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

static void t_step_text(struct hinge_step *st, const char *text)
{
	(void)st;
	(void)text;
}

static int t_artifact_set(struct hinge_step *st, const void *buf, size_t len)
{
	(void)st;
	free(artifact);
	artifact = malloc(len);
	memcpy(artifact, buf, len);
	artifact_len = len;
	return 0;
}

static int t_artifact_get(struct hinge_step *st, const void **buf, size_t *len)
{
	(void)st;
	if (artifact == NULL)
		return HINGE_ENODATA;
	*buf = artifact;
	*len = artifact_len;
	return 0;
}

static const struct hinge_action *registered;

static int t_register_action(struct hinge_plugin *p, const struct hinge_action *a)
{
	static struct hinge_action copy;

	(void)p;
	copy = *a;
	registered = &copy;
	return 0;
}

static const struct hinge_host host = {
	.size = sizeof(struct hinge_host),
	.setting_str = t_setting_str,
	.setting_where = t_setting_where,
	.pg_connect = t_pg_connect,
	.register_action = t_register_action,
	.param_str = t_param_str,
	.param_double = t_param_double,
	.step_error = t_step_error,
	.step_inverse = t_step_text,
	.step_lock_target = t_step_text,
	.artifact_set = t_artifact_set,
	.artifact_get = t_artifact_get,
};

static struct fb fb = { .h = &host };

/* The host's pg_migrate in short: the plugin's migrations, once. */
int fb_pg_open(struct fb *f, void **conn)
{
	static int migrated;
	PGresult *r;
	int i, rc = t_pg_connect(f->p, conninfo, conn);

	if (rc < 0 || migrated)
		return rc;
	r = PQexec(*conn, "CREATE SCHEMA hinge");
	PQclear(r);
	for (i = 0; rc == 0 && fb_pg_migrations[i] != NULL; i++) {
		r = PQexec(*conn, fb_pg_migrations[i]);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : HINGE_EUNAVAIL;
		PQclear(r);
	}
	migrated = rc == 0;
	return rc;
}

/* --- helpers ---------------------------------------------------------- */

static PGconn *db(void)
{
	static PGconn *c;

	if (c == NULL)
		c = PQconnectdb(conninfo);
	return c;
}

static char *query1(const char *sql)
{
	PGresult *r = PQexec(db(), sql);
	char *v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "# %s: %s", sql, PQerrorMessage(db()));
		PQclear(r);
		return NULL;
	}
	v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
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

static int forward(double pct)
{
	const struct hinge_action *a = registered;

	percentage = pct;
	if (a->capture(&fb, NULL) < 0 || a->rehearse(&fb, NULL) < 0 ||
	    a->apply(&fb, NULL) < 0 || a->verify(&fb, NULL) < 0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	const char *pghost = getenv("HINGE_TEST_PGHOST");
	char admin[512];
	PGconn *c;

	(void)state;
	if (pghost == NULL) {
		fprintf(stderr, "# no HINGE_TEST_PGHOST: run through tests/run.sh\n");
		return -1;
	}
	snprintf(admin, sizeof(admin), "host=%s user=postgres dbname=postgres", pghost);
	c = PQconnectdb(admin);
	PQclear(PQexec(c, "DROP DATABASE IF EXISTS feedback_exposure"));
	PQclear(PQexec(c, "CREATE DATABASE feedback_exposure"));
	PQfinish(c);
	snprintf(conninfo, sizeof(conninfo),
		 "host=%s user=postgres dbname=feedback_exposure", pghost);
	return fb_exposure_register(&fb);
}

/* --- tests ------------------------------------------------------------ */

static void test_rollout_and_back(void **state)
{
	unsigned char s5[USERS], again[USERS], s25[USERS], s100[USERS], back[USERS];
	const struct hinge_action *a = registered;
	char *v;
	int i;

	(void)state;
	assert_string_equal(a->name, "exposure");
	percentage = 5;
	assert_int_equal(a->probe(&fb, NULL), 0);
	/* From no row at all to 5%. */
	assert_int_equal(forward(5), 0);
	assert_int_equal(a->probe(&fb, NULL), 1);
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
	assert_int_equal(a->revert(&fb, NULL), 0);
	enabled_set(back);
	assert_memory_equal(back, s25, USERS);
	v = query1("SELECT percentage::text FROM hinge.flags WHERE name = 'feedback_form'");
	assert_string_equal(v, "25.000");
	free(v);
}

/* The documented hash: sha256(salt || user) as the application computes it. */
static void test_documented_hash(void **state)
{
	unsigned char md[32];
	unsigned int len;
	char *salt, *bucket, uid[16];
	char buf[128];
	int u;

	(void)state;
	salt = query1("SELECT salt FROM hinge.flags WHERE name = 'feedback_form'");
	assert_non_null(salt);
	for (u = 1; u <= 200; u++) {
		snprintf(uid, sizeof(uid), "%d", u);
		snprintf(buf, sizeof(buf), "%s%s", salt, uid);
		EVP_Digest(buf, strlen(buf), md, &len, EVP_sha256(), NULL);
		snprintf(buf, sizeof(buf), "SELECT hinge.flag_bucket(salt, '%s') FROM hinge.flags"
			 " WHERE name = 'feedback_form'", uid);
		bucket = query1(buf);
		assert_int_equal(atol(bucket),
				 (((uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
				   (uint32_t)md[2] << 8 | md[3]) % 10000));
		free(bucket);
	}
	free(salt);
	bucket = query1("SELECT hinge.flag_enabled('no_such_flag', 1::bigint)::text");
	assert_string_equal(bucket, "false");
	free(bucket);
}

/* Reverting the first step removes the row it created. */
static void test_revert_to_nothing(void **state)
{
	const struct hinge_action *a = registered;
	char *v;

	(void)state;
	PQclear(PQexec(db(), "DELETE FROM hinge.flags"));
	assert_int_equal(forward(5), 0);
	assert_int_equal(a->revert(&fb, NULL), 0);
	v = query1("SELECT count(*)::text FROM hinge.flags");
	assert_string_equal(v, "0");
	free(v);
	/* A tampered artifact is refused by rehearse. */
	v = "{\"flag\":\"other\",\"existed\":false}";
	t_artifact_set(NULL, v, strlen(v));
	assert_int_equal(a->rehearse(&fb, NULL), HINGE_EFAIL);
	assert_non_null(strstr(last_error, "not a hinge.flags row"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollout_and_back),
		cmocka_unit_test(test_documented_hash),
		cmocka_unit_test(test_revert_to_nothing),
	};

	return cmocka_run_group_tests_name("feedback_exposure", tests, setup, NULL);
}
