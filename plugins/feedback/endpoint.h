/*
 * endpoint.h - the feedback form's HTTP endpoint.
 */
#ifndef FEEDBACK_ENDPOINT_H
#define FEEDBACK_ENDPOINT_H

#include "fb.h"

/*
 * Register the endpoint service when setting `endpoint` is true.
 * Returns 0, HINGE_EINVAL when listen_address is not a loopback address
 * (logged, naming the setting), or another HINGE_E* code.
 */
int fb_endpoint_register(struct fb *fb);

#endif
