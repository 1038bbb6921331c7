/*
 * loader.c - loading plugins.  A plugin file is trusted only when neither
 * it nor its folder can be written by anyone but root or the agent's own
 * user; its ABI block is checked before anything of it runs; once its
 * init ran it stays mapped for the life of the process.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/config.h"
#include "agent/host.h"
#include "agent/loader.h"
#include "agent/log.h"
#include "agent/registry.h"
#include "state/state.h"

static struct hinge_plugin **plugins;
static size_t nplugins;
/*
 * Settings replaced by a reload stay allocated until shutdown: a job or
 * service thread may be reading them while SIGHUP swaps them.
 */
static struct settings **retired;
static size_t nretired;

/* The size of the ABI block at 1.0: it ends with fini. */
#define HINGE_ABI_1_0_SIZE (offsetof(struct hinge_abi, fini) + sizeof(void (*)(void)))

static const struct hinge_setting no_settings[] = { { NULL, 0, 0, NULL, 0, 0, NULL } };
static const char *const plugin_group_keys[] = { "enabled", NULL };

static int trusted_owner(const struct stat *sb)
{
	return sb->st_uid == 0 || sb->st_uid == geteuid();
}

/* Refuse what someone other than root or us could have written. */
static int check_secure(const char *path, const char *what)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot use plugin %s \"%s\": %m", what, path);
		return HINGE_EINVAL;
	}
	if (!trusted_owner(&sb) || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge",
		     "refusing plugin %s \"%s\": it is writable by someone other than root or uid %u (owner uid %u, mode %04o)",
		     what, path, (unsigned)geteuid(), (unsigned)sb.st_uid,
		     (unsigned)(sb.st_mode & 07777));
		return HINGE_EINVAL;
	}
	return 0;
}

static int check_abi(const char *path, const struct hinge_abi *abi)
{
	if (abi == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\": %s() returned NULL", path, HINGE_ENTRY_SYMBOL);
		return HINGE_EINVAL;
	}
	if (abi->major != HINGE_ABI_MAJOR) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\": ABI major %u differs from the agent's %u; rebuild it against this Hinge",
		     path, abi->major, HINGE_ABI_MAJOR);
		return HINGE_EINVAL;
	}
	if (abi->minor > HINGE_ABI_MINOR) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\": ABI minor %u is newer than the agent's %u; upgrade Hinge",
		     path, abi->minor, HINGE_ABI_MINOR);
		return HINGE_EINVAL;
	}
	/* A plugin of an older minor has a shorter block; never a longer one. */
	if (abi->size < HINGE_ABI_1_0_SIZE || abi->size > sizeof(struct hinge_abi)) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\": ABI size %u is outside the agent's %zu to %zu",
		     path, abi->size, (size_t)HINGE_ABI_1_0_SIZE, sizeof(struct hinge_abi));
		return HINGE_EINVAL;
	}
	if (abi->name == NULL || abi->version == NULL || abi->init == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\": ABI block lacks its name, version or init", path);
		return HINGE_EINVAL;
	}
	return 0;
}

