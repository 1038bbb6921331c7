# perf: task and query bottlenecks, ranked by impact and frequency.
PERF_UNIT = tests/unit/test_perf_stats tests/unit/test_perf_welch \
	tests/unit/test_perf_pgss tests/unit/test_perf_args \
	tests/unit/test_perf_tasksql
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
