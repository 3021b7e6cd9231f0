/* Unit tests for values.h: the strict parsers behind every option value.
 *
 * Each parser must take the whole string or nothing, so besides the accepted
 * forms these tests feed it the near misses a user types by accident (blanks,
 * trailing junk, empty fields, signs, NaN, overflow) and check that the output
 * is left alone and a reason is given.
 */
#include "util/values.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

/* A value no parser produces from the inputs below: it shows the output was left alone. */
#define UNTOUCHED_DOUBLE 12345.5
#define UNTOUCHED_UINT   777u

/* Reports a rejection test that went wrong, at the line of the caller. */
static void check_rejection(int status, int untouched, const char *why, const char *reason_part,
                            const char *parser, const char *text, int line) {
    const char *problem = NULL;
    if (status != -1)
        problem = "accepted it";
    else if (!untouched)
        problem = "changed the output anyway";
    else if (!strstr(why, reason_part))
        problem = "gave another reason";
    if (problem) {
        print_error("line %d: %s('%s') %s (expected a reason mentioning '%s', got '%s')\n", line,
                    parser, text, problem, reason_part, why);
        _fail(__FILE__, line);
    }
}

/* The parse must fail, leave *out alone and give a reason containing `reason_part`. */
#define EXPECT_DOUBLE_REJECTED(text, reason_part)                                                  \
    expect_double_rejected((text), (reason_part), __LINE__)

static void expect_double_rejected(const char *text, const char *reason_part, int line) {
    double out = UNTOUCHED_DOUBLE;
    char why[256] = "";
    int status = parse_finite_double(text, &out, why, sizeof why);
    check_rejection(status, out == UNTOUCHED_DOUBLE, why, reason_part, "parse_finite_double", text,
                    line);
}

static void parse_finite_double_accepts_decimal_and_exponent_forms(void **state) {
    (void)state;
    char why[256];
    double out = 0;
    assert_int_equal(parse_finite_double("-0.835", &out, why, sizeof why), 0);
    assert_true(out == -0.835);
    assert_int_equal(parse_finite_double("1e-3", &out, why, sizeof why), 0);
    assert_true(out == 1e-3);
    assert_int_equal(parse_finite_double("2.5E2", &out, why, sizeof why), 0);
    assert_true(out == 250.0);
    assert_int_equal(parse_finite_double("0", &out, why, sizeof why), 0);
    assert_true(out == 0.0);
}

static void parse_finite_double_rejects_empty_blank_and_trailing_junk(void **state) {
    (void)state;
    EXPECT_DOUBLE_REJECTED("", "empty");
    EXPECT_DOUBLE_REJECTED(" 1", "blank");
    EXPECT_DOUBLE_REJECTED("\t1", "blank");
    /* strtod would stop early on these and return a number; the parser must not. */
    EXPECT_DOUBLE_REJECTED("1x", "not a number");
    EXPECT_DOUBLE_REJECTED("1 ", "not a number");
    EXPECT_DOUBLE_REJECTED("1,2", "not a number");
    EXPECT_DOUBLE_REJECTED("x", "not a number");
    EXPECT_DOUBLE_REJECTED("-", "not a number");
}

static void parse_finite_double_rejects_nan_infinity_and_overflow(void **state) {
    (void)state;
    EXPECT_DOUBLE_REJECTED("nan", "finite");
    EXPECT_DOUBLE_REJECTED("NaN", "finite");
    EXPECT_DOUBLE_REJECTED("inf", "finite");
    EXPECT_DOUBLE_REJECTED("-inf", "finite");
    EXPECT_DOUBLE_REJECTED("infinity", "finite");
    /* strtod turns these into +-HUGE_VAL, which is infinity. */
    EXPECT_DOUBLE_REJECTED("1e999", "finite");
    EXPECT_DOUBLE_REJECTED("-1e999", "finite");
}

#define EXPECT_UINT_REJECTED(text, min, max, reason_part)                                          \
    expect_uint_rejected((text), (min), (max), (reason_part), __LINE__)

static void expect_uint_rejected(const char *text, uint64_t min, uint64_t max,
                                 const char *reason_part, int line) {
    uint64_t out = UNTOUCHED_UINT;
    char why[256] = "";
    int status = parse_uint(text, min, max, &out, why, sizeof why);
    check_rejection(status, out == UNTOUCHED_UINT, why, reason_part, "parse_uint", text, line);
}