int loader_load_file(const char *path, const char *name,
		     const struct config *cfg, struct hinge_plugin **out)
{
	const struct hinge_abi *(*entry)(void);
	const struct hinge_abi *abi;
	const config_setting_t *group = NULL;
	struct hinge_plugin *p;
	char dir[4096];
	void *h;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/') != NULL)
		*strrchr(dir, '/') = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if ((rc = check_secure(dir, "folder")) != 0 || (rc = check_secure(path, "file")) != 0)
		return rc;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "cannot load plugin \"%s\": %s", path, dlerror());
		return HINGE_EINVAL;
	}
	*(void **)&entry = dlsym(h, HINGE_ENTRY_SYMBOL);
	if (entry == NULL) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\" has no %s(): %s", path,
		     HINGE_ENTRY_SYMBOL, dlerror());
		dlclose(h);
		return HINGE_EINVAL;
	}
	abi = entry();
	if ((rc = check_abi(path, abi)) != 0) {
		dlclose(h);
		return rc;
	}
	if (strcmp(abi->name, name) != 0) {
		hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\" calls itself \"%s\", not \"%s\"", path, abi->name, name);
		dlclose(h);
		return HINGE_EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		dlclose(h);
		return HINGE_ENOMEM;
	}
	p->name = strdup(name);
	p->path = strdup(path);
	p->abi = abi;
	for (size_t i = 0; cfg != NULL && i < cfg->nplugins; i++)
		if (strcmp(cfg->plugins[i].name, name) == 0)
			group = cfg->plugins[i].group;
	rc = settings_parse(abi->settings ? abi->settings : no_settings, group,
			    cfg ? cfg->file : path, plugin_group_keys, &p->settings);
	if (rc != 0) {
		free(p->name);
		free(p->path);
		free(p);
		dlclose(h);
		return rc;
	}
	/* From here on the object stays mapped, even if init fails. */
	*out = p;
	return 0;
}

static int find_plugin_file(const struct config *cfg,
			    const struct config_plugin *cp, char *path, size_t len)
{
	json_t *dirs = (json_t *)settings_json(cfg->agent, "plugin_dir");
	size_t i;
	json_t *d;

	json_array_foreach(dirs, i, d) {
		snprintf(path, len, "%s/%s.so", json_string_value(d), cp->name);
		if (access(path, F_OK) == 0)
			return 0;
	}
	hlog(HINGE_LOG_ERROR, "hinge", "%s:%u: plugins.%s: enabled, but there is no %s.so in plugin_dir (%s)",
	     cfg->file, config_setting_source_line(cp->group), cp->name, cp->name,
	     json_array_size(dirs) ? json_string_value(json_array_get(dirs, 0)) : "");
	return HINGE_EINVAL;
}

