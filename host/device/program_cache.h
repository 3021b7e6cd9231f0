/* program_cache.h — compiled programs kept on disk, so that a process does not build them.
 *
 * Building a kernel from source costs a process ~26 ms on PoCL even when PoCL's own cache
 * holds the result (it preprocesses the source with clang to find its entry); loading the
 * driver's binary of the same program (clGetProgramInfo(CL_PROGRAM_BINARIES)) costs ~3 ms.
 * So binaries are kept in a directory, one file per program, named by a hash of everything
 * the binary depends on: the platform and its version, the device, its version and its
 * driver's, the build options and the expanded source text (program_cache_key_make).
 *
 * A file is a 48-byte header and the binary:
 *
 *   0  "clrprog1"           magic, and the format's version
 *   8  key.name   (u64)     the hash of the key material that also names the file
 *   16 key.check  (u64)     a second, independent hash of it (another key of the same name)
 *   24 key.length (u64)     the key material's length in bytes
 *   32 size       (u64)     the binary's length
 *   40 crc32 of the binary (u32), crc32 of bytes 0..43 (u32)
 *
 * all little-endian. A file that is shorter or longer than its header says, whose
 * checksums do not match, or that belongs to another key is ignored (and replaced by the
 * next build). Files are written to a temporary name in the directory and renamed into
 * place, so a reader never sees a partial file and concurrent writers of one key leave one
 * whole file. The cache is a directory the caller names; the library chooses none.
 */
#ifndef CLRENDER_PROGRAM_CACHE_H
#define CLRENDER_PROGRAM_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct program_cache_key {
    uint64_t name;   /* FNV-1a of the key material; the file is DIR/<16 hex digits>.bin */
    uint64_t check;  /* another hash of it, kept in the file */
    uint64_t length; /* bytes of key material */
} program_cache_key;

/* The key of `count` NUL-terminated parts (device strings, options, source); each part
 * counts with its length, so that ("ab", "c") and ("a", "bc") differ. */
void program_cache_key_make(const char *const *parts, size_t count, program_cache_key *key);

/* The path of the key's file in `dir`, into `path` (room for `size`); 0, or -1 when it does
 * not fit. */
int program_cache_path(const char *dir, const program_cache_key *key, char *path, size_t size);

/* The binary kept for `key` in `dir`: 0 and a new buffer (*data, *size) when the file
 * exists whole and intact, belongs to this user and only this user may write it; -1 when it
 * is missing, damaged, another key's, a symbolic link, or someone else's. */
int program_cache_load(const char *dir, const program_cache_key *key, unsigned char **data,
                       size_t *size);

/* Keeps `size` bytes of `data` for `key` in `dir` (created with its parents when
 * missing). 0, or -1 with the reason in `why` ("cannot create '/x/y': Permission denied"). */
int program_cache_store(const char *dir, const program_cache_key *key, const unsigned char *data,
                        size_t size, char *why, size_t why_size);

/* The largest binary kept: anything beyond is no program of ours (a damaged header). */
#define PROGRAM_CACHE_MAX_BYTES ((uint64_t)256 << 20)

#endif
