#define _POSIX_C_SOURCE 200809L
#include "device/program_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC        "clrprog1"
#define HEADER_BYTES 48

/* ---- Keys ------------------------------------------------------------------------------ */

typedef struct key_state {
    uint64_t fnv;
    uLong crc, adler;
    uint64_t length;
} key_state;

static void key_add(key_state *k, const unsigned char *bytes, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        k->fnv ^= bytes[i];
        k->fnv *= 0x100000001b3u;
    }
    /* zlib takes at most uInt bytes at once. */
    for (size_t done = 0; done < length;) {
        uInt n = length - done > 1u << 30 ? 1u << 30 : (uInt)(length - done);
        k->crc = crc32(k->crc, bytes + done, n);
        k->adler = adler32(k->adler, bytes + done, n);
        done += n;
    }
    k->length += length;
}

void program_cache_key_make(const char *const *parts, size_t count, program_cache_key *key) {
    key_state k = {0xcbf29ce484222325u, crc32(0, Z_NULL, 0), adler32(0, Z_NULL, 0), 0};
    for (size_t i = 0; i < count; ++i) {
        const char *part = parts[i] ? parts[i] : "";
        uint64_t length = strlen(part);
        unsigned char prefix[8];
        for (int b = 0; b < 8; ++b)
            prefix[b] = (unsigned char)(length >> (8 * b));
        key_add(&k, prefix, sizeof prefix);
        key_add(&k, (const unsigned char *)part, (size_t)length);
    }
    key->name = k.fnv;
    key->check = (uint64_t)k.crc << 32 | (uint64_t)(k.adler & 0xffffffffu);
    key->length = k.length;
}

int program_cache_path(const char *dir, const program_cache_key *key, char *path, size_t size) {
    int n = snprintf(path, size, "%s/%016" PRIx64 ".bin", dir, key->name);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- The header --------------------------------------------------------------------------- */

static void put64(unsigned char *p, uint64_t v) {
    for (int b = 0; b < 8; ++b)
        p[b] = (unsigned char)(v >> (8 * b));
}

static void put32(unsigned char *p, uint32_t v) {
    for (int b = 0; b < 4; ++b)
        p[b] = (unsigned char)(v >> (8 * b));
}

static uint64_t get64(const unsigned char *p) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b)
        v = v << 8 | p[b];
    return v;
}

static uint32_t get32(const unsigned char *p) {
    uint32_t v = 0;
    for (int b = 3; b >= 0; --b)
        v = v << 8 | p[b];
    return v;
}

static uint32_t checksum(const unsigned char *data, size_t size) {
    uLong crc = crc32(0, Z_NULL, 0);
    for (size_t done = 0; done < size;) {
        uInt n = size - done > 1u << 30 ? 1u << 30 : (uInt)(size - done);
        crc = crc32(crc, data + done, n);
        done += n;
    }
    return (uint32_t)crc;
}

static void header_make(unsigned char header[HEADER_BYTES], const program_cache_key *key,
                        const unsigned char *data, size_t size) {
    memcpy(header, MAGIC, 8);
    put64(header + 8, key->name);
    put64(header + 16, key->check);
    put64(header + 24, key->length);
    put64(header + 32, size);
    put32(header + 40, checksum(data, size));
    put32(header + 44, checksum(header, 44));
}

/* ---- Reading ------------------------------------------------------------------------------ */

static int read_all(int fd, unsigned char *into, size_t size) {
    for (size_t done = 0; done < size;) {
        ssize_t n = read(fd, into + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

int program_cache_load(const char *dir, const program_cache_key *key, unsigned char **data,
                       size_t *size) {
    char path[4096];
    *data = NULL;
    *size = 0;
    if (!dir || program_cache_path(dir, key, path, sizeof path) != 0)
        return -1;
    /* O_NONBLOCK: something that is no file (a FIFO put there) must not make us wait. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char header[HEADER_BYTES], *binary = NULL;
    struct stat info;
    uint64_t length = 0;
    int status = -1;
    /* A binary is code the driver runs (PoCL's carry compiled kernels it loads): only a file
     * of this user's that nobody else may write is trusted, whatever directory it is in. */
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != geteuid() ||
        (info.st_mode & (S_IWGRP | S_IWOTH)) || info.st_size < HEADER_BYTES ||
        read_all(fd, header, HEADER_BYTES) != 0)
        goto done;
    length = get64(header + 32);
    /* Everything the header says is checked before anything is believed. */
    if (memcmp(header, MAGIC, 8) || get32(header + 44) != checksum(header, 44) ||
        get64(header + 8) != key->name || get64(header + 16) != key->check ||
        get64(header + 24) != key->length || length == 0 || length > PROGRAM_CACHE_MAX_BYTES ||
        (uint64_t)info.st_size != HEADER_BYTES + length)
        goto done;
    if (!(binary = malloc((size_t)length)) || read_all(fd, binary, (size_t)length) != 0 ||
        checksum(binary, (size_t)length) != get32(header + 40))
        goto done;
    *data = binary, *size = (size_t)length;
    binary = NULL;
    status = 0;
done:
    free(binary);
    close(fd);
    return status;
}

/* ---- Writing ------------------------------------------------------------------------------ */

static int write_all(int fd, const unsigned char *from, size_t size) {
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, from + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* Creates `dir` and its missing parents (0700: kernels are the user's own business). */
static int make_directories(const char *dir, char *why, size_t why_size) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path) {
        snprintf(why, why_size, "the path is too long");
        return -1;
    }
    for (char *p = path + 1;; ++p) {
        if (*p != '/' && *p != '\0')
            continue;
        char kept = *p;
        *p = '\0';
        struct stat info;
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(why, why_size, "cannot create '%s': %s", path, strerror(errno));
            return -1;
        }
        if (stat(path, &info) != 0 || !S_ISDIR(info.st_mode)) {
            snprintf(why, why_size, "'%s' is not a directory", path);
            return -1;
        }
        *p = kept;
        if (kept == '\0')
            return 0;
    }
}

int program_cache_store(const char *dir, const program_cache_key *key, const unsigned char *data,
                        size_t size, char *why, size_t why_size) {
    char path[4096], temporary[4096 + 16];
    if (!dir || !*dir || program_cache_path(dir, key, path, sizeof path) != 0) {
        snprintf(why, why_size, "the path is too long");
        return -1;
    }
    if (size == 0 || size > PROGRAM_CACHE_MAX_BYTES) {
        snprintf(why, why_size, "a binary of %zu bytes is not kept", size);
        return -1;
    }
    if (make_directories(dir, why, why_size) != 0)
        return -1;
    snprintf(temporary, sizeof temporary, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(temporary);
    if (fd < 0) {
        snprintf(why, why_size, "cannot write in '%s': %s", dir, strerror(errno));
        return -1;
    }
    unsigned char header[HEADER_BYTES];
    header_make(header, key, data, size);
    if (write_all(fd, header, sizeof header) != 0 || write_all(fd, data, size) != 0) {
        snprintf(why, why_size, "cannot write '%s': %s", temporary, strerror(errno));
        close(fd);
        unlink(temporary);
        return -1;
    }
    /* No fsync: a file cut short by a crash is found damaged and built again. */
    if (close(fd) != 0 || rename(temporary, path) != 0) {
        snprintf(why, why_size, "cannot write '%s': %s", path, strerror(errno));
        unlink(temporary);
        return -1;
    }
    return 0;
}