static void parse_uint_accepts_both_ends_of_the_range(void **state) {
    (void)state;
    char why[256];
    uint64_t out = 0;
    assert_int_equal(parse_uint("1", 1, 10, &out, why, sizeof why), 0);
    assert_int_equal(out, 1);
    assert_int_equal(parse_uint("10", 1, 10, &out, why, sizeof why), 0);
    assert_int_equal(out, 10);
    assert_int_equal(parse_uint("0", 0, 5, &out, why, sizeof why), 0);
    assert_int_equal(out, 0);
    /* The largest value a uint64_t holds must not be mistaken for an overflow. */
    assert_int_equal(parse_uint("18446744073709551615", 0, UINT64_MAX, &out, why, sizeof why), 0);
    assert_true(out == UINT64_MAX);
}

static void parse_uint_rejects_values_outside_the_range(void **state) {
    (void)state;
    EXPECT_UINT_REJECTED("0", 1, 10, "out of range");
    EXPECT_UINT_REJECTED("11", 1, 10, "out of range");
    EXPECT_UINT_REJECTED("4294967296", 1, UINT32_MAX, "out of range");
}

static void parse_uint_rejects_numbers_too_large_for_64_bits(void **state) {
    (void)state;
    /* One past UINT64_MAX, and a value so long that a naive loop would wrap around. */
    EXPECT_UINT_REJECTED("18446744073709551616", 0, UINT64_MAX, "too large");
    EXPECT_UINT_REJECTED("99999999999999999999999", 0, UINT64_MAX, "too large");
}

static void parse_uint_rejects_signs_blanks_and_other_notations(void **state) {
    (void)state;
    EXPECT_UINT_REJECTED("", 0, 100, "empty");
    EXPECT_UINT_REJECTED("+1", 0, 100, "whole number");
    EXPECT_UINT_REJECTED("-1", 0, 100, "whole number");
    EXPECT_UINT_REJECTED(" 1", 0, 100, "whole number");
    EXPECT_UINT_REJECTED("1 ", 0, 100, "whole number");
    EXPECT_UINT_REJECTED("1.0", 0, 100, "whole number");
    EXPECT_UINT_REJECTED("1e2", 0, 1000, "whole number");
    EXPECT_UINT_REJECTED("0x10", 0, 100, "whole number");
    EXPECT_UINT_REJECTED("12a", 0, 100, "whole number");
}

/* Fields before the bad one may already be stored, so only the verdict and the reason are checked.
 */
#define EXPECT_LIST_REJECTED(text, count, reason_part)                                             \
    expect_list_rejected((text), (count), (reason_part), __LINE__)

static void expect_list_rejected(const char *text, size_t count, const char *reason_part,
                                 int line) {
    double out[4];
    char why[256] = "";
    int status = parse_double_list(text, out, count, why, sizeof why);
    check_rejection(status, 1, why, reason_part, "parse_double_list", text, line);
}

static void parse_double_list_reads_exactly_the_expected_fields(void **state) {
    (void)state;
    double out[4] = {0, 0, 0, 0};
    char why[256];
    assert_int_equal(parse_double_list("-1.6,1.6,-1,1", out, 4, why, sizeof why), 0);
    assert_true(out[0] == -1.6);
    assert_true(out[1] == 1.6);
    assert_true(out[2] == -1.0);
    assert_true(out[3] == 1.0);
    assert_int_equal(parse_double_list("-0.835,-0.2321", out, 2, why, sizeof why), 0);
    assert_true(out[0] == -0.835);
    assert_true(out[1] == -0.2321);
}

static void parse_double_list_rejects_a_wrong_field_count(void **state) {
    (void)state;
    EXPECT_LIST_REJECTED("1,2,3", 2, "expected 2");
    EXPECT_LIST_REJECTED("1", 2, "expected 2");
    /* A trailing comma makes a third field, so the count is wrong too. */
    EXPECT_LIST_REJECTED("1,2,", 2, "expected 2");
}

static void parse_double_list_rejects_empty_and_bad_fields(void **state) {
    (void)state;
    /* The count is right in each of these; the emptiness itself must be caught. */
    EXPECT_LIST_REJECTED("1,,2", 3, "field 2");
    EXPECT_LIST_REJECTED(",1,2", 3, "field 1");
    EXPECT_LIST_REJECTED("1,2,", 3, "field 3");
    EXPECT_LIST_REJECTED("1,nan", 2, "field 2");
    EXPECT_LIST_REJECTED("1, 2", 2, "field 2");
}

/* The width may already be stored when the height is bad, so only the verdict and the
 * presence of a reason are checked. */
#define EXPECT_SIZE_REJECTED(text, max_side) expect_size_rejected((text), (max_side), __LINE__)

static void expect_size_rejected(const char *text, uint64_t max_side, int line) {
    uint64_t width, height;
    char why[256] = "";
    int status = parse_size(text, max_side, &width, &height, why, sizeof why);
    check_rejection(status, 1, why, "", "parse_size", text, line);
    if (why[0] == '\0') {
        print_error("line %d: parse_size('%s') gave no reason\n", line, text);
        _fail(__FILE__, line);
    }
}

