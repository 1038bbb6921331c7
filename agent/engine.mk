# The rollout engine: linked into the core library, so that the `hinge`
# binary and the unit tests use the same code.
libhingecore_la_SOURCES += \
	agent/engine.h agent/engine_exec.h agent/engine_run.h \
	agent/engine_change.c agent/engine_change.h \
	agent/engine_cond.c agent/engine_cond.h \
	agent/engine_crash.c agent/engine_crash.h \
	agent/engine_plan.c agent/engine_plan.h \
	agent/engine_sql.c agent/engine_sql.h \
	agent/engine_start.c agent/engine_exec.c agent/engine_action.c \
	agent/engine_gate.c agent/engine_request.c agent/engine_ops.c \
	agent/engine_query.c agent/engine_artifacts.c \
	agent/engine_webhook.c agent/engine_webhook.h agent/engine_watchdog.c agent/engine_watchdog.h \
	agent/engine_daemon.c \
	agent/cmd_rollout.c agent/cmd_freeze.c agent/cmd_artifacts.c

# The fault-injecting test plugin the engine's tests drive.
check_LTLIBRARIES += tests/plugins/fault.la
tests_plugins_fault_la_SOURCES = tests/plugins/fault.c
tests_plugins_fault_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_fault_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_plugins_fault_la_LIBADD = $(LIBPQ_LIBS)

check_PROGRAMS += tests/unit/test_engine_cond tests/unit/test_engine_change \
	tests/unit/test_engine_daemon
tests_unit_test_engine_cond_SOURCES = tests/unit/test_engine_cond.c
tests_unit_test_engine_cond_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_engine_cond_LDADD = $(CORE_TEST_LIBS)
tests_unit_test_engine_change_SOURCES = tests/unit/test_engine_change.c tests/unit/capture.h
tests_unit_test_engine_change_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_engine_change_LDADD = $(CORE_TEST_LIBS)
tests_unit_test_engine_daemon_SOURCES = tests/unit/test_engine_daemon.c
tests_unit_test_engine_daemon_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_engine_daemon_LDADD = $(CORE_TEST_LIBS)
TESTS += tests/unit/test_engine_cond tests/unit/test_engine_change \
	tests/unit/test_engine_daemon

engine_test_scripts = tests/integration/engine_plan.sh tests/integration/engine_rollout.sh \
	tests/integration/engine_crash.sh tests/integration/engine_requests.sh \
	tests/integration/engine_webhook.sh tests/integration/engine_handover.sh \
	tests/integration/engine_watchdog.sh
TESTS += $(engine_test_scripts)
EXTRA_DIST += $(engine_test_scripts) tests/integration/engine_lib.sh \
	tests/doubles/engine_webhook.py

# The engine's benchmark: bench/engine_overhead.sh with this helper.
noinst_PROGRAMS += bench/engine_commit
bench_engine_commit_SOURCES = bench/engine_commit.c
bench_engine_commit_CFLAGS = $(libhingecore_la_CFLAGS)
bench_engine_commit_LDADD = libhingecore.la
EXTRA_DIST += bench/engine_overhead.sh
