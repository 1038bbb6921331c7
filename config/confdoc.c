/*
 * confdoc.c - writes hinge.conf(5) from the settings tables themselves:
 * the agent group's, and each plugin's, read from the built plugin files.
 * So the manual cannot miss a setting.
 *
 * usage: confdoc INTRO.in PLUGIN.so... > hinge.conf.5
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "agent/config.h"
#include "agent/fleet.h"

static const char *type_name(enum hinge_type t)
{
	switch (t) {
	case HINGE_T_STRING: return "string";
	case HINGE_T_INT: return "integer";
	case HINGE_T_DOUBLE: return "number";
	case HINGE_T_BOOL: return "boolean";
	case HINGE_T_DURATION: return "duration";
	case HINGE_T_SIZE: return "size";
	case HINGE_T_STRINGS: return "list of strings";
	case HINGE_T_SECRET: return "secret file";
	case HINGE_T_JSON: return "group or list";
	}
	return "value";
}

/* roff: a leading dot or quote and backslashes must be escaped. */
static void put_text(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static void put_table(const struct hinge_setting *t)
{
	for (; t != NULL && t->key != NULL; t++) {
		printf(".TP\n.B %s\n(", t->key);
		put_text(type_name(t->type));
		if (t->flags & HINGE_P_REQUIRED)
			printf("; required");
		else if (t->def != NULL) {
			printf("; default \\(lq");
			put_text(t->def);
			printf("\\(rq");
		}
		if (t->min != 0 || t->max != 0)
			printf("; from %g to %g", t->min, t->max);
		printf(")\n");
		put_text(t->description ? t->description : "");
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	char line[1024];
	FILE *intro;

	if (argc < 2 || (intro = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: confdoc INTRO.in PLUGIN.so...\n");
		return 2;
	}
	while (fgets(line, sizeof(line), intro) != NULL)
		fputs(line, stdout);
	fclose(intro);
	printf(".SH THE AGENT GROUP\n");
	put_table(config_agent_settings);
	printf(".SH THE FLEET GROUP\nPresent when this host takes part in fleet rollouts.\n");
	put_table(fleet_settings);
	for (int i = 2; i < argc; i++) {
		const struct hinge_abi *(*entry)(void);
		const struct hinge_abi *abi;
		void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);

		if (h == NULL) {
			fprintf(stderr, "confdoc: %s\n", dlerror());
			return 1;
		}
		*(void **)&entry = dlsym(h, HINGE_ENTRY_SYMBOL);
		if (entry == NULL || (abi = entry()) == NULL) {
			fprintf(stderr, "confdoc: %s: no entry\n", argv[i]);
			return 1;
		}
		printf(".SH PLUGIN %s\n", abi->name);
		put_text(abi->description ? abi->description : "");
		printf("\nIn\n.BI \"plugins.%s\" .\nEvery plugin group takes\n.B enabled\n(boolean; default \\(lqfalse\\(rq).\n",
		       abi->name);
		put_table(abi->settings);
	}
	return 0;
}
