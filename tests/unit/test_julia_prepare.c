/* The julia renderer's launch description: precision, fp64 refusal, arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "renderers/julia/julia.h"

#include <string.h>

/* Describes the blog-overview launch at `precision` on a device with or without fp64. */
static int prepare(precision precision, bool fp64, dispatch_request *request, failure *f) {
    julia_params p;
    julia_renderer.init(&p);
    p.precision = precision;
    device_entry d;
    memset(&d, 0, sizeof d);
    d.type = CL_DEVICE_TYPE_GPU;
    strcpy(d.name, "Test GPU");
    d.fp64 = fp64;
    memset(request, 0, sizeof *request);
    *f = (failure){0, ""};
    return julia_renderer.prepare(&p, &d, request, f);
}

static void double_on_a_device_without_fp64_is_refused_with_a_hint(void **state) {
    (void)state;
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(PRECISION_DOUBLE, false, &request, &f), CLR_EXIT_RUNTIME);
    assert_non_null(strstr(f.message, "Test GPU"));
    assert_non_null(strstr(f.message, "--precision float"));
}

static void float_runs_without_fp64_and_passes_float_arguments(void **state) {
    (void)state;
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(PRECISION_FLOAT, false, &request, &f), 0);
    assert_null(strstr(request.build_options, "JULIA_DOUBLE"));
    /* width, height, nine reals, max_iter — the kernel's arguments after the output */
    assert_int_equal(request.arg_count, 12);
    for (size_t i = 2; i < 11; ++i)
        assert_int_equal(request.args[i].size, sizeof(cl_float));
    float x_step;
    memcpy(&x_step, request.args[4].bytes, sizeof x_step);
    assert_true(x_step == (float)(3.2 / 999.0));
}

static void double_passes_the_linspace_step_and_squared_radius(void **state) {
    (void)state;
    dispatch_request request;
    failure f;
    assert_int_equal(prepare(PRECISION_DOUBLE, true, &request, &f), 0);
    assert_non_null(strstr(request.build_options, "-DJULIA_DOUBLE"));
    assert_int_equal(request.width, 1000);
    assert_int_equal(request.height, 625);
    double y_step, escape_r2;
    cl_uint max_iter;
    memcpy(&y_step, request.args[7].bytes, sizeof y_step);
    memcpy(&escape_r2, request.args[10].bytes, sizeof escape_r2);
    memcpy(&max_iter, request.args[11].bytes, sizeof max_iter);
    assert_true(y_step == 2.0 / 624.0); /* numpy.linspace's step: (stop - start) / (n - 1) */
    assert_true(escape_r2 == 4.0);
    assert_int_equal(max_iter, 80);
}

static void cpu_devices_get_the_simd_kernel_with_their_vector_width(void **state) {
    (void)state;
    julia_params p;
    julia_renderer.init(&p);
    device_entry d;
    memset(&d, 0, sizeof d);
    d.type = CL_DEVICE_TYPE_CPU;
    d.fp64 = true;
    d.vector_width_double = 8;
    d.vector_width_float = 16;
    dispatch_request request;
    memset(&request, 0, sizeof request);
    failure f = {0, ""};
    assert_int_equal(julia_renderer.prepare(&p, &d, &request, &f), 0);
    assert_string_equal(request.entry_point, "julia_simd");
    assert_non_null(strstr(request.build_options, "-DLANES=8"));
    assert_int_equal(request.width, 125);  /* ceil(1000 / 8 lanes) */
    assert_int_equal(request.height, 157); /* ceil(625 / 4 rows) */

    memset(&request, 0, sizeof request);
    p.kernel = KERNEL_PER_PIXEL;
    assert_int_equal(julia_renderer.prepare(&p, &d, &request, &f), 0);
    assert_string_equal(request.entry_point, "julia");
    assert_int_equal(request.width, 1000);
}

static void simd_lanes_are_an_opencl_vector_size(void **state) {
    (void)state;
    assert_int_equal(simd_lanes(0), 8); /* no preference */
    assert_int_equal(simd_lanes(1), 8);
    assert_int_equal(simd_lanes(2), 2);
    assert_int_equal(simd_lanes(3), 2);
    assert_int_equal(simd_lanes(8), 8);
    assert_int_equal(simd_lanes(16), 8); /* wider blocks wait longer for their slowest pixel */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_on_a_device_without_fp64_is_refused_with_a_hint),
        cmocka_unit_test(float_runs_without_fp64_and_passes_float_arguments),
        cmocka_unit_test(double_passes_the_linspace_step_and_squared_radius),
        cmocka_unit_test(cpu_devices_get_the_simd_kernel_with_their_vector_width),
        cmocka_unit_test(simd_lanes_are_an_opencl_vector_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
