/* The X-ray kernels on the PoCL CPU device, through the public API:
 *   - exact cases: voxel-aligned boxes in random seeded geometries (cone and
 *     parallel, sources inside the volume), where the line integral is the
 *     closed-form chord: within 2e-5 relative in float, 1e-9 in double;
 *   - the continuous Shepp-Logan phantom: the voxel projection's mean
 *     difference from the closed form falls with the grid as the issue asks;
 *   - invariants: parallel beams at θ and θ + 180° mirror each other; a fine
 *     parallel projection times the pixel area is the volume integral;
 *   - a volume split into slabs, or streamed through a device too small for
 *     it, projects as one.
 */
#define _GNU_SOURCE /* mkstemps */
#include "engine/session.h"
#include "renderers/xray/xray.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "session_files.h"

static clr_session *open_xray(clr_session_options options) {
    failure f = {0};
    clr_session *s = clr_session_open("xray", &options, &f);
    if (!s)
        fail_msg("%s", f.message);
    return s;
}

static void set(clr_session *s, const char *name, const char *value) {
    failure f = {0};
    if (clr_set(s, name, value, &f) != CLR_OK)
        fail_msg("--%s %s: %s", name, value ? value : "", f.message);
}

static void setf(clr_session *s, const char *name, const char *format, ...) {
    char value[256];
    va_list args;
    va_start(args, format);
    vsnprintf(value, sizeof value, format, args);
    va_end(args);
    set(s, name, value);
}

/* Renders the session into a new buffer of floats. */
static float *render(clr_session *s, clr_layout *layout) {
    failure f = {0};
    if (clr_layout_get(s, layout, &f) != CLR_OK)
        fail_msg("%s", f.message);
    float *out = malloc(layout->bytes);
    assert_non_null(out);
    if (clr_render_memory(s, out, layout->bytes, &f) != CLR_OK)
        fail_msg("%s", f.message);
    return out;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static double uniform(double lo, double hi) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}
static unsigned pick(unsigned lo, unsigned hi) {
    return lo + (unsigned)uniform(0, (double)(hi - lo + 1) - 1e-9);
}

/* A random geometry around a random grid with a voxel-aligned box: the same settings on the
 * session under test and on one that projects the box in closed form. */
static void random_box_case(clr_session *const sessions[2], bool parallel, bool inside) {
    unsigned n[3] = {pick(6, 30), pick(6, 30), pick(6, 30)}, lo[3], hi[3];
    double d[3] = {uniform(0.4, 2), uniform(0.4, 2), uniform(0.4, 2)}, box[6], half = 0;
    for (int a = 0; a < 3; ++a) {
        lo[a] = pick(0, n[a] - 2), hi[a] = pick(lo[a] + 1, n[a]);
        double corner = -(double)n[a] * d[a] / 2;
        box[2 * a] = corner + lo[a] * d[a], box[2 * a + 1] = corner + hi[a] * d[a];
        half = fmax(half, (double)n[a] * d[a] / 2);
    }
    double sod = inside ? uniform(0, half / 3) : uniform(2 * half, 8 * half);
    double sdd = sod + uniform(2 * half, 6 * half);
    /* a detector that sees the whole volume, pixels a little under a voxel */
    double pitch = uniform(0.3, 1.2) * fmin(d[0], fmin(d[1], d[2]));
    double span = 2.6 * half * (parallel ? 1 : sdd / fmax(sod - half, half));
    unsigned columns = (unsigned)fmin(span / pitch, 64), rows = pick(columns / 2 + 1, columns);
    double first = uniform(-180, 180), arc = uniform(10, 200);
    for (int i = 0; i < 2; ++i) {
        clr_session *s = sessions[i];
        set(s, "geometry", parallel ? "parallel" : "cone");
        setf(s, "voxels", "%u,%u,%u", n[0], n[1], n[2]);
        setf(s, "voxel-size", "%.17g,%.17g,%.17g", d[0], d[1], d[2]);
        setf(s, "phantom", "box:%.17g,%.17g,%.17g,%.17g,%.17g,%.17g", box[0], box[1], box[2],
             box[3], box[4], box[5]);
        setf(s, "sod", "%.17g", sod);
        setf(s, "sdd", "%.17g", sdd);
        setf(s, "detector", "%u,%u", columns, rows);
        setf(s, "pitch", "%.17g", span / columns);
        setf(s, "angles", "%u", 3u);
        setf(s, "first-angle", "%.17g", first);
        setf(s, "arc", "%.17g", arc);
        set(s, "mu-scale", "1");
    }
}

