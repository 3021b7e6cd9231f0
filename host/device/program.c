#define _POSIX_C_SOURCE 200809L
#include "device/program.h"

#include "device/cl_status.h"
#include "device/embedded_files.h"
#include "device/program_cache.h"
#include "util/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KERNEL_FILE_BYTES (16u << 20)
#define MAX_INCLUDE_DEPTH     8

typedef struct text_buffer {
    char *data;
    size_t length, capacity;
} text_buffer;

static int append(text_buffer *b, const char *text, size_t length) {
    if (b->length + length + 1 > b->capacity) {
        size_t capacity = (b->length + length + 1) * 2;
        char *grown = realloc(b->data, capacity);
        if (!grown)
            return -1;
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, text, length);
    b->length += length;
    b->data[b->length] = '\0';
    return 0;
}

/* Reads DIR/NAME into a new NUL-terminated buffer. */
static int read_kernel_file(const char *dir, const char *name, char **source, size_t *length,
                            failure *f) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        char shown[TEXT_SHOWN_SIZE];
        return failure_set(f, CLR_RUNTIME_ERROR, "kernel directory '%s': path too long",
                           text_shown(dir, shown));
    }
    return file_read_regular(path, MAX_KERNEL_FILE_BYTES, "kernel source", CLR_RUNTIME_ERROR,
                             source, length, f);
}

static int load_raw(const char *kernel_dir, const char *name, char **text, size_t *length,
                    failure *f) {
    if (kernel_dir)
        return read_kernel_file(kernel_dir, name, text, length, f);
    const struct embedded_file *file = embedded_file_find(clr_embedded_kernels, name);
    if (!file)
        return failure_set(f, CLR_RUNTIME_ERROR, "no kernel source '%s' is built into clrender",
                           name);
    *text = malloc(file->length + 1);
    if (!*text)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading kernel %s", name);
    memcpy(*text, file->text, file->length + 1);
    *length = file->length;
    return 0;
}

