/* Unit tests for util/params.h: typed rows that set struct fields from text or typed values,
 * checking range and form the same way both ways, and leaving the field alone on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sample_struct {
    int flag;
    uint64_t count;
    double radius;
    double pair[2];
    image_size size;
    int colour;
    char *name;
    int custom_calls;
} sample_struct;

static const char *const colours[] = {"red", "green", "blue", NULL};

static int apply_custom(void *object, const char *value, char *why, size_t why_len) {
    sample_struct *s = object;
    if (strcmp(value, "ok")) {
        snprintf(why, why_len, "only ok is ok");
        return -1;
    }
    ++s->custom_calls;
    return 0;
}

static int pair_ordered(const void *value, char *why, size_t why_len) {
    const double *v = value;
    if (!(v[0] < v[1])) {
        snprintf(why, why_len, "the first must be less than the second");
        return -1;
    }
    return 0;
}

static const param_spec rows[] = {
    PARAM_FLAG("flag", sample_struct, flag, "a flag"),
    PARAM_UINT("count", sample_struct, count, 1, 64, "N", "a count"),
    PARAM_REAL("radius", sample_struct, radius, 0, true, 10, NULL, "R", "a radius"),
    PARAM_REALS("pair", sample_struct, pair, 2, pair_ordered, "A,B", "a pair"),
    PARAM_SIZE("size", sample_struct, size, "a size"),
    PARAM_CHOICE("colour", sample_struct, colour, colours, "C", "a colour"),
    PARAM_TEXT("name", sample_struct, name, "TEXT", "a name"),
    PARAM_OTHER("custom", apply_custom, "X", "its own syntax"),
};
#define ROWS (sizeof rows / sizeof rows[0])

static const param_spec *row(const char *name) {
    const param_spec *p = param_find(rows, ROWS, name);
    assert_non_null(p);
    return p;
}

static void text_values_land_in_their_fields(void **state) {
    (void)state;
    sample_struct s = {0};
    char why[256];
    assert_int_equal(param_set_text(row("flag"), &s, NULL, why, sizeof why), 0);
    assert_int_equal(param_set_text(row("count"), &s, "64", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("radius"), &s, "2.5", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("pair"), &s, "-1,3", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("size"), &s, "640x360", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("colour"), &s, "blue", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("name"), &s, "scene.json", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("custom"), &s, "ok", why, sizeof why), 0);
    assert_int_equal(s.flag, 1);
    assert_int_equal(s.count, 64);
    assert_true(s.radius == 2.5);
    assert_true(s.pair[0] == -1 && s.pair[1] == 3);
    assert_int_equal(s.size.width, 640);
    assert_int_equal(s.size.height, 360);
    assert_int_equal(s.colour, 2);
    assert_string_equal(s.name, "scene.json");
    assert_int_equal(s.custom_calls, 1);
    param_table_release(rows, ROWS, &s);
    assert_null(s.name);
}

/* A bad value fails with a reason and leaves the field as it was. */
#define EXPECT_REFUSED(name, value, field, reason)                                                 \
    do {                                                                                           \
        sample_struct before = s;                                                                  \
        char why[256] = "";                                                                        \
        assert_int_equal(param_set_text(row(name), &s, value, why, sizeof why), -1);               \
        assert_memory_equal(&before.field, &s.field, sizeof s.field);                              \
        if (!strstr(why, reason))                                                                  \
            fail_msg("%s '%s': '%s' does not say '%s'", name, value ? value : "(null)", why,       \
                     reason);                                                                      \
    } while (0)

static void bad_text_is_refused_with_a_reason(void **state) {
    (void)state;
    sample_struct s = {.count = 5, .radius = 1, .pair = {0, 1}, .size = {2, 2}, .colour = 1};
    EXPECT_REFUSED("flag", "yes", flag, "takes no value");
    EXPECT_REFUSED("count", "0", count, "out of range (1 to 64)");
    EXPECT_REFUSED("count", "65", count, "out of range (1 to 64)");
    EXPECT_REFUSED("count", "-1", count, "not a whole number");
    EXPECT_REFUSED("count", NULL, count, "needs a value N");
    EXPECT_REFUSED("radius", "0", radius, "must be positive and at most 10");
    EXPECT_REFUSED("radius", "10.5", radius, "must be positive and at most 10");
    EXPECT_REFUSED("radius", "nan", radius, "not a finite number");
    EXPECT_REFUSED("pair", "3,1", pair, "the first must be less than the second");
    EXPECT_REFUSED("pair", "1,2,3", pair, "expected 2");
    EXPECT_REFUSED("size", "0x5", size, "width");
    EXPECT_REFUSED("size", "5", size, "not WIDTHxHEIGHT");
    EXPECT_REFUSED("colour", "Red", colour, "expected red, green or blue");
    EXPECT_REFUSED("name", "", name, "empty");
    EXPECT_REFUSED("custom", "no", custom_calls, "only ok is ok");
}

