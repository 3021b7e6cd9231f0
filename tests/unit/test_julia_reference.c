/* Unit tests for the scalar Julia reference (julia.h): escape counts, sample
 * points, gray levels and the layout of the reference image.
 *
 * The expected values are worked out by hand from the definition in julia.h,
 * with inputs chosen so that every intermediate value is exact in binary
 * floating point; the reference is what --verify trusts, so it must be right
 * on its own, not merely agree with the kernel.
 */
#include "renderers/julia/julia.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

/* Bit-for-bit equality of doubles, printed in hex (exact) when it fails. */
#define assert_double_identical(actual, expected)                                                  \
    assert_double_identical_at((actual), (expected), __FILE__, __LINE__)

static void assert_double_identical_at(double actual, double expected, const char *file, int line) {
    if (memcmp(&actual, &expected, sizeof actual) != 0) {
        print_error("%a (%.17g) != %a (%.17g)\n", actual, actual, expected, expected);
        _fail(file, line);
    }
}

/* Escape radius 2, the default threshold. */
#define R2 4.0

static void count_is_zero_when_the_first_step_escapes(void **state) {
    (void)state;
    /* z0 = 2, c = 0: z1 = 4, |z1|^2 = 16 >= 4 at iteration 0. */
    assert_int_equal(julia_count(2.0, 0.0, 0.0, 0.0, R2, 10), 0);
    /* z0 = 1+i, c = 0: z1 = 2i, |z1|^2 = 4, so the imaginary part takes part in the test. */
    assert_int_equal(julia_count(1.0, 1.0, 0.0, 0.0, R2, 10), 0);
}

static void count_escapes_when_the_square_reaches_the_radius_exactly(void **state) {
    (void)state;
    /* z0 = 1, c = 1: z1 = 2, |z1|^2 = 4: ">=" escapes here; ">" would go on (z2 = 5, count 1). */
    assert_int_equal(julia_count(1.0, 0.0, 1.0, 0.0, R2, 10), 0);
    /* Just above R^2 the same point stays in for one more step. */
    assert_int_equal(julia_count(1.0, 0.0, 1.0, 0.0, 4.0000001, 10), 1);
}

static void count_numbers_iterations_from_zero(void **state) {
    (void)state;
    /* z0 = 0, c = 1: z1 = 1 (|z|^2 = 1), z2 = 2 (|z|^2 = 4): escapes at iteration 1. */
    assert_int_equal(julia_count(0.0, 0.0, 1.0, 0.0, R2, 10), 1);
    /* z0 = 0, c = 1.5i: z1 = 1.5i (2.25), z2 = -2.25 + 1.5i (5.0625 + 2.25): iteration 1. */
    assert_int_equal(julia_count(0.0, 0.0, 0.0, 1.5, R2, 10), 1);
}

static void count_is_max_for_points_that_never_escape(void **state) {
    (void)state;
    /* z0 = 0, c = -1: 0 -> -1 -> 0 -> -1 ... a 2-cycle. */
    assert_int_equal(julia_count(0.0, 0.0, -1.0, 0.0, R2, 80), 80);
    /* c = 0, z0 = 0.5: 0.25, 0.0625, ... shrinks towards 0. */
    assert_int_equal(julia_count(0.5, 0.0, 0.0, 0.0, R2, 80), 80);
    /* z0 = 0, c = i: i -> -1+i -> -i -> -1+i ... never beyond |z|^2 = 2. */
    assert_int_equal(julia_count(0.0, 0.0, 0.0, 1.0, R2, 1000), 1000);
}

static void count_stops_at_max_even_for_a_point_that_escapes_later(void **state) {
    (void)state;
    /* z0 = 0, c = 1 runs 1, 2, 5, 26; with R^2 = 25.5 it escapes at iteration 3 (26^2). */
    assert_int_equal(julia_count(0.0, 0.0, 1.0, 0.0, 25.5, 10), 3);
    /* With MAX = 2 only iterations 0 and 1 run, so the count is MAX, not 3. */
    assert_int_equal(julia_count(0.0, 0.0, 1.0, 0.0, 25.5, 2), 2);
    assert_int_equal(julia_count_float(0.0f, 0.0f, 1.0f, 0.0f, 25.5f, 2), 2);
}

