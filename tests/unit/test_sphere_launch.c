/* The sphere renderer's launch description: kernel choice per device, fp64, arguments,
 * and the packed scene as inputs the engine uploads once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/session.h"
#include "kernels/raytrace_layout.h"
#include "renderers/sphere/sphere.h"

#include <string.h>

/* A session with `settings` (name, value pairs) set and checked: the scene is loaded. */
static clr_session *session_with(const char *const *settings, size_t count) {
    failure f = {0};
    clr_session *s = clr_session_open("sphere", NULL, &f);
    assert_non_null(s);
    for (size_t i = 0; i + 1 < count; i += 2)
        assert_int_equal(clr_set(s, settings[i], settings[i + 1], &f), CLR_OK);
    clr_layout layout;
    assert_int_equal(clr_layout_get(s, &layout, &f), CLR_OK);
    return s;
}

static int describe(const clr_session *s, cl_device_type type, launch *l, failure *f) {
    device_entry d;
    memset(&d, 0, sizeof d);
    d.type = type;
    strcpy(d.name, "Test device");
    d.fp64 = true;
    memset(l, 0, sizeof *l);
    *f = (failure){0};
    return sphere_renderer.launch(s->params, &d, 0, 0, l, f);
}

static void cpu_devices_get_the_simd_kernel_over_eight_pixel_columns(void **state) {
    (void)state;
    const char *settings[] = {"size", "17x5"};
    clr_session *s = session_with(settings, 2);
    launch l;
    failure f;
    assert_int_equal(describe(s, CL_DEVICE_TYPE_CPU, &l, &f), 0);
    assert_string_equal(l.entry_point, "raytrace");
    assert_string_equal(l.build_options, "-DLANES=8"); /* a device preferring no width: 8 */
    assert_int_equal(l.items_wide, 3);                 /* ceil(17 / 8) work-items per row */
    assert_int_equal(l.items_high, 5);
    assert_true(l.needs_fp64);
    clr_session_close(s);
}

static void gpus_and_explicit_per_pixel_get_one_work_item_per_pixel(void **state) {
    (void)state;
    const char *none[] = {"size", "17x5"};
    clr_session *s = session_with(none, 2);
    launch l;
    failure f;
    assert_int_equal(describe(s, CL_DEVICE_TYPE_GPU, &l, &f), 0);
    assert_string_equal(l.entry_point, "raytrace");
    assert_string_equal(l.build_options, "-DLANES=1");
    assert_int_equal(l.items_wide, 17);
    clr_session_close(s);

    const char *per_pixel[] = {"size", "17x5", "kernel", "per-pixel"};
    s = session_with(per_pixel, 4);
    assert_int_equal(describe(s, CL_DEVICE_TYPE_CPU, &l, &f), 0);
    assert_string_equal(l.entry_point, "raytrace");
    assert_string_equal(l.build_options, "-DLANES=1");
    assert_int_equal(l.items_wide, 17);
    /* width, height, view, spheres, sphere count, lights, light count, depth, spp */
    assert_int_equal(l.arg_count, 9);
    assert_int_equal(l.args[3].kind, LAUNCH_ARG_INPUT);
    assert_int_equal(l.args[3].size, 6 * RAYTRACE_SPHERE_STRIDE * sizeof(double));
    cl_uint sphere_count;
    memcpy(&sphere_count, l.args[4].bytes, sizeof sphere_count);
    assert_int_equal(sphere_count, 6);
    clr_session_close(s);
}

static void changing_the_size_repacks_the_camera_but_keeps_the_scene(void **state) {
    (void)state;
    const char *settings[] = {"size", "17x5"};
    clr_session *s = session_with(settings, 2);
    launch before, after;
    failure f;
    assert_int_equal(describe(s, CL_DEVICE_TYPE_GPU, &before, &f), 0);
    assert_int_equal(clr_set(s, "size", "40x30", &f), CLR_OK);
    clr_layout layout;
    assert_int_equal(clr_layout_get(s, &layout, &f), CLR_OK);
    assert_int_equal(describe(s, CL_DEVICE_TYPE_GPU, &after, &f), 0);
    /* the camera's generation moved, the spheres' and lights' did not: no upload again */
    assert_true(after.args[2].generation != before.args[2].generation);
    assert_true(after.args[3].generation == before.args[3].generation);
    assert_ptr_equal(after.args[3].data, before.args[3].data);
    assert_true(after.args[5].generation == before.args[5].generation);
    clr_session_close(s);
}

static void presets_use_the_seed_kernels(void **state) {
    (void)state;
    const char *settings[] = {"preset", "pyo3"};
    clr_session *s = session_with(settings, 2);
    launch l;
    failure f;
    assert_int_equal(describe(s, CL_DEVICE_TYPE_CPU, &l, &f), 0);
    assert_string_equal(l.program, "sphere_seeds");
    assert_string_equal(l.entry_point, "pyo3");
    assert_int_equal(l.items_wide, 80);
    assert_int_equal(l.items_high, 60);
    clr_session_close(s);
}

static void devices_without_fp64_are_refused(void **state) {
    (void)state;
    const char *settings[] = {"preset", "pyconde"};
    clr_session *s = session_with(settings, 2);
    launch l;
    failure f;
    assert_int_equal(describe(s, CL_DEVICE_TYPE_GPU, &l, &f), 0);
    engine_device d = {0};
    device_entry entry;
    memset(&entry, 0, sizeof entry);
    strcpy(entry.name, "Test device");
    d.entry = &entry;
    cl_kernel kernel;
    assert_int_equal(session_prepare_launch(s, &d, &l, &kernel, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "Test device"));
    assert_non_null(strstr(f.message, "fp64"));
    assert_non_null(strstr(f.message, "sphere needs"));
    clr_session_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_devices_get_the_simd_kernel_over_eight_pixel_columns),
        cmocka_unit_test(gpus_and_explicit_per_pixel_get_one_work_item_per_pixel),
        cmocka_unit_test(changing_the_size_repacks_the_camera_but_keeps_the_scene),
        cmocka_unit_test(presets_use_the_seed_kernels),
        cmocka_unit_test(devices_without_fp64_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
