/* schema.h - the state database's versioned migrations (NULL-terminated). */
#ifndef HINGE_STATE_SCHEMA_H
#define HINGE_STATE_SCHEMA_H

extern const char *const state_migrations[];

#endif
