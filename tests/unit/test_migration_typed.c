/*
 * test_migration_typed.c - create_index, drop_index, set_not_null,
 * drop_not_null, add_check and add_foreign_key, each forward, verified and reverted, with
 * the leftovers of failed builds and validations cleaned, against the
 * test PostgreSQL through the host stand-in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/doubles/host_standin.h"

#define DB "migration_typed"

static int setup(void **state)
{
	(void)state;
	return mh_setup(DB, "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL,"
			" qty int NOT NULL DEFAULT 0, note text, memo text);"
			"CREATE INDEX items_name ON items (name);"
			"INSERT INTO items (name, qty, note)"
			" SELECT 'n' || g, g % 10, 'x' FROM generate_series(1, 200) g;"
			"ALTER TABLE items ADD COLUMN price numeric(8, 2) NOT NULL DEFAULT 1.5,"
			" ADD COLUMN tag text;"
			"UPDATE items SET price = id * 0.25, tag = CASE WHEN id % 3 = 0 THEN NULL ELSE 't' || id END;"
			"CREATE INDEX items_tag ON items (tag)");
}

static int teardown(void **state)
{
	(void)state;
	mh_teardown();
	return 0;
}

/* How many indexes of that name the database has, and whether valid. */
static const char *index_row(const char *name)
{
	static char buf[64];
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) || ' ' || coalesce(bool_and(indisvalid)::text, '-')"
		 " FROM pg_index JOIN pg_class k ON k.oid = indexrelid WHERE k.relname = '%s'", name);
	snprintf(buf, sizeof(buf), "%s", mh_value(sql));
	return buf;
}

static void create_index_concurrently_forward_verified_reverted(void **state)
{
	static const struct kv p[] = {
		{ "table", "items" }, { "name", "items_qty" }, { "columns", "qty" },
		{ "where", "qty > 0" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("create_index", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.inverse, "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"items_qty\"");
	assert_string_equal(st.lock, "pg:" DB "/public.items");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_string_equal(index_row("items_qty"), "0 -");
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(index_row("items_qty"), "1 true");
	assert_string_equal(mh_value("SELECT pg_get_indexdef('items_qty'::regclass)"),
			    "CREATE INDEX items_qty ON public.items USING btree (qty) WHERE (qty > 0)");
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(index_row("items_qty"), "0 -");
	mh_step_free(&st);
}

static void create_index_drops_an_invalid_leftover(void **state)
{
	static const struct kv fixed[] = {
		{ "table", "items" }, { "name", "items_u" }, { "columns", "id" },
		{ "unique", "true" }, { NULL, NULL },
	};
	static const struct kv dup[] = {
		{ "table", "items" }, { "name", "items_dup" }, { "columns", "qty" },
		{ "unique", "true" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("create_index", fixed);
	PGconn *c = mh_db();
	PGresult *r;

	(void)state;
	/* a concurrent build that fails leaves an INVALID index behind */
	r = PQexec(c, "CREATE UNIQUE INDEX CONCURRENTLY items_u ON items (qty)");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(c);
	assert_string_equal(index_row("items_u"), "1 false");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_string_equal(index_row("items_u"), "1 true");
	assert_string_equal(mh_value("SELECT pg_get_indexdef('items_u'::regclass)"),
			    "CREATE UNIQUE INDEX items_u ON public.items USING btree (id)");
	assert_int_equal(CALL(&st, revert), 0);
	mh_step_free(&st);

	/* the step's own failed build is cleaned up */
	st = mh_step("create_index", dup);
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "could not create unique index"));
	assert_string_equal(index_row("items_dup"), "0 -");
	mh_step_free(&st);
}

static void drop_index_forward_verified_reverted(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "name", "items_name" }, { NULL, NULL } };
	struct hinge_step st = mh_step("drop_index", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.inverse, "CREATE INDEX CONCURRENTLY \"items_name\" ON"
					" \"public\".\"items\" USING btree (name)");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_string_equal(index_row("items_name"), "1 true");
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(index_row("items_name"), "0 -");
	assert_int_equal(CALL(&st, rehearse), 0); /* warm: from the artifact alone */
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(index_row("items_name"), "1 true");
	assert_string_equal(mh_value("SELECT pg_get_indexdef('items_name'::regclass)"),
			    "CREATE INDEX items_name ON public.items USING btree (name)");
	mh_step_free(&st);
}

