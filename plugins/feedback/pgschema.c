/*
 * pgschema.c - the feedback plugin's tables in PostgreSQL schema `hinge`:
 * the flags the application reads, the ratings the endpoint writes and
 * the forms it served, with their segments.  host->pg_migrate applies them by version.
 */
#include "fb.h"

/*
 * hinge.flag_bucket is the first four bytes of sha256(salt || user_id)
 * as an unsigned number, modulo 10000: stable across PostgreSQL versions
 * (unlike hashtext) and computable by the application in any language.
 * A user is in while bucket < percentage * 100, so that raising the
 * percentage keeps everyone already in.
 */
const char *const fb_pg_migrations[] = {
	"CREATE TABLE hinge.flags ("
	" name text PRIMARY KEY,"
	" percentage numeric(6,3) NOT NULL"
	"  CHECK (percentage >= 0 AND percentage <= 100),"
	" salt text NOT NULL,"
	" updated_at timestamptz NOT NULL DEFAULT now());"
	"CREATE FUNCTION hinge.flag_bucket(text, text) RETURNS integer"
	" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$"
	" SELECT (('x' || encode(substr(sha256(convert_to($1 || $2, 'UTF8')),"
	" 1, 4), 'hex'))::bit(32)::bigint % 10000)::integer $$;"
	"CREATE FUNCTION hinge.flag_enabled(text, text) RETURNS boolean"
	" LANGUAGE sql STABLE STRICT AS $$"
	" SELECT coalesce((SELECT hinge.flag_bucket(f.salt, $2) < f.percentage * 100"
	" FROM hinge.flags f WHERE f.name = $1), false) $$;"
	"CREATE FUNCTION hinge.flag_enabled(text, bigint) RETURNS boolean"
	" LANGUAGE sql STABLE STRICT AS $$"
	" SELECT hinge.flag_enabled($1, $2::text) $$;"
	"CREATE TABLE hinge.feedback_ratings ("
	" id bigserial PRIMARY KEY,"
	" transaction_id text NOT NULL,"
	" user_id text NOT NULL,"
	" scale text NOT NULL,"
	" score integer NOT NULL,"
	" comment text,"
	" created_at timestamptz NOT NULL DEFAULT clock_timestamp());"
	"CREATE INDEX feedback_ratings_time ON hinge.feedback_ratings (created_at, id);"
	"CREATE INDEX feedback_ratings_txn ON hinge.feedback_ratings (transaction_id);",
	/* Forms the endpoint served with a valid token: the response rate's
	 * denominator. */
	"CREATE TABLE hinge.feedback_shown ("
	" transaction_id text PRIMARY KEY,"
	" user_id text NOT NULL,"
	" shown_at timestamptz NOT NULL DEFAULT now());"
	"CREATE INDEX feedback_shown_time ON hinge.feedback_shown (shown_at);",
	/* The segment values of each form shown (by segment name, as text),
	 * so that the response rate splits by segment like the other
	 * figures. */
	"ALTER TABLE hinge.feedback_shown ADD COLUMN segments jsonb NOT NULL DEFAULT '{}'"
	" CHECK (jsonb_typeof(segments) = 'object');",
	NULL,
};