/* Compares a kernel's projection with the closed form pixel by pixel: each within `relative` of
 * its chord, plus `relative` of the smallest voxel side for chords that clip a corner. */
static void compare_with_chords(const char *precision, double relative) {
    clr_session *kernel = open_xray((clr_session_options){0});
    clr_session *truth = open_xray((clr_session_options){0});
    clr_session *const sessions[2] = {kernel, truth};
    set(kernel, "precision", precision);
    set(truth, "reference", "analytic"); /* without a verifier: the closed form itself */
    int hits = 0;
    double worst = 0;
    for (int trial = 0; trial < 24; ++trial) {
        random_box_case(sessions, trial % 3 == 1, trial % 3 == 2);
        clr_layout l, lt;
        float *p = render(kernel, &l), *chord = render(truth, &lt);
        const xray_params *params = kernel->params;
        double smallest =
            fmin(params->grid.spacing[0], fmin(params->grid.spacing[1], params->grid.spacing[2]));
        size_t count = l.frames * l.width * l.height;
        for (size_t i = 0; i < count; ++i) {
            double want = chord[i], got = p[i];
            if (fabs(got - want) > relative * (want + smallest))
                fail_msg("%s trial %d pixel %zu (frame %zu, row %zu, col %zu): %.9g, chord %.9g",
                         precision, trial, i, i / (l.width * l.height), i / l.width % l.height,
                         i % l.width, got, want);
            hits += want > 0;
            worst = fmax(worst, fabs(got - want) / (want + smallest));
        }
        free(p), free(chord);
    }
    print_message("%s: %d rays hit a box; the largest difference %.2g of chord + voxel\n",
                  precision, hits, worst);
    assert_true(hits > 10000);
    clr_session_close(kernel);
    clr_session_close(truth);
}

static void float_kernel_gives_exact_chords(void **state) {
    (void)state;
    compare_with_chords("float", 2e-5);
}

static void double_kernel_gives_exact_chords(void **state) {
    (void)state;
    /* the chords go through a float output: 1e-9 of the chord after float rounding */
    compare_with_chords("double", 1e-7);
}

/* The double kernel against the double walk before the output's float rounding: the same
 * numbers, so the difference is float rounding at most. */
static void kernels_match_the_reference_walk(void **state) {
    (void)state;
    const char *precisions[] = {"float", "double"};
    for (int k = 0; k < 2; ++k) {
        clr_session *s = open_xray((clr_session_options){0});
        set(s, "voxels", "48,40,36");
        set(s, "voxel-size", "1.5,1.2,1.9");
        set(s, "detector", "96,80");
        set(s, "pitch", "1.1");
        set(s, "angles", "5");
        set(s, "arc", "190");
        set(s, "precision", precisions[k]);
        failure f = {0};
        clr_sink *verify = clr_sink_verify(s, &f);
        assert_non_null(verify);
        assert_int_equal(clr_render(s, &verify, 1, &f), CLR_OK);
        clr_verify_result v;
        assert_int_equal(clr_sink_verify_result(verify, &v, &f), CLR_OK);
        assert_int_equal(v.compared, 5 * 96 * 80);
        assert_int_equal(v.differing, 0);
        assert_false(v.judged_by_mean);
        /* the bound is 1e-5 of the frame's largest p (float); double rounds once, to float */
        assert_true(v.largest_difference < (k == 0 ? 1e-5 : 1e-7));
        assert_true(v.largest_reference > 0.1);
        clr_sink_free(verify);
        clr_session_close(s);
    }
}

/* The convergence test: a 128 mm Shepp-Logan cube at 64^3, 128^3 and 256^3 onto 128 x 128
 * pixels of 2 mm, the default distances, 4 angles. */
