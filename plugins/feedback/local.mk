# plugins/feedback: staged feedback form, CSAT/NPS with intervals, alarms.
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
