# The roi plugin: revenue from Stripe, costs, ROI per period and rollout.

pkglib_LTLIBRARIES += plugins/roi/roi.la
plugins_roi_roi_la_SOURCES = plugins/roi/plugin.c plugins/roi/roi.h \
	plugins/roi/sync.c plugins/roi/cmd.c plugins/roi/metrics.c plugins/roi/cost_query.c \
	plugins/roi/publish.c \
	plugins/roi/money.c plugins/roi/money.h plugins/roi/period.c plugins/roi/period.h \
	plugins/roi/costs.c plugins/roi/costs.h plugins/roi/report.c plugins/roi/report.h \
	plugins/roi/stages.c plugins/roi/stages.h plugins/roi/cmd_rollout.c \
	plugins/roi/store.c plugins/roi/store.h plugins/roi/prom.c plugins/roi/prom.h \
	plugins/roi/stripe_parse.c plugins/roi/stripe_parse.h \
	plugins/roi/stripe_fetch.c plugins/roi/stripe_fetch.h
plugins_roi_roi_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	$(SQLITE_CFLAGS)
plugins_roi_roi_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_roi_roi_la_LIBADD = $(LIBPQ_LIBS) $(JANSSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) -lm

# The Grafana dashboard built on the textfile's metrics.
roidashboarddir = $(pkgdatadir)/dashboards
dist_roidashboard_DATA = config/dashboards/roi.json

# Unit tests of the pure parts, each linked with the files it tests.
check_PROGRAMS += tests/unit/test_roi_money tests/unit/test_roi_period \
	tests/unit/test_roi_stripe_parse tests/unit/test_roi_store tests/unit/test_roi_report \
	tests/unit/test_roi_prom tests/unit/test_roi_stages
tests_unit_test_roi_money_SOURCES = tests/unit/test_roi_money.c plugins/roi/money.c
tests_unit_test_roi_money_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_roi_money_LDADD = $(CMOCKA_LIBS)
tests_unit_test_roi_period_SOURCES = tests/unit/test_roi_period.c plugins/roi/period.c
tests_unit_test_roi_period_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_roi_period_LDADD = $(CMOCKA_LIBS)
tests_unit_test_roi_stripe_parse_SOURCES = tests/unit/test_roi_stripe_parse.c \
	plugins/roi/stripe_parse.c plugins/roi/money.c
tests_unit_test_roi_stripe_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_stripe_parse_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS)
tests_unit_test_roi_store_SOURCES = tests/unit/test_roi_store.c \
	plugins/roi/store.c plugins/roi/money.c
tests_unit_test_roi_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_roi_store_LDADD = $(CMOCKA_LIBS) $(SQLITE_LIBS)
tests_unit_test_roi_report_SOURCES = tests/unit/test_roi_report.c \
	plugins/roi/report.c plugins/roi/costs.c plugins/roi/money.c plugins/roi/period.c
tests_unit_test_roi_report_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_report_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS) -lm
tests_unit_test_roi_prom_SOURCES = tests/unit/test_roi_prom.c plugins/roi/prom.c \
	plugins/roi/money.c
tests_unit_test_roi_prom_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_prom_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS)
tests_unit_test_roi_stages_SOURCES = tests/unit/test_roi_stages.c plugins/roi/stages.c \
	plugins/roi/report.c plugins/roi/money.c plugins/roi/period.c
tests_unit_test_roi_stages_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_roi_stages_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS) -lm
TESTS += tests/unit/test_roi_money tests/unit/test_roi_period \
	tests/unit/test_roi_stripe_parse tests/unit/test_roi_store tests/unit/test_roi_report \
	tests/unit/test_roi_prom tests/unit/test_roi_stages

# Through the real hinge, against the Stripe double and PostgreSQL.
roi_test_scripts = tests/integration/roi_sync.sh tests/integration/roi_costs.sh \
	tests/integration/roi_agent.sh tests/integration/roi_rollout.sh
TESTS += $(roi_test_scripts)
EXTRA_DIST += $(roi_test_scripts) tests/integration/roi_lib.sh tests/doubles/roi_stripe.py \
	tests/fixtures/roi_costs.sql bench/roi_bench.sh bench/roi_README.md
