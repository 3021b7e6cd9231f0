#define _POSIX_C_SOURCE 200809L /* unsetenv */
/* The sphere renderer's launch description: kernel choice per device, fp64, arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/render_command.h"
#include "renderers/sphere/sphere.h"

#include <stdlib.h>
#include <string.h>

/* Parses `sphere ARGS -o x.png` into params (loading the built-in scene when no preset). */
static void parse(sphere_params *p, const char *const *args, size_t count) {
    char *argv[16] = {"clrender", "sphere", "-o", "x.png"};
    assert_true(count + 4 <= 16);
    for (size_t i = 0; i < count; ++i)
        argv[4 + i] = (char *)args[i];
    render_options options;
    failure f = {0, ""};
    unsetenv("CLRENDER_DEVICE");
    assert_int_equal(render_parse(&sphere_renderer, (int)(count + 4), argv, 2, &options, p, &f), 0);
}

static int prepare(const sphere_params *p, cl_device_type type, bool fp64,
                   dispatch_request *request, failure *f) {
    device_entry d;
    memset(&d, 0, sizeof d);
    d.type = type;
    strcpy(d.name, "Test device");
    d.fp64 = fp64;
    memset(request, 0, sizeof *request);
    *f = (failure){0, ""};
    return sphere_renderer.prepare(p, &d, request, f);
}

static void cpu_devices_get_the_simd_kernel_over_eight_pixel_columns(void **state) {
    (void)state;
    sphere_params p;
    const char *args[] = {"--size", "17x5"};
    parse(&p, args, 2);
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(&p, CL_DEVICE_TYPE_CPU, true, &request, &f), 0);
    assert_string_equal(request.entry_point, "raytrace_simd");
    assert_int_equal(request.width, 3); /* ceil(17 / 8) work-items per row */
    assert_int_equal(request.height, 5);
    sphere_renderer.release(&p);
}

static void gpus_and_explicit_per_pixel_get_one_work_item_per_pixel(void **state) {
    (void)state;
    sphere_params p;
    const char *none[] = {"--size", "17x5"};
    parse(&p, none, 2);
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(&p, CL_DEVICE_TYPE_GPU, true, &request, &f), 0);
    assert_string_equal(request.entry_point, "raytrace");
    assert_int_equal(request.width, 17);
    sphere_renderer.release(&p);

    const char *per_pixel[] = {"--size", "17x5", "--kernel", "per-pixel"};
    parse(&p, per_pixel, 4);
    assert_int_equal(prepare(&p, CL_DEVICE_TYPE_CPU, true, &request, &f), 0);
    assert_string_equal(request.entry_point, "raytrace");
    /* width, height, view, spheres, sphere count, lights, light count, depth, spp */
    assert_int_equal(request.arg_count, 9);
    assert_int_equal(request.args[3].kind, KERNEL_ARG_INPUT_BUFFER);
    assert_int_equal(request.args[3].size, 6 * RAYTRACE_SPHERE_STRIDE * sizeof(double));
    cl_uint sphere_count;
    memcpy(&sphere_count, request.args[4].bytes, sizeof sphere_count);
    assert_int_equal(sphere_count, 6);
    sphere_renderer.release(&p);
}

static void presets_use_the_seed_kernels(void **state) {
    (void)state;
    sphere_params p;
    const char *args[] = {"--preset", "pyo3"};
    parse(&p, args, 2);
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(&p, CL_DEVICE_TYPE_CPU, true, &request, &f), 0);
    assert_string_equal(request.program, "sphere_seeds");
    assert_string_equal(request.entry_point, "pyo3");
    assert_int_equal(request.width, 80);
    assert_int_equal(request.height, 60);
    sphere_renderer.release(&p);
}

static void devices_without_fp64_are_refused(void **state) {
    (void)state;
    sphere_params p;
    const char *args[] = {"--preset", "pyconde"};
    parse(&p, args, 2);
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(&p, CL_DEVICE_TYPE_GPU, false, &request, &f), CLR_EXIT_RUNTIME);
    assert_non_null(strstr(f.message, "Test device"));
    assert_non_null(strstr(f.message, "fp64"));
    sphere_renderer.release(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_devices_get_the_simd_kernel_over_eight_pixel_columns),
        cmocka_unit_test(gpus_and_explicit_per_pixel_get_one_work_item_per_pixel),
        cmocka_unit_test(presets_use_the_seed_kernels),
        cmocka_unit_test(devices_without_fp64_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
