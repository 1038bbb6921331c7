# plugins/feedback: staged feedback form, CSAT/NPS with intervals, alarms.
pkglib_LTLIBRARIES += plugins/feedback/feedback.la
plugins_feedback_feedback_la_SOURCES = plugins/feedback/plugin.c \
	plugins/feedback/fb.h plugins/feedback/exposure.c plugins/feedback/pgschema.c \
	plugins/feedback/command.c plugins/feedback/args.c plugins/feedback/args.h \
	plugins/feedback/token.c plugins/feedback/token.h \
	plugins/feedback/stats.c plugins/feedback/stats.h \
	plugins/feedback/rating.c plugins/feedback/rating.h \
	plugins/feedback/store.c plugins/feedback/store.h \
	plugins/feedback/ingest.c plugins/feedback/ingest.h \
	plugins/feedback/figures.c plugins/feedback/figures.h \
	plugins/feedback/rate.c plugins/feedback/rate.h \
	plugins/feedback/metrics.c \
	plugins/feedback/endpoint.c plugins/feedback/endpoint.h \
	plugins/feedback/formsegs.c plugins/feedback/formsegs.h \
	plugins/feedback/form.c plugins/feedback/form.h \
	plugins/feedback/ratelimit.c plugins/feedback/ratelimit.h
plugins_feedback_feedback_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS) \
	$(JANSSON_CFLAGS) $(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(MHD_CFLAGS)
plugins_feedback_feedback_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_feedback_feedback_la_LIBADD = $(LIBPQ_LIBS) $(JANSSON_LIBS) \
	$(CRYPTO_LIBS) $(SQLITE_LIBS) $(MHD_LIBS) -lm
EXTRA_DIST += plugins/feedback/TOKEN.md plugins/feedback/README.md bench/feedback_ingest.sh bench/feedback_README.md \
	config/changes/feedback-form.conf

check_PROGRAMS += tests/unit/test_feedback_stats
tests_unit_test_feedback_stats_SOURCES = tests/unit/test_feedback_stats.c \
	plugins/feedback/stats.c plugins/feedback/stats.h
tests_unit_test_feedback_stats_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_feedback_stats_LDADD = $(CMOCKA_LIBS) -lm
TESTS += tests/unit/test_feedback_stats

check_PROGRAMS += tests/unit/test_feedback_token
tests_unit_test_feedback_token_SOURCES = tests/unit/test_feedback_token.c \
	plugins/feedback/token.c plugins/feedback/token.h
tests_unit_test_feedback_token_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_feedback_token_LDADD = $(CMOCKA_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_feedback_token

check_PROGRAMS += tests/unit/test_feedback_args
tests_unit_test_feedback_args_SOURCES = tests/unit/test_feedback_args.c \
	plugins/feedback/args.c plugins/feedback/args.h
tests_unit_test_feedback_args_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_feedback_args_LDADD = $(CMOCKA_LIBS)
TESTS += tests/unit/test_feedback_args

feedback_test_scripts = tests/integration/feedback_token.sh \
	tests/integration/feedback_ingest.sh tests/integration/feedback_endpoint.sh \
	tests/integration/feedback_alarm.sh tests/integration/feedback_browser.sh \
	tests/integration/feedback_statsmodels.sh tests/integration/feedback_rollout.sh \
	tests/integration/feedback_rate.sh
TESTS += $(feedback_test_scripts)
EXTRA_DIST += $(feedback_test_scripts) tests/fixtures/feedback_ratings.sql \
	tests/integration/feedback_browser_cdp.py

check_PROGRAMS += tests/unit/test_feedback_rating
tests_unit_test_feedback_rating_SOURCES = tests/unit/test_feedback_rating.c \
	plugins/feedback/rating.c plugins/feedback/rating.h \
	plugins/feedback/token.c plugins/feedback/token.h
tests_unit_test_feedback_rating_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_feedback_rating_LDADD = $(CMOCKA_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_feedback_rating

check_PROGRAMS += tests/unit/test_feedback_store
tests_unit_test_feedback_store_SOURCES = tests/unit/test_feedback_store.c \
	plugins/feedback/store.c plugins/feedback/store.h
tests_unit_test_feedback_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_feedback_store_LDADD = $(CMOCKA_LIBS) $(SQLITE_LIBS)
TESTS += tests/unit/test_feedback_store

check_PROGRAMS += tests/unit/test_feedback_exposure
# Through the migration tests' host stand-in.
tests_unit_test_feedback_exposure_SOURCES = tests/unit/test_feedback_exposure.c \
	tests/doubles/host_standin.c tests/doubles/host_standin.h \
	plugins/feedback/exposure.c plugins/feedback/pgschema.c plugins/feedback/fb.h
tests_unit_test_feedback_exposure_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBPQ_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_feedback_exposure_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS) \
	$(JANSSON_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_feedback_exposure

check_PROGRAMS += tests/unit/test_feedback_form tests/unit/test_feedback_ratelimit
tests_unit_test_feedback_form_SOURCES = tests/unit/test_feedback_form.c \
	plugins/feedback/form.c plugins/feedback/form.h
tests_unit_test_feedback_form_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_feedback_form_LDADD = $(CMOCKA_LIBS)
tests_unit_test_feedback_ratelimit_SOURCES = tests/unit/test_feedback_ratelimit.c \
	plugins/feedback/ratelimit.c plugins/feedback/ratelimit.h
tests_unit_test_feedback_ratelimit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_feedback_ratelimit_LDADD = $(CMOCKA_LIBS)
TESTS += tests/unit/test_feedback_form tests/unit/test_feedback_ratelimit

feedbackformdir = $(sysconfdir)/hinge/feedback
dist_feedbackform_DATA = config/feedback/form.html
