/*
 * example.c - a small third-party-style plugin: built from the public
 * header alone, it registers one of everything so that the loader, the
 * host table and the daemon can be tested end to end.
 *
 * Built three times by the tests: as "example", as "badabi" with
 * -DEXAMPLE_ABI_MAJOR=99 (an ABI the agent refuses) and as "noentry" with
 * -DEXAMPLE_NO_ENTRY (no entry symbol at all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hinge/plugin.h>
#include <jansson.h>

#ifndef EXAMPLE_NAME
#define EXAMPLE_NAME "example"
#endif
#ifndef EXAMPLE_ABI_MAJOR
#define EXAMPLE_ABI_MAJOR HINGE_ABI_MAJOR
#endif

static const struct hinge_host *host;
static struct hinge_plugin *self;

static const struct hinge_setting settings[] = {
	{ "answer", HINGE_T_DOUBLE, 0, "42", 0, 1000, "what the metric answer reads" },
	{ "marker", HINGE_T_STRING, 0, NULL, 0, 0, "a file the job appends a line to" },
	{ "interval", HINGE_T_DURATION, 0, "50ms", 1, 60000, "how often the job runs" },
	{ "job_sleep", HINGE_T_DURATION, 0, "0ms", 0, 0, "how long each job run sleeps (cancellably)" },
	{ "service_marker", HINGE_T_STRING, 0, NULL, 0, 0, "a file the service writes while it runs" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static int answer_read(void *data, const struct hinge_mquery *q, double *out)
{
	const char *label = host->mq_label(q, "nodata");

	(void)data;
	if (label != NULL && strcmp(label, "yes") == 0)
		return HINGE_ENODATA;
	*out = host->setting_double(self, "answer");
	return 0;
}

static int tick(void *data)
{
	const char *marker = host->setting_str(self, "marker");
	FILE *f;

	(void)data;
	if (marker == NULL)
		return 0;
	/* A long operation that gives way when the agent stops. */
	if (host->sleep_ms(self, host->setting_ms(self, "job_sleep")) != 0)
		return HINGE_ECANCELED;
	f = fopen(marker, "a");
	if (f == NULL)
		return HINGE_EUNAVAIL;
	fprintf(f, "tick answer=%g\n", host->setting_double(self, "answer"));
	fclose(f);
	return 0;
}

/* The service notes that it started and that it stopped. */
static int serve(void *data)
{
	const char *marker = host->setting_str(self, "service_marker");
	FILE *f;

	(void)data;
	if (marker == NULL)
		return 0;
	if ((f = fopen(marker, "a")) != NULL) {
		fputs("service started\n", f);
		fclose(f);
	}
	while (!host->stopping(self))
		host->sleep_ms(self, 1000);
	if ((f = fopen(marker, "a")) != NULL) {
		fputs("service stopped\n", f);
		fclose(f);
	}
	return 0;
}

static int hello(void *data, struct hinge_command *cmd, int argc, char **argv)
{
	(void)data;
	if (host->cmd_json(cmd))
		return host->cmd_print_json(cmd, (struct hinge_json *)json_pack(
			"{s:s, s:i}", "schema", "example.hello/1", "args", argc)) == 0 ? 0 : 1;
	printf("hello from %s with %d arguments (first: %s)\n", EXAMPLE_NAME, argc,
	       argc > 1 ? argv[1] : "none");
	return 0;
}

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	static const struct hinge_metric answer = {
		.name = "answer", .description = "the configured answer", .read = answer_read,
	};
	struct hinge_job job = { .name = "tick", .run = tick };
	static const struct hinge_service service = { .name = "serve", .run = serve };
	static const struct hinge_cmd cmd = {
		.name = "hello", .usage = "hello [ARG]", .description = "say hello", .run = hello,
	};
	int rc;

	host = h;
	self = p;
	job.interval_ms = h->setting_ms(p, "interval");
	if ((rc = h->register_metric(p, &answer)) != 0 || (rc = h->register_job(p, &job)) != 0 ||
	    (rc = h->register_service(p, &service)) != 0)
		return rc;
	return h->register_command(p, &cmd);
}

static const char *const migrations[] = {
	"CREATE TABLE " EXAMPLE_NAME "_things (id INTEGER PRIMARY KEY, what TEXT)",
	NULL,
};

static const struct hinge_abi abi = {
	.size = sizeof(struct hinge_abi),
	.major = EXAMPLE_ABI_MAJOR,
	.minor = HINGE_ABI_MINOR,
	.name = EXAMPLE_NAME,
	.version = "1.0.0",
	.description = "an example plugin built from the public header",
	.settings = settings,
	.migrations = migrations,
	.init = init,
};

#ifdef EXAMPLE_NO_ENTRY
const struct hinge_abi *example_entry(void);
const struct hinge_abi *example_entry(void)
#else
const struct hinge_abi *hinge_plugin_entry(void)
#endif
{
	return &abi;
}
