/* Unit tests for device_choose(): choosing devices from a --device SPEC.
 *
 * The choice is pure logic over the listed devices, so these tests hand it
 * made-up listings (no OpenCL platform needed) shaped like real machines: a
 * CPU platform listed before a GPU platform with two cards, and so on.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "device/device.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* An index no listing below has: shows that a failed selection did not pick anything. */
#define NO_INDEX ((size_t)999)

static device_entry make_device(cl_device_type type, const char *name, unsigned platform_index,
                                unsigned device_index) {
    device_entry d;
    memset(&d, 0, sizeof d); /* platform and device handles stay NULL: never used here */
    d.type = type;
    d.platform_index = platform_index;
    d.device_index = device_index;
    snprintf(d.name, sizeof d.name, "%s", name);
    snprintf(d.platform_name, sizeof d.platform_name, "platform %u", platform_index);
    return d;
}

/* PoCL's CPU first, then a GPU platform with two cards, then an accelerator:
 * the first GPU is at index 1, so "first device" and "first GPU" differ. */
static void make_workstation(device_entry devices[4]) {
    devices[0] = make_device(CL_DEVICE_TYPE_CPU, "pthread-haswell", 0, 0);
    devices[1] = make_device(CL_DEVICE_TYPE_GPU, "NVIDIA H100 80GB HBM3", 1, 0);
    devices[2] = make_device(CL_DEVICE_TYPE_GPU, "NVIDIA GeForce RTX 4090", 1, 1);
    devices[3] = make_device(CL_DEVICE_TYPE_ACCELERATOR, "Intel FPGA Emulation Device", 2, 0);
}

#define EXPECT_SELECTS(devices, count, spec, expected)                                             \
    expect_selects((devices), (count), (spec), (expected), __LINE__)

static void expect_selects(const device_entry *devices, size_t count, const char *spec,
                           size_t expected, int line) {
    size_t index[8] = {NO_INDEX}, chosen = 0;
    failure f = {0};
    int status = device_choose(devices, count, spec, NULL, index, &chosen, &f);
    if (status != 0 || chosen != 1 || index[0] != expected) {
        print_error("line %d: spec '%s' gave status %d, %zu devices, the first %zu; expected "
                    "index %zu alone (%s)\n",
                    line, spec ? spec : "(null)", status, chosen, index[0], expected, f.message);
        _fail(__FILE__, line);
    }
}

/* A list: exactly these indices, in this order. */
#define EXPECT_CHOOSES(devices, count, spec, ...)                                                  \
    expect_chooses((devices), (count), (spec), (const size_t[]){__VA_ARGS__},                      \
                   sizeof((const size_t[]){__VA_ARGS__}) / sizeof(size_t), __LINE__)

static void expect_chooses(const device_entry *devices, size_t count, const char *spec,
                           const size_t *expected, size_t expected_count, int line) {
    size_t index[8], chosen = 0;
    failure f = {0};
    int status = device_choose(devices, count, spec, NULL, index, &chosen, &f);
    int same = status == 0 && chosen == expected_count;
    for (size_t i = 0; same && i < chosen; ++i)
        same = index[i] == expected[i];
    if (!same) {
        print_error("line %d: spec '%s' gave status %d and %zu devices (%s)\n", line, spec, status,
                    chosen, f.message);
        _fail(__FILE__, line);
    }
}

/* The selection must fail as a runtime error whose message repeats the spec
 * and names every device that does exist, so the user can pick one. */
#define EXPECT_NO_MATCH(devices, count, spec) expect_no_match((devices), (count), (spec), __LINE__)

static void expect_no_match(const device_entry *devices, size_t count, const char *spec, int line) {
    size_t index[8] = {NO_INDEX}, chosen = 0;
    failure f = {0};
    int status = device_choose(devices, count, spec, NULL, index, &chosen, &f);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "'%s'", spec);
    const char *problem = NULL;
    if (status != CLR_RUNTIME_ERROR || f.status != CLR_RUNTIME_ERROR)
        problem = "it is not a runtime failure";
    else if (chosen != 0)
        problem = "a device was chosen anyway";
    else if (!strstr(f.message, quoted))
        problem = "the message does not repeat the spec";
    for (size_t i = 0; !problem && i < count; ++i)
        if (!strstr(f.message, devices[i].name))
            problem = "the message does not list every device";
    if (problem) {
        print_error("line %d: spec '%s' (status %d): %s: %s\n", line, spec, status, problem,
                    f.message);
        _fail(__FILE__, line);
    }
}

static void default_prefers_the_first_gpu_over_an_earlier_cpu(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_SELECTS(devices, 4, NULL, 1);
    EXPECT_SELECTS(devices, 4, "", 1);
}

