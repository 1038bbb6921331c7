/*
 * config.h - the agent's configuration (libconfig) and typed settings.
 *
 * A settings table (struct hinge_setting) is the only description of a
 * group's keys: the same code checks the agent group, every plugin's group
 * and every step's `with`, so all of them report errors the same way:
 * "FILE:LINE: KEY: what is wrong", with "did you mean" for unknown keys.
 */
#ifndef HINGE_CONFIG_H
#define HINGE_CONFIG_H

#include <libconfig.h>
#include <hinge/plugin.h>

struct settings;

/*
 * Check group against table and keep the values.  Keys in `ignore`
 * (NULL-terminated, may be NULL) are skipped: they belong to the caller
 * ("enabled" in a plugin group).  Every problem is logged as
 * "file:line: key: ..."; returns 0 or HINGE_EINVAL after logging all.
 * group may be NULL (all defaults).  file names the source for messages.
 */
int settings_parse(const struct hinge_setting *table,
		   const config_setting_t *group, const char *file,
		   const char *const *ignore, struct settings **out);
void settings_free(struct settings *s);

/* Values with defaults applied.  An undeclared key logs and returns 0. */
const char *settings_str(const struct settings *s, const char *key);
int64_t settings_int(const struct settings *s, const char *key);
double settings_double(const struct settings *s, const char *key);
int settings_bool(const struct settings *s, const char *key);
int64_t settings_ms(const struct settings *s, const char *key); /* DURATION, SIZE */
struct hinge_json *settings_json(const struct settings *s, const char *key);
const char *settings_where(const struct settings *s, const char *key);
int settings_given(const struct settings *s, const char *key);
/* All values as a JSON object (secrets shown as their file path). */
struct hinge_json *settings_to_json(const struct settings *s);

/* The closest of candidates to word (Levenshtein, at most 3), or NULL. */
const char *config_nearest(const char *word, const char *const *candidates,
			   size_t n);

/* The agent group's settings table. */
extern const struct hinge_setting config_agent_settings[];

struct config_plugin {
	char *name;
	int enabled;
	const config_setting_t *group; /* its group in cfg */
};

struct config {
	char *file;
	config_t cfg;
	struct settings *agent;
	struct settings *fleet; /* NULL without a fleet group */
	struct config_plugin *plugins;
	size_t nplugins;
};

/*
 * Read and check the file: syntax, the agent group, the shape of the
 * plugins group (plugin settings are checked by the loader against each
 * plugin's table).  HINGE_EINVAL with the error logged.
 */
int config_load(const char *path, struct config **out);
void config_free(struct config *c);

/* The config file to use: -c, else $HINGE_CONFIG, else the sysconfdir one. */
const char *config_default_path(void);

#endif
