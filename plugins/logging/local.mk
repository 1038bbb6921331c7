# The logging plugin: captures errors, groups them, and delivers them to
# Sentry, Loggly and a JSON-lines file through a durable spool.
LOGGING_CORE = plugins/logging/buf.c plugins/logging/buf.h \
	plugins/logging/bytes.c plugins/logging/bytes.h \
	plugins/logging/group.c plugins/logging/group.h \
	plugins/logging/scrub.c plugins/logging/scrub.h \
	plugins/logging/utf8.c plugins/logging/utf8.h \
	plugins/logging/event.c plugins/logging/event.h \
	plugins/logging/build.c plugins/logging/build.h \
	plugins/logging/worker.c plugins/logging/worker.h \
	plugins/logging/chunk.c plugins/logging/chunk.h \
	plugins/logging/spool.c plugins/logging/spool.h \
	plugins/logging/spool_read.c \
	plugins/logging/pack.c plugins/logging/pack.h \
	plugins/logging/tally.c plugins/logging/tally.h \
	plugins/logging/stmt.c plugins/logging/stmt.h \
	plugins/logging/retry.c plugins/logging/retry.h \
	plugins/logging/deliver.c plugins/logging/deliver.h \
	plugins/logging/sentry.c plugins/logging/sentry.h \
	plugins/logging/http.c plugins/logging/http.h \
	plugins/logging/sinks.c plugins/logging/sinks.h \
	plugins/logging/pgsource.c plugins/logging/pgsource.h \
	plugins/logging/tail.c plugins/logging/tail.h \
	plugins/logging/errors.c plugins/logging/errors.h \
	plugins/logging/commands.c plugins/logging/commands.h \
	plugins/logging/sinkcfg.c plugins/logging/sinkcfg.h \
	plugins/logging/actions.c plugins/logging/actions.h

pkglib_LTLIBRARIES += plugins/logging/logging.la
plugins_logging_logging_la_SOURCES = plugins/logging/plugin.c $(LOGGING_CORE)
plugins_logging_logging_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS) $(LIBPQ_CFLAGS) \
	$(PCRE2_CFLAGS) $(LZ4_CFLAGS)
plugins_logging_logging_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_logging_logging_la_LIBADD = $(JANSSON_LIBS) $(CRYPTO_LIBS) \
	$(SQLITE_LIBS) $(CURL_LIBS) $(LIBPQ_LIBS) $(PCRE2_LIBS) $(LZ4_LIBS)
LOGGING_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS) \
	$(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS) $(LIBPQ_CFLAGS) $(PCRE2_CFLAGS) \
	$(LZ4_CFLAGS)
LOGGING_TEST_LIBS = $(CMOCKA_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS) \
	$(SQLITE_LIBS) $(CURL_LIBS) $(LIBPQ_LIBS) $(LZ4_LIBS)

LOGGING_UNIT = tests/unit/test_logging_group tests/unit/test_logging_scrub \
	tests/unit/test_logging_retry tests/unit/test_logging_sentry \
	tests/unit/test_logging_deliver tests/unit/test_logging_tail \
	tests/unit/test_logging_errors tests/unit/test_logging_actions \
	tests/unit/test_logging_tally tests/unit/test_logging_utf8 \
	tests/unit/test_logging_build tests/unit/test_logging_worker \
	tests/unit/test_logging_build_oom tests/unit/test_logging_event \
	tests/unit/test_logging_pack
check_PROGRAMS += $(LOGGING_UNIT)
TESTS += $(LOGGING_UNIT)
tests_unit_test_logging_build_SOURCES = tests/unit/test_logging_build.c $(LOGGING_CORE)
tests_unit_test_logging_build_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_build_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_build_oom_SOURCES = tests/unit/test_logging_build_oom.c \
	tests/doubles/failing_alloc.c tests/doubles/failing_alloc.h $(LOGGING_CORE)
tests_unit_test_logging_build_oom_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_build_oom_LDFLAGS = -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
tests_unit_test_logging_build_oom_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_event_SOURCES = tests/unit/test_logging_event.c $(LOGGING_CORE)
tests_unit_test_logging_event_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_event_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_pack_SOURCES = tests/unit/test_logging_pack.c \
	plugins/logging/pack.c plugins/logging/pack.h
tests_unit_test_logging_pack_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_pack_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_worker_SOURCES = tests/unit/test_logging_worker.c $(LOGGING_CORE)
tests_unit_test_logging_worker_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_worker_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_utf8_SOURCES = tests/unit/test_logging_utf8.c $(LOGGING_CORE)
tests_unit_test_logging_utf8_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_utf8_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_group_SOURCES = tests/unit/test_logging_group.c $(LOGGING_CORE)
tests_unit_test_logging_group_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_group_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_scrub_SOURCES = tests/unit/test_logging_scrub.c $(LOGGING_CORE)
tests_unit_test_logging_scrub_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_scrub_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_retry_SOURCES = tests/unit/test_logging_retry.c $(LOGGING_CORE)
tests_unit_test_logging_retry_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_retry_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_sentry_SOURCES = tests/unit/test_logging_sentry.c $(LOGGING_CORE)
tests_unit_test_logging_sentry_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_sentry_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_deliver_SOURCES = tests/unit/test_logging_deliver.c $(LOGGING_CORE)
tests_unit_test_logging_deliver_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_deliver_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_tail_SOURCES = tests/unit/test_logging_tail.c $(LOGGING_CORE)
tests_unit_test_logging_tail_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_tail_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_errors_SOURCES = tests/unit/test_logging_errors.c $(LOGGING_CORE)
tests_unit_test_logging_errors_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_errors_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_actions_SOURCES = tests/unit/test_logging_actions.c $(LOGGING_CORE)
tests_unit_test_logging_actions_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_actions_LDADD = $(LOGGING_TEST_LIBS)
tests_unit_test_logging_tally_SOURCES = tests/unit/test_logging_tally.c $(LOGGING_CORE)
tests_unit_test_logging_tally_CFLAGS = $(LOGGING_TEST_CFLAGS)
tests_unit_test_logging_tally_LDADD = $(LOGGING_TEST_LIBS)

LOGGING_INTEGRATION = tests/integration/logging_delivery.sh \
	tests/integration/logging_failures.sh tests/integration/logging_tail.sh \
	tests/integration/logging_errors.sh tests/integration/logging_diskfull.sh \
	tests/integration/logging_batch.sh tests/integration/logging_drain.sh \
	tests/integration/logging_wake.sh tests/integration/logging_sink_off.sh \
	tests/integration/logging_ramp.sh
TESTS += $(LOGGING_INTEGRATION)
EXTRA_DIST += $(LOGGING_INTEGRATION) tests/integration/logging_lib.sh \
	tests/doubles/logging_double.py tests/doubles/logging_sentry.py \
	tests/doubles/logging_loggly.py bench/logging_tail.sh bench/logging_results.md \
	bench/logging_chunk_ids.sh
