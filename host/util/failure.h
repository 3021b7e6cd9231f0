/* failure.h — how every layer reports a problem.
 *
 * A function that can fail takes a `failure *` and returns 0 on success or a
 * clr_status after filling the failure with a one-line message that names the
 * problem and what to do about it. A failure is the public clr_error: the
 * library hands it to its caller as it is, and only the command line prints it.
 */
#ifndef CLRENDER_FAILURE_H
#define CLRENDER_FAILURE_H

#include "clrender/clrender.h"

typedef clr_error failure;

/* Fills `f` with a printf-style message and returns `status`. */
int failure_set(failure *f, clr_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
