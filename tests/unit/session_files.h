/* session_files.h — a session rendered into a real file, and a placed sink's file kept in
 * memory: what the byte-for-byte tests of bands compare. Include after <cmocka.h>, with
 * _GNU_SOURCE defined (mkstemps). */
#ifndef CLRENDER_TEST_SESSION_FILES_H
#define CLRENDER_TEST_SESSION_FILES_H

#include "clrender/clrender.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Renders the session into a new temporary .`suffix` file through clr_sink_file and reads up to
 * `capacity` of its bytes back; the file is removed. Returns the bytes read. */
static size_t render_to_file(clr_session *s, const char *suffix, void *bytes, size_t capacity) {
    failure f = {0};
    char path[64];
    snprintf(path, sizeof path, "/tmp/clrender-session-XXXXXX.%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix) + 1);
    assert_true(fd >= 0);
    close(fd);
    clr_sink *file = clr_sink_file(s, path, 0, &f);
    assert_non_null(file);
    assert_int_equal(clr_render(s, &file, 1, &f), CLR_OK);
    assert_int_equal(clr_sink_commit(file, &f), CLR_OK);
    clr_sink_free(file);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t read = fread(bytes, 1, capacity, in);
    fclose(in);
    unlink(path);
    return read;
}

typedef struct placed_file {
    unsigned char *bytes;
    size_t size;
    size_t writes; /* calls of write_at */
} placed_file;

static int place_in_memory(void *user, uint64_t offset, const void *bytes, size_t count,
                           char *message) {
    placed_file *file = user;
    if (offset + count > file->size) {
        snprintf(message, CLR_MESSAGE_SIZE, "%zu bytes at %llu pass the end", count,
                 (unsigned long long)offset);
        return -1;
    }
    memcpy(file->bytes + offset, bytes, count);
    ++file->writes;
    return 0;
}

#endif
