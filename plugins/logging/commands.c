/*
 * commands.c - the `errors` command.  Text and --json come from the same
 * JSON the queries return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "errors.h"

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

static void print_top(json_t *top, const char *since)
{
	json_t *g;
	size_t k;

	if (json_array_size(top) == 0) {
		printf("no errors in the last %s\n", since);
		return;
	}
	printf("%-12s %7s %7s  %-20s  %s\n", "FINGERPRINT", "COUNT", "TOTAL",
	       "LAST SEEN", "SOURCE/TYPE: MESSAGE");
	json_array_foreach(top, k, g)
		printf("%-12.12s %7lld %7lld  %-20.19s  %s/%s: %s\n",
		       str(g, "fingerprint"),
		       (long long)json_integer_value(json_object_get(g, "count")),
		       (long long)json_integer_value(json_object_get(g, "total")),
		       str(g, "last_seen"), str(g, "source"), str(g, "type"),
		       str(g, "message"));
}

static void print_show(json_t *g)
{
	json_t *s;
	size_t k;

	printf("fingerprint  %s\nsource       %s\ntype         %s\n"
	       "message      %s\ncount        %lld\nfirst seen   %s\n"
	       "last seen    %s\nsamples:\n", str(g, "fingerprint"),
	       str(g, "source"), str(g, "type"), str(g, "message"),
	       (long long)json_integer_value(json_object_get(g, "total")),
	       str(g, "first_seen"), str(g, "last_seen"));
	json_array_foreach(json_object_get(g, "samples"), k, s)
		printf("  %s  %s  %s\n", str(s, "time"), str(s, "event_id"),
		       str(s, "message"));
}

/* Emit doc (stolen) as JSON or text; returns the exit status. */
static int emit(const struct hinge_host *H, struct hinge_command *cmd,
		const char *schema, json_t *doc, json_t *data,
		void (*text)(json_t *, const char *), const char *arg)
{
	if (H->cmd_json(cmd)) {
		json_object_set_new(doc, "schema", json_string(schema));
		return H->cmd_print_json(cmd, (struct hinge_json *)doc) == 0 ? 0 : 5;
	}
	text(data, arg);
	json_decref(doc);
	return 0;
}

static void show_text(json_t *g, const char *unused)
{
	(void)unused;
	print_show(g);
}

static int top(const struct hinge_host *H, struct hinge_command *cmd,
	       sqlite3 *db, int64_t now_ms, int argc, char **argv)
{
	const char *since = "24h";
	int64_t since_ms;
	long limit = 20;
	json_t *groups, *doc;
	char *end;
	int k;

	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--since") == 0 && k + 1 < argc) {
			since = argv[++k];
		} else if (strcmp(argv[k], "--limit") == 0 && k + 1 < argc) {
			limit = strtol(argv[++k], &end, 10);
			if (*end || limit < 1 || limit > 10000) {
				fprintf(stderr, "hinge: errors top: --limit takes 1 to 10000\n");
				return 2;
			}
		} else {
			fprintf(stderr, "hinge: errors top: unknown argument \"%s\"\n"
				"usage: hinge " LG_ERRORS_USAGE "\n", argv[k]);
			return 2;
		}
	}
	since_ms = lg_parse_duration(since);
	if (since_ms < 0) {
		fprintf(stderr, "hinge: errors top: --since takes a duration such as 90m, 24h or 7d\n");
		return 2;
	}
	if (lg_errors_top(db, now_ms - since_ms, (int)limit, &groups) < 0) {
		fprintf(stderr, "hinge: errors top: the state database cannot be read\n");
		return 5;
	}
	doc = json_pack("{s:s,s:o}", "since", since, "groups", groups);
	if (!doc)
		return 5;
	return emit(H, cmd, "hinge.errors.top/1", doc, groups, print_top, since);
}

static int show(const struct hinge_host *H, struct hinge_command *cmd,
		sqlite3 *db, int argc, char **argv)
{
	json_t *g, *doc;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: hinge " LG_ERRORS_USAGE "\n");
		return 2;
	}
	rc = lg_errors_show(db, argv[2], &g);
	if (rc == HINGE_EINVAL) {
		fprintf(stderr, "hinge: errors show: no single group has the "
			"fingerprint \"%s\"\nhint: take one from `hinge errors top`; "
			"a prefix of at least 6 characters is enough.\n", argv[2]);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "hinge: errors show: the state database cannot be read\n");
		return 5;
	}
	doc = json_pack("{s:o}", "group", g);
	if (!doc)
		return 5;
	return emit(H, cmd, "hinge.errors.group/1", doc, g, show_text, NULL);
}

int lg_cmd_errors(const struct hinge_host *H, struct hinge_command *cmd,
		  sqlite3 *db, int64_t now_ms, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "top") == 0)
		return top(H, cmd, db, now_ms, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return show(H, cmd, db, argc, argv);
	fprintf(stderr, "usage: hinge " LG_ERRORS_USAGE "\n");
	return 2;
}