static void float_count_agrees_on_the_hand_checked_points(void **state) {
    (void)state;
    assert_int_equal(julia_count_float(2.0f, 0.0f, 0.0f, 0.0f, 4.0f, 10), 0);
    assert_int_equal(julia_count_float(1.0f, 1.0f, 0.0f, 0.0f, 4.0f, 10), 0);
    assert_int_equal(julia_count_float(1.0f, 0.0f, 1.0f, 0.0f, 4.0f, 10), 0);
    assert_int_equal(julia_count_float(0.0f, 0.0f, 1.0f, 0.0f, 4.0f, 10), 1);
    assert_int_equal(julia_count_float(0.0f, 0.0f, 0.0f, 1.5f, 4.0f, 10), 1);
    assert_int_equal(julia_count_float(0.0f, 0.0f, -1.0f, 0.0f, 4.0f, 80), 80);
    assert_int_equal(julia_count_float(0.5f, 0.0f, 0.0f, 0.0f, 4.0f, 80), 80);
    assert_int_equal(julia_count_float(0.0f, 0.0f, 0.0f, 1.0f, 4.0f, 1000), 1000);
}

static void sample_of_a_single_point_is_the_start(void **state) {
    (void)state;
    assert_double_identical(julia_sample(-0.1, 0.1, 1, 0), -0.1);
    assert_double_identical(julia_sample(3.0, 7.0, 1, 0), 3.0);
}

static void sample_ends_are_exactly_start_and_stop(void **state) {
    (void)state;
    assert_double_identical(julia_sample(-0.1, 0.1, 4000, 0), -0.1);
    assert_double_identical(julia_sample(-0.1, 0.1, 4000, 3999), 0.1);
    assert_double_identical(julia_sample(-1.6, 1.6, 1000, 0), -1.6);
    assert_double_identical(julia_sample(-1.6, 1.6, 1000, 999), 1.6);

    /* For linspace(-1, 1, 50) the formula 49*step + start rounds to 1 - 2^-52 (checked
     * first, so that the case keeps its point); numpy pins the last sample to stop. */
    const double step = 2.0 / 49.0;
    assert_double_identical(49.0 * step + -1.0, 0x1.ffffffffffffep-1);
    assert_double_identical(julia_sample(-1.0, 1.0, 50, 49), 1.0);
}

static void sample_interior_points_round_like_numpy(void **state) {
    (void)state;
    /* numpy.linspace computes i*step + start with step = (stop-start)/(num-1). */
    const double step = (0.1 - -0.1) / 3999.0;
    for (uint64_t i = 1; i < 3999; i += 97)
        assert_double_identical(julia_sample(-0.1, 0.1, 4000, i), (double)i * step + -0.1);

    /* Column 90 of the blog-zoom image, as numpy.linspace(-0.1, 0.1, 4000)[90] gives it.
     * The algebraically equal start + i*(stop-start)/(num-1) rounds to ...638p-4 here. */
    assert_double_identical(julia_sample(-0.1, 0.1, 4000, 90), -0x1.8729d3fb8b637p-4);
}

static void gray_maps_min_to_black_and_max_to_white(void **state) {
    (void)state;
    assert_int_equal(julia_gray(0, 0, 80), 0);
    assert_int_equal(julia_gray(80, 0, 80), 255);
    assert_int_equal(julia_gray(20, 20, 100), 0);
    assert_int_equal(julia_gray(100, 20, 100), 255);
}

static void gray_clamps_counts_below_min_to_black(void **state) {
    (void)state;
    assert_int_equal(julia_gray(0, 20, 100), 0);
    assert_int_equal(julia_gray(19, 20, 100), 0);
}

static void gray_rounds_down(void **state) {
    (void)state;
    /* 255 * 50 / 80 = 159.375 */
    assert_int_equal(julia_gray(50, 0, 80), 159);
    /* 255 * 1 / 80 = 3.1875 */
    assert_int_equal(julia_gray(21, 20, 100), 3);
    /* 255 * 79 / 80 = 251.8125 */
    assert_int_equal(julia_gray(79, 0, 80), 251);
}

static void gray_does_not_overflow_at_the_largest_iteration_limit(void **state) {
    (void)state;
    /* 255 * (2^32 - 1) needs more than 32 bits. */
    assert_int_equal(julia_gray(UINT32_MAX, 0, UINT32_MAX), 255);
    /* 255 * (2^32 - 2) / (2^32 - 1) = 254.99999994 */
    assert_int_equal(julia_gray(UINT32_MAX - 1, 0, UINT32_MAX), 254);
    assert_int_equal(julia_gray(UINT32_MAX / 2, 0, UINT32_MAX), 127);
}

