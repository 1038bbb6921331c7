/*
 * cmd.c - `hinge audit run [--csv FILE] | history [--limit N] | show ID`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "plugins/bias_audit/bias.h"
#include "plugins/bias_audit/report.h"
#include "plugins/bias_audit/store.h"
#include "plugins/bias_audit/trend.h"

#define USAGE \
	"usage: hinge audit run [--csv FILE] | history [--limit N] | show ID | trend [--limit N]\n" \
	"                 | probe [--csv FILE]\n"

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

/* Print an audit as JSON or Markdown; steals the reference. */
static int print_audit(struct bias *b, struct hinge_command *cmd, json_t *audit)
{
	int rc;

	if (b->h->cmd_json(cmd))
		return b->h->cmd_print_json(cmd, (struct hinge_json *)audit) == 0 ? 0 : 5;
	rc = bias_report_markdown(stdout, audit);
	json_decref(audit);
	return rc == 0 ? 0 : 5;
}

/* [--csv FILE] after the subcommand: 0, or -1 when the usage is wrong. */
static int csv_arg(int argc, char **argv, const char **csv)
{
	*csv = NULL;
	if (argc == 4 && strcmp(argv[2], "--csv") == 0)
		*csv = argv[3];
	return argc == 2 || *csv != NULL ? 0 : -1;
}

/* The exit status of a run or probe that stored its document (or not). */
static int status_of(int rc, int stored)
{
	if (!stored)
		return rc == HINGE_EINVAL ? 2 : rc == HINGE_EFAIL ? 1 : 5;
	switch (rc) {
	case 0: return 0;
	case HINGE_EUNAVAIL: return 5;
	default: return 1;
	}
}

static void print_probe(const json_t *p)
{
	size_t i;
	json_t *v;

	printf("probe %" JSON_INTEGER_FORMAT ": %s\n", json_integer_value(json_object_get(p, "id")),
	       json_string_value(json_object_get(p, "verdict")));
	printf("records probed: %" JSON_INTEGER_FORMAT " (skipped: %" JSON_INTEGER_FORMAT ")\n",
	       json_integer_value(json_object_get(p, "probed")),
	       json_integer_value(json_object_get(p, "skipped")));
	printf("flips: %" JSON_INTEGER_FORMAT " up, %" JSON_INTEGER_FORMAT " down\n",
	       json_integer_value(json_object_get(p, "flips_up")),
	       json_integer_value(json_object_get(p, "flips_down")));
	v = json_object_get(p, "flip_rate");
	if (json_is_number(v))
		printf("flip rate: %.4f [%.4f, %.4f] (max %g)\n", json_number_value(v),
		       json_number_value(json_array_get(json_object_get(p, "flip_rate_interval"), 0)),
		       json_number_value(json_array_get(json_object_get(p, "flip_rate_interval"), 1)),
		       json_number_value(json_object_get(p, "flip_rate_max")));
	json_array_foreach(json_object_get(p, "reasons"), i, v)
		printf("reason: %s\n", json_string_value(v));
}

static int probe(struct bias *b, struct hinge_command *cmd, int argc, char **argv)
{
	const char *csv;
	json_t *doc;
	int rc;

	if (csv_arg(argc, argv, &csv) != 0)
		return usage();
	rc = bias_probe_run(b, csv, &doc);
	if (doc == NULL)
		return status_of(rc, 0);
	if (b->h->cmd_json(cmd)) {
		if (b->h->cmd_print_json(cmd, (struct hinge_json *)doc) != 0)
			return 5;
	} else {
		print_probe(doc);
		json_decref(doc);
	}
	return status_of(rc, 1);
}

static int run(struct bias *b, struct hinge_command *cmd, int argc, char **argv)
{
	const char *csv;
	json_t *audit;
	int rc;

	if (csv_arg(argc, argv, &csv) != 0)
		return usage();
	rc = bias_audit_run(b, csv, &audit);
	if (audit == NULL)
		return status_of(rc, 0);
	if (print_audit(b, cmd, audit) != 0)
		return 5;
	return status_of(rc, 1);
}

/* A whole positive number, or -1. */
static long long parse_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *s != '\0' && *end == '\0' && v > 0 ? v : -1;
}

static int with_db(struct bias *b, sqlite3 **out, struct hinge_db **db)
{
	if (b->h->db_open(b->p, db) != 0)
		return 5;
	*out = b->h->db_sqlite(*db);
	return 0;
}

