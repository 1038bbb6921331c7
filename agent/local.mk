# The agent: the `hinge` binary.  Its code (everything but main.c) is also
# a convenience library, so that unit tests link the real thing.
noinst_LTLIBRARIES += libhingecore.la
libhingecore_la_SOURCES = \
	agent/cli.c agent/cli.h \
	agent/cmd_info.c agent/cmd_metrics.c agent/cmd_state.c \
	agent/config.h agent/config_agent.c agent/config_file.c agent/settings.c \
	agent/daemon.c agent/daemon.h agent/sdnotify.c \
	agent/events.c agent/events.h \
	agent/cmd_fleet.c agent/config_fleet.c agent/fleet.h agent/fleet_pg.c agent/fleet_pg.h \
	agent/fleet_agent.c agent/fleet_agent.h agent/fleet_exec.c agent/fleet_exec.h agent/fleet_gate.c agent/fleet_gate.h agent/fleet_machine.c agent/fleet_once.c agent/fleet_once.h agent/fleet_store.c agent/fleet_waves.c agent/fleet_waves.h \
	agent/clock.h agent/host.c agent/host.h \
	agent/job_wake.c agent/job_wake.h \
	agent/loader.c agent/loader.h \
	agent/log.c agent/log.h \
	agent/pg.c agent/pg.h \
	agent/registry.c agent/registry.h \
	agent/secret.c agent/secret.h \
	agent/step.c agent/step.h \
	agent/units.c agent/units.h \
	state/store.c state/schema.c state/schema.h state/state.h
libhingecore_la_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS) $(SQLITE_CFLAGS) \
	$(LIBPQ_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS) -pthread
libhingecore_la_LIBADD = $(LIBCONFIG_LIBS) $(SQLITE_LIBS) $(LIBPQ_LIBS) \
	$(CURL_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS) -lpthread

bin_PROGRAMS += hinge
hinge_SOURCES = agent/main.c
hinge_CFLAGS = $(libhingecore_la_CFLAGS)
hinge_LDADD = libhingecore.la
