#define _POSIX_C_SOURCE 200809L
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode) {
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO (named pipe)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

int file_read_regular(const char *path, size_t limit, const char *what, clr_status status,
                      char **text, size_t *length, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    *text = NULL;
    *length = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return failure_set(f, status, "%s '%s': cannot open: %s", what, text_shown(path, shown),
                           strerror(errno));
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int saved = errno;
        close(fd);
        return failure_set(f, status, "%s '%s': cannot read: %s", what, text_shown(path, shown),
                           strerror(saved));
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return failure_set(f, status, "%s '%s': is %s, not a file", what, text_shown(path, shown),
                           kind_of(info.st_mode));
    }
    if ((uint64_t)info.st_size > limit) {
        close(fd);
        return failure_set(f, status, "%s '%s': larger than the %zu MiB limit", what,
                           text_shown(path, shown), limit >> 20);
    }
    char *buffer = malloc((size_t)info.st_size + 1);
    if (!buffer) {
        close(fd);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading %s '%s'", what,
                           text_shown(path, shown));
    }
    /* The file may grow while it is read: read up to the limit and one byte more. */
    size_t capacity = (size_t)info.st_size, used = 0;
    for (;;) {
        if (used == capacity) {
            if (capacity >= limit + 1)
                break;
            size_t grown = capacity ? capacity * 2 : 4096;
            grown = grown > limit + 1 ? limit + 1 : grown;
            char *bigger = realloc(buffer, grown + 1);
            if (!bigger) {
                free(buffer);
                close(fd);
                return failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading %s '%s'", what,
                                   text_shown(path, shown));
            }
            buffer = bigger, capacity = grown;
        }
        ssize_t n = read(fd, buffer + used, capacity - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free(buffer);
            close(fd);
            return failure_set(f, status, "%s '%s': cannot read: %s", what, text_shown(path, shown),
                               strerror(saved));
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    if (used > limit) {
        free(buffer);
        return failure_set(f, status, "%s '%s': larger than the %zu MiB limit", what,
                           text_shown(path, shown), limit >> 20);
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return 0;
}
