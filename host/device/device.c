#include "device/device.h"

#include "device/cl_status.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#define MAX_PLATFORMS            64
#define MAX_DEVICES_PER_PLATFORM 64

static void read_string(cl_device_id device, cl_device_info what, char *out, size_t size) {
    out[0] = '\0';
    if (clGetDeviceInfo(device, what, size, out, NULL) != CL_SUCCESS)
        snprintf(out, size, "(unknown)");
    out[size - 1] = '\0';
}

static int describe_device(device_entry *e, uint64_t max_allocation, uint64_t memory, failure *f) {
    cl_device_fp_config double_config = 0;
    CL_CHECK(f, failed, clGetDeviceInfo,
             (e->device, CL_DEVICE_TYPE, sizeof e->type, &e->type, NULL));
    CL_CHECK(
        f, failed, clGetDeviceInfo,
        (e->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof e->compute_units, &e->compute_units, NULL));
    CL_CHECK(
        f, failed, clGetDeviceInfo,
        (e->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof e->global_memory, &e->global_memory, NULL));
    CL_CHECK(f, failed, clGetDeviceInfo,
             (e->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof e->max_allocation, &e->max_allocation,
              NULL));
    CL_CHECK(f, failed, clGetDeviceInfo,
             (e->device, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof e->vector_width_float,
              &e->vector_width_float, NULL));
    CL_CHECK(f, failed, clGetDeviceInfo,
             (e->device, CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE, sizeof e->vector_width_double,
              &e->vector_width_double, NULL));
    cl_bool unified = CL_FALSE;
    cl_uint align_bits = 0;
    /* Optional answers (the first is deprecated since OpenCL 2.0): without them, copy. */
    if (clGetDeviceInfo(e->device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL) !=
            CL_SUCCESS ||
        clGetDeviceInfo(e->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits,
                        NULL) != CL_SUCCESS)
        unified = CL_FALSE;
    e->host_alignment = unified && (e->type & CL_DEVICE_TYPE_CPU) ? (align_bits + 7) / 8 : 0;
    /* A device without fp64 reports an empty config (or rejects the query on 1.0 drivers). */
    if (clGetDeviceInfo(e->device, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof double_config, &double_config,
                        NULL) != CL_SUCCESS)
        double_config = 0;
    e->fp64 = double_config != 0;
    if (max_allocation && max_allocation < e->max_allocation)
        e->max_allocation = max_allocation;
    if (memory && memory < e->global_memory)
        e->global_memory = memory;
    if (e->max_allocation > e->global_memory)
        e->max_allocation = e->global_memory;
    read_string(e->device, CL_DEVICE_NAME, e->name, sizeof e->name);
    read_string(e->device, CL_DEVICE_VERSION, e->version, sizeof e->version);
    read_string(e->device, CL_DRIVER_VERSION, e->driver_version, sizeof e->driver_version);
    if (clGetPlatformInfo(e->platform, CL_PLATFORM_NAME, sizeof e->platform_name, e->platform_name,
                          NULL) != CL_SUCCESS)
        snprintf(e->platform_name, sizeof e->platform_name, "(unknown)");
    e->platform_name[sizeof e->platform_name - 1] = '\0';
    if (clGetPlatformInfo(e->platform, CL_PLATFORM_VERSION, sizeof e->platform_version,
                          e->platform_version, NULL) != CL_SUCCESS)
        snprintf(e->platform_version, sizeof e->platform_version, "(unknown)");
    e->platform_version[sizeof e->platform_version - 1] = '\0';
    return 0;
failed:
    return f->status;
}