static int check_dirs(const struct config *cfg)
{
	json_t *dirs = (json_t *)settings_json(cfg->agent, "plugin_dir");
	struct stat sb;
	size_t i;
	json_t *d;

	json_array_foreach(dirs, i, d) {
		if (stat(json_string_value(d), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			hlog(HINGE_LOG_ERROR, "hinge", "%s: plugin_dir: \"%s\" is not a folder",
			     settings_where(cfg->agent, "plugin_dir"), json_string_value(d));
			return HINGE_EINVAL;
		}
	}
	return 0;
}

static int add_plugin(struct hinge_plugin *p)
{
	struct hinge_plugin **np = realloc(plugins, (nplugins + 1) * sizeof(*plugins));

	if (np == NULL)
		return HINGE_ENOMEM;
	plugins = np;
	plugins[nplugins++] = p;
	return 0;
}

/*
 * Three passes, so that a bad plugin changes nothing: load and check every
 * enabled plugin (file, ABI, settings); then run every plugin's table
 * migrations; then call every init.
 */
int loader_load_all(struct config *cfg, struct state *st)
{
	size_t first = nplugins;
	char path[4096];
	int rc;

	if ((rc = check_dirs(cfg)) != 0)
		return rc;
	for (size_t i = 0; i < cfg->nplugins; i++) {
		struct config_plugin *cp = &cfg->plugins[i];
		struct hinge_plugin *p = NULL;

		if (!cp->enabled)
			continue;
		if (find_plugin_file(cfg, cp, path, sizeof(path)) != 0 ||
		    loader_load_file(path, cp->name, cfg, &p) != 0) {
			rc = HINGE_EINVAL;
			continue;
		}
		if (add_plugin(p) != 0)
			return HINGE_ENOMEM;
	}
	if (rc != 0)
		return rc;
	for (size_t i = first; st != NULL && i < nplugins; i++)
		if (plugins[i]->abi->migrations != NULL &&
		    state_plugin_migrate(st, plugins[i]->name, plugins[i]->abi->migrations) != 0)
			return HINGE_EINVAL;
	for (size_t i = first; i < nplugins; i++) {
		struct hinge_plugin *p = plugins[i];

		if (p->abi->init(p, host_table()) != 0) {
			hlog(HINGE_LOG_ERROR, "hinge", "plugin \"%s\" (%s) failed to initialise", p->name, p->path);
			rc = HINGE_EINVAL;
			continue;
		}
		p->initialised = 1;
	}
	return rc;
}

struct hinge_plugin *loader_plugin_at(size_t i)
{
	return i < nplugins ? plugins[i] : NULL;
}

struct hinge_plugin *loader_plugin(const char *name)
{
	for (size_t i = 0; i < nplugins; i++)
		if (strcmp(plugins[i]->name, name) == 0)
			return plugins[i];
	return NULL;
}

int loader_reload(struct config *cfg)
{
	struct settings **fresh = calloc(nplugins + 1, sizeof(*fresh));
	int rc = 0;

	if (fresh == NULL)
		return HINGE_ENOMEM;
	/* Check every plugin's new settings before any of them changes. */
	for (size_t i = 0; i < nplugins; i++) {
		const config_setting_t *group = NULL;
		int enabled = 0;

		for (size_t k = 0; k < cfg->nplugins; k++)
			if (strcmp(cfg->plugins[k].name, plugins[i]->name) == 0) {
				group = cfg->plugins[k].group;
				enabled = cfg->plugins[k].enabled;
			}
		if (!enabled) {
			hlog(HINGE_LOG_WARNING, "hinge", "plugin %s was disabled in %s; enabling or disabling a plugin needs a restart",
			     plugins[i]->name, cfg->file);
			rc = HINGE_EINVAL;
		}
		if (settings_parse(plugins[i]->abi->settings ? plugins[i]->abi->settings : no_settings,
				   group, cfg->file, plugin_group_keys, &fresh[i]) != 0)
			rc = HINGE_EINVAL;
	}
	for (size_t k = 0; k < cfg->nplugins; k++)
		if (cfg->plugins[k].enabled && loader_plugin(cfg->plugins[k].name) == NULL) {
			hlog(HINGE_LOG_WARNING, "hinge", "plugin %s was enabled in %s; enabling or disabling a plugin needs a restart",
			     cfg->plugins[k].name, cfg->file);
			rc = HINGE_EINVAL;
		}
	for (size_t i = 0; i < nplugins; i++) {
		if (rc != 0) {
			settings_free(fresh[i]);
			continue;
		}
		struct settings **nr = realloc(retired, (nretired + 1) * sizeof(*retired));

		if (nr == NULL) {
			settings_free(fresh[i]);
			rc = HINGE_ENOMEM;
			continue;
		}
		retired = nr;
		retired[nretired++] = plugins[i]->settings;
		__atomic_store_n(&plugins[i]->settings, fresh[i], __ATOMIC_RELEASE);
		if (plugins[i]->abi->reload != NULL && plugins[i]->abi->reload(plugins[i]) != 0)
			hlog(HINGE_LOG_WARNING, "hinge", "plugin %s could not apply its new settings", plugins[i]->name);
	}
	free(fresh);
	return rc;
}

void loader_shutdown(void)
{
	for (size_t i = nplugins; i-- > 0;) {
		struct hinge_plugin *p = plugins[i];

		if (p->initialised && p->abi->fini != NULL)
			p->abi->fini(p);
	}
	registry_clear();
	for (size_t i = 0; i < nplugins; i++) {
		settings_free(plugins[i]->settings);
		free(plugins[i]->name);
		free(plugins[i]->path);
		free(plugins[i]);
	}
	free(plugins);
	plugins = NULL;
	nplugins = 0;
	for (size_t i = 0; i < nretired; i++)
		settings_free(retired[i]);
	free(retired);
	retired = NULL;
	nretired = 0;
}
