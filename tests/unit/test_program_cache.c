/* Unit tests for the program binary cache (device/program_cache.h): files round trip, damaged
 * or foreign files are ignored, keys follow everything a binary depends on, a directory that
 * cannot be written is refused with its reason; and program_build() on the PoCL device loads
 * what it kept, builds again past a damaged entry and warns once about an unwritable cache. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "device/program.h"
#include "device/program_cache.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_DIR_TEMPLATE "/tmp/clrender-cache-test-XXXXXX"
#include "temp_dir.h"

/* A fresh cache directory under the test's, by name. */
static const char *cache(const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static size_t entries(const char *path) {
    DIR *d = opendir(path);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static program_cache_key key_of(const char *a, const char *b) {
    const char *parts[] = {a, b};
    program_cache_key key;
    program_cache_key_make(parts, 2, &key);
    return key;
}

static void write_bytes(const char *path, const void *bytes, size_t size) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    unsigned char *bytes = malloc(*size);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, *size, f), *size);
    fclose(f);
    return bytes;
}

static void a_kept_binary_reads_back_whole(void **state) {
    (void)state;
    const char *where = cache("round-trip/nested/deeper"); /* parents are created */
    program_cache_key key = key_of("device", "source");
    unsigned char binary[5000];
    for (size_t i = 0; i < sizeof binary; ++i)
        binary[i] = (unsigned char)(i * 7 + 3);
    char why[600] = "";
    assert_int_equal(program_cache_store(where, &key, binary, sizeof binary, why, sizeof why), 0);
    assert_int_equal(entries(where), 1); /* no temporary file left beside it */
    unsigned char *data;
    size_t size;
    assert_int_equal(program_cache_load(where, &key, &data, &size), 0);
    assert_int_equal(size, sizeof binary);
    assert_memory_equal(data, binary, sizeof binary);
    free(data);
    /* Kept again (another process built the same program): one file, the new one. */
    binary[0] ^= 0xff;
    assert_int_equal(program_cache_store(where, &key, binary, sizeof binary, why, sizeof why), 0);
    assert_int_equal(entries(where), 1);
    assert_int_equal(program_cache_load(where, &key, &data, &size), 0);
    assert_memory_equal(data, binary, sizeof binary);
    free(data);
}

static void nothing_is_found_where_nothing_was_kept(void **state) {
    (void)state;
    program_cache_key key = key_of("device", "never kept");
    unsigned char *data = (unsigned char *)"x";
    size_t size = 1;
    assert_int_equal(program_cache_load(cache("empty"), &key, &data, &size), -1);
    assert_null(data);
    assert_int_equal(size, 0);
    assert_int_equal(program_cache_load(NULL, &key, &data, &size), -1);
}