static const char *column_notnull(const char *col)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT attnotnull FROM pg_attribute"
		 " WHERE attrelid = 'items'::regclass AND attname = '%s'", col);
	return mh_value(sql);
}

static void set_not_null_online_forward_verified_reverted(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "column", "note" }, { NULL, NULL } };
	struct hinge_step st = mh_step("set_not_null", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_string_equal(st.inverse, "ALTER TABLE \"public\".\"items\" ALTER COLUMN \"note\" DROP NOT NULL");
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_string_equal(column_notnull("note"), "f");
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_string_equal(column_notnull("note"), "t");
	assert_string_equal(mh_value("SELECT count(*) FROM pg_constraint"
				     " WHERE conrelid = 'items'::regclass AND contype = 'c'"), "0");
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, revert), 0);
	assert_string_equal(column_notnull("note"), "f");
	mh_step_free(&st);
}

static void set_not_null_with_nulls_fails_clean(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "column", "memo" }, { NULL, NULL } };
	static const struct kv missing[] = { { "table", "items" }, { "column", "nope" }, { NULL, NULL } };
	struct hinge_step st = mh_step("set_not_null", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "violated by some row"));
	assert_string_equal(column_notnull("memo"), "f");
	assert_string_equal(mh_value("SELECT count(*) FROM pg_constraint"
				     " WHERE conrelid = 'items'::regclass AND contype = 'c'"), "0");
	mh_step_free(&st);
	st = mh_step("set_not_null", missing);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "column \"nope\" does not exist"));
	mh_step_free(&st);
}

static void drop_not_null_forward_verified_reverted(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "column", "name" }, { NULL, NULL } };
	struct hinge_step st = mh_step("drop_not_null", p);

	(void)state;
	assert_int_equal(mh_forward(&st), 0);
	assert_string_equal(column_notnull("name"), "f");
	assert_int_equal(CALL(&st, revert), 0);
	assert_string_equal(column_notnull("name"), "t");
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);
}

static void add_check_not_valid_then_validated(void **state)
{
	static const struct kv p[] = {
		{ "table", "items" }, { "name", "qty_small" }, { "check", "qty < 1000" }, { NULL, NULL },
	};
	static const struct kv violated[] = {
		{ "table", "items" }, { "name", "qty_neg" }, { "check", "qty < 0" }, { NULL, NULL },
	};
	static const struct kv clash[] = {
		{ "table", "items" }, { "name", "items_pkey" }, { "check", "id > 0" }, { NULL, NULL },
	};
	struct hinge_step st = mh_step("add_check", p);

	(void)state;
	assert_int_equal(mh_forward(&st), 0);
	assert_string_equal(mh_value("SELECT convalidated::text || ' ' || pg_get_constraintdef(oid)"
				     " FROM pg_constraint WHERE conname = 'qty_small'"),
			    "true CHECK ((qty < 1000))");
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);

	st = mh_step("add_check", violated);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, apply), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "violated by some row"));
	assert_string_equal(mh_value("SELECT count(*) FROM pg_constraint WHERE conname = 'qty_neg'"), "0");
	mh_step_free(&st);

	st = mh_step("add_check", clash);
	assert_int_equal(CALL(&st, check), HINGE_EINVAL);
	assert_non_null(strstr(st.error, "is not a check constraint"));
	mh_step_free(&st);
}

