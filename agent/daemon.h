/* daemon.h - `hinge agent`: jobs and services until SIGTERM. */
#ifndef HINGE_DAEMON_H
#define HINGE_DAEMON_H

struct cli;

/*
 * Run the agent in the foreground.  Returns an exit status: 0 after a
 * clean stop, 3 when another agent holds this state database, 2 when
 * another live agent uses this host's fleet id.
 */
int daemon_run(struct cli *c);

/*
 * The pid of the agent running on state_db, 0 when none does, -1 when
 * one does but its pid file cannot be read.  A probe of a few
 * microseconds (a shared flock on the agent's lock file).
 */
long daemon_agent_pid(const char *state_db);

/* systemd notification: a no-op when NOTIFY_SOCKET is unset. */
void sd_notify_text(const char *text);

#endif
