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