static void drop_column_keeps_the_data(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "column", "price" }, { NULL, NULL } };
	struct hinge_step st = mh_step("drop_column", p);
	char sum[64], backup[64], sql[160];

	(void)state;
	snprintf(sum, sizeof(sum), "%s", mh_value("SELECT sum(price * id) FROM items"));
	assert_int_equal(CALL(&st, check), 0);
	assert_non_null(strstr(st.inverse, "ADD COLUMN IF NOT EXISTS \"price\" numeric(8,2)"));
	assert_int_equal(CALL(&st, probe), 0);
	assert_int_equal(CALL(&st, capture), 0);
	snprintf(backup, sizeof(backup), "%s", mh_value("SELECT relname FROM pg_class"
		 " WHERE relname LIKE 'migration_backup_%' ORDER BY oid DESC LIMIT 1"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM hinge.%s", backup);
	assert_string_equal(mh_value(sql), "200");
	assert_int_equal(CALL(&st, rehearse), 0);
	assert_int_equal(CALL(&st, apply), 0);
	assert_int_equal(CALL(&st, verify), 0);
	assert_int_equal(CALL(&st, probe), 1);
	assert_string_equal(mh_value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass"
				     " AND attname = 'price' AND NOT attisdropped"), "0");
	assert_int_equal(CALL(&st, rehearse), 0); /* warm, from the artifact and the backup */

	/* a backup that changed since capture is refused, and nothing is done */
	snprintf(sql, sizeof(sql), "UPDATE hinge.%s SET value = 0 WHERE key = 3", backup);
	{
		PGconn *c = mh_db();

		mh_sql_ok(c, sql);
		assert_int_equal(CALL(&st, rehearse), HINGE_EFAIL);
		assert_int_equal(CALL(&st, revert), HINGE_EFAIL);
		assert_non_null(strstr(st.error, "fails its checksum"));
		assert_int_equal(CALL(&st, probe), 1);
		snprintf(sql, sizeof(sql), "UPDATE hinge.%s SET value = 0.75 WHERE key = 3", backup);
		mh_sql_ok(c, sql);
		PQfinish(c);
	}
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(mh_value("SELECT sum(price * id) FROM items"), sum);
	assert_string_equal(mh_value("SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull"
				     " || ' ' || pg_get_expr(adbin, adrelid) FROM pg_attribute"
				     " JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
				     " WHERE attrelid = 'items'::regclass AND attname = 'price'"),
			    "numeric(8,2) true 1.5");
	mh_step_free(&st);
}

static void drop_column_with_an_index_fails_rehearsal(void **state)
{
	static const struct kv p[] = { { "table", "items" }, { "column", "tag" }, { NULL, NULL } };
	struct hinge_step st = mh_step("drop_column", p);

	(void)state;
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "revert does not restore the table"));
	assert_non_null(strstr(st.error, "items_tag"));
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);
}

/* The constraint's validation and definition, "(none)" when absent. */
static const char *fk_def(const char *name)
{
	char sql[300];

	snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT convalidated::text || ' ' ||"
		 " pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '%s'), '(none)')",
		 name);
	return mh_value(sql);
}

