/* cl_status.h — checking every OpenCL call.
 *
 *   CL_CHECK(f, cleanup, clFinish, (queue));
 *
 * calls clFinish(queue) and, when it does not return CL_SUCCESS, fills the
 * failure `f` with "clFinish failed: CL_... (code): hint" and jumps to the
 * label `cleanup`, where the caller releases what it holds in reverse order.
 * For the calls that return an object and report through an errcode_ret
 * argument, use CL_CHECK_STATUS(f, cleanup, "clCreateBuffer", status).
 */
#ifndef CLRENDER_CL_STATUS_H
#define CLRENDER_CL_STATUS_H

#include "util/failure.h"

#include <CL/cl.h>

/* "CL_OUT_OF_RESOURCES" for -5; "CL_UNKNOWN_ERROR" for codes it does not know. */
const char *cl_status_name(cl_int status);

/* Fills `f` for a failed call and returns CLR_RUNTIME_ERROR. */
int cl_fail(failure *f, const char *call, cl_int status);

#define CL_CHECK_STATUS(f, cleanup, call_name, status)                                             \
    do {                                                                                           \
        cl_int status_ = (status);                                                                 \
        if (status_ != CL_SUCCESS) {                                                               \
            cl_fail((f), (call_name), status_);                                                    \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

#define CL_CHECK(f, cleanup, function, arguments)                                                  \
    CL_CHECK_STATUS(f, cleanup, #function, function arguments)

#endif