static void the_voxel_projection_converges_to_the_phantom(void **state) {
    (void)state;
    const unsigned grids[3] = {64, 128, 256};
    const double bounds[3] = {0.020, 0.011, 0.006};
    double mean[3];
    for (int g = 0; g < 3; ++g) {
        clr_session *s = open_xray((clr_session_options){0});
        setf(s, "voxels", "%u", grids[g]);
        setf(s, "voxel-size", "%.17g", 128.0 / grids[g]);
        set(s, "detector", "128,128");
        set(s, "pitch", "2");
        set(s, "angles", "4");
        set(s, "reference", "analytic");
        failure f = {0};
        clr_sink *verify = clr_sink_verify(s, &f);
        assert_non_null(verify);
        assert_int_equal(clr_render(s, &verify, 1, &f), CLR_OK);
        clr_verify_result v;
        assert_int_equal(clr_sink_verify_result(verify, &v, &f), CLR_OK);
        assert_true(v.judged_by_mean);
        assert_true(v.default_tolerance == 0.02);
        mean[g] = v.mean_difference;
        print_message("%u^3: mean difference %.4f%% of the largest p (%.4f)\n", grids[g],
                      100 * mean[g], v.largest_reference);
        assert_true(mean[g] <= bounds[g]);
        clr_sink_free(verify);
        clr_session_close(s);
    }
    assert_true(mean[0] / mean[1] >= 1.6);
    assert_true(mean[1] / mean[2] >= 1.6);
}

static void parallel_beams_half_a_turn_apart_mirror_each_other(void **state) {
    (void)state;
    clr_session *s = open_xray((clr_session_options){0});
    set(s, "voxels", "40,36,30");
    set(s, "geometry", "parallel");
    set(s, "detector", "61,47");
    set(s, "pitch", "0.9,0.7");
    set(s, "angles", "2");
    set(s, "first-angle", "23");
    set(s, "arc", "360"); /* 23 and 203 degrees */
    clr_layout l;
    float *p = render(s, &l);
    const size_t w = l.width, h = l.height;
    float largest = 0;
    for (size_t i = 0; i < w * h; ++i)
        largest = fmaxf(largest, p[i]);
    assert_true(largest > 0.1f);
    /* the columns run the other way round; the rows (along -z) stay */
    for (size_t r = 0; r < h; ++r)
        for (size_t c = 0; c < w; ++c) {
            float a = p[r * w + c], b = p[w * h + r * w + (w - 1 - c)];
            if (fabsf(a - b) > 1e-5f * largest)
                fail_msg("row %zu col %zu: %g and %g", r, c, (double)a, (double)b);
        }
    free(p);
    clr_session_close(s);
}

/* Σ p × pixel area = ∫ μ dV. Along the grid (0°) with two pixels per voxel side each voxel is
 * sampled by four rays through its full length: exact. At 30° the pixels sample each voxel's
 * shadow, whose profile is linear between its kinks: as exact, but for float rounding. */
static void a_parallel_projection_integrates_the_volume(void **state) {
    (void)state;
    const char *angles[2] = {"0", "30"};
    const double tolerance[2] = {1e-6, 1e-6};
    for (int a = 0; a < 2; ++a) {
        clr_session *s = open_xray((clr_session_options){0});
        set(s, "voxels", "32");
        set(s, "geometry", "parallel");
        set(s, "detector", "120,66");
        set(s, "pitch", "0.5");
        set(s, "first-angle", angles[a]);
        set(s, "mu-scale", "1");
        clr_layout l;
        float *p = render(s, &l);
        double sum = 0;
        for (size_t i = 0; i < l.width * l.height; ++i)
            sum += p[i];
        const xray_params *params = s->params;
        double integral = 0;
        for (size_t i = 0; i < 32 * 32 * 32; ++i)
            integral += params->volume[i]; /* 1 mm^3 voxels */
        double error = fabs(sum * 0.25 - integral) / integral;
        print_message("%s degrees: %.9g against %.9g, %.2g apart\n", angles[a], sum * 0.25,
                      integral, error);
        assert_true(error < tolerance[a]);
        free(p);
        clr_session_close(s);
    }
}

/* Slabs: a device that allocates a few slices at once gets the volume in slabs, and one with
 * too little memory for all of them gets them streamed; both add up to the single launch. */
