/*
 * fault.c - a fault-injecting test plugin for the rollout engine.
 *
 * Action fault.step (params: key, fail, sleep, hang, progress) keeps its effect
 * as a marker file DIR/KEY and logs every side effect as a line
 * "apply KEY" or "revert KEY" in DIR/log, so that a test can count them
 * after crashes.  A phase fails when `fail` names it or when the file
 * DIR/fail_PHASE_KEY exists (so a test can break a step without editing
 * the change); DIR/stale_KEY makes its rehearsal fail (drift); while
 * DIR/notyet_KEY exists, apply (after its sleep) answers "not yet".  Neither
 * apply nor revert is idempotent: the engine must not repeat them.
 * Action fault.oneway has no inverse; fault.noop does nothing (bench).
 * Job fault.query (with query_conninfo) runs a ten-minute query.
 * Metric fault.value reads DIR/metric_NAME (NAME: the label "name",
 * default "value"); a missing file is "no data yet".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hinge/plugin.h>
#include <libpq-fe.h>

static const struct hinge_host *host;
static struct hinge_plugin *self;

static const struct hinge_setting settings[] = {
	{ "dir", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "where markers and the side-effect log live" },
	{ "query_conninfo", HINGE_T_STRING, 0, "", 0, 0,
	  "when set, a job runs one ten-minute query there (SIGTERM must cancel it)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static const struct hinge_setting step_params[] = {
	{ "key", HINGE_T_STRING, HINGE_P_REQUIRED, NULL, 0, 0, "the marker's name" },
	{ "fail", HINGE_T_STRING, 0, "", 0, 0, "a phase to fail: probe, capture, rehearse, apply, verify, revert" },
	{ "sleep", HINGE_T_DURATION, 0, "0ms", 0, 0, "how long apply takes" },
	{ "hang", HINGE_T_DURATION, 0, "0ms", 0, 0, "how long apply blocks first, deaf to cancellation" },
	{ "progress", HINGE_T_INT, 0, "0", 0, 1000, "progress units apply reports" },
	{ "target", HINGE_T_STRING, 0, "", 0, 0, "lock target (default fault:KEY)" },
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static const struct hinge_setting noop_params[] = {
	{ NULL, 0, 0, NULL, 0, 0, NULL },
};

static void path_of(char *buf, size_t len, const char *prefix, const char *key)
{
	snprintf(buf, len, "%s/%s%s", host->setting_str(self, "dir"), prefix, key);
}

static int exists(const char *prefix, const char *key)
{
	char p[4096];

	path_of(p, sizeof(p), prefix, key);
	return access(p, F_OK) == 0;
}

/* The phase must fail: by parameter or by a trigger file. */
static int fails(struct hinge_step *st, const char *phase)
{
	const char *key = host->param_str(st, "key");
	char trigger[256];

	snprintf(trigger, sizeof(trigger), "fail_%s_", phase);
	if (strcmp(host->param_str(st, "fail"), phase) == 0 || exists(trigger, key)) {
		host->step_error(st, "fault: %s of %s fails as asked", phase, key);
		return 1;
	}
	return 0;
}

/* Append one line to DIR/log and sync it: the count survives a crash. */
static int log_effect(const char *what, const char *key)
{
	char p[4096], line[512];
	int fd, n, ok;

	path_of(p, sizeof(p), "log", "");
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return HINGE_EUNAVAIL;
	n = snprintf(line, sizeof(line), "%s %s\n", what, key);
	ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	close(fd);
	return ok ? 0 : HINGE_EUNAVAIL;
}

static int check(void *data, struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");
	char text[300];

	(void)data;
	snprintf(text, sizeof(text), "remove marker %s", key);
	host->step_inverse(st, text);
	snprintf(text, sizeof(text), "fault:%s", key);
	host->step_lock_target(st, host->param_given(st, "target") ? host->param_str(st, "target") : text);
	if (strncmp(key, "lint", 4) == 0)
		host->step_finding(st, "F001", HINGE_SEV_WARNING, "keys starting with lint are linted",
				   "name it otherwise");
	if (strncmp(key, "bad", 3) == 0)
		host->step_finding(st, "F002", HINGE_SEV_ERROR, "keys starting with bad are refused", NULL);
	return 0;
}

static int probe(void *data, struct hinge_step *st)
{
	(void)data;
	if (fails(st, "probe"))
		return HINGE_EFAIL;
	return exists("", host->param_str(st, "key"));
}

static int capture(void *data, struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");

	(void)data;
	if (fails(st, "capture"))
		return HINGE_EFAIL;
	return host->artifact_set(st, key, strlen(key));
}

/* The artifact must be intact and name this step's key. */
static int artifact_ok(struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");
	const void *buf;
	size_t len;
	int rc = host->artifact_get(st, &buf, &len);

	if (rc != 0)
		return rc;
	if (len != strlen(key) || memcmp(buf, key, len) != 0) {
		host->step_error(st, "fault: the artifact does not name %s", key);
		return HINGE_EFAIL;
	}
	return 0;
}

static int rehearse(void *data, struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");

	(void)data;
	if (fails(st, "rehearse"))
		return HINGE_EFAIL;
	if (exists("stale_", key)) {
		host->step_error(st, "fault: %s drifted: its artifact no longer applies", key);
		return HINGE_EFAIL;
	}
	return artifact_ok(st);
}

