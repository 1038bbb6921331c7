/*
 * command.c - `hinge feedback report|rejects|token ...`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "args.h"
#include "figures.h"
#include "formsegs.h"
#include "stats.h"
#include "fb.h"
#include "token.h"

#define USAGE \
	"feedback report [--since 7d] [--segment KEY] | rejects [--since 7d]\n" \
	"       | token --transaction ID --user ID [--ttl 7d] [--segment KEY=VALUE ...]"

static int usage(const char *why)
{
	fprintf(stderr, "hinge feedback: %s\nusage: hinge " USAGE "\n", why);
	return 2;
}

/*
 * The --segment KEY=VALUE options of `feedback token` into *out, a JSON
 * object the caller frees.  Returns 0, or the exit status 2 of bad
 * usage (told on stderr): no "=", a key that is not one of setting
 * segments, a key given twice, a value that a form link could not carry.
 */
static int token_segments(struct fb *fb, int argc, char **argv, json_t **out)
{
	json_t *segs = json_object();
	const char *eq;
	char *key;
	int i, rc = 0;

	for (i = 2; segs != NULL && rc == 0 && i + 1 < argc; i++) {
		if (strcmp(argv[i], "--segment") != 0)
			continue;
		eq = strchr(argv[++i], '=');
		key = eq ? strndup(argv[i], (size_t)(eq - argv[i])) : NULL;
		if (eq == NULL)
			rc = usage("--segment takes KEY=VALUE, such as plan=pro");
		else if (key == NULL)
			rc = 5;
		else if (!fb_segment_known(fb, key)) {
			fprintf(stderr, "hinge feedback token: unknown segment \"%s\"\n"
				"Segments are the columns listed in setting segments (%s).\n",
				key, fb->h->setting_where(fb->p, "segments"));
			rc = 2;
		} else if (json_object_get(segs, key) != NULL) {
			fprintf(stderr, "hinge feedback token: segment \"%s\" given twice\n", key);
			rc = 2;
		} else if (!fb_id_valid(eq + 1)) {
			fprintf(stderr, "hinge feedback token: the value of segment \"%s\" must be"
				" 1 to 128 printable ASCII characters, as in the form link\n", key);
			rc = 2;
		} else if (json_object_set_new(segs, key, json_string(eq + 1)) < 0) {
			rc = 5;
		}
		free(key);
	}
	if (segs == NULL)
		rc = 5;
	if (rc != 0) {
		json_decref(segs);
		return rc;
	}
	*out = segs;
	return 0;
}

/*
 * Sign a v2 token for txn, user and segs (taken over), valid for ttl_ms.
 * 0 with the token in out and its expiry in *expiry, or an exit status.
 */
static int sign_token(struct fb *fb, const char *txn, const char *user, json_t *segs,
		      int64_t ttl_ms, char out[FB_TOKEN_SIZE], int64_t *expiry)
{
	struct fb_form_segments texts;
	char *key = NULL;
	int rc;

	if (fb_form_segments_of(segs, &texts) < 0)
		return 5;
	rc = fb->h->secret_read(fb->p, "token_secret", &key);
	if (rc < 0 || key == NULL || key[0] == '\0') {
		fprintf(stderr,
			"hinge feedback token: no signing key\n"
			"Setting token_secret must name a file of mode 0600 holding the key.\n");
		free(key);
		fb_form_segments_free(&texts);
		return rc == HINGE_EINVAL || rc == 0 ? 2 : 5;
	}
	*expiry = (int64_t)time(NULL) + ttl_ms / 1000;
	rc = fb_token_sign(key, strlen(key), txn, user, texts.canon, *expiry, out, FB_TOKEN_SIZE);
	OPENSSL_cleanse(key, strlen(key));
	free(key);
	fb_form_segments_free(&texts);
	return rc < 0 ? usage("cannot sign a token for these ids") : 0;
}