static void add_foreign_key_not_valid_then_validated(void **state)
{
	static const struct kv p[] = {
		{ "table", "pets" }, { "name", "pets_owner" }, { "columns", "owner_id" },
		{ "ref_table", "owners" }, { "ref_columns", "id" }, { "on_delete", "cascade" },
		{ NULL, NULL },
	};
	struct hinge_step st = mh_step("add_foreign_key", p);
	PGconn *db = mh_db();

	(void)state;
	mh_sql_ok(db, "CREATE TABLE owners (id bigint PRIMARY KEY);"
		      "INSERT INTO owners SELECT generate_series(1, 10);"
		      "CREATE TABLE pets (id bigserial PRIMARY KEY, owner_id bigint);"
		      "INSERT INTO pets (owner_id) SELECT g % 10 + 1 FROM generate_series(1, 50) g");
	assert_int_equal(mh_forward(&st), 0);
	assert_string_equal(st.inverse, "ALTER TABLE \"public\".\"pets\" DROP CONSTRAINT IF EXISTS \"pets_owner\"");
	assert_string_equal(fk_def("pets_owner"),
			    "true FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE CASCADE");
	assert_int_equal(CALL(&st, probe), 1);
	assert_int_equal(CALL(&st, apply), 0); /* again: nothing to do */
	assert_int_equal(CALL(&st, revert), 0);
	assert_int_equal(CALL(&st, probe), 0);
	assert_string_equal(fk_def("pets_owner"), "(none)");
	assert_int_equal(CALL(&st, verify), HINGE_EFAIL);

	/* A pet whose owner is missing: apply fails and leaves nothing. */
	mh_sql_ok(db, "INSERT INTO pets (owner_id) VALUES (999)");
	assert_int_equal(CALL(&st, rehearse), 0); /* the copy has no rows */
	assert_int_equal(CALL(&st, apply), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "violates foreign key constraint \"pets_owner\""));
	assert_string_equal(fk_def("pets_owner"), "(none)");
	assert_int_equal(CALL(&st, probe), 0);
	mh_step_free(&st);
	PQfinish(db);
}

static void add_foreign_key_bad_input_is_refused(void **state)
{
	static const struct kv missing[] = {
		{ "table", "pets" }, { "name", "fk1" }, { "columns", "owner_id, nope" },
		{ "ref_table", "owners" }, { "ref_columns", "id, id" }, { NULL, NULL },
	};
	static const struct kv counts[] = {
		{ "table", "pets" }, { "name", "fk1" }, { "columns", "owner_id, id" },
		{ "ref_table", "owners" }, { "ref_columns", "id" }, { NULL, NULL },
	};
	static const struct kv action[] = {
		{ "table", "pets" }, { "name", "fk1" }, { "columns", "owner_id" },
		{ "ref_table", "owners" }, { "ref_columns", "id" }, { "on_delete", "explode" },
		{ NULL, NULL },
	};
	static const struct kv noref[] = {
		{ "table", "pets" }, { "name", "fk1" }, { "columns", "owner_id" },
		{ "ref_table", "ghosts" }, { "ref_columns", "id" }, { NULL, NULL },
	};
	static const struct kv clash[] = {
		{ "table", "pets" }, { "name", "pets_pkey" }, { "columns", "owner_id" },
		{ "ref_table", "owners" }, { "ref_columns", "id" }, { NULL, NULL },
	};
	static const struct kv nokey[] = {
		{ "table", "pets" }, { "name", "fk1" }, { "columns", "owner_id" },
		{ "ref_table", "pets" }, { "ref_columns", "owner_id" }, { NULL, NULL },
	};
	static const struct { const struct kv *p; int rc; const char *says; } cases[] = {
		{ missing, HINGE_EINVAL, "columns: no column \"nope\" in \"public\".\"pets\"" },
		{ counts, HINGE_EINVAL, "2 columns reference 1 ref_column" },
		{ action, HINGE_EINVAL, "on_delete \"explode\" is none of" },
		{ noref, HINGE_EINVAL, "table \"public\".\"ghosts\" does not exist" },
		{ clash, HINGE_EINVAL, "is not a foreign key" },
	};
	struct hinge_step st;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = mh_step("add_foreign_key", cases[i].p);
		assert_int_equal(CALL(&st, check), cases[i].rc);
		assert_non_null(strstr(st.error, cases[i].says));
		mh_step_free(&st);
	}
	/* No unique key on the referenced columns: the rehearsal says so. */
	st = mh_step("add_foreign_key", nokey);
	assert_int_equal(CALL(&st, check), 0);
	assert_int_equal(CALL(&st, capture), 0);
	assert_int_equal(CALL(&st, rehearse), HINGE_EFAIL);
	assert_non_null(strstr(st.error, "no unique constraint matching given keys"));
	assert_string_equal(fk_def("fk1"), "(none)");
	mh_step_free(&st);
}