static int apply(void *data, struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");
	int64_t total = host->param_int(st, "progress"), ms = host->param_ms(st, "sleep");
	int64_t hang = host->param_ms(st, "hang");
	struct timespec ts = { hang / 1000, (long)(hang % 1000) * 1000000L };
	char p[4096];
	int fd, rc;

	(void)data;
	if (fails(st, "apply"))
		return HINGE_EFAIL;
	if (hang > 0) /* a plugin that never asks host->stopping() */
		nanosleep(&ts, NULL);
	for (int64_t i = 1; i <= total; i++) {
		host->sleep_ms(self, ms / total);
		host->step_progress(st, i, total);
	}
	if (total == 0 && ms > 0 && host->sleep_ms(self, ms) != 0)
		return HINGE_ECANCELED;
	if (exists("notyet_", key)) {
		host->step_retry_after(st, 50, "fault: %s is not ready yet", key);
		return HINGE_ENOTYET;
	}
	if ((rc = log_effect("apply", key)) != 0)
		return rc;
	path_of(p, sizeof(p), "", key);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fsync(fd) != 0) {
		host->step_error(st, "fault: cannot create %s: %s", p, strerror(errno));
		return HINGE_EUNAVAIL;
	}
	close(fd);
	return 0;
}

static int verify(void *data, struct hinge_step *st)
{
	(void)data;
	if (fails(st, "verify"))
		return HINGE_EFAIL;
	return exists("", host->param_str(st, "key")) ? 0 : HINGE_EFAIL;
}

static int revert(void *data, struct hinge_step *st)
{
	const char *key = host->param_str(st, "key");
	char p[4096];
	int rc;

	(void)data;
	if (fails(st, "revert"))
		return HINGE_EFAIL;
	if ((rc = artifact_ok(st)) != 0)
		return rc;
	if ((rc = log_effect("revert", key)) != 0)
		return rc;
	path_of(p, sizeof(p), "", key);
	return unlink(p) == 0 || errno == ENOENT ? 0 : HINGE_EUNAVAIL;
}

static int noop(void *data, struct hinge_step *st)
{
	(void)data;
	(void)st;
	return 0;
}

static int read_value(void *data, const struct hinge_mquery *q, double *out)
{
	const char *name = host->mq_label(q, "name");
	char p[4096], *end;
	FILE *f;
	char buf[64] = "";

	(void)data;
	path_of(p, sizeof(p), "metric_", name ? name : "value");
	f = fopen(p, "r");
	if (f == NULL)
		return HINGE_ENODATA;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	*out = strtod(buf, &end);
	return end == buf ? HINGE_EFAIL : 0;
}

/* Job fault.query: a query that outlasts any stop_timeout; DIR/query
 * holds how it ended (libpq's message, or "done"). */
static int long_query(void *data)
{
	const char *dir = host->setting_str(self, "dir");
	void *raw = NULL;
	PGresult *r;
	char p[4096];
	FILE *f;

	(void)data;
	if (host->pg_connect(self, host->setting_str(self, "query_conninfo"), &raw) != 0)
		return HINGE_EUNAVAIL;
	r = PQexec(raw, "SELECT pg_sleep(600)");
	snprintf(p, sizeof(p), "%s/query", dir);
	if ((f = fopen(p, "w")) != NULL) {
		fprintf(f, "%s\n", PQresultStatus(r) == PGRES_TUPLES_OK ? "done" : PQresultErrorMessage(r));
		fclose(f);
	}
	PQclear(r);
	PQfinish(raw);
	return 0;
}

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	static const struct hinge_action step = {
		.name = "step", .params = step_params, .check = check, .probe = probe,
		.capture = capture, .rehearse = rehearse, .apply = apply, .verify = verify,
		.revert = revert,
	};
	static const struct hinge_action oneway = {
		.name = "oneway", .params = step_params, .flags = HINGE_ACTION_NO_INVERSE,
		.check = check, .probe = probe, .apply = apply, .verify = verify,
	};
	static const struct hinge_action nop = {
		.name = "noop", .params = noop_params,
		.flags = HINGE_ACTION_IDEMPOTENT_APPLY | HINGE_ACTION_IDEMPOTENT_REVERT,
		.capture = noop, .rehearse = noop, .apply = noop, .verify = noop, .revert = noop,
	};
	static const struct hinge_metric value = {
		.name = "value", .description = "the number in DIR/metric_NAME", .read = read_value,
	};
	static const struct hinge_job query = { .name = "query", .interval_ms = 600000, .run = long_query };
	int rc;

	host = h;
	self = p;
	if ((rc = h->register_action(p, &step)) != 0 || (rc = h->register_action(p, &oneway)) != 0 ||
	    (rc = h->register_action(p, &nop)) != 0)
		return rc;
	if (h->setting_str(p, "query_conninfo")[0] != '\0' && (rc = h->register_job(p, &query)) != 0)
		return rc;
	return h->register_metric(p, &value);
}

static void fini(struct hinge_plugin *p)
{
	(void)p;
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT,
	.name = "fault",
	.version = "1.0",
	.description = "fails, crashes or slows down any phase of a rollout, for tests",
	.settings = settings,
	.init = init,
	.fini = fini,
};

const struct hinge_abi *hinge_plugin_entry(void)
{
	return &abi;
}