static void typed_values_obey_the_same_rules(void **state) {
    (void)state;
    sample_struct s = {.count = 5, .radius = 1, .pair = {0, 1}};
    char why[256];
    assert_int_equal(param_set_uint(row("count"), &s, 7, why, sizeof why), 0);
    assert_int_equal(s.count, 7);
    assert_int_equal(param_set_uint(row("count"), &s, 65, why, sizeof why), -1);
    assert_int_equal(param_set_real(row("count"), &s, 8.0, why, sizeof why), 0);
    assert_int_equal(s.count, 8);
    assert_int_equal(param_set_real(row("count"), &s, 8.5, why, sizeof why), -1);
    assert_int_equal(param_set_real(row("radius"), &s, 9.75, why, sizeof why), 0);
    assert_true(s.radius == 9.75);
    assert_int_equal(param_set_real(row("radius"), &s, INFINITY, why, sizeof why), -1);
    assert_int_equal(param_set_uint(row("radius"), &s, 3, why, sizeof why), 0);
    assert_true(s.radius == 3);
    assert_int_equal(param_set_reals(row("pair"), &s, (double[]){-2, 5}, 2, why, sizeof why), 0);
    assert_true(s.pair[0] == -2 && s.pair[1] == 5);
    assert_int_equal(param_set_reals(row("pair"), &s, (double[]){5, -2}, 2, why, sizeof why), -1);
    assert_int_equal(param_set_reals(row("pair"), &s, (double[]){1}, 1, why, sizeof why), -1);
    assert_int_equal(param_set_reals(row("size"), &s, (double[]){320, 200}, 2, why, sizeof why), 0);
    assert_int_equal(s.size.width, 320);
    assert_int_equal(param_set_reals(row("size"), &s, (double[]){320.5, 200}, 2, why, sizeof why),
                     -1);
    assert_int_equal(
        param_set_reals(row("size"), &s, (double[]){2147483648.0, 1}, 2, why, sizeof why), -1);
    assert_int_equal(param_set_uint(row("flag"), &s, 1, why, sizeof why), 0);
    assert_int_equal(s.flag, 1);
    assert_int_equal(param_set_uint(row("flag"), &s, 2, why, sizeof why), -1);
    /* Text rows take text only. */
    assert_int_equal(param_set_real(row("name"), &s, 1.0, why, sizeof why), -1);
    assert_int_equal(param_set_uint(row("colour"), &s, 1, why, sizeof why), -1);
}

static void setting_text_again_frees_the_old_copy(void **state) {
    (void)state;
    sample_struct s = {0};
    char why[256];
    assert_int_equal(param_set_text(row("name"), &s, "first", why, sizeof why), 0);
    assert_int_equal(param_set_text(row("name"), &s, "second", why, sizeof why), 0);
    assert_string_equal(s.name, "second"); /* and the sanitizer build finds no leak */
    param_table_release(rows, ROWS, &s);
}

static void public_descriptions_mirror_the_rows(void **state) {
    (void)state;
    clr_param_info info = param_info(row("count"));
    assert_string_equal(info.name, "count");
    assert_int_equal(info.type, CLR_PARAM_UINT);
    assert_int_equal(info.uint_min, 1);
    assert_int_equal(info.uint_max, 64);
    info = param_info(row("size"));
    assert_int_equal(info.count, 2);
    info = param_info(row("colour"));
    assert_string_equal(info.choices[1], "green");
    char usage[64];
    param_usage(row("size"), usage, sizeof usage);
    assert_string_equal(usage, "    --size WxH");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_values_land_in_their_fields),
        cmocka_unit_test(bad_text_is_refused_with_a_reason),
        cmocka_unit_test(typed_values_obey_the_same_rules),
        cmocka_unit_test(setting_text_again_frees_the_old_copy),
        cmocka_unit_test(public_descriptions_mirror_the_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
