# perf: task and query bottlenecks, ranked by impact and frequency.
PERF_UNIT = tests/unit/test_perf_stats tests/unit/test_perf_welch \
	tests/unit/test_perf_pgss tests/unit/test_perf_args \
	tests/unit/test_perf_tasksql tests/unit/test_perf_plan \
	tests/unit/test_perf_change
check_PROGRAMS += $(PERF_UNIT)
TESTS += $(PERF_UNIT)
PERF_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
PERF_TEST_LDADD = $(CMOCKA_LIBS) -lm

tests_unit_test_perf_stats_SOURCES = tests/unit/test_perf_stats.c plugins/perf/stats.c
tests_unit_test_perf_stats_CFLAGS = $(PERF_TEST_CFLAGS)
tests_unit_test_perf_stats_LDADD = $(PERF_TEST_LDADD)
tests_unit_test_perf_welch_SOURCES = tests/unit/test_perf_welch.c plugins/perf/welch.c
tests_unit_test_perf_welch_CFLAGS = $(PERF_TEST_CFLAGS)
tests_unit_test_perf_welch_LDADD = $(PERF_TEST_LDADD)
tests_unit_test_perf_pgss_SOURCES = tests/unit/test_perf_pgss.c plugins/perf/pgss.c \
	plugins/perf/gain.c plugins/perf/welch.c
tests_unit_test_perf_pgss_CFLAGS = $(PERF_TEST_CFLAGS)
tests_unit_test_perf_pgss_LDADD = $(PERF_TEST_LDADD)
tests_unit_test_perf_args_SOURCES = tests/unit/test_perf_args.c plugins/perf/args.c
tests_unit_test_perf_args_CFLAGS = $(PERF_TEST_CFLAGS)
tests_unit_test_perf_args_LDADD = $(PERF_TEST_LDADD)
tests_unit_test_perf_tasksql_SOURCES = tests/unit/test_perf_tasksql.c plugins/perf/tasksql.c
tests_unit_test_perf_tasksql_CFLAGS = $(PERF_TEST_CFLAGS)
tests_unit_test_perf_tasksql_LDADD = $(PERF_TEST_LDADD)
tests_unit_test_perf_plan_SOURCES = tests/unit/test_perf_plan.c plugins/perf/plan.c
tests_unit_test_perf_plan_CFLAGS = $(PERF_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_perf_plan_LDADD = $(PERF_TEST_LDADD) $(JANSSON_LIBS)
tests_unit_test_perf_change_SOURCES = tests/unit/test_perf_change.c plugins/perf/change.c
tests_unit_test_perf_change_CFLAGS = $(PERF_TEST_CFLAGS) $(LIBCONFIG_CFLAGS)
tests_unit_test_perf_change_LDADD = $(PERF_TEST_LDADD) $(LIBCONFIG_LIBS)
# The gate test is the host: it links the plugin's sources and needs the
# test PostgreSQL, so it runs with the integration tests.
check_PROGRAMS += tests/integration/perf_gate
TESTS += tests/integration/perf_gate
tests_integration_perf_gate_SOURCES = tests/integration/perf_gate.c $(PERF_SOURCES)
tests_integration_perf_gate_CFLAGS = $(PERF_TEST_CFLAGS) $(PERF_CFLAGS)
tests_integration_perf_gate_LDADD = $(PERF_TEST_LDADD) $(PERF_LIBS)

pkglib_LTLIBRARIES += plugins/perf/perf.la
PERF_SOURCES = plugins/perf/plugin.c plugins/perf/perf.h \
	plugins/perf/tasks.c plugins/perf/tasks.h \
	plugins/perf/queries.c plugins/perf/queries.h plugins/perf/metrics.c \
	plugins/perf/advise.c plugins/perf/explain.c plugins/perf/explain.h \
	plugins/perf/probe.c plugins/perf/probe.h plugins/perf/hypo.c plugins/perf/hypo.h \
	plugins/perf/snapshot.c plugins/perf/snapshot.h \
	plugins/perf/report.c plugins/perf/report.h \
	plugins/perf/stats.c plugins/perf/stats.h \
	plugins/perf/welch.c plugins/perf/welch.h \
	plugins/perf/pgss.c plugins/perf/pgss.h \
	plugins/perf/gain.c plugins/perf/gain.h \
	plugins/perf/args.c plugins/perf/args.h \
	plugins/perf/tasksql.c plugins/perf/tasksql.h \
	plugins/perf/plan.c plugins/perf/plan.h \
	plugins/perf/change.c plugins/perf/change.h
PERF_CFLAGS = $(LIBPQ_CFLAGS) $(JANSSON_CFLAGS) $(SQLITE_CFLAGS)
PERF_LIBS = $(LIBPQ_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) -lm
plugins_perf_perf_la_SOURCES = $(PERF_SOURCES)
plugins_perf_perf_la_CFLAGS = $(AM_CFLAGS) $(PERF_CFLAGS)
plugins_perf_perf_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_perf_perf_la_LIBADD = $(PERF_LIBS)

TESTS += tests/integration/perf_tasks.sh tests/integration/perf_queries.sh \
	tests/integration/perf_advise.sh tests/integration/perf_rollout.sh \
	tests/integration/perf_hypopg.sh
EXTRA_DIST += tests/integration/perf_tasks.sh tests/fixtures/perf_tasks.sql \
	tests/integration/perf_queries.sh tests/fixtures/perf_queries.sql \
	tests/integration/perf_lib.sh tests/integration/perf_advise.sh \
	tests/integration/perf_rollout.sh tests/integration/perf_hypopg.sh
EXTRA_DIST += bench/perf.sh bench/perf_README.md plugins/perf/README.md