static int cmd_token(struct fb *fb, struct hinge_command *cmd, int argc,
		     char **argv)
{
	static const char *const opts[] = { "--transaction", "--user", "--ttl", "--segment", NULL };
	const char *txn = NULL, *user = NULL, *ttl = NULL;
	char token[FB_TOKEN_SIZE];
	int64_t ttl_ms = fb->h->setting_ms(fb->p, "token_ttl"), expiry;
	json_t *segs;
	int rc, bad;

	if ((bad = fb_args_unknown(argc, argv, 2, NULL, opts)) > 0) {
		fprintf(stderr, "hinge feedback token: unknown argument %s\n", argv[bad]);
		return usage("bad arguments");
	}
	if (fb_option(argc, argv, 2, "--transaction", &txn) != 1 ||
	    fb_option(argc, argv, 2, "--user", &user) != 1)
		return usage("token needs --transaction and --user");
	if (fb_option(argc, argv, 2, "--ttl", &ttl) == 1 &&
	    (fb_duration_ms(ttl, &ttl_ms) < 0 || ttl_ms < 1000))
		return usage("--ttl takes a duration of at least 1s, such as 30m or 7d");
	if (!fb_id_valid(txn) || !fb_id_valid(user))
		return usage("ids are 1 to 128 printable ASCII characters");
	if ((rc = token_segments(fb, argc, argv, &segs)) != 0)
		return rc;
	json_incref(segs);
	if ((rc = sign_token(fb, txn, user, segs, ttl_ms, token, &expiry)) != 0) {
		json_decref(segs);
		return rc;
	}
	if (fb->h->cmd_json(cmd))
		return fb->h->cmd_print_json(cmd, (struct hinge_json *)json_pack(
			"{s:s, s:s, s:s, s:o, s:I, s:s}", "schema", "hinge.feedback.token/1",
			"transaction", txn, "user", user, "segments", segs,
			"expires", (json_int_t)expiry, "token", token)) < 0 ? 5 : 0;
	json_decref(segs);
	printf("%s\n", token);
	return 0;
}

/* The exit status of a HINGE_E* code. */
static int status_of(int rc)
{
	switch (rc) {
	case HINGE_OK: return 0;
	case HINGE_EFAIL: return 1;
	case HINGE_EINVAL: return 2;
	case HINGE_EBUSY: return 3;
	case HINGE_EOPERATOR: return 4;
	default: return 5;
	}
}

static void print_figure(const char *label, json_t *f, int points)
{
	if (json_integer_value(json_object_get(f, "n")) == 0) {
		printf("  %-5s no ratings\n", label);
		return;
	}
	printf("  %-5s %.*f  [%.*f, %.*f]  n=%" JSON_INTEGER_FORMAT "%s\n", label,
	       points ? 1 : 3, json_real_value(json_object_get(f, "value")),
	       points ? 1 : 3, json_real_value(json_object_get(f, "lo")),
	       points ? 1 : 3, json_real_value(json_object_get(f, "hi")),
	       json_integer_value(json_object_get(f, "n")),
	       json_is_true(json_object_get(f, "sufficient")) ? "" : "  insufficient data");
}

static void print_report(json_t *doc)
{
	json_t *g, *a;
	size_t i;

	printf("feedback since %s ago; confidence %g; minimum sample %" JSON_INTEGER_FORMAT "\n",
	       json_string_value(json_object_get(doc, "since")),
	       json_real_value(json_object_get(doc, "confidence")),
	       json_integer_value(json_object_get(doc, "min_sample")));
	json_array_foreach(json_object_get(doc, "groups"), i, g) {
		const char *seg = json_string_value(json_object_get(g, "segment"));

		if (json_is_string(json_object_get(doc, "segment")))
			printf("%s = %s\n", json_string_value(json_object_get(doc, "segment")),
			       seg ? seg : "(none)");
		print_figure("CSAT", json_object_get(g, "csat"), 0);
		print_figure("NPS", json_object_get(g, "nps"), 1);
		/* No key at all when the forms shown could not be counted. */
		if (json_is_object(json_object_get(g, "response_rate")))
			print_figure("rate", json_object_get(g, "response_rate"), 0);
		else if (json_is_null(json_object_get(g, "response_rate")))
			printf("  %-5s no forms shown\n", "rate");
	}
	if (json_array_size(json_object_get(doc, "groups")) == 0)
		printf("  no ratings, no forms shown\n");
	json_array_foreach(json_object_get(doc, "alarms"), i, a)
		printf("alarm: %s shifted %s in the bucket from %" JSON_INTEGER_FORMAT " ms (value %.4g)\n",
		       json_string_value(json_object_get(a, "figure")),
		       json_integer_value(json_object_get(a, "direction")) > 0 ? "up" : "down",
		       json_integer_value(json_object_get(a, "bucket_ms")),
		       json_real_value(json_object_get(a, "value")));
	if (json_integer_value(json_object_get(doc, "rejected")) > 0)
		printf("rejected: %" JSON_INTEGER_FORMAT " row(s), reasons in feedback_rejects\n",
		       json_integer_value(json_object_get(doc, "rejected")));
}

