/* device.h — the one device layer: find OpenCL devices, choose one, open it.
 *
 * Devices are numbered in listing order: platforms as the ICD loader returns
 * them, devices within a platform as the driver returns them. "P:D" names
 * device D of platform P; a plain index counts all devices in that order.
 */
#ifndef CLRENDER_DEVICE_H
#define CLRENDER_DEVICE_H

#include "util/failure.h"

#include <CL/cl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct device_entry {
    cl_platform_id platform;
    cl_device_id device;
    unsigned platform_index, device_index;
    cl_device_type type;
    char name[256];
    char platform_name[256];
    char version[128];
    cl_uint compute_units;
    cl_ulong global_memory;  /* bytes */
    cl_ulong max_allocation; /* bytes, CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    bool fp64;
    cl_uint vector_width_float; /* CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT */
    cl_uint vector_width_double;
} device_entry;

typedef struct device_list {
    device_entry *items;
    size_t count;
} device_list;

/* Queries every platform and device. No platform at all is a runtime failure
 * with an installation hint; a platform that fails to enumerate is skipped. */
int device_list_query(device_list *list, failure *f);
void device_list_free(device_list *list);

/* "GPU", "CPU", "ACCELERATOR", ... */
const char *device_type_name(cl_device_type type);

/* Chooses from `items` by SPEC: "gpu", "cpu", "P:D", a plain index, or a
 * case-insensitive substring of the device name. A NULL or empty spec means
 * the first GPU, else the first CPU, else the first device. When nothing
 * matches, the failure lists the devices that do exist. */
int device_select(const device_entry *items, size_t count, const char *spec, size_t *index,
                  failure *f);

/* One line: "0:0  CPU  pthread-haswell  2 CU  3.9 GiB  fp64 yes". */
void device_print_line(FILE *out, const device_entry *d);
void device_print_json(FILE *out, const device_entry *items, size_t count);

/* An opened device: its context and an in-order queue with profiling. */
typedef struct device_context {
    const device_entry *entry;
    cl_context context;
    cl_command_queue queue;
} device_context;

int device_open(const device_entry *entry, device_context *ctx, failure *f);
void device_close(device_context *ctx);

#endif