static void parse_size_reads_width_and_height(void **state) {
    (void)state;
    uint64_t width = 0, height = 0;
    char why[256];
    assert_int_equal(parse_size("1000x625", 100000, &width, &height, why, sizeof why), 0);
    assert_int_equal(width, 1000);
    assert_int_equal(height, 625);
}

static void parse_size_rejects_malformed_sizes(void **state) {
    (void)state;
    EXPECT_SIZE_REJECTED("100x", 100000);
    EXPECT_SIZE_REJECTED("x5", 100000);
    EXPECT_SIZE_REJECTED("0x5", 100000);
    EXPECT_SIZE_REJECTED("5x0", 100000);
    EXPECT_SIZE_REJECTED("5x5x5", 100000);
    EXPECT_SIZE_REJECTED("-5x5", 100000);
    EXPECT_SIZE_REJECTED("5x-5", 100000);
    EXPECT_SIZE_REJECTED("+5x5", 100000);
    EXPECT_SIZE_REJECTED("5X5", 100000);
    EXPECT_SIZE_REJECTED("5", 100000);
    EXPECT_SIZE_REJECTED("", 100000);
    EXPECT_SIZE_REJECTED("5 x5", 100000);
    EXPECT_SIZE_REJECTED("5x5 ", 100000);
}

static void parse_size_honours_the_largest_side(void **state) {
    (void)state;
    uint64_t width = 0, height = 0;
    char why[256];
    assert_int_equal(parse_size("100x100", 100, &width, &height, why, sizeof why), 0);
    assert_int_equal(width, 100);
    assert_int_equal(height, 100);
    EXPECT_SIZE_REJECTED("101x100", 100);
    EXPECT_SIZE_REJECTED("100x101", 100);
    /* The bound the julia command uses: rows and columns are 32-bit signed in the kernel. */
    assert_int_equal(parse_size("2147483647x1", 2147483647u, &width, &height, why, sizeof why), 0);
    assert_int_equal(width, 2147483647u);
    EXPECT_SIZE_REJECTED("2147483648x1", 2147483647u);
}

static void text_equal_nocase_ignores_case_only(void **state) {
    (void)state;
    assert_int_equal(text_equal_nocase("Gpu", "gPU"), 1);
    assert_int_equal(text_equal_nocase(".PNG", ".png"), 1);
    assert_int_equal(text_equal_nocase("", ""), 1);
    /* A prefix is not equality, in either direction. */
    assert_int_equal(text_equal_nocase("gpu", "gpus"), 0);
    assert_int_equal(text_equal_nocase("gpus", "gpu"), 0);
    assert_int_equal(text_equal_nocase("cpu", "gpu"), 0);
}

static void text_contains_nocase_finds_substrings_anywhere(void **state) {
    (void)state;
    assert_int_equal(text_contains_nocase("NVIDIA GeForce RTX 4090", "geforce"), 1);
    assert_int_equal(text_contains_nocase("pthread-haswell", "HASWELL"), 1);
    assert_int_equal(text_contains_nocase("pthread-haswell", "pthread"), 1);
    /* A partial match ("aa" before "ab") must not hide the real one that overlaps it. */
    assert_int_equal(text_contains_nocase("aab", "ab"), 1);
    assert_int_equal(text_contains_nocase("anything", ""), 1);
    assert_int_equal(text_contains_nocase("abc", "abcd"), 0);
    assert_int_equal(text_contains_nocase("abc", "bd"), 0);
    assert_int_equal(text_contains_nocase("", "a"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_finite_double_accepts_decimal_and_exponent_forms),
        cmocka_unit_test(parse_finite_double_rejects_empty_blank_and_trailing_junk),
        cmocka_unit_test(parse_finite_double_rejects_nan_infinity_and_overflow),
        cmocka_unit_test(parse_uint_accepts_both_ends_of_the_range),
        cmocka_unit_test(parse_uint_rejects_values_outside_the_range),
        cmocka_unit_test(parse_uint_rejects_numbers_too_large_for_64_bits),
        cmocka_unit_test(parse_uint_rejects_signs_blanks_and_other_notations),
        cmocka_unit_test(parse_double_list_reads_exactly_the_expected_fields),
        cmocka_unit_test(parse_double_list_rejects_a_wrong_field_count),
        cmocka_unit_test(parse_double_list_rejects_empty_and_bad_fields),
        cmocka_unit_test(parse_size_reads_width_and_height),
        cmocka_unit_test(parse_size_rejects_malformed_sizes),
        cmocka_unit_test(parse_size_honours_the_largest_side),
        cmocka_unit_test(text_equal_nocase_ignores_case_only),
        cmocka_unit_test(text_contains_nocase_finds_substrings_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
