# Tests of the agent core.  Plugins and the engine add theirs in their own
# fragments.

# Test plugins: libtool modules that are never installed.
TEST_PLUGIN_FLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^hinge_plugin_entry$$'
check_LTLIBRARIES += tests/plugins/example.la tests/plugins/badabi.la \
	tests/plugins/noentry.la
tests_plugins_example_la_SOURCES = tests/plugins/example.c
tests_plugins_example_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_plugins_example_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_example_la_LIBADD = $(JANSSON_LIBS)
tests_plugins_badabi_la_SOURCES = tests/plugins/example.c
tests_plugins_badabi_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	-DEXAMPLE_NAME='"badabi"' -DEXAMPLE_ABI_MAJOR=99
tests_plugins_badabi_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_badabi_la_LIBADD = $(JANSSON_LIBS)
tests_plugins_noentry_la_SOURCES = tests/plugins/example.c
tests_plugins_noentry_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	-DEXAMPLE_NAME='"noentry"' -DEXAMPLE_NO_ENTRY
tests_plugins_noentry_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_plugins_noentry_la_LIBADD = $(JANSSON_LIBS)

CORE_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(libhingecore_la_CFLAGS)
CORE_TEST_LIBS = libhingecore.la $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_settings tests/unit/test_state tests/unit/test_loader
tests_unit_test_settings_SOURCES = tests/unit/test_settings.c tests/unit/capture.h
tests_unit_test_settings_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_settings_LDADD = $(CORE_TEST_LIBS)
tests_unit_test_state_SOURCES = tests/unit/test_state.c tests/unit/capture.h
tests_unit_test_state_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_state_LDADD = $(CORE_TEST_LIBS)
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c tests/unit/capture.h
tests_unit_test_loader_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_loader_LDADD = $(CORE_TEST_LIBS)

TESTS += tests/unit/test_settings tests/unit/test_state tests/unit/test_loader

check_PROGRAMS += tests/unit/test_host_rollout
tests_unit_test_host_rollout_SOURCES = tests/unit/test_host_rollout.c tests/unit/capture.h
tests_unit_test_host_rollout_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_host_rollout_LDADD = $(CORE_TEST_LIBS)
TESTS += tests/unit/test_host_rollout

check_PROGRAMS += tests/unit/test_job_wake
tests_unit_test_job_wake_SOURCES = tests/unit/test_job_wake.c tests/unit/capture.h
tests_unit_test_job_wake_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_job_wake_LDADD = $(CORE_TEST_LIBS)
TESTS += tests/unit/test_job_wake

check_PROGRAMS += tests/unit/test_failing_alloc
tests_unit_test_failing_alloc_SOURCES = tests/unit/test_failing_alloc.c \
	tests/doubles/failing_alloc.c tests/doubles/failing_alloc.h
tests_unit_test_failing_alloc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_failing_alloc_LDFLAGS = -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
tests_unit_test_failing_alloc_LDADD = $(CMOCKA_LIBS)
TESTS += tests/unit/test_failing_alloc

check_PROGRAMS += tests/unit/test_host_standin
tests_unit_test_host_standin_SOURCES = tests/unit/test_host_standin.c \
	tests/doubles/host_standin.c tests/doubles/host_standin.h
tests_unit_test_host_standin_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBPQ_CFLAGS)
tests_unit_test_host_standin_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS)
TESTS += tests/unit/test_host_standin

core_test_scripts = tests/integration/core_cli.sh tests/integration/core_daemon.sh \
	tests/integration/core_thirdparty.sh tests/integration/core_docs.sh
TESTS += $(core_test_scripts)
EXTRA_DIST += $(core_test_scripts) tests/lib/tap.sh tests/lib/pg.sh tests/lib/hinge.sh tests/run.sh \
	tests/valgrind.supp \
	tests/fixtures/app_schema.sql tests/fixtures/app_data.sql

fleet_test_scripts = tests/integration/fleet_basic.sh tests/integration/fleet_rollout.sh \
	tests/integration/fleet_once.sh tests/integration/fleet_operators.sh tests/integration/fleet_pg_restart.sh \
	tests/integration/fleet_gate.sh
TESTS += $(fleet_test_scripts)
EXTRA_DIST += $(fleet_test_scripts) tests/lib/fleet.sh
check_PROGRAMS += tests/unit/test_fleet_waves
tests_unit_test_fleet_waves_SOURCES = tests/unit/test_fleet_waves.c
tests_unit_test_fleet_waves_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_fleet_waves_LDADD = $(CORE_TEST_LIBS)
TESTS += tests/unit/test_fleet_waves
check_PROGRAMS += tests/unit/test_fleet_gate
tests_unit_test_fleet_gate_SOURCES = tests/unit/test_fleet_gate.c
tests_unit_test_fleet_gate_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_fleet_gate_LDADD = $(CORE_TEST_LIBS)
TESTS += tests/unit/test_fleet_gate