/* The file a line `#include "FILE"` names, into `out`; 0 when the line is no such include. */
static int include_target(const char *line, size_t length, char *out, size_t size) {
    size_t i = 0;
    while (i < length && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    if (i >= length || line[i] != '#')
        return 0;
    ++i;
    while (i < length && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    if (length - i < 7 || strncmp(line + i, "include", 7))
        return 0;
    i += 7;
    while (i < length && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    if (i >= length || line[i] != '"')
        return 0;
    const char *start = line + i + 1;
    const char *end = memchr(start, '"', length - i - 1);
    if (!end || (size_t)(end - start) >= size || end == start)
        return 0;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 1;
}

static int expand(const char *kernel_dir, const char *name, int depth, text_buffer *out,
                  failure *f) {
    if (depth > MAX_INCLUDE_DEPTH)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "kernel source %s: includes nest more than %d deep", name,
                           MAX_INCLUDE_DEPTH);
    char *text = NULL;
    size_t length = 0;
    if (load_raw(kernel_dir, name, &text, &length, f) != 0)
        return f->status;
    int status = 0;
    size_t line_number = 1;
    for (size_t start = 0; start < length && status == 0; ++line_number) {
        const char *newline = memchr(text + start, '\n', length - start);
        size_t end = newline ? (size_t)(newline - text) + 1 : length;
        char target[256], marker[600];
        if (include_target(text + start, end - start, target, sizeof target)) {
            int n = snprintf(marker, sizeof marker, "#line 1 \"%s\"\n", target);
            status = append(out, marker, (size_t)n) != 0;
            if (status == 0)
                status = expand(kernel_dir, target, depth + 1, out, f);
            n = snprintf(marker, sizeof marker, "\n#line %zu \"%s\"\n", line_number + 1, name);
            if (status == 0)
                status = append(out, marker, (size_t)n) != 0;
        } else {
            status = append(out, text + start, end - start) != 0;
        }
        if (status > 0 && f->status == CLR_OK)
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading kernel %s", name);
        start = end;
    }
    free(text);
    return status;
}

int kernel_source_load(const char *kernel_dir, const char *name, char **text, size_t *length,
                       failure *f) {
    text_buffer out = {NULL, 0, 0};
    f->status = CLR_OK;
    if (expand(kernel_dir, name, 0, &out, f) != 0 || (!out.data && append(&out, "", 0) != 0)) {
        free(out.data);
        return f->status != CLR_OK
                   ? (int)f->status
                   : failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading %s", name);
    }
    *text = out.data;
    *length = out.length;
    return 0;
}

static void report_build_log(const device_context *ctx, cl_program program, const char *file,
                             build_log_fn log, void *user) {
    size_t size = 0;
    if (!log ||
        clGetProgramBuildInfo(program, ctx->entry->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) !=
            CL_SUCCESS ||
        size == 0)
        return;
    char *text = malloc(size + 1);
    char *framed = malloc(size + 1024);
    if (text && framed &&
        clGetProgramBuildInfo(program, ctx->entry->device, CL_PROGRAM_BUILD_LOG, size, text,
                              NULL) == CL_SUCCESS) {
        text[size] = '\0';
        snprintf(framed, size + 1024,
                 "--- build log of kernels/%s on %s ---\n%s\n--- end of build log ---", file,
                 ctx->entry->name, text);
        log(user, framed);
    }
    free(framed);
    free(text);
}

void program_binary_key(const device_entry *e, const char *options, const char *source,
                        program_cache_key *key) {
    const char *parts[] = {"clrender program binary 1",
                           e->platform_name,
                           e->platform_version,
                           e->name,
                           e->version,
                           e->driver_version,
                           options ? options : "",
                           source};
    program_cache_key_make(parts, sizeof parts / sizeof parts[0], key);
}

/* The program from the binary kept for `key`; NULL when there is none, or the driver does
 * not take it (another build of it, a damaged file that passed the checks): then the
 * program is built from source as if nothing was kept. */
static cl_program load_binary(const device_context *ctx, const char *dir,
                              const program_cache_key *key, const char *options) {
    unsigned char *binary = NULL;
    size_t size = 0;
    if (program_cache_load(dir, key, &binary, &size) != 0)
        return NULL;
    cl_int status = CL_SUCCESS, binary_status = CL_SUCCESS;
    const unsigned char *bytes = binary;
    cl_program program = clCreateProgramWithBinary(ctx->context, 1, &ctx->entry->device, &size,
                                                   &bytes, &binary_status, &status);
    free(binary);
    if (status != CL_SUCCESS || binary_status != CL_SUCCESS) {
        if (program)
            clReleaseProgram(program);
        return NULL;
    }
    if (clBuildProgram(program, 1, &ctx->entry->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(program);
        return NULL;
    }
    return program;
}

/* Keeps the binary of the program just built; a cache that cannot take it costs the next
 * process a build, which `warn` is told. */
static void store_binary(const program_request *r, const program_cache_key *key,
                         cl_program program) {
    char why[600] = "";
    cl_uint devices = 0;
    size_t size = 0;
    unsigned char *binary = NULL;
    cl_int status =
        clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof devices, &devices, NULL);
    if (status == CL_SUCCESS && devices != 1)
        snprintf(why, sizeof why, "the program was built for %u devices, not 1", devices);
    if (status == CL_SUCCESS && !why[0])
        status = clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL);
    if (status == CL_SUCCESS && !why[0] && size == 0)
        snprintf(why, sizeof why, "the driver gives no binary");
    if (status == CL_SUCCESS && !why[0] && !(binary = malloc(size)))
        snprintf(why, sizeof why, "out of memory");
    if (status == CL_SUCCESS && !why[0])
        status = clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binary, &binary, NULL);
    if (status != CL_SUCCESS)
        snprintf(why, sizeof why, "clGetProgramInfo failed: %s (%d)", cl_status_name(status),
                 status);
    if (!why[0])
        program_cache_store(r->cache_dir, key, binary, size, why, sizeof why);
    free(binary);
    if (why[0] && r->warn) {
        char shown[TEXT_SHOWN_SIZE], message[1024];
        snprintf(message, sizeof message,
                 "kernel cache '%s': %s; kernels are built again by every process "
                 "(CLRENDER_CACHE_DIR chooses another directory, CLRENDER_NO_CACHE=1 turns the "
                 "cache off)",
                 text_shown(r->cache_dir, shown), why);
        r->warn(r->user, message);
    }
}

int program_build(const device_context *ctx, const program_request *r, cl_program *built,
                  bool *from_cache, failure *f) {
    char file[128];
    snprintf(file, sizeof file, "%s.cl", r->program);
    char *source = NULL;
    size_t length = 0;
    cl_int status = CL_SUCCESS;
    program_cache_key key;
    *built = NULL;
    *from_cache = false;
    if (kernel_source_load(r->kernel_dir, file, &source, &length, f) != 0)
        return f->status;
    if (r->cache_dir) {
        program_binary_key(ctx->entry, r->options, source, &key);
        if ((*built = load_binary(ctx, r->cache_dir, &key, r->options))) {
            *from_cache = true;
            free(source);
            return 0;
        }
    }

    const char *text = source;
    *built = clCreateProgramWithSource(ctx->context, 1, &text, &length, &status);
    CL_CHECK_STATUS(f, failed, "clCreateProgramWithSource", status);
    status = clBuildProgram(*built, 1, &ctx->entry->device, r->options, NULL, NULL);
    if (status == CL_BUILD_PROGRAM_FAILURE) {
        report_build_log(ctx, *built, file, r->log, r->user);
        failure_set(f, CLR_RUNTIME_ERROR, "kernels/%s failed to build on %s (build log above)",
                    file, ctx->entry->name);
        f->opencl_status = CL_BUILD_PROGRAM_FAILURE;
        goto failed;
    }
    CL_CHECK_STATUS(f, failed, "clBuildProgram", status);
    if (r->cache_dir)
        store_binary(r, &key, *built);
    free(source);
    return 0;
failed:
    if (*built)
        clReleaseProgram(*built);
    *built = NULL;
    free(source);
    return f->status;
}
