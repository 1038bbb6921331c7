/* test_migration_lint.c - lint findings on the SQL of a change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plugins/migration/lint.h"

/* The codes found, in order, as "M001 M004 ". */
static char found[128];

static void collect(void *arg, const struct mig_finding *f)
{
	(void)arg;
	strcat(found, f->code);
	strcat(found, " ");
}

static const char *lint(const char *sql)
{
	found[0] = '\0';
	mig_lint_sql(sql, collect, NULL);
	return found;
}

static void safe_sql_has_no_finding(void **state)
{
	(void)state;
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a int"), "");
	assert_string_equal(lint("CREATE INDEX CONCURRENTLY i ON t (a)"), "");
	assert_string_equal(lint("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)"), "");
	assert_string_equal(lint("UPDATE t SET a = 1 WHERE id < 100"), "");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"), "");
	/* the form migration.add_foreign_key runs */
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id)"
				 " ON DELETE CASCADE NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT f"), "");
	assert_int_equal(mig_lint_sql("SELECT 1", collect, NULL), 0);
}

static void each_rule_fires(void **state)
{
	(void)state;
	assert_string_equal(lint("ALTER TABLE t ALTER COLUMN a TYPE bigint"), "M001 ");
	assert_string_equal(lint("alter table t alter column a set data type text"), "M001 ");
	assert_string_equal(lint("VACUUM FULL t"), "M001 ");
	assert_string_equal(lint("CREATE INDEX i ON t (a)"), "M002 ");
	assert_string_equal(lint("create unique index i on t(a)"), "M002 ");
	assert_string_equal(lint("ALTER TABLE t ALTER COLUMN a SET NOT NULL"), "M003 ");
	assert_string_equal(lint("ALTER TABLE t DROP COLUMN a"), "M004 ");
	assert_string_equal(lint("DROP TABLE t"), "M004 ");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT c CHECK(a > 0)"), "M005 ");
	assert_string_equal(lint("ALTER TABLE t ADD FOREIGN KEY (u) REFERENCES users (id)"), "M005 ");
	assert_string_equal(lint("alter table t add constraint f foreign key(u) references users(id)"
				 " on delete cascade"), "M005 ");
	/* NOT VALID in another statement does not excuse this one */
	assert_string_equal(lint("ALTER TABLE a ADD CONSTRAINT c CHECK (x > 0) NOT VALID;"
				 " ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id)"), "M005 ");
	assert_string_equal(lint("UPDATE t SET a = 1"), "M007 ");
	assert_string_equal(lint("DELETE FROM t"), "M007 ");
}

static void several_findings_in_code_order(void **state)
{
	(void)state;
	assert_string_equal(lint("UPDATE t SET a = 1; CREATE INDEX i ON t (a);"
				 " ALTER TABLE t ALTER COLUMN a TYPE int"), "M001 M002 M007 ");
	assert_int_equal(mig_lint_sql("DROP TABLE a; DELETE FROM b", collect, NULL), 2);
}

static void where_in_another_statement_does_not_excuse(void **state)
{
	(void)state;
	assert_string_equal(lint("UPDATE t SET a = 1; DELETE FROM u WHERE id = 1"), "M007 ");
}

static void literals_identifiers_and_comments_are_ignored(void **state)
{
	(void)state;
	assert_string_equal(lint("UPDATE t SET note = 'drop table x' WHERE id = 1"), "");
	assert_string_equal(lint("UPDATE \"drop table\" SET a = 1 WHERE id = 1"), "");
	assert_string_equal(lint("-- CREATE INDEX i ON t (a)\nSELECT 1"), "");
	assert_string_equal(lint("/* DROP TABLE t */ SELECT 1"), "");
	assert_string_equal(lint("SELECT $x$ DROP TABLE t $x$"), "");
	assert_string_equal(lint("UPDATE t SET a = 'it''s; where' "), "M007 ");
}

static void volatile_default_is_an_error(void **state)
{
	(void)state;
	assert_string_equal(mig_finding_volatile_default.code, "M006");
	assert_int_equal(mig_finding_volatile_default.severity, HINGE_SEV_ERROR);
	assert_non_null(strstr(mig_finding_volatile_default.hint, "backfill"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safe_sql_has_no_finding),
		cmocka_unit_test(each_rule_fires),
		cmocka_unit_test(several_findings_in_code_order),
		cmocka_unit_test(where_in_another_statement_does_not_excuse),
		cmocka_unit_test(literals_identifiers_and_comments_are_ignored),
		cmocka_unit_test(volatile_default_is_an_error),
	};

	return cmocka_run_group_tests_name("migration_lint", tests, NULL, NULL);
}
