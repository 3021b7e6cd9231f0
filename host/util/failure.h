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

/* Fills `f` with a printf-style message and returns `status`. A control
 * character that still reaches the message is replaced, so it stays one line. */
int failure_set(failure *f, clr_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Room for text from outside (a path, a value) in a message: TEXT_SHOWN_SIZE - 1
 * bytes at most, so that several fit with the reason after them. */
#define TEXT_SHOWN_SIZE 256

/* `text` as a message shows it: control characters and DEL escaped (\n, \t,
 * \x1b), and when it is longer than the room, its middle elided ("...") so that
 * both ends (a path's directory and file name) stay. Returns `out`. */
const char *text_shown(const char *text, char out[TEXT_SHOWN_SIZE]);

#endif