/* Every way a file can be damaged: each is ignored, never believed. */
static void damaged_files_are_ignored(void **state) {
    (void)state;
    const char *where = cache("damaged");
    program_cache_key key = key_of("device", "damaged");
    unsigned char binary[3000];
    memset(binary, 0x5a, sizeof binary);
    char why[600], path[600];
    assert_int_equal(program_cache_store(where, &key, binary, sizeof binary, why, sizeof why), 0);
    assert_int_equal(program_cache_path(where, &key, path, sizeof path), 0);
    size_t size;
    unsigned char *good = read_bytes(path, &size);
    assert_int_equal(size, 48 + sizeof binary);
    const struct {
        const char *what;
        size_t offset; /* a byte flipped there, or the file cut to `cut` bytes */
        long cut;
    } cases[] = {
        {"a byte of the binary", 48 + 1500, -1},
        {"the last byte", 48 + 2999, -1},
        {"the magic", 0, -1},
        {"the key's name", 9, -1},
        {"the key's check", 17, -1},
        {"the length", 33, -1},
        {"the binary's checksum", 41, -1},
        {"the header's checksum", 45, -1},
        {"cut in the binary", 0, 48 + 100},
        {"cut to the header", 0, 48},
        {"cut in the header", 0, 20},
        {"empty", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        unsigned char *bytes = malloc(size);
        memcpy(bytes, good, size);
        size_t length = size;
        if (cases[i].cut >= 0)
            length = (size_t)cases[i].cut;
        else
            bytes[cases[i].offset] ^= 0x01;
        write_bytes(path, bytes, length);
        unsigned char *data = NULL;
        size_t got = 0;
        print_message("%s\n", cases[i].what);
        assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
        assert_null(data);
        free(bytes);
    }
    /* Longer than its header says. */
    unsigned char *longer = malloc(size + 1);
    memcpy(longer, good, size);
    longer[size] = 0;
    write_bytes(path, longer, size + 1);
    unsigned char *data = NULL;
    size_t got;
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    free(longer);
    /* A directory, or a FIFO, where the file should be: ignored without waiting. */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    rmdir(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    unlink(path);
    /* Whole, but writable by others, or a symbolic link to a whole file: code that someone
     * else may have put there is not run. */
    write_bytes(path, good, size);
    assert_int_equal(chmod(path, 0620), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    assert_int_equal(chmod(path, 0602), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    char elsewhere[700];
    snprintf(elsewhere, sizeof elsewhere, "%s.elsewhere", path);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(rename(path, elsewhere), 0);
    assert_int_equal(symlink(elsewhere, path), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), -1);
    unlink(path);
    /* Whole again: read. */
    assert_int_equal(rename(elsewhere, path), 0);
    assert_int_equal(program_cache_load(where, &key, &data, &got), 0);
    free(data);
    free(good);
}

/* Another key whose file name is the same (a hash collision, forged here by renaming) is
 * not taken for this one. */
static void another_keys_file_is_not_taken(void **state) {
    (void)state;
    const char *where = cache("foreign");
    program_cache_key mine = key_of("device", "mine"), theirs = key_of("device", "theirs");
    unsigned char binary[100] = {1, 2, 3};
    char why[600], path_mine[600], path_theirs[600];
    assert_int_equal(program_cache_store(where, &theirs, binary, sizeof binary, why, sizeof why),
                     0);
    program_cache_path(where, &mine, path_mine, sizeof path_mine);
    program_cache_path(where, &theirs, path_theirs, sizeof path_theirs);
    assert_int_equal(rename(path_theirs, path_mine), 0);
    unsigned char *data = NULL;
    size_t size;
    assert_int_equal(program_cache_load(where, &mine, &data, &size), -1);
    assert_null(data);
}

static void keys_follow_every_part(void **state) {
    (void)state;
    program_cache_key a = key_of("ab", "c"), b = key_of("a", "bc"), c = key_of("ab", "c");
    assert_true(a.name != b.name && a.check != b.check); /* parts keep their boundaries */
    assert_true(a.name == c.name && a.check == c.check && a.length == c.length);

    device_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.platform_name, sizeof e.platform_name, "Portable Computing Language");
    snprintf(e.platform_version, sizeof e.platform_version, "OpenCL 3.0 PoCL 3.1 LLVM 15.0.6");
    snprintf(e.name, sizeof e.name, "pthread-skylake-avx512-AMD EPYC");
    snprintf(e.version, sizeof e.version, "OpenCL 3.0 PoCL");
    snprintf(e.driver_version, sizeof e.driver_version, "3.1");
    const char *options = "-DJULIA_DOUBLE -DLANES=8", *source = "__kernel void k(void) {}";
    program_cache_key base, other;
    program_binary_key(&e, options, source, &base);
    program_binary_key(&e, options, source, &other);
    assert_true(base.name == other.name && base.check == other.check);

    program_binary_key(&e, "-DLANES=8", source, &other);
    assert_true(other.name != base.name);
    program_binary_key(&e, options, "__kernel void k(void) { }", &other);
    assert_true(other.name != base.name);
    program_binary_key(&e, NULL, source, &other); /* no options: "" */
    assert_true(other.name != base.name);

    char *fields[] = {e.platform_name, e.platform_version, e.name, e.version, e.driver_version};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
        device_entry changed = e;
        char *field = (char *)&changed + (fields[i] - (char *)&e);
        field[0] ^= 0x20; /* one letter's case */
        program_binary_key(&changed, options, source, &other);
        assert_true(other.name != base.name);
    }
}

static void a_directory_that_cannot_be_made_is_refused_with_its_reason(void **state) {
    (void)state;
    write_bytes(cache("a-file"), "x", 1);
    program_cache_key key = key_of("device", "unwritable");
    unsigned char binary[10] = {0};
    char why[600] = "";
    assert_int_equal(
        program_cache_store(cache("a-file/cache"), &key, binary, sizeof binary, why, sizeof why),
        -1);
    print_message("%s\n", why);
    assert_non_null(strstr(why, "a-file"));
    assert_int_equal(program_cache_store(cache("empty-binary"), &key, binary, 0, why, sizeof why),
                     -1);
    assert_int_equal(program_cache_store(NULL, &key, binary, sizeof binary, why, sizeof why), -1);
}

/* ---- program_build on the device ---------------------------------------------------------- */

typedef struct heard {
    int warnings;
    char last[1024];
} heard;

static void warned(void *user, const char *message) {
    heard *h = user;
    ++h->warnings;
    snprintf(h->last, sizeof h->last, "%s", message);
}

typedef struct opened {
    device_list list;
    device_context ctx;
} opened;

static int open_cpu(opened *o) {
    failure f = {0};
    if (device_list_query(&o->list, 0, 0, &f) != 0)
        return -1;
    for (size_t i = 0; i < o->list.count; ++i)
        if (o->list.items[i].type & CL_DEVICE_TYPE_CPU)
            return device_open(&o->list.items[i], &o->ctx, &f);
    return -1;
}

/* Builds the kernel of kernels/sphere_seeds.cl and runs it on one pixel: a program from the
 * cache must work as one built from source. */
static void build_and_run(opened *o, const char *where, heard *h, bool *from_cache) {
    failure f = {0};
    const program_request r = {NULL, "sphere_seeds", "", where, NULL, warned, h};
    cl_program program;
    assert_int_equal(program_build(&o->ctx, &r, &program, from_cache, &f), 0);
    cl_int status;
    cl_kernel kernel = clCreateKernel(program, "pyconde", &status);
    assert_int_equal(status, CL_SUCCESS);
    cl_mem buffer = clCreateBuffer(o->ctx.context, CL_MEM_WRITE_ONLY, 3, NULL, &status);
    assert_int_equal(status, CL_SUCCESS);
    cl_uint width = 1, height = 1;
    assert_int_equal(clSetKernelArg(kernel, 0, sizeof buffer, &buffer), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(kernel, 1, sizeof width, &width), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(kernel, 2, sizeof height, &height), CL_SUCCESS);
    size_t global[2] = {1, 1};
    assert_int_equal(
        clEnqueueNDRangeKernel(o->ctx.queue, kernel, 2, NULL, global, NULL, 0, NULL, NULL),
        CL_SUCCESS);
    unsigned char rgb[3];
    assert_int_equal(clEnqueueReadBuffer(o->ctx.queue, buffer, CL_TRUE, 0, 3, rgb, 0, NULL, NULL),
                     CL_SUCCESS);
    assert_int_equal(rgb[0], 100); /* pixel (0, 0) misses the sphere: the grey background */
    clReleaseMemObject(buffer);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
}

static void the_device_loads_what_it_kept(void **state) {
    (void)state;
    opened o;
    memset(&o, 0, sizeof o);
    assert_int_equal(open_cpu(&o), 0);
    const char *where = cache("device");
    heard h = {0};
    bool from_cache = true;
    build_and_run(&o, where, &h, &from_cache);
    assert_false(from_cache);
    assert_int_equal(entries(where), 1);
    build_and_run(&o, where, &h, &from_cache);
    assert_true(from_cache);

    /* Damaged: built again, and kept whole again. */
    char path[1024];
    DIR *d = opendir(where);
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            snprintf(path, sizeof path, "%s/%s", where, e->d_name);
    closedir(d);
    size_t size;
    unsigned char *bytes = read_bytes(path, &size);
    bytes[size / 2] ^= 0xff;
    write_bytes(path, bytes, size);
    free(bytes);
    build_and_run(&o, where, &h, &from_cache);
    assert_false(from_cache);
    build_and_run(&o, where, &h, &from_cache);
    assert_true(from_cache);
    assert_int_equal(h.warnings, 0);

    /* A cache that cannot be written: the program is built and the reason told. */
    write_bytes(cache("blocker"), "x", 1);
    build_and_run(&o, cache("blocker/cache"), &h, &from_cache);
    assert_false(from_cache);
    assert_int_equal(h.warnings, 1);
    print_message("%s\n", h.last);
    assert_non_null(strstr(h.last, "blocker"));
    assert_non_null(strstr(h.last, "CLRENDER_CACHE_DIR"));

    /* No cache: nothing is kept or read. */
    build_and_run(&o, NULL, &h, &from_cache);
    assert_false(from_cache);
    device_close(&o.ctx);
    device_list_free(&o.list);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_kept_binary_reads_back_whole),
        cmocka_unit_test(nothing_is_found_where_nothing_was_kept),
        cmocka_unit_test(damaged_files_are_ignored),
        cmocka_unit_test(another_keys_file_is_not_taken),
        cmocka_unit_test(keys_follow_every_part),
        cmocka_unit_test(a_directory_that_cannot_be_made_is_refused_with_its_reason),
        cmocka_unit_test(the_device_loads_what_it_kept),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
