/*
 * command.c - `hinge feedback token|report ...`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "args.h"
#include "fb.h"
#include "token.h"

#define USAGE "feedback token --transaction ID --user ID [--ttl 7d]"

static int usage(const char *why)
{
	fprintf(stderr, "hinge feedback: %s\nusage: hinge " USAGE "\n", why);
	return 2;
}

static int cmd_token(struct fb *fb, struct hinge_command *cmd, int argc,
		     char **argv)
{
	static const char *const opts[] = { "--transaction", "--user", "--ttl", NULL };
	const char *txn = NULL, *user = NULL, *ttl = NULL;
	char token[FB_TOKEN_SIZE];
	int64_t ttl_ms = fb->h->setting_ms(fb->p, "token_ttl"), expiry;
	char *key = NULL;
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
	rc = fb->h->secret_read(fb->p, "token_secret", &key);
	if (rc < 0 || key == NULL || key[0] == '\0') {
		fprintf(stderr,
			"hinge feedback token: no signing key\n"
			"Setting token_secret must name a file of mode 0600 holding the key.\n");
		free(key);
		return rc == HINGE_EINVAL || rc == 0 ? 2 : 5;
	}
	expiry = (int64_t)time(NULL) + ttl_ms / 1000;
	rc = fb_token_sign(key, strlen(key), txn, user, expiry, token, sizeof(token));
	OPENSSL_cleanse(key, strlen(key));
	free(key);
	if (rc < 0)
		return usage("cannot sign a token for these ids");
	if (fb->h->cmd_json(cmd))
		return fb->h->cmd_print_json(cmd, (struct hinge_json *)json_pack(
			"{s:s, s:s, s:s, s:I, s:s}", "schema", "hinge.feedback.token/1",
			"transaction", txn, "user", user, "expires", (json_int_t)expiry,
			"token", token)) < 0 ? 5 : 0;
	printf("%s\n", token);
	return 0;
}

static int run(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	struct fb *fb = data;

	/* argv[0] is "feedback" itself. */
	if (argc < 2)
		return usage("a subcommand is needed");
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(fb, cmd, argc, argv);
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
