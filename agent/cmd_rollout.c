/*
 * cmd_rollout.c - `hinge rollout ...`: parses arguments, calls the engine
 * and renders what it returns: one JSON document with --json, text for
 * people otherwise.  Transitions go to stderr as they happen, a line
 * each; on a terminal, a step that reports progress shows a bar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/engine.h"
#include "state/state.h"

static const char usage_text[] =
	"usage: hinge rollout plan CHANGE.conf\n"
	"       hinge rollout start CHANGE.conf [--reason T] [--detach | --wait]\n"
	"       hinge rollout status [ID] | show ID | history | events ID\n"
	"       hinge rollout promote|pause|abort|rollback|resume|finalize ID [--reason T] [--force] [--wait]\n"
	"       hinge rollout repair ID --step NAME --mark applied|reverted --reason T\n";

struct args {
	const char *sub, *target, *reason, *step, *mark;
	int force, detach, wait;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return HINGE_EINVAL;
	a->sub = argv[1];
	for (int i = 2; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--reason") == 0 ? &a->reason
				  : strcmp(argv[i], "--step") == 0 ? &a->step
				  : strcmp(argv[i], "--mark") == 0 ? &a->mark : NULL;

		if (slot != NULL) {
			if (i + 1 >= argc)
				return HINGE_EINVAL;
			*slot = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			a->force = 1;
		} else if (strcmp(argv[i], "--detach") == 0) {
			a->detach = 1;
		} else if (strcmp(argv[i], "--wait") == 0) {
			a->wait = 1;
		} else if (argv[i][0] == '-' || a->target != NULL) {
			return HINGE_EINVAL;
		} else {
			a->target = argv[i];
		}
	}
	return a->detach && a->wait ? HINGE_EINVAL : 0;
}

struct live {
	int tty;
	char step[128];
	int64_t step_start;
	int bar; /* a progress bar is on the line */
};

static void on_transition(void *data, const char *rollout, const char *step,
			  const char *phase, const char *message)
{
	struct live *l = data;

	if (l->bar) {
		fputc('\n', stderr);
		l->bar = 0;
	}
	if (step != NULL && strcmp(step, l->step) != 0) {
		snprintf(l->step, sizeof(l->step), "%s", step);
		l->step_start = state_now_ms();
	}
	if (step != NULL)
		fprintf(stderr, "rollout %s: step %s: %s: %s (%.1fs)\n", rollout, step, phase, message,
			(state_now_ms() - l->step_start) / 1000.0);
	else
		fprintf(stderr, "rollout %s: %s: %s\n", rollout, phase, message);
}

static void on_progress(void *data, const char *rollout, const char *step,
			int64_t done, int64_t total)
{
	struct live *l = data;
	int64_t spent = state_now_ms() - l->step_start, left = 0;
	char bar[21];
	int filled;

	(void)rollout;
	if (!l->tty || total <= 0)
		return;
	filled = (int)(done * 20 / total);
	for (int i = 0; i < 20; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[20] = '\0';
	if (done > 0)
		left = spent * (total - done) / done;
	fprintf(stderr, "\r%s [%s] %lld/%lld %.1fs spent, ~%.1fs left ", step, bar, (long long)done,
		(long long)total, spent / 1000.0, left / 1000.0);
	l->bar = 1;
}

static void print_steps(json_t *r)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r, "steps"), i, s) {
		const char *err = json_string_value(json_object_get(s, "error"));

		printf("  %2lld %-20s %-6s %-10s%s%s\n", (long long)json_integer_value(json_object_get(s, "number")),
		       json_string_value(json_object_get(s, "name")), json_string_value(json_object_get(s, "kind")),
		       json_string_value(json_object_get(s, "phase")), err ? "  " : "", err ? err : "");
	}
}

static void print_rollout(json_t *r)
{
	const char *err = json_string_value(json_object_get(r, "error"));

	printf("rollout %s  change %s  %s%s%s\n", json_string_value(json_object_get(r, "id")),
	       json_string_value(json_object_get(r, "change")), json_string_value(json_object_get(r, "state")),
	       err ? ": " : "", err ? err : "");
	print_steps(r);
}

static void print_plan(json_t *doc)
{
	json_t *s;
	size_t i;

	printf("change %s (%s), on failure: %s\n", json_string_value(json_object_get(doc, "change")),
	       json_string_value(json_object_get(doc, "file")), json_string_value(json_object_get(doc, "on_failure")));
	json_array_foreach(json_object_get(doc, "steps"), i, s) {
		const char *kind = json_string_value(json_object_get(s, "kind"));
		json_t *f;
		size_t j;

		printf("%2zu. %s (%s%s%s)%s\n", i + 1, json_string_value(json_object_get(s, "name")), kind,
		       json_object_get(s, "action") ? " " : "",
		       json_object_get(s, "action") ? json_string_value(json_object_get(s, "action")) : "",
		       json_is_true(json_object_get(s, "irreversible")) ? "  IRREVERSIBLE" : "");
		if (json_string_value(json_object_get(s, "inverse")))
			printf("    inverse: %s\n", json_string_value(json_object_get(s, "inverse")));
		json_array_foreach(json_object_get(s, "findings"), j, f)
			printf("    %s %s: %s\n", json_string_value(json_object_get(f, "severity")),
			       json_string_value(json_object_get(f, "code")), json_string_value(json_object_get(f, "message")));
	}
}

