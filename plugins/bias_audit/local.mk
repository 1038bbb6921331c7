# bias_audit: fairness audits of AI-model decisions.
pkglib_LTLIBRARIES += plugins/bias_audit/bias_audit.la
plugins_bias_audit_bias_audit_la_SOURCES = plugins/bias_audit/plugin.c \
	plugins/bias_audit/bias.h plugins/bias_audit/audit.c plugins/bias_audit/cmd.c \
	plugins/bias_audit/stats.c plugins/bias_audit/stats.h \
	plugins/bias_audit/figures.c plugins/bias_audit/figures.h \
	plugins/bias_audit/csv.c plugins/bias_audit/csv.h \
	plugins/bias_audit/acc.c plugins/bias_audit/acc.h \
	plugins/bias_audit/results.c plugins/bias_audit/results.h \
	plugins/bias_audit/source.c plugins/bias_audit/source.h \
	plugins/bias_audit/store.c plugins/bias_audit/store.h \
	plugins/bias_audit/report.c plugins/bias_audit/report.h \
	plugins/bias_audit/drift.c plugins/bias_audit/drift.h \
	plugins/bias_audit/trend.c plugins/bias_audit/trend.h \
	plugins/bias_audit/probe.c plugins/bias_audit/probe.h \
	plugins/bias_audit/probe_run.c plugins/bias_audit/http.c plugins/bias_audit/http.h \
	plugins/bias_audit/fresh.c plugins/bias_audit/fresh.h
plugins_bias_audit_bias_audit_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS) $(JANSSON_CFLAGS) \
	$(SQLITE_CFLAGS) $(CRYPTO_CFLAGS) $(CURL_CFLAGS)
plugins_bias_audit_bias_audit_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_bias_audit_bias_audit_la_LIBADD = $(LIBPQ_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS) \
	$(CRYPTO_LIBS) $(CURL_LIBS) -lm

# Unit tests link the plugin's pure files directly.
bias_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
bias_test_libs = $(CMOCKA_LIBS) $(JANSSON_LIBS) -lm
bias_unit_tests = tests/unit/test_bias_audit_figures \
	tests/unit/test_bias_audit_csv \
	tests/unit/test_bias_audit_acc \
	tests/unit/test_bias_audit_results \
	tests/unit/test_bias_audit_drift \
	tests/unit/test_bias_audit_probe \
	tests/unit/test_bias_audit_store \
	tests/unit/test_bias_audit_trend \
	tests/unit/test_bias_audit_oom \
	tests/unit/test_bias_audit_fresh
check_PROGRAMS += $(bias_unit_tests)
TESTS += $(bias_unit_tests)

tests_unit_test_bias_audit_figures_SOURCES = tests/unit/test_bias_audit_figures.c \
	plugins/bias_audit/stats.c plugins/bias_audit/stats.h \
	plugins/bias_audit/figures.c plugins/bias_audit/figures.h
tests_unit_test_bias_audit_figures_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_figures_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_csv_SOURCES = tests/unit/test_bias_audit_csv.c \
	plugins/bias_audit/csv.c plugins/bias_audit/csv.h
tests_unit_test_bias_audit_csv_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_csv_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_acc_SOURCES = tests/unit/test_bias_audit_acc.c \
	plugins/bias_audit/acc.c plugins/bias_audit/acc.h
tests_unit_test_bias_audit_acc_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_acc_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_results_SOURCES = tests/unit/test_bias_audit_results.c \
	plugins/bias_audit/results.c plugins/bias_audit/results.h \
	plugins/bias_audit/acc.c plugins/bias_audit/figures.c plugins/bias_audit/stats.c
tests_unit_test_bias_audit_results_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_results_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_drift_SOURCES = tests/unit/test_bias_audit_drift.c \
	plugins/bias_audit/drift.c plugins/bias_audit/drift.h plugins/bias_audit/stats.c
tests_unit_test_bias_audit_drift_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_drift_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_probe_SOURCES = tests/unit/test_bias_audit_probe.c \
	plugins/bias_audit/probe.c plugins/bias_audit/probe.h
tests_unit_test_bias_audit_probe_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_probe_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_store_SOURCES = tests/unit/test_bias_audit_store.c \
	plugins/bias_audit/store.c plugins/bias_audit/store.h
tests_unit_test_bias_audit_store_CFLAGS = $(bias_test_cflags) $(SQLITE_CFLAGS)
tests_unit_test_bias_audit_store_LDADD = $(bias_test_libs) $(SQLITE_LIBS)

tests_unit_test_bias_audit_trend_SOURCES = tests/unit/test_bias_audit_trend.c \
	plugins/bias_audit/trend.c plugins/bias_audit/trend.h
tests_unit_test_bias_audit_trend_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_trend_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_oom_SOURCES = tests/unit/test_bias_audit_oom.c \
	tests/doubles/failing_alloc.c tests/doubles/failing_alloc.h \
	plugins/bias_audit/csv.c plugins/bias_audit/acc.c
tests_unit_test_bias_audit_oom_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_oom_LDFLAGS = -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
tests_unit_test_bias_audit_oom_LDADD = $(bias_test_libs)

tests_unit_test_bias_audit_fresh_SOURCES = tests/unit/test_bias_audit_fresh.c \
	plugins/bias_audit/fresh.c plugins/bias_audit/fresh.h
tests_unit_test_bias_audit_fresh_CFLAGS = $(bias_test_cflags)
tests_unit_test_bias_audit_fresh_LDADD = $(bias_test_libs)

bias_audit_test_scripts = tests/integration/bias_audit_csv.sh tests/integration/bias_audit_pg.sh \
	tests/integration/bias_audit_probe.sh tests/integration/bias_audit_sklearn.sh
TESTS += $(bias_audit_test_scripts)
EXTRA_DIST += $(bias_audit_test_scripts) tests/fixtures/bias_audit_synth.py \
	tests/doubles/bias_model.py bench/bias_audit.sh bench/bias_audit.md \
	plugins/bias_audit/README.md
