/* Change files: structure, durations and every bad input, with file:line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "agent/engine_change.h"
#include "capture.h"

static const char good[] =
	"change: {\n"
	"  id = \"add-ai-model\";\n"
	"  description = \"execution_tasks lacks ai_model\";\n"
	"  on_failure = \"pause\";\n"
	"  steps = (\n"
	"    { name = \"expand\"; action = \"migration.add_column\"; timeout = \"2s\";\n"
	"      with = { table = \"execution_tasks\"; }; },\n"
	"    { name = \"soak\"; pause = \"250ms\"; },\n"
	"    { name = \"wait\"; pause = \"manual\"; },\n"
	"    { name = \"health\"; gate = [ \"logging.error_rate < 0.02\", \"migration.lock_waiters == 0\" ];\n"
	"      bake = \"10m\"; interval = \"30s\"; failure_limit = 2; inconclusive_limit = 3; },\n"
	"    { name = \"requeue\"; action = \"migration.sql\"; irreversible = true; }\n"
	"  );\n"
	"};\n";

static void parses_the_design_example(void **state)
{
	struct change *c = NULL;

	(void)state;
	assert_int_equal(change_parse("good.conf", good, &c), 0);
	assert_string_equal(c->id, "add-ai-model");
	assert_true(c->on_failure_pause);
	assert_int_equal(c->nsteps, 5);
	assert_int_equal(c->steps[0].kind, STEP_ACTION);
	assert_string_equal(c->steps[0].action, "migration.add_column");
	assert_non_null(c->steps[0].with);
	assert_int_equal(c->steps[0].timeout_ms, 2000);
	assert_int_equal(c->steps[0].line, 6);
	assert_int_equal(c->steps[1].kind, STEP_PAUSE);
	assert_int_equal(c->steps[1].pause_ms, 250);
	assert_false(c->steps[1].manual);
	assert_true(c->steps[2].manual);
	assert_int_equal(c->steps[3].kind, STEP_GATE);
	assert_int_equal(c->steps[3].nconds, 2);
	assert_int_equal(c->steps[3].bake_ms, 600000);
	assert_int_equal(c->steps[3].interval_ms, 30000);
	assert_int_equal(c->steps[3].failure_limit, 2);
	assert_int_equal(c->steps[3].inconclusive_limit, 3);
	assert_true(c->steps[4].irreversible);
	assert_null(c->steps[4].with);
	change_free(c);
}

/* Parse text; it must fail with message `want` on stderr. */
static void refused(const char *text, const char *want)
{
	struct capture cap;
	struct change *c = NULL;
	int rc;

	capture_start(&cap);
	rc = change_parse("x.conf", text, &c);
	capture_end(&cap);
	if (strstr(cap.text, want) == NULL)
		fail_msg("wanted \"%s\" in: %s", want, cap.text);
	assert_int_equal(rc, HINGE_EINVAL);
	assert_null(c);
}

#define STEPS(s) "change: {\n  id = \"c\";\n  steps = (\n" s "\n  );\n};\n"

static void refuses_bad_input(void **state)
{
	(void)state;
	refused("change: { id = \"c\"; steps = (); };", "x.conf:1: steps: the list of steps is empty");
	refused("change: { id = \"c\"; };", "x.conf:1: steps: required");
	refused("nothing = 1;", "x.conf:1: change: required group missing");
	refused("change: { id = ; };", "x.conf:1: syntax error");
	refused(STEPS("    { name = \"a\"; pause = \"1s\"; },\n    { name = \"a\"; pause = \"2s\"; }"),
		"x.conf:5: name: duplicate step name \"a\" (first at line 4)");
	refused(STEPS("    { name = \"a\"; action = \"p.x\";\n      table = \"t\"; }"),
		"x.conf:5: table: not a step key; an action's parameters belong in `with");
	refused(STEPS("    { name = \"a\"; action = \"p.x\"; irreversable = true; }"),
		"did you mean \"irreversible\"?");
	refused(STEPS("    { name = \"a\"; action = \"nodot\"; }"),
		"x.conf:4: action: \"nodot\" must be named as plugin.action");
	refused(STEPS("    { name = \"a\"; pause = \"soon\"; }"),
		"x.conf:4: pause: \"soon\" is neither \"manual\" nor a duration");
	refused(STEPS("    { name = \"a\"; gate = [ \"p.m <\" ]; }"),
		"x.conf:4: gate: condition \"p.m <\": expected a number");
	refused(STEPS("    { name = \"a\"; gate = [ ]; }"), "x.conf:4: gate: must be a non-empty list");
	refused(STEPS("    { name = \"a\"; gate = [ \"p.m < 1\" ]; bake = \"1m\"; interval = \"0ms\"; }"),
		"interval: must be more than 0ms when bake is set");
	refused(STEPS("    { name = \"a\"; gate = [ \"p.m < 1\" ]; bake = 10; }"),
		"x.conf:4: bake: must be a duration in quotes");
	refused(STEPS("    { name = \"a\"; gate = [ \"p.m < 1\" ]; failure_limit = -1; }"),
		"failure_limit: must be a whole number");
	refused(STEPS("    { name = \"a\"; action = \"p.x\"; pause = \"1s\"; }"),
		"x.conf:4: a: a step has exactly one of action, pause or gate");
	refused(STEPS("    { name = \"a\"; pause = \"1s\"; with = { x = 1; }; }"),
		"x.conf:4: with: not a key of a pause step");
	refused(STEPS("    { action = \"p.x\"; }"), "x.conf:4: name: required key missing");
	refused(STEPS("    { name = \"a\"; pause = \"manual\"; timeout = \"1s\"; }"),
		"x.conf:4: timeout: not a key of a pause step");
	refused("change: { id = \"c\"; on_failure = \"retry\"; steps = ( { name = \"a\"; pause = \"1s\"; } ); };",
		"on_failure: \"retry\" must be \"rollback\" or \"pause\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_design_example),
		cmocka_unit_test(refuses_bad_input),
	};

	return cmocka_run_group_tests_name("engine_change", tests, NULL, NULL);
}