static void add_foreign_key_hostile_names_are_quoted(void **state)
{
	static const struct kv other[] = {
		{ "table", "Kid \"t\"; --" }, { "name", "fk\"; drop table pets; --" },
		{ "columns", "Par\"ent; x" }, { "ref_schema", "Sch \"e\"" },
		{ "ref_table", "we\"ird ref" }, { "ref_columns", "I\"d /* y" }, { NULL, NULL },
	};
	static const struct kv self[] = {
		{ "table", "Kid \"t\"; --" }, { "name", "up\" self" }, { "columns", "up \"id\"" },
		{ "ref_table", "Kid \"t\"; --" }, { "ref_columns", "id" }, { "on_update", "Set Null" },
		{ NULL, NULL },
	};
	const struct kv *steps[] = { other, self };
	PGconn *db = mh_db();

	(void)state;
	mh_sql_ok(db, "CREATE SCHEMA \"Sch \"\"e\"\"\";"
		      "CREATE TABLE \"Sch \"\"e\"\"\".\"we\"\"ird ref\" (\"I\"\"d /* y\" int PRIMARY KEY);"
		      "INSERT INTO \"Sch \"\"e\"\"\".\"we\"\"ird ref\" VALUES (1), (2);"
		      "CREATE TABLE \"Kid \"\"t\"\"; --\" (id int PRIMARY KEY, \"Par\"\"ent; x\" int,"
		      " \"up \"\"id\"\"\" int);"
		      "INSERT INTO \"Kid \"\"t\"\"; --\" VALUES (1, 1, NULL), (2, 2, 1), (3, NULL, 2)");
	for (size_t i = 0; i < 2; i++) {
		struct hinge_step st = mh_step("add_foreign_key", steps[i]);

		assert_int_equal(mh_forward(&st), 0);
		assert_int_equal(CALL(&st, probe), 1);
		assert_int_equal(CALL(&st, revert), 0);
		assert_int_equal(CALL(&st, probe), 0);
		assert_int_equal(mh_forward(&st), 0);
		mh_step_free(&st);
	}
	assert_string_equal(fk_def("fk\"; drop table pets; --"),
			    "true FOREIGN KEY (\"Par\"\"ent; x\") REFERENCES \"Sch \"\"e\"\"\".\"we\"\"ird ref\"(\"I\"\"d /* y\")");
	assert_string_equal(fk_def("up\" self"),
			    "true FOREIGN KEY (\"up \"\"id\"\"\") REFERENCES \"Kid \"\"t\"\"; --\"(id) ON UPDATE SET NULL");
	assert_string_equal(mh_value("SELECT to_regclass('pets') IS NOT NULL"), "t");
	PQfinish(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_index_concurrently_forward_verified_reverted),
		cmocka_unit_test(create_index_drops_an_invalid_leftover),
		cmocka_unit_test(drop_index_forward_verified_reverted),
		cmocka_unit_test(set_not_null_online_forward_verified_reverted),
		cmocka_unit_test(set_not_null_with_nulls_fails_clean),
		cmocka_unit_test(drop_not_null_forward_verified_reverted),
		cmocka_unit_test(add_check_not_valid_then_validated),
		cmocka_unit_test(drop_column_keeps_the_data),
		cmocka_unit_test(drop_column_with_an_index_fails_rehearsal),
		cmocka_unit_test(add_foreign_key_not_valid_then_validated),
		cmocka_unit_test(add_foreign_key_bad_input_is_refused),
		cmocka_unit_test(add_foreign_key_hostile_names_are_quoted),
	};

	return cmocka_run_group_tests_name("migration_typed", tests, setup, teardown);
}
