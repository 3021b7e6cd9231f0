/* device.h — the one device layer: find OpenCL devices, choose them, open them.
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

typedef struct device_entry {
    cl_platform_id platform;
    cl_device_id device;
    unsigned platform_index, device_index;
    cl_device_type type;
    char name[256];
    char platform_name[256];
    char platform_version[256]; /* names the driver's LLVM on PoCL: part of a cached binary's key */
    char version[128];
    char driver_version[128];
    cl_uint compute_units;
    cl_ulong global_memory;  /* bytes */
    cl_ulong max_allocation; /* bytes, CL_DEVICE_MAX_MEM_ALLOC_SIZE */
    bool fp64;
    cl_uint vector_width_float; /* CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT */
    cl_uint vector_width_double;
    /* Buffers made over host memory aligned to `host_alignment` bytes are used in place,
     * not copied: a CPU device shares the host's memory. 0 when they would be copied. */
    size_t host_alignment;
} device_entry;

typedef struct device_list {
    device_entry *items;
    size_t count;
} device_list;

/* Queries every platform and device. No platform at all is a runtime failure
 * with an installation hint; a platform that fails to enumerate is skipped.
 * Test hooks: a non-zero `max_allocation` caps what each device says it
 * allocates at once (small images need several bands, small volumes several
 * slabs), a non-zero `memory` caps its memory (inputs are dropped and uploaded
 * again). */
int device_list_query(device_list *list, uint64_t max_allocation, uint64_t memory, failure *f);
void device_list_free(device_list *list);

/* "GPU", "CPU", "ACCELERATOR", ... */
const char *device_type_name(cl_device_type type);

/* The public description of a device. */
clr_device_info device_info(const device_entry *d);

/* Chooses devices by SPEC: "all", or items separated by commas, each "gpu",
 * "cpu", "accelerator" (the first of that type), "P:D", a plain index (which
 * must exist), "name:TEXT" or TEXT that is no number (the first device whose
 * name contains it, ignoring case). A NULL or empty spec means the first GPU,
 * else the first CPU, else the first device. Writes the distinct indices into
 * `chosen` (room for `count`) and their number into *chosen_count. When an
 * item matches nothing the failure lists the devices that do exist, and names
 * `origin` (e.g. "CLRENDER_DEVICE") when the spec came from there. */
int device_choose(const device_entry *items, size_t count, const char *spec, const char *origin,
                  size_t *chosen, size_t *chosen_count, failure *f);

/* An opened device: its context and an in-order queue with profiling. */
typedef struct device_context {
    const device_entry *entry;
    cl_context context;
    cl_command_queue queue;
} device_context;

int device_open(const device_entry *entry, device_context *ctx, failure *f);
void device_close(device_context *ctx);

#endif