static void default_falls_back_to_the_first_cpu(void **state) {
    (void)state;
    const device_entry devices[] = {
        make_device(CL_DEVICE_TYPE_ACCELERATOR, "fpga", 0, 0),
        make_device(CL_DEVICE_TYPE_CPU, "cpu one", 1, 0),
        make_device(CL_DEVICE_TYPE_CPU, "cpu two", 1, 1),
    };
    EXPECT_SELECTS(devices, 3, NULL, 1);
}

static void default_takes_the_first_device_when_there_is_no_gpu_or_cpu(void **state) {
    (void)state;
    const device_entry devices[] = {
        make_device(CL_DEVICE_TYPE_ACCELERATOR, "fpga one", 0, 0),
        make_device(CL_DEVICE_TYPE_ACCELERATOR, "fpga two", 0, 1),
    };
    EXPECT_SELECTS(devices, 2, NULL, 0);
}

static void default_fails_when_there_are_no_devices(void **state) {
    (void)state;
    size_t index[1] = {NO_INDEX}, chosen = 0;
    failure f = {0};
    assert_int_equal(device_choose(NULL, 0, NULL, NULL, index, &chosen, &f), CLR_RUNTIME_ERROR);
    assert_int_equal(chosen, 0);
    assert_true(f.message[0] != '\0');
}

static void type_keywords_pick_the_first_of_that_type_in_any_case(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_SELECTS(devices, 4, "gpu", 1);
    EXPECT_SELECTS(devices, 4, "GPU", 1);
    EXPECT_SELECTS(devices, 4, "Gpu", 1);
    EXPECT_SELECTS(devices, 4, "cpu", 0);
    EXPECT_SELECTS(devices, 4, "CPU", 0);
    EXPECT_SELECTS(devices, 4, "accelerator", 3);
}

static void platform_colon_device_names_one_device_by_its_indices(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_SELECTS(devices, 4, "0:0", 0);
    EXPECT_SELECTS(devices, 4, "1:0", 1);
    /* Platform 1, device 1 is the third entry: the indices are matched, not the position. */
    EXPECT_SELECTS(devices, 4, "1:1", 2);
    EXPECT_SELECTS(devices, 4, "2:0", 3);
}

static void plain_index_counts_all_devices_across_platforms(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_SELECTS(devices, 4, "0", 0);
    EXPECT_SELECTS(devices, 4, "2", 2);
    EXPECT_SELECTS(devices, 4, "3", 3);
}

static void name_part_matches_case_insensitively_and_first_match_wins(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_SELECTS(devices, 4, "h100", 1);
    EXPECT_SELECTS(devices, 4, "RTX", 2);
    EXPECT_SELECTS(devices, 4, "Haswell", 0);
    EXPECT_SELECTS(devices, 4, "fpga", 3);
    EXPECT_SELECTS(devices, 4, "nvidia", 1);
}

static void name_with_a_colon_is_not_mistaken_for_platform_and_device(void **state) {
    (void)state;
    /* AMD names its GPUs like this; "gfx90a:sramecc" must reach the name match. */
    const device_entry devices[] = {
        make_device(CL_DEVICE_TYPE_CPU, "pthread-znver3", 0, 0),
        make_device(CL_DEVICE_TYPE_GPU, "gfx90a:sramecc+:xnack-", 1, 0),
    };
    EXPECT_SELECTS(devices, 2, "gfx90a:sramecc", 1);
}

static void digits_are_an_index_and_a_name_of_digits_needs_the_name_prefix(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    /* "1" is device 1, never "the first name with a 1 in it". */
    EXPECT_SELECTS(devices, 4, "1", 1);
    EXPECT_SELECTS(devices, 4, "0", 0); /* an index, though "H100" holds a 0 */
    /* An index that does not exist fails, and says how to match a name of digits. */
    EXPECT_NO_MATCH(devices, 4, "4090");
    size_t index[8], chosen = 0;
    failure f = {0};
    assert_int_equal(device_choose(devices, 4, "4090", NULL, index, &chosen, &f),
                     CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "there is no device 4090"));
    assert_non_null(strstr(f.message, "name:4090"));
    EXPECT_SELECTS(devices, 4, "name:4090", 2);
    EXPECT_SELECTS(devices, 4, "name:h100", 1);
    EXPECT_NO_MATCH(devices, 4, "name:");
    EXPECT_NO_MATCH(devices, 4, "name:5090");
}

static void lists_and_all_choose_several_devices_in_order(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_CHOOSES(devices, 4, "all", 0, 1, 2, 3);
    EXPECT_CHOOSES(devices, 4, "ALL", 0, 1, 2, 3);
    EXPECT_CHOOSES(devices, 4, "1:1,0:0", 2, 0);
    EXPECT_CHOOSES(devices, 4, "gpu,cpu", 1, 0);
    EXPECT_CHOOSES(devices, 4, "h100,rtx,2:0", 1, 2, 3);
    /* Naming a device twice, an empty item and an unknown item are refused. */
    EXPECT_NO_MATCH(devices, 4, "0,0:0");
    EXPECT_NO_MATCH(devices, 4, "0,");
    EXPECT_NO_MATCH(devices, 4, ",0");
    EXPECT_NO_MATCH(devices, 4, "0,nomatch");
}