/* A 3x2 image over x in [-1.25, 1.25], y in [0, 1], c = 0, MAX 10, R = 2.
 * Columns sample x = -1.25, 0, 1.25; row 0 is the top, y = 1, and row 1 is y = 0.
 * With c = 0, |z|^2 squares at every step, starting from |z0|^2:
 *   (+-1.25, 1): 2.5625 -> 6.57 escapes at iteration 0
 *   (0, 1):      1 forever                          -> MAX = 10
 *   (+-1.25, 0): 1.5625 -> 2.44 -> 5.96 at iteration 1
 *   (0, 0):      0 forever                          -> 10
 * The rows differ, so a flipped image cannot pass. */
static const uint32_t tiny_expected[2][3] = {
    {0, 10, 0},
    {1, 10, 1},
};

static julia_params tiny_params(precision p) {
    julia_params params;
    memset(&params, 0, sizeof params);
    params.c[0] = 0.0, params.c[1] = 0.0;
    params.region[0] = -1.25, params.region[1] = 1.25, params.region[2] = 0.0,
    params.region[3] = 1.0;
    params.size = (image_size){3, 2};
    params.iter_min = 0, params.iter_max = 10;
    params.threshold = params.escape_radius = 2.0;
    params.spp = 1;
    params.precision = p;
    return params;
}

static void check_tiny_image(precision p) {
    julia_params params = tiny_params(p);
    image raw;
    failure f;
    assert_int_equal(image_alloc(&raw, 3, 2, 1, CLR_SAMPLE_U32, &f), 0);
    /* Anything the reference forgets to write would show up as this value. */
    memset(raw.pixels, 0xAB, 3 * 2 * sizeof(uint32_t));
    julia_reference(&params, 0, &raw, 0);
    const uint32_t *counts = raw.pixels;
    for (size_t row = 0; row < 2; ++row)
        for (size_t col = 0; col < 3; ++col) {
            if (counts[row * 3 + col] != tiny_expected[row][col])
                print_error("row %zu, column %zu: count %u, expected %u\n", row, col,
                            (unsigned)counts[row * 3 + col], (unsigned)tiny_expected[row][col]);
            assert_int_equal(counts[row * 3 + col], tiny_expected[row][col]);
        }
    image_free(&raw);
}

static void reference_image_has_the_top_row_at_ymax_in_double(void **state) {
    (void)state;
    check_tiny_image(PRECISION_DOUBLE);
}

static void reference_image_has_the_top_row_at_ymax_in_float(void **state) {
    (void)state;
    check_tiny_image(PRECISION_FLOAT);
}

static void reference_uses_the_threshold_and_c(void **state) {
    (void)state;
    /* A 1x1 image samples (x_min, y_min) = (0, 0). With c = 1 the orbit is 0, 1, 2, 5, 26:
     * R = 2 stops it at iteration 1 (|z|^2 = 4); R = 5 at iteration 2 (|z|^2 = 25, >= 25). */
    julia_params params = tiny_params(PRECISION_DOUBLE);
    params.size = (image_size){1, 1};
    params.region[0] = 0.0, params.region[1] = 1.0, params.region[2] = 0.0, params.region[3] = 1.0;
    params.c[0] = 1.0;
    image raw;
    failure f;
    assert_int_equal(image_alloc(&raw, 1, 1, 1, CLR_SAMPLE_U32, &f), 0);
    julia_reference(&params, 0, &raw, 0);
    assert_int_equal(((const uint32_t *)raw.pixels)[0], 1);
    params.threshold = params.escape_radius = 5.0;
    julia_reference(&params, 0, &raw, 0);
    assert_int_equal(((const uint32_t *)raw.pixels)[0], 2);
    image_free(&raw);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(count_is_zero_when_the_first_step_escapes),
        cmocka_unit_test(count_escapes_when_the_square_reaches_the_radius_exactly),
        cmocka_unit_test(count_numbers_iterations_from_zero),
        cmocka_unit_test(count_is_max_for_points_that_never_escape),
        cmocka_unit_test(count_stops_at_max_even_for_a_point_that_escapes_later),
        cmocka_unit_test(float_count_agrees_on_the_hand_checked_points),
        cmocka_unit_test(sample_of_a_single_point_is_the_start),
        cmocka_unit_test(sample_ends_are_exactly_start_and_stop),
        cmocka_unit_test(sample_interior_points_round_like_numpy),
        cmocka_unit_test(gray_maps_min_to_black_and_max_to_white),
        cmocka_unit_test(gray_clamps_counts_below_min_to_black),
        cmocka_unit_test(gray_rounds_down),
        cmocka_unit_test(gray_does_not_overflow_at_the_largest_iteration_limit),
        cmocka_unit_test(reference_image_has_the_top_row_at_ymax_in_double),
        cmocka_unit_test(reference_image_has_the_top_row_at_ymax_in_float),
        cmocka_unit_test(reference_uses_the_threshold_and_c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
