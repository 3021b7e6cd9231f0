/* startup_floor.c — the least a process that renders with OpenCL pays before any kernel.
 *
 *     cc -O2 tools/startup_floor.c -o floor -lOpenCL && ./floor [context]
 *
 * Finds the first platform and its first device (the ICD loader reads its vendor files and
 * loads the driver: PoCL with LLVM and clang), and with `context` also makes a context and
 * a queue on it; nothing else. tools/startup_bench.py times this whole process beside
 * clrender's: no clrender process can start faster on the same driver. Exit status 1 when
 * an OpenCL call fails (its name and status on stderr). */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <string.h>

static int failed(const char *call, cl_int status) {
    fprintf(stderr, "startup_floor: %s failed: %d\n", call, status);
    return 1;
}

int main(int argc, char **argv) {
    cl_platform_id platform;
    cl_device_id device;
    cl_uint count = 0;
    cl_int status = clGetPlatformIDs(1, &platform, &count);
    if (status != CL_SUCCESS || count == 0)
        return failed("clGetPlatformIDs", status);
    status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &count);
    if (status != CL_SUCCESS || count == 0)
        return failed("clGetDeviceIDs", status);
    if (argc > 1 && !strcmp(argv[1], "context")) {
        cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &status);
        if (status != CL_SUCCESS)
            return failed("clCreateContext", status);
        cl_command_queue queue = clCreateCommandQueue(context, device, 0, &status);
        if (status != CL_SUCCESS)
            return failed("clCreateCommandQueue", status);
        if ((status = clReleaseCommandQueue(queue)) != CL_SUCCESS)
            return failed("clReleaseCommandQueue", status);
        if ((status = clReleaseContext(context)) != CL_SUCCESS)
            return failed("clReleaseContext", status);
    }
    return 0;
}