static void a_spec_from_the_environment_says_so(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    size_t index[8], chosen = 0;
    failure f = {0};
    assert_int_equal(device_choose(devices, 4, "7", "CLRENDER_DEVICE", index, &chosen, &f),
                     CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "'7' (from CLRENDER_DEVICE)"));
}

static void unmatched_specs_fail_and_list_the_devices_that_exist(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    EXPECT_NO_MATCH(devices, 4, "7"); /* no such index, and no name holds a 7 */
    EXPECT_NO_MATCH(devices, 4, "5"); /* past the last index, and in no name */
    EXPECT_NO_MATCH(devices, 4, "3:0");
    EXPECT_NO_MATCH(devices, 4, "1:2");
    EXPECT_NO_MATCH(devices, 4, "nomatch");

    /* A keyword for a type the machine lacks fails rather than falling back. */
    const device_entry cpu_only[] = {
        make_device(CL_DEVICE_TYPE_CPU, "pthread-haswell", 0, 0),
        make_device(CL_DEVICE_TYPE_CPU, "Intel(R) Core(TM) i7", 1, 0),
    };
    EXPECT_NO_MATCH(cpu_only, 2, "gpu");
    EXPECT_NO_MATCH(cpu_only, 2, "accelerator");
    const device_entry gpu_only[] = {make_device(CL_DEVICE_TYPE_GPU, "NVIDIA H100", 0, 0)};
    EXPECT_NO_MATCH(gpu_only, 1, "cpu");
}

/* local-rank: the processes of one host take its devices of a type in turn, by the local
 * rank their launcher gives them (clrender-mpi's own first, then Open MPI's, MPICH's, Slurm's),
 * 0 for a process started alone. */
static void local_rank_takes_a_hosts_devices_in_turn(void **state) {
    (void)state;
    device_entry devices[4];
    make_workstation(devices);
    const char *launchers[] = {"CLRENDER_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK",
                               "MPI_LOCALRANKID", "SLURM_LOCALID"};
    for (size_t k = 0; k < 4; ++k)
        unsetenv(launchers[k]);
    EXPECT_SELECTS(devices, 4, "local-rank", 1); /* alone: the first GPU */
    EXPECT_SELECTS(devices, 4, "cpu:local-rank", 0);
    for (size_t k = 0; k < 4; ++k) {
        setenv(launchers[k], "3", 1);
        EXPECT_SELECTS(devices, 4, "local-rank", 2); /* 3 mod 2 GPUs: the second */
        EXPECT_SELECTS(devices, 4, "GPU:Local-Rank", 2);
        EXPECT_SELECTS(devices, 4, "cpu:local-rank", 0); /* 3 mod 1 CPU */
        EXPECT_SELECTS(devices, 4, "accelerator:local-rank", 3);
        if (k > 0) { /* the earlier name wins */
            setenv(launchers[0], "0", 1);
            EXPECT_SELECTS(devices, 4, "local-rank", 1);
            unsetenv(launchers[0]);
        }
        unsetenv(launchers[k]);
    }
    /* without a GPU, CPUs; a type the host lacks, or a word that is no type, is no match */
    device_entry cpus[2] = {make_device(CL_DEVICE_TYPE_CPU, "pthread-a", 0, 0),
                            make_device(CL_DEVICE_TYPE_CPU, "pthread-b", 0, 1)};
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
    EXPECT_SELECTS(cpus, 2, "local-rank", 1);
    EXPECT_NO_MATCH(cpus, 2, "gpu:local-rank");
    EXPECT_NO_MATCH(cpus, 2, "fpga:local-rank");
    EXPECT_NO_MATCH(cpus, 2, ":local-rank");
    unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_prefers_the_first_gpu_over_an_earlier_cpu),
        cmocka_unit_test(default_falls_back_to_the_first_cpu),
        cmocka_unit_test(default_takes_the_first_device_when_there_is_no_gpu_or_cpu),
        cmocka_unit_test(default_fails_when_there_are_no_devices),
        cmocka_unit_test(type_keywords_pick_the_first_of_that_type_in_any_case),
        cmocka_unit_test(platform_colon_device_names_one_device_by_its_indices),
        cmocka_unit_test(plain_index_counts_all_devices_across_platforms),
        cmocka_unit_test(name_part_matches_case_insensitively_and_first_match_wins),
        cmocka_unit_test(name_with_a_colon_is_not_mistaken_for_platform_and_device),
        cmocka_unit_test(digits_are_an_index_and_a_name_of_digits_needs_the_name_prefix),
        cmocka_unit_test(lists_and_all_choose_several_devices_in_order),
        cmocka_unit_test(a_spec_from_the_environment_says_so),
        cmocka_unit_test(unmatched_specs_fail_and_list_the_devices_that_exist),
        cmocka_unit_test(local_rank_takes_a_hosts_devices_in_turn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
