/*
 * engine_webhook.h - telling the operator through a webhook: rollout
 * events (paused, failed, completed, rolled back, needs an operator) are
 * queued in the state database in the same transaction as the state they
 * announce, and posted as JSON by a thread of the executing process,
 * retried with backoff, so that a slow or dead endpoint never holds up a
 * rollout.  Internal to the engine.
 */
#ifndef HINGE_ENGINE_WEBHOOK_H
#define HINGE_ENGINE_WEBHOOK_H

#include <stdint.h>

struct state;
struct settings;

/*
 * Take webhook_url, webhook_timeout, webhook_retries, http_ca_bundle and
 * http_proxy from the agent group (borrowed).  HINGE_EINVAL when the URL
 * is not https, or plain http to a host that is not loopback.
 */
int webhook_configure(const struct settings *agent);

/* Queue event_json, inside the caller's transaction; 0 when no webhook. */
int webhook_enqueue(struct state *st, const char *event_json);

/*
 * The delivery thread of this process: start it (a no-op without a
 * webhook) with the state database's path; stop it, giving every queued
 * event its remaining retries first.
 */
void webhook_start(const char *state_path);
void webhook_stop(void);

#endif
