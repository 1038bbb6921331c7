# The rollout engine: linked into the core library, so that the `hinge`
# binary and the unit tests use the same code.
libhingecore_la_SOURCES += \
	agent/engine.h agent/engine_exec.h agent/engine_run.h \
	agent/engine_change.c agent/engine_change.h \
	agent/engine_cond.c agent/engine_cond.h \
	agent/engine_crash.c agent/engine_crash.h \
	agent/engine_plan.c agent/engine_plan.h \
	agent/engine_sql.c agent/engine_sql.h \
	agent/engine_start.c agent/engine_exec.c agent/engine_action.c \
	agent/engine_gate.c agent/engine_request.c agent/engine_ops.c \
	agent/engine_query.c agent/engine_artifacts.c \
	agent/cmd_rollout.c agent/cmd_freeze.c agent/cmd_artifacts.c
