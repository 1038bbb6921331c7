# The migration plugin: online, reversible PostgreSQL schema changes.
MIGRATION_LOGIC = plugins/migration/backoff.c plugins/migration/backoff.h \
	plugins/migration/fingerprint.c plugins/migration/fingerprint.h \
	plugins/migration/lint.c plugins/migration/lint.h \
	plugins/migration/sqltext.c plugins/migration/sqltext.h \
	plugins/migration/window.c plugins/migration/window.h
MIGRATION_GLUE = plugins/migration/mig.h plugins/migration/pgconn.c \
	plugins/migration/ddl.c plugins/migration/ddl.h plugins/migration/guard.c \
	plugins/migration/history.c \
	plugins/migration/act_add_column.c plugins/migration/act_backfill.c plugins/migration/act_check.c \
	plugins/migration/act_drop_column.c plugins/migration/act_fk.c plugins/migration/window_wait.c \
	plugins/migration/act_index.c plugins/migration/act_not_null.c plugins/migration/act_sql.c \
	plugins/migration/metric_lock_waiters.c plugins/migration/plugin.c

pkglib_LTLIBRARIES += plugins/migration/migration.la
plugins_migration_migration_la_SOURCES = $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
plugins_migration_migration_la_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
plugins_migration_migration_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_migration_migration_la_LIBADD = $(LIBPQ_LIBS)

check_PROGRAMS += tests/unit/test_migration_logic tests/unit/test_migration_lint \
	tests/unit/test_migration_actions tests/unit/test_migration_typed \
	tests/unit/test_migration_backfill tests/unit/test_migration_window
tests_unit_test_migration_logic_SOURCES = tests/unit/test_migration_logic.c \
	plugins/migration/backoff.c plugins/migration/fingerprint.c plugins/migration/sqltext.c \
	plugins/migration/window.c
tests_unit_test_migration_logic_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_migration_logic_LDADD = $(CMOCKA_LIBS)
tests_unit_test_migration_lint_SOURCES = tests/unit/test_migration_lint.c \
	plugins/migration/lint.c
tests_unit_test_migration_lint_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_migration_lint_LDADD = $(CMOCKA_LIBS)
# These drive the actions in the engine's order through a host stand-in,
# against the test PostgreSQL.
MIGRATION_HOST = tests/doubles/host_standin.c tests/doubles/host_standin.h
tests_unit_test_migration_actions_SOURCES = tests/unit/test_migration_actions.c \
	$(MIGRATION_HOST) $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
tests_unit_test_migration_actions_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBPQ_CFLAGS)
tests_unit_test_migration_actions_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS)
tests_unit_test_migration_typed_SOURCES = tests/unit/test_migration_typed.c \
	$(MIGRATION_HOST) $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
tests_unit_test_migration_typed_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBPQ_CFLAGS)
tests_unit_test_migration_typed_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS)
tests_unit_test_migration_backfill_SOURCES = tests/unit/test_migration_backfill.c \
	$(MIGRATION_HOST) $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
tests_unit_test_migration_backfill_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBPQ_CFLAGS)
tests_unit_test_migration_backfill_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS)
tests_unit_test_migration_window_SOURCES = tests/unit/test_migration_window.c \
	$(MIGRATION_HOST) $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
tests_unit_test_migration_window_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBPQ_CFLAGS)
tests_unit_test_migration_window_LDADD = $(CMOCKA_LIBS) $(LIBPQ_LIBS)
TESTS += tests/unit/test_migration_logic tests/unit/test_migration_lint \
	tests/unit/test_migration_actions tests/unit/test_migration_typed \
	tests/unit/test_migration_backfill tests/unit/test_migration_window \
	tests/integration/migration_cli.sh tests/integration/migration_window.sh \
	tests/integration/migration_timeout.sh tests/integration/migration_crash.sh
EXTRA_DIST += tests/integration/migration_cli.sh tests/integration/migration_window.sh \
	tests/integration/migration_timeout.sh tests/integration/migration_crash.sh config/changes/add-ai-model.conf

# The benchmark's driver: one action through the tests' host stand-in.
noinst_PROGRAMS += bench/migration_drive
bench_migration_drive_SOURCES = bench/migration_drive.c \
	$(MIGRATION_HOST) $(MIGRATION_LOGIC) $(MIGRATION_GLUE)
bench_migration_drive_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
bench_migration_drive_LDADD = $(LIBPQ_LIBS)
EXTRA_DIST += bench/migration.sh