static void print_history(const json_t *list)
{
	size_t i;
	json_t *a;

	printf("%-6s %-20s %-12s %10s  %s\n", "ID", "STARTED", "VERDICT", "ROWS", "SOURCE");
	json_array_foreach(list, i, a) {
		time_t t = (time_t)(json_integer_value(json_object_get(a, "started_ms")) / 1000);
		char when[32];
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%-6" JSON_INTEGER_FORMAT " %-20s %-12s %10" JSON_INTEGER_FORMAT "  %s\n",
		       json_integer_value(json_object_get(a, "id")), when,
		       json_string_value(json_object_get(a, "verdict")),
		       json_integer_value(json_object_get(a, "rows")),
		       json_string_value(json_object_get(a, "source")));
	}
}

/* [--limit N] after the subcommand: N, or -1 when the usage is wrong. */
static long long limit_arg(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[2], "--limit") == 0)
		return parse_id(argv[3]);
	return argc == 2 ? 20 : -1;
}

typedef int (*load_fn)(sqlite3 *s, int64_t limit, json_t **out);

/* Parse [--limit N] and load audits with fn; an exit status. */
static int load(struct bias *b, int argc, char **argv, load_fn fn, json_t **out)
{
	long long limit = limit_arg(argc, argv);
	struct hinge_db *db;
	sqlite3 *s;
	int rc;

	if (limit < 0)
		return usage();
	if (with_db(b, &s, &db) != 0)
		return 5;
	rc = fn(s, limit, out);
	b->h->db_close(db);
	return rc != 0 ? 5 : 0;
}

static int history(struct bias *b, struct hinge_command *cmd, int argc, char **argv)
{
	json_t *list;
	int rc = load(b, argc, argv, bias_store_list, &list);

	if (rc != 0)
		return rc;
	if (b->h->cmd_json(cmd))
		return b->h->cmd_print_json(cmd, (struct hinge_json *)json_pack(
			"{s:s, s:o}", "schema", "hinge.bias_audit.history/1", "audits", list)) ? 5 : 0;
	print_history(list);
	json_decref(list);
	return 0;
}

static int show(struct bias *b, struct hinge_command *cmd, int argc, char **argv)
{
	long long id = argc == 3 ? parse_id(argv[2]) : -1;
	struct hinge_db *db;
	json_t *audit;
	sqlite3 *s;
	int rc;

	if (id < 0)
		return usage();
	if (with_db(b, &s, &db) != 0)
		return 5;
	rc = bias_store_get(s, id, &audit);
	b->h->db_close(db);
	if (rc == HINGE_ENODATA) {
		fprintf(stderr, "hinge audit: no audit %lld\n", id);
		return 2;
	}
	if (rc != 0)
		return 5;
	return print_audit(b, cmd, audit);
}

/* The last `limit` audits in full, oldest first, in *out. */
static int load_series(sqlite3 *s, int64_t limit, json_t **out)
{
	json_t *list, *full = json_array(), *a;
	int rc = bias_store_list(s, limit, &list);
	size_t i;

	for (i = json_array_size(list); rc == 0 && i > 0; i--) {
		json_t *id = json_object_get(json_array_get(list, i - 1), "id");

		rc = bias_store_get(s, json_integer_value(id), &a);
		if (rc == 0)
			json_array_append_new(full, a);
	}
	json_decref(list);
	if (rc != 0) {
		json_decref(full);
		return rc;
	}
	*out = full;
	return 0;
}

static int trend(struct bias *b, struct hinge_command *cmd, int argc, char **argv)
{
	json_t *audits, *t;
	int rc = load(b, argc, argv, load_series, &audits);

	if (rc != 0)
		return rc;
	t = bias_trend(audits);
	json_decref(audits);
	if (t == NULL)
		return 5;
	if (b->h->cmd_json(cmd)) {
		json_object_set_new(t, "schema", json_string("hinge.bias_audit.trend/1"));
		return b->h->cmd_print_json(cmd, (struct hinge_json *)t) ? 5 : 0;
	}
	bias_trend_print(stdout, t);
	json_decref(t);
	return 0;
}

int bias_cmd_audit(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	struct bias *b = data;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "run") == 0)
		return run(b, cmd, argc, argv);
	if (strcmp(argv[1], "history") == 0)
		return history(b, cmd, argc, argv);
	if (strcmp(argv[1], "show") == 0)
		return show(b, cmd, argc, argv);
	if (strcmp(argv[1], "trend") == 0)
		return trend(b, cmd, argc, argv);
	if (strcmp(argv[1], "probe") == 0)
		return probe(b, cmd, argc, argv);
	return usage();
}
