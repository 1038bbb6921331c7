/*
 * test_bias_audit_oom.c - the CSV reader and the accumulator under
 * allocation failure: the Nth allocation fails, for every N until a run
 * needs no failing one; each run ends with HINGE_ENOMEM or the right
 * counts, never a crash (and, under valgrind, never a leak).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hinge/plugin.h>

#include "tests/doubles/failing_alloc.h"
#include "plugins/bias_audit/acc.h"
#include "plugins/bias_audit/csv.h"

static const char *const attrs[] = { "sex", "age" };

/* Read text into an accumulator: 0 with the counts checked, or ENOMEM. */
static int audit_text(const char *text)
{
	const struct bias_spec spec = { .attrs = attrs, .n_attrs = 2, .score = "score",
					.threshold = 0.5, .label = "y", .intersections = 1,
					.score_lo = 0, .score_hi = 1, .bins = 4 };
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct bias_acc *a = bias_acc_new(&spec);
	struct csv_reader *r = a ? csv_open(f, NULL, NULL) : NULL;
	const struct bias_group **g = NULL;
	char **fields, err[200];
	size_t n, ng;
	int rc = r ? csv_next(r, &fields, &n) : HINGE_ENOMEM;

	if (rc == 1)
		rc = bias_acc_header(a, fields, n, err, sizeof(err));
	while (rc == 0 && (rc = csv_next(r, &fields, &n)) == 1)
		rc = bias_acc_row(a, fields, n, csv_record(r), err, sizeof(err));
	if (rc == 0 && (g = bias_acc_groups(a, 2, &ng)) == NULL)
		rc = HINGE_ENOMEM;
	if (rc == 0) {
		assert_int_equal(bias_acc_rows(a), 40);
		assert_int_equal(ng, 40);
		assert_int_equal(g[0]->c.n, 1);
	}
	free(g);
	csv_close(r);
	bias_acc_free(a);
	fclose(f);
	return rc;
}

static void every_allocation_fails_once(void **state)
{
	char text[4096] = "sex,age,score,y\n";
	long n;
	int rc;

	(void)state;
	/* 40 intersections: enough groups that the table grows. */
	for (int i = 0; i < 40; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "s%d,\"a\"\"%d\",0.%d,%d\n",
			 i % 20, i, i % 10, i % 2);
	for (n = 0;; n++) {
		failing_alloc_after(n);
		rc = audit_text(text);
		if (failing_alloc_pending())
			break; /* no allocation was made to fail: done */
		assert_int_equal(rc, HINGE_ENOMEM);
	}
	failing_alloc_after(-1);
	assert_int_equal(rc, 0);
	assert_true(n > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allocation_fails_once),
	};

	return cmocka_run_group_tests_name("bias_audit_oom", tests, NULL, NULL);
}
