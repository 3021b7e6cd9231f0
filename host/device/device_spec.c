/* Choosing devices from a --device SPEC: logic over the listed devices (and, for local-rank,
 * the launcher's environment). */
#include "device/device.h"
#include "util/values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEM_LENGTH 255

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

static void list_devices(const device_entry *items, size_t count, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; ++i) {
        int n = snprintf(out + used, size - used, "%s%u:%u %s %s", i ? "; " : "",
                         items[i].platform_index, items[i].device_index,
                         device_type_name(items[i].type), items[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* "no OpenCL device matches 'ITEM'[ of 'LIST'][ (from ORIGIN)][; WHY]; available: ..." */
static int no_match_in(const device_entry *items, size_t count, const char *item, const char *spec,
                       const char *origin, const char *why, failure *f) {
    char listing[1024], from[64] = "", list[320] = "";
    list_devices(items, count, listing, sizeof listing);
    if (origin)
        snprintf(from, sizeof from, " (from %s)", origin);
    if (spec && strcmp(spec, item) != 0)
        snprintf(list, sizeof list, " of '%.300s'", spec);
    return failure_set(f, CLR_RUNTIME_ERROR, "no OpenCL device matches '%s'%s%s%s%s; available: %s",
                       item, list, from, why ? "; " : "", why ? why : "", listing);
}

static int no_match(const device_entry *items, size_t count, const char *item, const char *origin,
                    const char *why, failure *f) {
    return no_match_in(items, count, item, NULL, origin, why, f);
}

/* This process's place among the processes a launcher started on its host: clrender-mpi's
 * own count (CLRENDER_LOCAL_RANK, from MPI), else what Open MPI's mpirun, MPICH's Hydra or
 * Slurm's srun put in the environment; 0 for a process started alone. */
static unsigned long local_rank(void) {
    static const char *const names[] = {"CLRENDER_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK",
                                        "MPI_LOCALRANKID", "SLURM_LOCALID"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        const char *value = getenv(names[i]);
        if (value && all_digits(value) && strlen(value) < 10)
            return strtoul(value, NULL, 10);
    }
    return 0;
}

/* "local-rank" or "TYPE:local-rank": the processes of one host take its devices (of TYPE;
 * without it GPUs, or CPUs where there is no GPU) in turn, by local rank. */
static int choose_by_local_rank(const device_entry *items, size_t count, const char *item,
                                cl_device_type type, const char *spec, const char *origin,
                                size_t *index, failure *f) {
    if (!type) {
        size_t ignored;
        type = find_type(items, count, CL_DEVICE_TYPE_GPU, &ignored) ? CL_DEVICE_TYPE_GPU
                                                                     : CL_DEVICE_TYPE_CPU;
    }
    size_t of_type = 0;
    for (size_t i = 0; i < count; ++i)
        of_type += (items[i].type & type) != 0;
    if (!of_type)
        return no_match_in(items, count, item, spec, origin, NULL, f);
    size_t wanted = local_rank() % of_type;
    for (size_t i = 0, seen = 0; i < count; ++i)
        if ((items[i].type & type) && seen++ == wanted) {
            *index = i;
            break;
        }
    return 0;
}

/* One item of a spec: its device's index, or a failure. */
static int choose_one(const device_entry *items, size_t count, const char *item, const char *spec,
                      const char *origin, size_t *index, failure *f) {
    static const struct {
        const char *name;
        cl_device_type type;
    } types[] = {{"gpu", CL_DEVICE_TYPE_GPU},
                 {"cpu", CL_DEVICE_TYPE_CPU},
                 {"accelerator", CL_DEVICE_TYPE_ACCELERATOR}};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; ++t)
        if (text_equal_nocase(item, types[t].name))
            return find_type(items, count, types[t].type, index)
                       ? 0
                       : no_match_in(items, count, item, spec, origin, NULL, f);
    if (text_equal_nocase(item, "local-rank"))
        return choose_by_local_rank(items, count, item, 0, spec, origin, index, f);
    const char *colon = strchr(item, ':');
    if (colon && text_equal_nocase(colon + 1, "local-rank")) {
        char type_name[16] = "";
        if ((size_t)(colon - item) < sizeof type_name)
            memcpy(type_name, item, (size_t)(colon - item));
        for (size_t t = 0; t < sizeof types / sizeof types[0]; ++t)
            if (text_equal_nocase(type_name, types[t].name))
                return choose_by_local_rank(items, count, item, types[t].type, spec, origin, index,
                                            f);
        return no_match_in(items, count, item, spec, origin,
                           "local-rank takes gpu:, cpu: or accelerator: before it", f);
    }

    if (colon && !strncmp(item, "name:", 5)) {
        const char *text = item + 5;
        if (!*text)
            return no_match_in(items, count, item, spec, origin, "name: needs text after it", f);
        for (size_t i = 0; i < count; ++i)
            if (text_contains_nocase(items[i].name, text)) {
                *index = i;
                return 0;
            }
        return no_match_in(items, count, item, spec, origin, NULL, f);
    }
    if (colon) {
        char platform_text[16], device_text[16];
        size_t left = (size_t)(colon - item);
        if (left < sizeof platform_text && strlen(colon + 1) < sizeof device_text) {
            memcpy(platform_text, item, left);
            platform_text[left] = '\0';
            strcpy(device_text, colon + 1);
            if (all_digits(platform_text) && all_digits(device_text)) {
                unsigned long p = strtoul(platform_text, NULL, 10);
                unsigned long d = strtoul(device_text, NULL, 10);
                for (size_t i = 0; i < count; ++i)
                    if (items[i].platform_index == p && items[i].device_index == d) {
                        *index = i;
                        return 0;
                    }
                return no_match_in(items, count, item, spec, origin, NULL, f);
            }
        }
    }
    if (all_digits(item)) {
        /* An index, never a name: "1" must not pick a device whose name holds a 1. */
        if (strlen(item) < 12 && strtoull(item, NULL, 10) < count) {
            *index = (size_t)strtoull(item, NULL, 10);
            return 0;
        }
        char why[160];
        snprintf(why, sizeof why,
                 "there is no device %s (indices 0 to %zu); for a name made of digits write "
                 "name:%s",
                 item, count ? count - 1 : 0, item);
        return no_match_in(items, count, item, spec, origin, why, f);
    }
    for (size_t i = 0; i < count; ++i)
        if (text_contains_nocase(items[i].name, item)) {
            *index = i;
            return 0;
        }
    return no_match_in(items, count, item, spec, origin, NULL, f);
}

int device_choose(const device_entry *items, size_t count, const char *spec, const char *origin,
                  size_t *chosen, size_t *chosen_count, failure *f) {
    *chosen_count = 0;
    if (!spec || !*spec) {
        size_t index = 0;
        if (!find_type(items, count, CL_DEVICE_TYPE_GPU, &index) &&
            !find_type(items, count, CL_DEVICE_TYPE_CPU, &index) && !count)
            return no_match(items, count, "(default)", origin, NULL, f);
        chosen[(*chosen_count)++] = index;
        return 0;
    }
    if (text_equal_nocase(spec, "all")) {
        if (!count)
            return no_match(items, count, spec, origin, NULL, f);
        for (size_t i = 0; i < count; ++i)
            chosen[i] = i;
        *chosen_count = count;
        return 0;
    }
    const char *start = spec;
    for (;;) {
        const char *comma = strchr(start, ',');
        size_t length = comma ? (size_t)(comma - start) : strlen(start);
        char item[MAX_ITEM_LENGTH + 1];
        if (length == 0 || length > MAX_ITEM_LENGTH) {
            *chosen_count = 0;
            return no_match(items, count, spec, origin,
                            length ? "an item is too long" : "an item of the list is empty", f);
        }
        memcpy(item, start, length);
        item[length] = '\0';
        size_t index = 0;
        if (choose_one(items, count, item, spec, origin, &index, f) != 0) {
            *chosen_count = 0;
            return f->status;
        }
        for (size_t i = 0; i < *chosen_count; ++i)
            if (chosen[i] == index) {
                char why[96];
                snprintf(why, sizeof why, "it names device %u:%u again",
                         items[index].platform_index, items[index].device_index);
                *chosen_count = 0;
                return no_match_in(items, count, item, spec, origin, why, f);
            }
        chosen[(*chosen_count)++] = index;
        if (!comma)
            return 0;
        start = comma + 1;
    }
}