static void slabs_and_streaming_project_as_one(void **state) {
    (void)state;
    const char *quantities[2] = {"line-integral", "intensity"};
    for (int q = 0; q < 2; ++q) {
        float *image[3];
        clr_layout l;
        /* one slice of 40 x 36 floats is 5760 bytes: 3 slices per slab, 10 slabs; memory for
         * three quarters of what the slabs hold */
        const clr_session_options options[3] = {
            {0},
            {.test_max_allocation = 3 * 5760 + 100},
            {.test_max_allocation = 3 * 5760 + 100, .test_device_memory = 30 * 5760}};
        for (int k = 0; k < 3; ++k) {
            clr_session *s = open_xray(options[k]);
            set(s, "voxels", "40,36,28");
            set(s, "detector", "50,44");
            set(s, "pitch", "1.3");
            set(s, "angles", "3");
            set(s, "quantity", quantities[q]);
            set(s, "i0", "1000");
            image[k] = render(s, &l);
            clr_timings t;
            clr_session_timings(s, &t);
            assert_int_equal(t.launches, k == 0 ? t.bands : 10 * t.bands);
            clr_session_close(s);
        }
        float largest = 0;
        for (size_t i = 0; i < l.bytes / 4; ++i)
            largest = fmaxf(largest, image[0][i]);
        for (size_t i = 0; i < l.bytes / 4; ++i) {
            if (fabsf(image[1][i] - image[0][i]) > 2e-6f * largest)
                fail_msg("%s pixel %zu: slabs %g, one %g", quantities[q], i, (double)image[1][i],
                         (double)image[0][i]);
            assert_true(image[2][i] == image[1][i]); /* the same slabs, streamed */
        }
        for (int k = 0; k < 3; ++k)
            free(image[k]);
    }
}

static void a_slice_larger_than_an_allocation_is_refused(void **state) {
    (void)state;
    clr_session *s = open_xray((clr_session_options){.test_max_allocation = 1000});
    set(s, "voxels", "40,36,8");
    set(s, "detector", "8,8");
    clr_layout l;
    failure f = {0};
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    float out[64];
    assert_int_equal(clr_render_memory(s, out, sizeof out, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "one z slice of the volume (40x36 floats"));
    clr_session_close(s);
}

/* A volume attached through the API projects like the same voxels from a phantom. */
static void an_attached_volume_is_projected(void **state) {
    (void)state;
    clr_session *phantom_session = open_xray((clr_session_options){0});
    set(phantom_session, "voxels", "20,24,16");
    set(phantom_session, "detector", "40,30");
    set(phantom_session, "mu-scale", "1");
    clr_layout l;
    float *expected = render(phantom_session, &l);
    const xray_params *params = phantom_session->params;
    const size_t dims[3] = {16, 24, 20};
    clr_session *s = open_xray((clr_session_options){0});
    set(s, "detector", "40,30");
    failure f = {0};
    assert_int_equal(clr_set_input(s, "volume", params->volume, CLR_SAMPLE_F32, dims, 3, &f),
                     CLR_OK);
    float *got = render(s, &l);
    assert_memory_equal(got, expected, l.bytes);
    /* a phantom named as well contradicts it */
    set(s, "phantom", "sphere:3");
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "contradict"));
    free(got), free(expected);
    clr_session_close(s);
    clr_session_close(phantom_session);
}

/* ---- Frames spread over processes (clrender-mpi) ------------------------------------------ */

/* Verifies angles 0 to 8 with one verify sink, or with two sinks taking whole frames in turn
 * (as two ranks would), whose results are combined. */
static void verify_stack(clr_session *s, bool apart, clr_verify_result *result) {
    failure f = {0};
    clr_sink *sinks[2] = {clr_sink_verify(s, &f), clr_sink_verify(s, &f)};
    assert_non_null(sinks[0]);
    assert_non_null(sinks[1]);
    if (!apart) {
        if (clr_render(s, sinks, 1, &f) != CLR_OK)
            fail_msg("%s", f.message);
        assert_int_equal(clr_sink_verify_result(sinks[0], result, &f), CLR_OK);
    } else {
        clr_layout l;
        assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
        for (size_t frame = 0; frame < l.frames; ++frame)
            if (clr_render_band(s, frame, 0, l.height, &sinks[frame % 3 == 1], 1, &f) != CLR_OK)
                fail_msg("frame %zu: %s", frame, f.message);
        clr_verify_result part;
        assert_int_equal(clr_sink_verify_result(sinks[0], result, &f), CLR_OK);
        assert_int_equal(clr_sink_verify_result(sinks[1], &part, &f), CLR_OK);
        clr_verify_combine(result, &part);
    }
    clr_sink_free(sinks[0]);
    clr_sink_free(sinks[1]);
}

