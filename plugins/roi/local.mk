# The roi plugin: revenue from Stripe, costs, ROI per period and rollout.

check_PROGRAMS += tests/unit/test_roi_money tests/unit/test_roi_period
tests_unit_test_roi_money_SOURCES = tests/unit/test_roi_money.c \
	plugins/roi/money.c plugins/roi/money.h
tests_unit_test_roi_money_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_roi_money_LDADD = $(CMOCKA_LIBS)
tests_unit_test_roi_period_SOURCES = tests/unit/test_roi_period.c \
	plugins/roi/period.c plugins/roi/period.h
tests_unit_test_roi_period_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_roi_period_LDADD = $(CMOCKA_LIBS)
TESTS += tests/unit/test_roi_money tests/unit/test_roi_period

check_PROGRAMS += tests/unit/test_roi_stripe_parse tests/unit/test_roi_store
tests_unit_test_roi_stripe_parse_SOURCES = tests/unit/test_roi_stripe_parse.c \
	plugins/roi/stripe_parse.c plugins/roi/stripe_parse.h plugins/roi/money.c
tests_unit_test_roi_stripe_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_stripe_parse_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS)
tests_unit_test_roi_store_SOURCES = tests/unit/test_roi_store.c \
	plugins/roi/store.c plugins/roi/store.h plugins/roi/money.c
tests_unit_test_roi_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_roi_store_LDADD = $(CMOCKA_LIBS) $(SQLITE_LIBS)
TESTS += tests/unit/test_roi_stripe_parse tests/unit/test_roi_store

pkglib_LTLIBRARIES += plugins/roi/roi.la
plugins_roi_roi_la_SOURCES = plugins/roi/plugin.c plugins/roi/roi.h \
	plugins/roi/sync.c plugins/roi/cmd.c plugins/roi/metrics.c plugins/roi/cost_query.c \
	plugins/roi/money.c plugins/roi/money.h plugins/roi/period.c plugins/roi/period.h \
	plugins/roi/costs.c plugins/roi/costs.h plugins/roi/report.c plugins/roi/report.h \
	plugins/roi/store.c plugins/roi/store.h \
	plugins/roi/stripe_parse.c plugins/roi/stripe_parse.h \
	plugins/roi/stripe_fetch.c plugins/roi/stripe_fetch.h \
	plugins/roi/publish.c plugins/roi/prom.c plugins/roi/prom.h
plugins_roi_roi_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	$(SQLITE_CFLAGS)
plugins_roi_roi_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_roi_roi_la_LIBADD = $(LIBPQ_LIBS) $(JANSSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) -lm

check_PROGRAMS += tests/unit/test_roi_report
tests_unit_test_roi_report_SOURCES = tests/unit/test_roi_report.c \
	plugins/roi/report.c plugins/roi/costs.c plugins/roi/money.c plugins/roi/period.c
tests_unit_test_roi_report_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_report_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS) -lm
TESTS += tests/unit/test_roi_report

TESTS += tests/integration/roi_sync.sh tests/integration/roi_costs.sh \
	tests/integration/roi_agent.sh
EXTRA_DIST += tests/integration/roi_sync.sh tests/integration/roi_costs.sh bench/roi_bench.sh bench/roi_README.md \
	tests/integration/roi_agent.sh config/dashboards/roi.json \
	tests/integration/roi_lib.sh tests/doubles/roi_stripe.py tests/fixtures/roi_costs.sql

check_PROGRAMS += tests/unit/test_roi_prom
tests_unit_test_roi_prom_SOURCES = tests/unit/test_roi_prom.c plugins/roi/prom.c \
	plugins/roi/money.c
tests_unit_test_roi_prom_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_prom_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test_roi_prom