static void print_text(const char *sub, json_t *doc)
{
	json_t *r;
	size_t i;

	if (strcmp(sub, "plan") == 0) {
		print_plan(doc);
	} else if (strcmp(sub, "history") == 0) {
		json_array_foreach(json_object_get(doc, "rollouts"), i, r)
			printf("%s  %-24s %-14s%s\n", json_string_value(json_object_get(r, "id")),
			       json_string_value(json_object_get(r, "change")),
			       json_string_value(json_object_get(r, "state")),
			       json_integer_value(json_object_get(r, "failed")) ? "  failed" : "");
	} else if (strcmp(sub, "events") == 0) {
		json_array_foreach(json_object_get(doc, "events"), i, r)
			printf("%lld  %-24s %s  (%s)\n", (long long)json_integer_value(json_object_get(r, "time_ms")),
			       json_string_value(json_object_get(r, "kind")), json_string_value(json_object_get(r, "message")),
			       json_string_value(json_object_get(r, "actor")));
	} else if (json_object_get(doc, "rollouts") != NULL) {
		if (json_array_size(json_object_get(doc, "rollouts")) == 0)
			printf("no rollout in progress\n");
		json_array_foreach(json_object_get(doc, "rollouts"), i, r)
			print_rollout(r);
	} else if ((r = json_object_get(doc, "rollout")) != NULL) {
		print_rollout(r);
		if (strcmp(sub, "show") == 0)
			printf("sha256 %s\n%s", json_string_value(json_object_get(r, "sha256")),
			       json_string_value(json_object_get(r, "text")));
	}
}

static int emit(struct cli *c, const char *sub, json_t *doc)
{
	if (doc == NULL)
		return 0;
	if (c->json)
		return cli_print_json(doc);
	print_text(sub, doc);
	json_decref(doc);
	return 0;
}

static int read_only(struct cli *c, const struct args *a, json_t **doc)
{
	if (strcmp(a->sub, "history") == 0)
		return engine_history(c->state, doc);
	if (strcmp(a->sub, "status") == 0)
		return engine_status(c->state, a->target, doc);
	if (a->target == NULL)
		return HINGE_EINVAL;
	return strcmp(a->sub, "show") == 0 ? engine_show(c->state, a->target, doc)
					   : engine_events(c->state, a->target, doc);
}

static int is_read_only(const char *sub)
{
	return strcmp(sub, "status") == 0 || strcmp(sub, "show") == 0 ||
	       strcmp(sub, "history") == 0 || strcmp(sub, "events") == 0;
}

/* start and the requests: run, then show where the rollout is. */
static int execute(struct cli *c, const struct args *a, json_t **doc)
{
	struct live l = { .tty = isatty(2) };
	struct engine_observer obs = { on_transition, on_progress, &l };
	/* At a wait, a running agent carries the rollout on (DESIGN: who runs
	 * a rollout), unless --wait asks for the outcome as the exit status. */
	struct engine_opts o = { .reason = a->reason, .force = a->force, .detach = a->detach,
				 .handover = !a->wait, .obs = &obs };
	char *id = NULL;
	int rc;

	if (a->target == NULL)
		return HINGE_EINVAL;
	if (strcmp(a->sub, "start") == 0) {
		rc = engine_start(c->state, a->target, &o, &id);
	} else if (strcmp(a->sub, "repair") == 0) {
		if (a->step == NULL || a->mark == NULL || a->reason == NULL)
			return HINGE_EINVAL;
		rc = engine_repair(c->state, a->target, a->step, a->mark, a->reason);
		id = strdup(a->target);
	} else {
		rc = engine_request(c->state, a->target, a->sub, &o);
		id = strdup(a->target);
	}
	if (id != NULL && (rc != HINGE_EINVAL || strcmp(a->sub, "start") != 0))
		engine_status(c->state, id, doc);
	if (id != NULL && !c->json)
		fprintf(stderr, "rollout %s\n", id);
	free(id);
	return rc;
}

int cmd_rollout(struct cli *c, int argc, char **argv)
{
	struct args a;
	json_t *doc = NULL;
	int status, rc, need = CLI_NEED_CONFIG;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (parse_args(argc, argv, &a) != 0 ||
	    (strcmp(a.sub, "plan") == 0 && a.target == NULL)) {
		fputs(usage_text, stderr);
		return 2;
	}
	need |= strcmp(a.sub, "plan") == 0 ? CLI_NEED_PLUGINS
	      : is_read_only(a.sub) ? CLI_NEED_STATE : CLI_NEED_STATE | CLI_NEED_PLUGINS;
	if ((status = cli_prepare(c, need)) != 0)
		return status;
	if (engine_configure(c->config->agent) != 0)
		return 2;
	if (strcmp(a.sub, "plan") == 0)
		rc = engine_plan(a.target, &doc);
	else if (is_read_only(a.sub))
		rc = read_only(c, &a, &doc);
	else
		rc = execute(c, &a, &doc);
	if (rc == HINGE_EINVAL && doc == NULL && a.target == NULL) {
		fputs(usage_text, stderr);
		return 2;
	}
	emit(c, a.sub, doc);
	return cli_exit_status(rc);
}