int device_list_query(device_list *list, uint64_t max_allocation, uint64_t memory, failure *f) {
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint platform_count = 0;
    list->items = NULL;
    list->count = 0;

    cl_int status = clGetPlatformIDs(MAX_PLATFORMS, platforms, &platform_count);
    if (status == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ ||
        (status == CL_SUCCESS && !platform_count)) {
        failure_set(f, CLR_RUNTIME_ERROR,
                    "no OpenCL platform found: install pocl-opencl-icd (CPU) or a GPU driver, "
                    "and check OCL_ICD_VENDORS if set");
        f->opencl_status = -1001;
        return f->status;
    }
    CL_CHECK_STATUS(f, failed, "clGetPlatformIDs", status);
    if (platform_count > MAX_PLATFORMS)
        platform_count = MAX_PLATFORMS;

    list->items = calloc((size_t)platform_count * MAX_DEVICES_PER_PLATFORM, sizeof *list->items);
    if (!list->items)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory listing OpenCL devices");

    for (cl_uint p = 0; p < platform_count; ++p) {
        cl_device_id devices[MAX_DEVICES_PER_PLATFORM];
        cl_uint device_count = 0;
        /* A platform with no usable device answers CL_DEVICE_NOT_FOUND: not an error. */
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devices,
                           &device_count) != CL_SUCCESS)
            continue;
        if (device_count > MAX_DEVICES_PER_PLATFORM)
            device_count = MAX_DEVICES_PER_PLATFORM;
        for (cl_uint d = 0; d < device_count; ++d) {
            device_entry *e = &list->items[list->count];
            e->platform = platforms[p];
            e->device = devices[d];
            e->platform_index = p;
            e->device_index = d;
            if (describe_device(e, max_allocation, memory, f) != 0)
                goto failed;
            list->count++;
        }
    }
    if (list->count == 0) {
        failure_set(f, CLR_RUNTIME_ERROR,
                    "OpenCL platforms found but no devices: a driver is installed but offers no "
                    "device; install pocl-opencl-icd (CPU) or a GPU driver");
        f->opencl_status = CL_DEVICE_NOT_FOUND;
        goto failed;
    }
    return 0;
failed:
    device_list_free(list);
    return f->status;
}

void device_list_free(device_list *list) {
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

const char *device_type_name(cl_device_type type) {
    if (type & CL_DEVICE_TYPE_GPU)
        return "GPU";
    if (type & CL_DEVICE_TYPE_CPU)
        return "CPU";
    if (type & CL_DEVICE_TYPE_ACCELERATOR)
        return "ACCELERATOR";
#ifdef CL_DEVICE_TYPE_CUSTOM
    if (type & CL_DEVICE_TYPE_CUSTOM)
        return "CUSTOM";
#endif
    return "OTHER";
}

clr_device_info device_info(const device_entry *d) {
    clr_device_info info;
    memset(&info, 0, sizeof info);
    info.platform_index = d->platform_index;
    info.device_index = d->device_index;
    info.type = d->type & CL_DEVICE_TYPE_GPU           ? CLR_DEVICE_GPU
                : d->type & CL_DEVICE_TYPE_CPU         ? CLR_DEVICE_CPU
                : d->type & CL_DEVICE_TYPE_ACCELERATOR ? CLR_DEVICE_ACCELERATOR
                                                       : CLR_DEVICE_OTHER;
    snprintf(info.type_name, sizeof info.type_name, "%s", device_type_name(d->type));
    snprintf(info.name, sizeof info.name, "%s", d->name);
    snprintf(info.platform_name, sizeof info.platform_name, "%s", d->platform_name);
    snprintf(info.version, sizeof info.version, "%s", d->version);
    snprintf(info.driver_version, sizeof info.driver_version, "%s", d->driver_version);
    info.compute_units = d->compute_units;
    info.global_memory = d->global_memory;
    info.max_allocation = d->max_allocation;
    info.fp64 = d->fp64;
    return info;
}

int device_open(const device_entry *entry, device_context *ctx, failure *f) {
    cl_int status = CL_SUCCESS;
    ctx->entry = entry;
    ctx->queue = NULL;
    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                          (cl_context_properties)entry->platform, 0};
    ctx->context = clCreateContext(properties, 1, &entry->device, NULL, NULL, &status);
    CL_CHECK_STATUS(f, failed, "clCreateContext", status);
    /* clCreateCommandQueue is deprecated in 2.0 but is the one call every 1.2+ driver has. */
    ctx->queue =
        clCreateCommandQueue(ctx->context, entry->device, CL_QUEUE_PROFILING_ENABLE, &status);
    CL_CHECK_STATUS(f, failed, "clCreateCommandQueue", status);
    return 0;
failed:
    device_close(ctx);
    return f->status;
}

void device_close(device_context *ctx) {
    if (ctx->queue)
        clReleaseCommandQueue(ctx->queue);
    if (ctx->context)
        clReleaseContext(ctx->context);
    ctx->queue = NULL;
    ctx->context = NULL;
}