/* X-rays judge each projection against its own largest value (voxels), or the mean over all
 * angles against the largest value of all (analytic): frames verified apart and combined give
 * one process's verdict. */
static void frames_verified_apart_give_one_verdict(void **state) {
    (void)state;
    const char *reference[2] = {"voxels", "analytic"};
    for (int k = 0; k < 2; ++k) {
        clr_session *s = open_xray((clr_session_options){0});
        set(s, "voxels", "24");
        set(s, "detector", "32,24");
        set(s, "angles", "9");
        set(s, "reference", reference[k]);
        failure f = {0};
        int whole = 0;
        assert_int_equal(clr_band_whole_frames(s, "x.npy", 1, &whole, &f), CLR_OK);
        assert_int_equal(whole, k == 0); /* per projection: only whole frames */
        clr_verify_result one, apart;
        verify_stack(s, false, &one);
        verify_stack(s, true, &apart);
        assert_int_equal(apart.compared, one.compared);
        assert_int_equal(apart.differing, one.differing);
        assert_int_equal(apart.relative_to_largest, one.relative_to_largest);
        assert_true(one.mean_difference > 0);
        assert_true(fabs(apart.mean_difference - one.mean_difference) <=
                    1e-12 * one.mean_difference);
        assert_true(fabs(apart.largest_difference - one.largest_difference) <=
                    1e-12 * one.largest_difference);
        assert_true(apart.largest_reference == one.largest_reference);
        /* relative to each frame's own largest value: a band of a frame cannot be judged */
        clr_sink *verifier = clr_sink_verify(s, &f);
        assert_int_equal(clr_render_band(s, 0, 0, 8, &verifier, 1, &f),
                         k == 0 ? CLR_USAGE_ERROR : CLR_OK);
        if (k == 0)
            assert_non_null(strstr(f.message, "cannot be verified alone"));
        clr_sink_free(verifier);
        clr_session_close(s);
    }
}

/* A .pgm fits its grey window to the whole projection: placed only in whole frames, the bytes
 * of the file one process writes. */
static void a_windowed_frame_is_placed_whole(void **state) {
    (void)state;
    clr_session *s = open_xray((clr_session_options){0});
    set(s, "voxels", "24");
    set(s, "detector", "32,24");
    failure f = {0};
    int whole = 0;
    assert_int_equal(clr_band_whole_frames(s, "x.pgm", 0, &whole, &f), CLR_OK);
    assert_true(whole);
    assert_int_equal(clr_band_whole_frames(s, "x.npy", 0, &whole, &f), CLR_OK);
    assert_false(whole);
    unsigned char expected[4096];
    size_t expected_size = render_to_file(s, "pgm", expected, sizeof expected);

    placed_file placed = {0};
    uint64_t size = 0;
    clr_sink *sink = clr_sink_placed(s, "pgm", place_in_memory, &placed, &size, &f);
    assert_non_null(sink);
    assert_int_equal(size, expected_size);
    placed.size = (size_t)size;
    placed.bytes = calloc(1, placed.size);
    assert_int_equal(clr_render_band(s, 0, 8, 16, &sink, 1, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "converts whole frames"));
    assert_int_equal(clr_render_band(s, 0, 0, 24, &sink, 1, &f), CLR_OK);
    assert_memory_equal(placed.bytes, expected, expected_size);
    free(placed.bytes);
    clr_sink_free(sink);
    clr_session_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(float_kernel_gives_exact_chords),
        cmocka_unit_test(double_kernel_gives_exact_chords),
        cmocka_unit_test(kernels_match_the_reference_walk),
        cmocka_unit_test(the_voxel_projection_converges_to_the_phantom),
        cmocka_unit_test(parallel_beams_half_a_turn_apart_mirror_each_other),
        cmocka_unit_test(a_parallel_projection_integrates_the_volume),
        cmocka_unit_test(slabs_and_streaming_project_as_one),
        cmocka_unit_test(a_slice_larger_than_an_allocation_is_refused),
        cmocka_unit_test(an_attached_volume_is_projected),
        cmocka_unit_test(frames_verified_apart_give_one_verdict),
        cmocka_unit_test(a_windowed_frame_is_placed_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