static int cmd_report(struct fb *fb, struct hinge_command *cmd, int argc,
		      char **argv)
{
	static const char *const opts[] = { "--since", "--segment", NULL };
	const char *since = "7d", *seg = NULL;
	json_t *groups = NULL, *alarms = NULL, *rate = NULL, *doc;
	int64_t since_ms, rejected = 0;
	int bad, rc, refresh;

	if ((bad = fb_args_unknown(argc, argv, 2, NULL, opts)) > 0) {
		fprintf(stderr, "hinge feedback report: unknown argument %s\n", argv[bad]);
		return usage("bad arguments");
	}
	if (fb_option(argc, argv, 2, "--since", &since) < 0 ||
	    fb_duration_ms(since, &since_ms) < 0)
		return usage("--since takes a duration such as 24h or 7d");
	if (fb_option(argc, argv, 2, "--segment", &seg) < 0)
		return usage("--segment takes a segment name");
	if (seg != NULL && !fb_segment_known(fb, seg)) {
		fprintf(stderr, "hinge feedback report: unknown segment \"%s\"\n"
			"Segments are the columns listed in setting segments (%s).\n",
			seg, fb->h->setting_where(fb->p, "segments"));
		return 2;
	}
	refresh = fb_refresh(fb);
	if (refresh < 0)
		fprintf(stderr, "hinge feedback report: ratings not refreshed; the figures are those stored\n");
	since_ms = fb_now_ms() - since_ms;
	if ((rc = fb_figures(fb, since_ms, seg, NULL, 0, &groups)) < 0 ||
	    (rc = fb_alarms_since(fb, since_ms, &alarms)) < 0 ||
	    (rc = fb_rejects_since(fb, since_ms, &rejected)) < 0) {
		json_decref(groups);
		json_decref(alarms);
		fprintf(stderr, "hinge feedback report: cannot read the state database\n");
		return status_of(rc);
	}
	if (fb_figures_add_rates(fb, since_ms, seg, groups, &rate) < 0)
		fprintf(stderr, "hinge feedback report: cannot count the forms shown;"
			" the response rate is left out\n");
	doc = json_pack("{s:s, s:s, s:I, s:s?, s:f, s:I, s:o, s:o, s:o, s:I, s:b}",
			"schema", "hinge.feedback.report/1", "since", since,
			"since_ms", (json_int_t)since_ms, "segment", seg,
			"confidence", fb->h->setting_double(fb->p, "confidence"),
			"min_sample", (json_int_t)fb->h->setting_int(fb->p, "min_sample"),
			"groups", groups, "response_rate", rate ? rate : json_null(),
			"alarms", alarms, "rejected", (json_int_t)rejected,
			"refreshed", refresh == 0);
	if (doc == NULL)
		return 5;
	if (fb->h->cmd_json(cmd)) {
		if (fb->h->cmd_print_json(cmd, (struct hinge_json *)doc) < 0)
			return 5;
	} else {
		print_report(doc);
		json_decref(doc);
	}
	return status_of(refresh);
}

static int cmd_rejects(struct fb *fb, struct hinge_command *cmd, int argc,
		       char **argv)
{
	static const char *const opts[] = { "--since", NULL };
	const char *since = "7d";
	int64_t since_ms;
	json_t *list, *r;
	size_t i;
	int rc, refresh;

	if (fb_args_unknown(argc, argv, 2, NULL, opts) > 0 ||
	    fb_option(argc, argv, 2, "--since", &since) < 0 ||
	    fb_duration_ms(since, &since_ms) < 0)
		return usage("rejects takes --since and a duration such as 24h or 7d");
	refresh = fb_refresh(fb);
	if (refresh < 0)
		fprintf(stderr, "hinge feedback rejects: ratings not refreshed; the rejects are those stored\n");
	if ((rc = fb_rejects_list(fb, fb_now_ms() - since_ms, &list)) < 0) {
		fprintf(stderr, "hinge feedback rejects: cannot read the state database\n");
		return status_of(rc);
	}
	if (fb->h->cmd_json(cmd))
		return fb->h->cmd_print_json(cmd, (struct hinge_json *)json_pack(
			"{s:s, s:s, s:o}", "schema", "hinge.feedback.rejects/1", "since", since,
			"rejects", list)) < 0 ? 5 : status_of(refresh);
	json_array_foreach(list, i, r)
		printf("%s #%" JSON_INTEGER_FORMAT "  %s  %s  (%s)\n",
		       json_string_value(json_object_get(r, "source")),
		       json_integer_value(json_object_get(r, "source_id")),
		       json_is_string(json_object_get(r, "transaction"))
			       ? json_string_value(json_object_get(r, "transaction")) : "-",
		       json_string_value(json_object_get(r, "reason")),
		       json_string_value(json_object_get(r, "detail")));
	if (json_array_size(list) == 0)
		printf("no rejected rows since %s ago\n", since);
	json_decref(list);
	return status_of(refresh);
}

static int run(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	struct fb *fb = data;

	/* argv[0] is "feedback" itself. */
	if (argc < 2)
		return usage("a subcommand is needed");
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(fb, cmd, argc, argv);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(fb, cmd, argc, argv);
	if (strcmp(argv[1], "rejects") == 0)
		return cmd_rejects(fb, cmd, argc, argv);
	return usage("unknown subcommand");
}

int fb_command_register(struct fb *fb)
{
	const struct hinge_cmd c = {
		.name = "feedback",
		.usage = USAGE,
		.description = "feedback tokens for the form, and CSAT/NPS reports",
		.run = run,
		.data = fb,
	};

	return fb->h->register_command(fb->p, &c);
}
