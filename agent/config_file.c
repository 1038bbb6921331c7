/*
 * config_file.c - reading hinge.conf: syntax, the agent group and the
 * shape of the plugins group.  Each plugin's own settings are checked by
 * the loader against the table the plugin declares.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "agent/fleet.h"
#include "agent/log.h"

static const char *const top_keys[] = { "agent", "plugins", "fleet" };

const char *config_default_path(void)
{
	const char *env = getenv("HINGE_CONFIG");

	if (env != NULL && *env != '\0')
		return env;
	return HINGE_SYSCONFDIR "/hinge/hinge.conf";
}

static int check_top(struct config *c)
{
	config_setting_t *root = config_root_setting(&c->cfg);
	int rc = 0;

	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int known = 0;

		for (size_t k = 0; k < sizeof(top_keys) / sizeof(*top_keys); k++)
			known |= strcmp(name, top_keys[k]) == 0;
		if (!known) {
			const char *near = config_nearest(name, top_keys, 3);
			hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: %s: unknown group%s%s%s",
			     c->file, config_setting_source_line(s), name,
			     near ? "; did you mean \"" : "", near ? near : "",
			     near ? "\"?" : "");
			rc = HINGE_EINVAL;
		} else if (!config_setting_is_group(s)) {
			hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: %s: must be a group { ... }",
			     c->file, config_setting_source_line(s), name);
			rc = HINGE_EINVAL;
		}
	}
	return rc;
}

static int load_plugins_group(struct config *c)
{
	config_setting_t *g = config_lookup(&c->cfg, "plugins");
	int rc = 0, n;

	if (g == NULL || !config_setting_is_group(g))
		return 0;
	n = config_setting_length(g);
	c->plugins = calloc((size_t)n + 1, sizeof(*c->plugins));
	if (c->plugins == NULL)
		return HINGE_ENOMEM;
	for (int i = 0; i < n; i++) {
		config_setting_t *p = config_setting_get_elem(g, (unsigned)i);
		config_setting_t *en;
		struct config_plugin *cp = &c->plugins[c->nplugins];

		if (!config_setting_is_group(p)) {
			hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: plugins.%s: must be a group { enabled = true; ... }",
			     c->file, config_setting_source_line(p), config_setting_name(p));
			rc = HINGE_EINVAL;
			continue;
		}
		cp->name = strdup(config_setting_name(p));
		cp->group = p;
		en = config_setting_get_member(p, "enabled");
		if (en != NULL && config_setting_type(en) != CONFIG_TYPE_BOOL) {
			hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: plugins.%s.enabled: must be true or false",
			     c->file, config_setting_source_line(en), cp->name);
			rc = HINGE_EINVAL;
		}
		cp->enabled = en != NULL && config_setting_get_bool(en);
		c->nplugins++;
	}
	return rc;
}

int config_load(const char *path, struct config **out)
{
	struct config *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return HINGE_ENOMEM;
	c->file = strdup(path);
	config_init(&c->cfg);
	if (access(path, R_OK) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "could not read configuration file \"%s\": %m", path);
		config_free(c);
		return HINGE_EINVAL;
	}
	if (!config_read_file(&c->cfg, path)) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s:%d: syntax error: %s",
		     config_error_file(&c->cfg) ? config_error_file(&c->cfg) : path,
		     config_error_line(&c->cfg), config_error_text(&c->cfg));
		config_free(c);
		return HINGE_EINVAL;
	}
	rc = check_top(c);
	if (settings_parse(config_agent_settings, config_lookup(&c->cfg, "agent"),
			   path, NULL, &c->agent) != 0)
		rc = HINGE_EINVAL;
	if (load_plugins_group(c) != 0)
		rc = HINGE_EINVAL;
	if (config_lookup(&c->cfg, "fleet") != NULL &&
	    settings_parse(fleet_settings, config_lookup(&c->cfg, "fleet"), path, NULL, &c->fleet) != 0)
		rc = HINGE_EINVAL;
	if (rc == 0 && log_level_parse(settings_str(c->agent, "log_level")) < 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: log_level: \"%s\" is not one of error, warning, notice, info, debug",
		     settings_where(c->agent, "log_level"), settings_str(c->agent, "log_level"));
		rc = HINGE_EINVAL;
	}
	if (rc == 0 && strcmp(settings_str(c->agent, "log_target"), "stderr") != 0 &&
	    strcmp(settings_str(c->agent, "log_target"), "syslog") != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "%s: log_target: must be \"stderr\" or \"syslog\"",
		     settings_where(c->agent, "log_target"));
		rc = HINGE_EINVAL;
	}
	if (rc != 0) {
		config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nplugins; i++)
		free(c->plugins[i].name);
	free(c->plugins);
	settings_free(c->agent);
	settings_free(c->fleet);
	config_destroy(&c->cfg);
	free(c->file);
	free(c);
}
