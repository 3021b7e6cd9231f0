/* cl_call_trace.c — when a process's OpenCL calls start and end: where its start-up goes.
 *
 *     cc -O2 -shared -fPIC tools/cl_call_trace.c -o cl_call_trace.so -ldl
 *     LD_PRELOAD=./cl_call_trace.so build/clrender julia --size 640x360 -o j.png
 *
 * Each traced call prints "cl_call_trace: NAME at START ms, took T ms" on stderr, with START
 * counted from the process's start (estimated, as clrender's --timings does, from the CPU
 * time used when this library was loaded); main() and the exit are marked too. The calls are
 * those of setting up (platform, devices, context, programs) and of a launch. A measuring
 * tool, not part of clrender: docs/BENCHMARKS.md ("Start-up") shows what it found. */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

static double start_ms;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

__attribute__((constructor)) static void begin(void) {
    struct timespec used;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
    start_ms = now_ms() - ((double)used.tv_sec * 1e3 + (double)used.tv_nsec * 1e-6);
    fprintf(stderr, "cl_call_trace: loaded at %.2f ms\n", now_ms() - start_ms);
}

__attribute__((destructor)) static void end(void) {
    fprintf(stderr, "cl_call_trace: exiting at %.2f ms\n", now_ms() - start_ms);
}

/* The real function: the next definition, or libOpenCL's when the caller loaded it locally
 * (Python's ctypes). */
static void *real(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        void *library = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_NOLOAD);
        f = library ? dlsym(library, name) : NULL;
    }
    return f;
}

static void report(const char *name, double began) {
    double ended = now_ms();
    fprintf(stderr, "cl_call_trace: %s at %.2f ms, took %.2f ms\n", name, began - start_ms,
            ended - began);
}

#define TRACE(ret, name, params, args)                                                             \
    ret name params {                                                                              \
        static ret(*f) params;                                                                     \
        if (!f)                                                                                    \
            f = (ret(*) params)real(#name);                                                        \
        double began = now_ms();                                                                   \
        ret result = f args;                                                                       \
        report(#name, began);                                                                      \
        return result;                                                                             \
    }

TRACE(cl_int, clGetPlatformIDs, (cl_uint n, cl_platform_id *p, cl_uint *c), (n, p, c))
TRACE(cl_int, clGetDeviceIDs,
      (cl_platform_id p, cl_device_type t, cl_uint n, cl_device_id *d, cl_uint *c), (p, t, n, d, c))
TRACE(cl_context, clCreateContext,
      (const cl_context_properties *p, cl_uint n, const cl_device_id *d,
       void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *), void *u, cl_int *e),
      (p, n, d, notify, u, e))
TRACE(cl_command_queue, clCreateCommandQueue,
      (cl_context c, cl_device_id d, cl_command_queue_properties p, cl_int *e), (c, d, p, e))
TRACE(cl_program, clCreateProgramWithSource,
      (cl_context c, cl_uint n, const char **s, const size_t *l, cl_int *e), (c, n, s, l, e))
TRACE(cl_program, clCreateProgramWithBinary,
      (cl_context c, cl_uint n, const cl_device_id *d, const size_t *l, const unsigned char **b,
       cl_int *s, cl_int *e),
      (c, n, d, l, b, s, e))
TRACE(cl_int, clBuildProgram,
      (cl_program p, cl_uint n, const cl_device_id *d, const char *o,
       void(CL_CALLBACK *notify)(cl_program, void *), void *u),
      (p, n, d, o, notify, u))
TRACE(cl_kernel, clCreateKernel, (cl_program p, const char *n, cl_int *e), (p, n, e))
TRACE(cl_int, clEnqueueNDRangeKernel,
      (cl_command_queue q, cl_kernel k, cl_uint w, const size_t *o, const size_t *g,
       const size_t *l, cl_uint n, const cl_event *list, cl_event *e),
      (q, k, w, o, g, l, n, list, e))
TRACE(cl_int, clWaitForEvents, (cl_uint n, const cl_event *e), (n, e))
TRACE(cl_int, clReleaseContext, (cl_context c), (c))
