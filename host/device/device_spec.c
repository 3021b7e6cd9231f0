/* Choosing a device from a --device SPEC; pure logic over the listed devices. */
#include "device/device.h"
#include "util/values.h"

#include <stdlib.h>
#include <string.h>

static int find_type(const device_entry *items, size_t count, cl_device_type type, size_t *index) {
    for (size_t i = 0; i < count; ++i)
        if (items[i].type & type) {
            *index = i;
            return 1;
        }
    return 0;
}

static int all_digits(const char *s) {
    if (!*s)
        return 0;
    for (; *s; ++s)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int no_match(const device_entry *items, size_t count, const char *spec, failure *f) {
    char listing[700] = "";
    size_t used = 0;
    for (size_t i = 0; i < count && used < sizeof listing; ++i) {
        int n = snprintf(listing + used, sizeof listing - used, "%s%u:%u %s %s", i ? "; " : "",
                         items[i].platform_index, items[i].device_index,
                         device_type_name(items[i].type), items[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return failure_set(f, CLR_EXIT_RUNTIME, "no OpenCL device matches '%s'; available: %s", spec,
                       listing);
}

int device_select(const device_entry *items, size_t count, const char *spec, size_t *index,
                  failure *f) {
    if (!spec || !*spec) {
        if (find_type(items, count, CL_DEVICE_TYPE_GPU, index) ||
            find_type(items, count, CL_DEVICE_TYPE_CPU, index))
            return 0;
        if (count) {
            *index = 0;
            return 0;
        }
        return no_match(items, count, "(default)", f);
    }
    if (text_equal_nocase(spec, "gpu"))
        return find_type(items, count, CL_DEVICE_TYPE_GPU, index) ? 0
                                                                  : no_match(items, count, spec, f);
    if (text_equal_nocase(spec, "cpu"))
        return find_type(items, count, CL_DEVICE_TYPE_CPU, index) ? 0
                                                                  : no_match(items, count, spec, f);
    if (text_equal_nocase(spec, "accelerator"))
        return find_type(items, count, CL_DEVICE_TYPE_ACCELERATOR, index)
                   ? 0
                   : no_match(items, count, spec, f);

    const char *colon = strchr(spec, ':');
    if (colon && colon != spec && strlen(colon + 1) < 12 && (size_t)(colon - spec) < 12) {
        char platform_text[12], device_text[12];
        memcpy(platform_text, spec, (size_t)(colon - spec));
        platform_text[colon - spec] = '\0';
        strcpy(device_text, colon + 1);
        if (all_digits(platform_text) && all_digits(device_text)) {
            unsigned long p = strtoul(platform_text, NULL, 10), d = strtoul(device_text, NULL, 10);
            for (size_t i = 0; i < count; ++i)
                if (items[i].platform_index == p && items[i].device_index == d) {
                    *index = i;
                    return 0;
                }
            return no_match(items, count, spec, f);
        }
    }
    if (all_digits(spec) && strlen(spec) < 12) {
        unsigned long n = strtoul(spec, NULL, 10);
        if (n < count) {
            *index = n;
            return 0;
        }
        /* Not an index here: perhaps part of a name, as in "4090". */
    }
    for (size_t i = 0; i < count; ++i)
        if (text_contains_nocase(items[i].name, spec)) {
            *index = i;
            return 0;
        }
    return no_match(items, count, spec, f);
}
