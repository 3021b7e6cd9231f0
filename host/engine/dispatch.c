#include "engine/dispatch.h"

#include "device/cl_status.h"
#include "device/program.h"
#include "util/clock.h"

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

static size_t rows_per_item(const dispatch_request *request) {
    return request->rows_per_item ? request->rows_per_item : 1;
}

int dispatch_begin(const device_context *ctx, const dispatch_request *request, size_t max_rows,
                   dispatch_session *session, dispatch_timings *timings, failure *f) {
    memset(session, 0, sizeof *session);
    session->ctx = ctx;
    session->request = request;
    cl_int status = CL_SUCCESS;
    const size_t step = rows_per_item(request);
    if (max_rows > request->image_height)
        max_rows = request->image_height;
    /* A band's buffer must fit the device's largest allocation. */
    size_t fit = request->bytes_per_row ? ctx->entry->max_allocation / request->bytes_per_row : 0;
    if (max_rows > fit)
        max_rows = fit;
    /* Bands start on a work-item's first row; only the last band may end elsewhere. */
    if (max_rows < request->image_height)
        max_rows -= max_rows % step;
    if (max_rows == 0)
        return failure_set(f, CLR_EXIT_RUNTIME,
                           "%s cannot allocate even %zu rows of this image (%zu bytes each); use "
                           "a smaller width",
                           ctx->entry->name, step, request->bytes_per_row);

    double build_start = clock_ms();
    if (program_build(ctx, request->program, request->build_options, &session->program, f) != 0)
        return f->code;
    timings->build_ms += clock_ms() - build_start;

    session->kernel = clCreateKernel(session->program, request->entry_point, &status);
    CL_CHECK_STATUS(f, failed, "clCreateKernel", status);
    /* Drivers may refuse an allocation below their stated maximum: try smaller bands. */
    for (;;) {
        for (int slot = 0; slot < 2 && status == CL_SUCCESS; ++slot)
            session->output[slot] = clCreateBuffer(
                ctx->context, CL_MEM_WRITE_ONLY, max_rows * request->bytes_per_row, NULL, &status);
        if (status == CL_SUCCESS || max_rows <= step ||
            (status != CL_MEM_OBJECT_ALLOCATION_FAILURE && status != CL_OUT_OF_RESOURCES &&
             status != CL_OUT_OF_HOST_MEMORY && status != CL_INVALID_BUFFER_SIZE))
            break;
        for (int slot = 0; slot < 2; ++slot)
            if (session->output[slot])
                clReleaseMemObject(session->output[slot]);
        session->output[0] = session->output[1] = NULL;
        status = CL_SUCCESS;
        max_rows = max_rows / 2 - (max_rows / 2) % step;
    }
    CL_CHECK_STATUS(f, failed, "clCreateBuffer", status);
    session->max_rows = max_rows;
    /* Test-only: make the first launches fail as a short-of-resources device would. */
    const char *fake = getenv("CLRENDER_TEST_FAIL_LAUNCHES");
    session->failures_to_fake = fake ? atoi(fake) : 0;

    for (size_t i = 0; i < request->arg_count; ++i) {
        const kernel_arg *arg = &request->args[i];
        if (arg->kind == KERNEL_ARG_INPUT_BUFFER) {
            session->inputs[i] =
                clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, arg->size,
                               (void *)arg->data, &status);
            CL_CHECK_STATUS(f, failed, "clCreateBuffer", status);
            CL_CHECK(f, failed, clSetKernelArg,
                     (session->kernel, (cl_uint)(i + 1), sizeof session->inputs[i],
                      &session->inputs[i]));
        } else {
            CL_CHECK(f, failed, clSetKernelArg,
                     (session->kernel, (cl_uint)(i + 1), arg->size, arg->bytes));
        }
    }
    return 0;
failed:
    dispatch_end(session);
    return f->code;
}

