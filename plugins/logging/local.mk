# The logging plugin: captures errors, groups them, and delivers them to
# Sentry, Loggly and a JSON-lines file through a durable spool.
check_PROGRAMS += tests/unit/test_logging_group tests/unit/test_logging_scrub
tests_unit_test_logging_group_SOURCES = tests/unit/test_logging_group.c \
	plugins/logging/group.c plugins/logging/group.h \
	plugins/logging/buf.c plugins/logging/buf.h
tests_unit_test_logging_group_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_logging_group_LDADD = $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_logging_scrub_SOURCES = tests/unit/test_logging_scrub.c \
	plugins/logging/scrub.c plugins/logging/scrub.h \
	plugins/logging/buf.c plugins/logging/buf.h
tests_unit_test_logging_scrub_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_logging_scrub_LDADD = $(CMOCKA_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test_logging_group tests/unit/test_logging_scrub
