/*
 * cmd_info.c - commands that report: version, config check, plugins.
 */
#include <stdio.h>
#include <string.h>

#include "agent/cli.h"
#include "agent/config.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "agent/registry.h"

int cmd_version(struct cli *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1 && !cli_wants_help(argc, argv)) {
		fprintf(stderr, "usage: hinge version\n");
		return 2;
	}
	if (c->json)
		return cli_print_json(json_pack("{s:s, s:s, s:{s:i, s:i}}", "schema", "hinge.version/1",
						"version", PACKAGE_VERSION, "abi",
						"major", HINGE_ABI_MAJOR, "minor", HINGE_ABI_MINOR));
	printf("hinge %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, HINGE_ABI_MAJOR, HINGE_ABI_MINOR);
	return 0;
}

int cmd_config(struct cli *c, int argc, char **argv)
{
	int status;

	if (cli_wants_help(argc, argv) || argc != 2 || strcmp(argv[1], "check") != 0) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
			"usage: hinge config check\n"
			"  check the configuration file and every enabled plugin's settings\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_PLUGINS);
	if (c->json)
		cli_print_json(json_pack("{s:s, s:s, s:b}", "schema", "hinge.config-check/1",
					 "file", c->config ? c->config->file : (c->config_path ? c->config_path : config_default_path()),
					 "ok", status == 0));
	else if (status == 0)
		printf("%s: ok\n", c->config->file);
	return status;
}

static json_t *names_of_plugin(const struct hinge_plugin *p, int kind)
{
	json_t *a = json_array();
	size_t i;

	switch (kind) {
	case 0: {
		const struct reg_action *r;
		for (i = 0; (r = registry_action_at(i)) != NULL; i++)
			if (r->plugin == p)
				json_array_append_new(a, json_string(r->qname));
		break;
	}
	case 1: {
		const struct reg_metric *r;
		for (i = 0; (r = registry_metric_at(i)) != NULL; i++)
			if (r->plugin == p)
				json_array_append_new(a, json_string(r->qname));
		break;
	}
	case 2: {
		const struct reg_job *r;
		for (i = 0; (r = registry_job_at(i)) != NULL; i++)
			if (r->plugin == p)
				json_array_append_new(a, json_string(r->qname));
		break;
	}
	case 3: {
		const struct reg_service *r;
		for (i = 0; (r = registry_service_at(i)) != NULL; i++)
			if (r->plugin == p)
				json_array_append_new(a, json_string(r->qname));
		break;
	}
	default: {
		const struct reg_command *r;
		for (i = 0; (r = registry_command_at(i)) != NULL; i++)
			if (r->plugin == p)
				json_array_append_new(a, json_string(r->c.name));
		break;
	}
	}
	return a;
}

static void print_list(const char *label, json_t *a)
{
	size_t i;
	json_t *v;

	if (json_array_size(a) == 0)
		return;
	printf("  %-9s", label);
	json_array_foreach(a, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("\n");
}

int cmd_plugins(struct cli *c, int argc, char **argv)
{
	static const char *const kinds[] = { "actions", "metrics", "jobs", "services", "commands" };
	struct hinge_plugin *p;
	json_t *list;
	int status;

	if (cli_wants_help(argc, argv) || argc != 1) {
		int help = cli_wants_help(argc, argv);

		fprintf(help ? stdout : stderr, "usage: hinge plugins\n  the loaded plugins with what they provide\n");
		return help ? 0 : 2;
	}
	if ((status = cli_prepare(c, CLI_NEED_CONFIG | CLI_NEED_STATE | CLI_NEED_PLUGINS)) != 0)
		return status;
	list = json_array();
	for (size_t i = 0; (p = loader_plugin_at(i)) != NULL; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "name", p->name,
				      "version", p->abi->version, "description",
				      p->abi->description ? p->abi->description : "", "path", p->path,
				      "abi_major", p->abi->major, "abi_minor", p->abi->minor);
		json_t *keys = json_array();

		for (int k = 0; k < 5; k++)
			json_object_set_new(o, kinds[k], names_of_plugin(p, k));
		for (const struct hinge_setting *s = p->abi->settings; s != NULL && s->key != NULL; s++)
			json_array_append_new(keys, json_string(s->key));
		json_object_set_new(o, "settings", keys);
		json_array_append_new(list, o);
	}
	if (c->json)
		return cli_print_json(json_pack("{s:s, s:o}", "schema", "hinge.plugins/1", "plugins", list));
	if (json_array_size(list) == 0)
		printf("no plugins are enabled\n");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);

		printf("%s %s (ABI %d.%d) - %s\n", json_string_value(json_object_get(o, "name")),
		       json_string_value(json_object_get(o, "version")),
		       (int)json_integer_value(json_object_get(o, "abi_major")),
		       (int)json_integer_value(json_object_get(o, "abi_minor")),
		       json_string_value(json_object_get(o, "description")));
		for (int k = 0; k < 5; k++)
			print_list(kinds[k], json_object_get(o, kinds[k]));
	}
	json_decref(list);
	return 0;
}
