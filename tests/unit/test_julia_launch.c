/* The julia renderer's launch description (precision, arguments, kernel per device), and
 * the engine's refusal of a device without fp64 for it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/kernel_variant.h"
#include "engine/session.h"
#include "renderers/julia/julia.h"

#include <string.h>

static device_entry test_device(cl_device_type type, bool fp64) {
    device_entry d;
    memset(&d, 0, sizeof d);
    d.type = type;
    strcpy(d.name, "Test GPU");
    d.fp64 = fp64;
    d.max_allocation = d.global_memory = 1u << 30;
    return d;
}

/* Describes the blog-overview launch at `precision` on a GPU. */
static int describe(precision precision, launch *l, failure *f) {
    julia_params p;
    julia_renderer.init(&p);
    p.precision = precision;
    device_entry d = test_device(CL_DEVICE_TYPE_GPU, true);
    memset(l, 0, sizeof *l);
    *f = (failure){0};
    return julia_renderer.launch(&p, &d, 0, 0, l, f);
}

static void double_on_a_device_without_fp64_is_refused_with_a_hint(void **state) {
    (void)state;
    launch l;
    failure f;
    assert_int_equal(describe(PRECISION_DOUBLE, &l, &f), 0);
    assert_true(l.needs_fp64);
    /* The engine refuses before building anything, naming the device and what to do. */
    clr_session *s = clr_session_open("julia", NULL, &f);
    assert_non_null(s);
    engine_device d = {0};
    device_entry entry = test_device(CL_DEVICE_TYPE_GPU, false);
    d.entry = &entry;
    cl_kernel kernel;
    assert_int_equal(session_prepare_launch(s, &d, &l, &kernel, &f), CLR_RUNTIME_ERROR);
    assert_null(kernel);
    assert_non_null(strstr(f.message, "Test GPU"));
    assert_non_null(strstr(f.message, "--precision float"));
    clr_session_close(s);
}

static void float_needs_no_fp64_and_passes_float_arguments(void **state) {
    (void)state;
    launch l;
    failure f;
    assert_int_equal(describe(PRECISION_FLOAT, &l, &f), 0);
    assert_false(l.needs_fp64);
    assert_null(strstr(l.build_options, "JULIA_DOUBLE"));
    /* width, height, nine reals, max_iter, spp — the kernel's arguments after the output */
    assert_int_equal(l.arg_count, 13);
    for (size_t i = 2; i < 11; ++i)
        assert_int_equal(l.args[i].size, sizeof(cl_float));
    float x_step;
    memcpy(&x_step, l.args[4].bytes, sizeof x_step);
    assert_true(x_step == (float)(3.2 / 999.0));
}

static void double_passes_the_linspace_step_and_squared_radius(void **state) {
    (void)state;
    launch l;
    failure f;
    assert_int_equal(describe(PRECISION_DOUBLE, &l, &f), 0);
    assert_non_null(strstr(l.build_options, "-DJULIA_DOUBLE"));
    assert_int_equal(l.items_wide, 1000);
    assert_int_equal(l.items_high, 625);
    assert_int_equal(l.rows_per_item, 1);
    double y_step, escape_r2;
    cl_uint max_iter;
    memcpy(&y_step, l.args[7].bytes, sizeof y_step);
    memcpy(&escape_r2, l.args[10].bytes, sizeof escape_r2);
    memcpy(&max_iter, l.args[11].bytes, sizeof max_iter);
    assert_true(y_step == 2.0 / 624.0); /* numpy.linspace's step: (stop - start) / (n - 1) */
    assert_true(escape_r2 == 4.0);
    assert_int_equal(max_iter, 80);
}

static void cpu_devices_get_the_simd_kernel_with_their_vector_width(void **state) {
    (void)state;
    julia_params p;
    julia_renderer.init(&p);
    device_entry d = test_device(CL_DEVICE_TYPE_CPU, true);
    d.vector_width_double = 8;
    d.vector_width_float = 16;
    launch l;
    memset(&l, 0, sizeof l);
    failure f = {0};
    assert_int_equal(julia_renderer.launch(&p, &d, 0, 0, &l, &f), 0);
    assert_string_equal(l.entry_point, "julia_simd");
    assert_non_null(strstr(l.build_options, "-DLANES=8"));
    assert_int_equal(l.items_wide, 125);  /* ceil(1000 / 8 lanes) */
    assert_int_equal(l.items_high, 157);  /* ceil(625 / 4 rows) */
    assert_int_equal(l.rows_per_item, 4); /* JULIA_SIMD_ROWS, from kernels/julia_layout.h */

    memset(&l, 0, sizeof l);
    p.precision = PRECISION_FLOAT; /* the device prefers float16, which julia takes */
    assert_int_equal(julia_renderer.launch(&p, &d, 0, 0, &l, &f), 0);
    assert_non_null(strstr(l.build_options, "-DLANES=16"));
    assert_int_equal(l.items_wide, 63); /* ceil(1000 / 16 lanes) */
    p.precision = PRECISION_DOUBLE;

    memset(&l, 0, sizeof l);
    p.kernel = KERNEL_PER_PIXEL;
    assert_int_equal(julia_renderer.launch(&p, &d, 0, 0, &l, &f), 0);
    assert_string_equal(l.entry_point, "julia");
    assert_int_equal(l.items_wide, 1000);
}

static void simd_lanes_are_an_opencl_vector_size(void **state) {
    (void)state;
    assert_int_equal(simd_lanes(0, 16), 8); /* no preference */
    assert_int_equal(simd_lanes(1, 16), 8);
    assert_int_equal(simd_lanes(2, 16), 2);
    assert_int_equal(simd_lanes(3, 16), 2);
    assert_int_equal(simd_lanes(8, 16), 8);
    assert_int_equal(simd_lanes(16, 16), 16);
    assert_int_equal(simd_lanes(32, 16), 16);
    assert_int_equal(simd_lanes(16, 8), 8); /* the renderer's widest */
    assert_int_equal(simd_lanes(4, 8), 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_on_a_device_without_fp64_is_refused_with_a_hint),
        cmocka_unit_test(float_needs_no_fp64_and_passes_float_arguments),
        cmocka_unit_test(double_passes_the_linspace_step_and_squared_radius),
        cmocka_unit_test(cpu_devices_get_the_simd_kernel_with_their_vector_width),
        cmocka_unit_test(simd_lanes_are_an_opencl_vector_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
