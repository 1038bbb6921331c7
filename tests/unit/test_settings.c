/*
 * test_settings.c - the config file and typed settings: every validation
 * error names file:line and the key, unknown keys suggest the nearest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "agent/config.h"
#include "agent/units.h"
#include "capture.h"

static char path[] = "/tmp/hinge-test-settings-XXXXXX";

static void write_conf(const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
}

/* Load text as a config; returns the status and leaves messages in *msg. */
static int load(const char *text, struct config **cfg, struct capture *cap)
{
	int rc;

	strcpy(path, "/tmp/hinge-test-settings-XXXXXX");
	write_conf(text);
	capture_start(cap);
	rc = config_load(path, cfg);
	capture_end(cap);
	unlink(path);
	return rc;
}

static void test_defaults(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: { state_db = \"/tmp/x.db\"; };\n", &cfg, &cap), 0);
	assert_string_equal(settings_str(cfg->agent, "state_db"), "/tmp/x.db");
	assert_int_equal(settings_ms(cfg->agent, "lease_ttl"), 10000);
	assert_int_equal(settings_ms(cfg->agent, "request_poll"), 200);
	assert_string_equal(settings_str(cfg->agent, "log_level"), "notice");
	assert_false(settings_given(cfg->agent, "log_level"));
	assert_true(settings_given(cfg->agent, "state_db"));
	config_free(cfg);
}

static void test_unknown_key_suggests(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: {\n  lease_tl = \"1s\";\n};\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":2: lease_tl: unknown setting; did you mean \"lease_ttl\"?"));
	assert_null(cfg);
}

static void test_unknown_group(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agnet: { };\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":1: agnet: unknown group; did you mean \"agent\"?"));
}

static void test_wrong_type(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: {\n\n  webhook_retries = \"three\";\n};\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":3: webhook_retries: must be an integer"));
}

static void test_out_of_range(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: { webhook_retries = 1000; };\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "webhook_retries: out of range: must be between 0 and 100"));
}

static void test_bad_duration(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: { lease_ttl = \"10 seconds\"; };\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "lease_ttl: \"10 seconds\" is not a duration"));
}

static void test_syntax_error(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: {\n  state_db = ;\n};\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":2: syntax error"));
}

static void test_missing_file(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	capture_start(&cap);
	assert_int_equal(config_load("/nonexistent/hinge.conf", &cfg), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "could not read configuration file \"/nonexistent/hinge.conf\""));
}

static void test_bad_log_level(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("agent: { log_level = \"loud\"; };\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, "log_level: \"loud\" is not one of"));
}

static void test_plugins_group(void **state)
{
	struct config *cfg = NULL;
	struct capture cap;

	(void)state;
	assert_int_equal(load("plugins: { a: { enabled = true; x = 1; }; b: { }; };\n", &cfg, &cap), 0);
	assert_int_equal(cfg->nplugins, 2);
	assert_string_equal(cfg->plugins[0].name, "a");
	assert_true(cfg->plugins[0].enabled);
	assert_false(cfg->plugins[1].enabled);
	config_free(cfg);
	assert_int_equal(load("plugins: {\n a: { enabled = \"yes\"; };\n};\n", &cfg, &cap), HINGE_EINVAL);
	assert_non_null(strstr(cap.text, ":2: plugins.a.enabled: must be true or false"));
}

/* A table like a plugin's: every type, a required key, JSON values. */
static const struct hinge_setting table[] = {
	{ "name", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "" },
	{ "ratio", HINGE_T_DOUBLE, 0, "0.5", 0, 1, "" },
	{ "size", HINGE_T_SIZE, 0, "64k", 0, 0, "" },
	{ "tags", HINGE_T_STRINGS, 0, NULL, 0, 0, "" },
	{ "window", HINGE_T_JSON, 0, NULL, 0, 0, "" },
	{ "on", HINGE_T_BOOL, 0, "false", 0, 0, "" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static void test_table_types(void **state)
{
	config_t cfg;
	struct settings *s = NULL;
	struct capture cap;
	json_t *tags;

	(void)state;
	config_init(&cfg);
	assert_true(config_read_string(&cfg, "g: { name = \"n\"; ratio = 1; size = \"2M\";"
				       " tags = [\"a\", \"b\"]; window = { days = [\"sat\"]; }; };"));
	assert_int_equal(settings_parse(table, config_lookup(&cfg, "g"), "t.conf", NULL, &s), 0);
	assert_string_equal(settings_str(s, "name"), "n");
	assert_true(settings_double(s, "ratio") == 1.0);
	assert_int_equal(settings_ms(s, "size"), 2 * 1024 * 1024);
	tags = (json_t *)settings_json(s, "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "b");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
		(json_t *)settings_json(s, "window"), "days"), 0)), "sat");
	assert_false(settings_bool(s, "on"));
	settings_free(s);
	config_destroy(&cfg);

	config_init(&cfg);
	assert_true(config_read_string(&cfg, "g: { ratio = 2.0; tags = [1]; };"));
	capture_start(&cap);
	assert_int_equal(settings_parse(table, config_lookup(&cfg, "g"), "t.conf", NULL, &s), HINGE_EINVAL);
	capture_end(&cap);
	assert_non_null(strstr(cap.text, "name: required setting missing"));
	assert_non_null(strstr(cap.text, "ratio: out of range"));
	assert_non_null(strstr(cap.text, "tags: must be a list of strings"));
	config_destroy(&cfg);
}

static void test_units(void **state)
{
	int64_t v;
	char buf[32];

	(void)state;
	assert_int_equal(units_duration_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(units_duration_ms("2h", &v), 0);
	assert_int_equal(v, 7200000);
	assert_int_equal(units_duration_ms("1d", &v), 0);
	assert_int_equal(v, 86400000);
	assert_int_equal(units_duration_ms("30", &v), HINGE_EINVAL);
	assert_int_equal(units_duration_ms("-1s", &v), HINGE_EINVAL);
	assert_int_equal(units_duration_ms("5 m", &v), HINGE_EINVAL);
	assert_int_equal(units_duration_ms("99999999999999999999d", &v), HINGE_EINVAL);
	assert_int_equal(units_size_bytes("10M", &v), 0);
	assert_int_equal(v, 10 * 1024 * 1024);
	assert_int_equal(units_size_bytes("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(units_size_bytes("1T", &v), HINGE_EINVAL);
	units_format_ms(90000, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	units_format_ms(7200000, buf, sizeof(buf));
	assert_string_equal(buf, "2h");
	units_format_ms(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
}

static void test_nearest(void **state)
{
	const char *const words[] = { "conninfo", "lock_timeout", "statement_timeout" };

	(void)state;
	assert_string_equal(config_nearest("lock_timout", words, 3), "lock_timeout");
	assert_string_equal(config_nearest("coninfo", words, 3), "conninfo");
	assert_null(config_nearest("completely_different", words, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_unknown_group),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_bad_log_level),
		cmocka_unit_test(test_plugins_group),
		cmocka_unit_test(test_table_types),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_nearest),
	};

	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
