# perf: task and query bottlenecks, ranked by impact and frequency.
check_PROGRAMS += tests/unit/test_perf_stats tests/unit/test_perf_welch
tests_unit_test_perf_stats_SOURCES = tests/unit/test_perf_stats.c plugins/perf/stats.c
tests_unit_test_perf_stats_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_perf_stats_LDADD = $(CMOCKA_LIBS) -lm
tests_unit_test_perf_welch_SOURCES = tests/unit/test_perf_welch.c plugins/perf/welch.c
tests_unit_test_perf_welch_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_perf_welch_LDADD = $(CMOCKA_LIBS) -lm
TESTS += tests/unit/test_perf_stats tests/unit/test_perf_welch
check_PROGRAMS += tests/unit/test_perf_pgss
tests_unit_test_perf_pgss_SOURCES = tests/unit/test_perf_pgss.c plugins/perf/pgss.c plugins/perf/gain.c plugins/perf/welch.c
tests_unit_test_perf_pgss_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_perf_pgss_LDADD = $(CMOCKA_LIBS) -lm
TESTS += tests/unit/test_perf_pgss