int dispatch_enqueue(dispatch_session *session, int slot, size_t first_row, size_t rows, void *out,
                     failure *f) {
    const dispatch_request *request = session->request;
    const size_t step = rows_per_item(request);
    /* Work-items of the band: its first row's item, and enough items to cover its rows. */
    const size_t offset[2] = {0, first_row / step};
    size_t items = (rows + step - 1) / step;
    if (offset[1] + items > request->height)
        items = request->height - offset[1];
    const size_t global[2] = {request->width, items};
    cl_int status =
        clSetKernelArg(session->kernel, 0, sizeof session->output[slot], &session->output[slot]);
    CL_CHECK_STATUS(f, failed, "clSetKernelArg", status);
    if (session->failures_to_fake > 0) {
        --session->failures_to_fake;
        status = CL_OUT_OF_RESOURCES;
    } else {
        status = clEnqueueNDRangeKernel(session->ctx->queue, session->kernel, 2, offset, global,
                                        NULL, 0, NULL, &session->kernel_done[slot]);
    }
    session->last_status = status;
    CL_CHECK_STATUS(f, failed, "clEnqueueNDRangeKernel", status);
    status = clEnqueueReadBuffer(session->ctx->queue, session->output[slot], CL_FALSE, 0,
                                 rows * request->bytes_per_row, out, 1, &session->kernel_done[slot],
                                 &session->read_done[slot]);
    session->last_status = status;
    CL_CHECK_STATUS(f, failed, "clEnqueueReadBuffer", status);
    /* Start now: the host goes on with the previous band meanwhile. */
    status = clFlush(session->ctx->queue);
    CL_CHECK_STATUS(f, failed, "clFlush", status);
    return 0;
failed:
    return f->code;
}

static void release_slot(dispatch_session *session, int slot) {
    if (session->read_done[slot])
        clReleaseEvent(session->read_done[slot]);
    if (session->kernel_done[slot])
        clReleaseEvent(session->kernel_done[slot]);
    session->read_done[slot] = session->kernel_done[slot] = NULL;
}

int dispatch_wait(dispatch_session *session, int slot, dispatch_timings *timings, failure *f) {
    cl_int status = clWaitForEvents(1, &session->read_done[slot]);
    if (status != CL_SUCCESS) {
        /* A failed launch fails its read-back's wait: report what the launch said. */
        cl_int launch = CL_SUCCESS;
        if (clGetEventInfo(session->kernel_done[slot], CL_EVENT_COMMAND_EXECUTION_STATUS,
                           sizeof launch, &launch, NULL) == CL_SUCCESS &&
            launch < 0)
            status = launch;
        session->last_status = status;
        cl_fail(f, "clWaitForEvents", status);
        release_slot(session, slot);
        return f->code;
    }
    int failed = 0;
    timings->kernel_ms += event_ms(session->kernel_done[slot], f, &failed);
    timings->transfer_ms += event_ms(session->read_done[slot], f, &failed);
    release_slot(session, slot);
    return failed ? f->code : 0;
}

void dispatch_drain(dispatch_session *session) {
    if (session->ctx && session->ctx->queue)
        clFinish(session->ctx->queue);
    release_slot(session, 0);
    release_slot(session, 1);
}

int dispatch_rows(dispatch_session *session, size_t first_row, size_t rows, void *out,
                  dispatch_timings *timings, failure *f) {
    if (dispatch_enqueue(session, 0, first_row, rows, out, f) != 0) {
        dispatch_drain(session);
        return f->code;
    }
    return dispatch_wait(session, 0, timings, f);
}

void dispatch_end(dispatch_session *session) {
    dispatch_drain(session);
    for (size_t i = DISPATCH_MAX_ARGS; i-- > 0;)
        if (session->inputs[i])
            clReleaseMemObject(session->inputs[i]);
    for (int slot = 0; slot < 2; ++slot)
        if (session->output[slot])
            clReleaseMemObject(session->output[slot]);
    if (session->kernel)
        clReleaseKernel(session->kernel);
    if (session->program)
        clReleaseProgram(session->program);
    memset(session->inputs, 0, sizeof session->inputs);
    session->output[0] = session->output[1] = NULL;
    session->kernel = NULL;
    session->program = NULL;
}
