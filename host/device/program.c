#include "device/program.h"

#include "device/cl_status.h"
#include "device/embedded_files.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KERNEL_FILE_BYTES (16u << 20)

/* Reads DIR/NAME.cl into a new NUL-terminated buffer. */
static int read_kernel_file(const char *dir, const char *name, char **source, size_t *length,
                            failure *f) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.cl", dir, name);
    FILE *file = fopen(path, "rb");
    if (!file)
        return failure_set(f, CLR_EXIT_RUNTIME, "cannot open kernel %s (from CLRENDER_KERNEL_DIR)",
                           path);
    char *buffer = malloc(MAX_KERNEL_FILE_BYTES + 1);
    size_t n = buffer ? fread(buffer, 1, MAX_KERNEL_FILE_BYTES + 1, file) : 0;
    int read_error = ferror(file);
    fclose(file);
    if (!buffer || read_error || n > MAX_KERNEL_FILE_BYTES) {
        free(buffer);
        return failure_set(f, CLR_EXIT_RUNTIME, "cannot read kernel %s", path);
    }
    buffer[n] = '\0';
    *source = buffer;
    *length = n;
    return 0;
}

static void print_build_log(const device_context *ctx, cl_program program, const char *name) {
    size_t size = 0;
    if (clGetProgramBuildInfo(program, ctx->entry->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) !=
            CL_SUCCESS ||
        size == 0)
        return;
    char *log = malloc(size + 1);
    if (log && clGetProgramBuildInfo(program, ctx->entry->device, CL_PROGRAM_BUILD_LOG, size, log,
                                     NULL) == CL_SUCCESS) {
        log[size] = '\0';
        fprintf(stderr, "--- build log of kernels/%s.cl on %s ---\n%s\n--- end of build log ---\n",
                name, ctx->entry->name, log);
    }
    free(log);
}

int program_build(const device_context *ctx, const char *name, const char *options,
                  cl_program *program, failure *f) {
    char *file_source = NULL;
    const char *source = NULL;
    size_t length = 0;
    cl_int status = CL_SUCCESS;
    *program = NULL;

    const char *dir = getenv("CLRENDER_KERNEL_DIR");
    if (dir && *dir) {
        if (read_kernel_file(dir, name, &file_source, &length, f) != 0)
            return f->code;
        source = file_source;
    } else {
        const struct embedded_file *kernel = embedded_file_find(clr_embedded_kernels, name);
        if (kernel) {
            source = kernel->text;
            length = kernel->length;
        }
        if (!source)
            return failure_set(f, CLR_EXIT_RUNTIME, "no kernel named '%s' is built into clrender",
                               name);
    }

    *program = clCreateProgramWithSource(ctx->context, 1, &source, &length, &status);
    CL_CHECK_STATUS(f, failed, "clCreateProgramWithSource", status);
    status = clBuildProgram(*program, 1, &ctx->entry->device, options, NULL, NULL);
    if (status == CL_BUILD_PROGRAM_FAILURE) {
        print_build_log(ctx, *program, name);
        failure_set(f, CLR_EXIT_RUNTIME, "kernels/%s.cl failed to build on %s (build log above)",
                    name, ctx->entry->name);
        goto failed;
    }
    CL_CHECK_STATUS(f, failed, "clBuildProgram", status);
    free(file_source);
    return 0;
failed:
    if (*program)
        clReleaseProgram(*program);
    *program = NULL;
    free(file_source);
    return f->code;
}
