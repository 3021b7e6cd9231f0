#include "clrender/dispatch.h"

#include "clrender/cl_status.h"
#include "clrender/program.h"
#include "clrender/timing.h"

#include <stdlib.h>
#include <string.h>

void dispatch_add_arg(dispatch_request *request, const void *value, size_t size) {
    /* The renderers' argument lists are fixed and far below the limit; overflowing is a bug. */
    if (request->arg_count >= DISPATCH_MAX_ARGS || size > KERNEL_ARG_MAX_BYTES)
        abort();
    kernel_arg *arg = &request->args[request->arg_count++];
    arg->kind = KERNEL_ARG_VALUE;
    memcpy(arg->bytes, value, size);
    arg->size = size;
}

void dispatch_add_input(dispatch_request *request, const void *data, size_t size) {
    if (request->arg_count >= DISPATCH_MAX_ARGS || size == 0)
        abort();
    kernel_arg *arg = &request->args[request->arg_count++];
    arg->kind = KERNEL_ARG_INPUT_BUFFER;
    arg->data = data;
    arg->size = size;
}

static double event_ms(cl_event event, failure *f, int *failed) {
    cl_ulong start = 0, end = 0;
    cl_int status =
        clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
    if (status == CL_SUCCESS)
        status = clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    if (status != CL_SUCCESS) {
        cl_fail(f, "clGetEventProfilingInfo", status);
        *failed = 1;
        return 0;
    }
    return (double)(end - start) * 1e-6;
}

int dispatch_render(const device_context *ctx, const dispatch_request *request,
                    dispatch_timings *timings, failure *f) {
    cl_program program = NULL;
    cl_kernel kernel = NULL;
    cl_mem output = NULL;
    cl_mem inputs[DISPATCH_MAX_ARGS] = {NULL};
    cl_event kernel_done = NULL, read_done = NULL;
    cl_int status = CL_SUCCESS;
    int result = CLR_EXIT_RUNTIME;

    if (request->output_bytes > ctx->entry->max_allocation) {
        return failure_set(
            f, CLR_EXIT_RUNTIME,
            "the image needs a %.1f MiB buffer but %s allocates at most %.1f MiB at once; "
            "use a smaller --size",
            (double)request->output_bytes / 1048576.0, ctx->entry->name,
            (double)ctx->entry->max_allocation / 1048576.0);
    }

    double build_start = clock_ms();
    if (program_build(ctx, request->program, request->build_options, &program, f) != 0)
        return f->code;
    timings->build_ms = clock_ms() - build_start;

    kernel = clCreateKernel(program, request->entry_point, &status);
    CL_CHECK_STATUS(f, cleanup, "clCreateKernel", status);
    output = clCreateBuffer(ctx->context, CL_MEM_WRITE_ONLY, request->output_bytes, NULL, &status);
    CL_CHECK_STATUS(f, cleanup, "clCreateBuffer", status);

    CL_CHECK(f, cleanup, clSetKernelArg, (kernel, 0, sizeof output, &output));
    for (size_t i = 0; i < request->arg_count; ++i) {
        const kernel_arg *arg = &request->args[i];
        if (arg->kind == KERNEL_ARG_INPUT_BUFFER) {
            inputs[i] = clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                       arg->size, (void *)arg->data, &status);
            CL_CHECK_STATUS(f, cleanup, "clCreateBuffer", status);
            CL_CHECK(f, cleanup, clSetKernelArg,
                     (kernel, (cl_uint)(i + 1), sizeof inputs[i], &inputs[i]));
        } else {
            CL_CHECK(f, cleanup, clSetKernelArg, (kernel, (cl_uint)(i + 1), arg->size, arg->bytes));
        }
    }

    const size_t global[2] = {request->width, request->height};
    CL_CHECK(f, cleanup, clEnqueueNDRangeKernel,
             (ctx->queue, kernel, 2, NULL, global, NULL, 0, NULL, &kernel_done));
    CL_CHECK(f, cleanup, clEnqueueReadBuffer,
             (ctx->queue, output, CL_TRUE, 0, request->output_bytes, request->output, 1,
              &kernel_done, &read_done));

    int failed = 0;
    timings->kernel_ms = event_ms(kernel_done, f, &failed);
    timings->transfer_ms = event_ms(read_done, f, &failed);
    result = failed ? CLR_EXIT_RUNTIME : 0;

cleanup:
    if (read_done)
        clReleaseEvent(read_done);
    if (kernel_done)
        clReleaseEvent(kernel_done);
    for (size_t i = request->arg_count; i-- > 0;)
        if (inputs[i])
            clReleaseMemObject(inputs[i]);
    if (output)
        clReleaseMemObject(output);
    if (kernel)
        clReleaseKernel(kernel);
    if (program)
        clReleaseProgram(program);
    return result == 0 ? 0 : f->code;
}
