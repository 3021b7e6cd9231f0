/* file.h — reading the files a user names (scenes, kernel sources, volumes). */
#ifndef CLRENDER_FILE_H
#define CLRENDER_FILE_H

#include "util/failure.h"

#include <stddef.h>

/* Reads the regular file `path`, at most `limit` bytes, into a new buffer with a
 * NUL after its `*length` bytes. Anything else (a directory, a FIFO, a device, a
 * socket) is refused without waiting on it. Failures are of `status` and read
 * "WHAT 'PATH': REASON", `what` naming the file's role ("scene"). */
int file_read_regular(const char *path, size_t limit, const char *what, clr_status status,
                      char **text, size_t *length, failure *f);

#endif
