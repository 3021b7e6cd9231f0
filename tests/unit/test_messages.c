/* Unit tests for what messages are made of: text from outside shown escaped and elided
 * (util/failure.h), and what the JSON checker reports about a text (util/json_check.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/failure.h"
#include "util/json_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void plain_text_is_shown_as_it_is(void **state) {
    (void)state;
    char out[TEXT_SHOWN_SIZE];
    assert_string_equal(text_shown("scene.json", out), "scene.json");
    assert_string_equal(text_shown("", out), "");
    assert_string_equal(text_shown("caf\xc3\xa9.png", out), "caf\xc3\xa9.png"); /* UTF-8 kept */
}

static void control_characters_are_escaped(void **state) {
    (void)state;
    char out[TEXT_SHOWN_SIZE];
    assert_string_equal(text_shown("a\nb\tc\rd\\e", out), "a\\nb\\tc\\rd\\\\e");
    assert_string_equal(text_shown("\x1b[31mred\x7f", out), "\\x1b[31mred\\x7f");
}

static void long_text_keeps_both_ends(void **state) {
    (void)state;
    char text[3001], out[TEXT_SHOWN_SIZE];
    memset(text, 'd', 3000);
    text[0] = '/', text[2995] = '/', memcpy(text + 2996, "x.pn", 4);
    text[3000] = '\0';
    text_shown(text, out);
    assert_true(strlen(out) < TEXT_SHOWN_SIZE);
    assert_int_equal(out[0], '/');
    assert_non_null(strstr(out, "..."));
    assert_string_equal(out + strlen(out) - 5, "/x.pn"); /* the file name survives */
    /* Escapes count towards the room: a long text of newlines is elided, not overflowed. */
    memset(text, '\n', 3000);
    text_shown(text, out);
    assert_true(strlen(out) < TEXT_SHOWN_SIZE);
    assert_non_null(strstr(out, "\\n...\\n"));
}

static void a_failure_is_always_one_line(void **state) {
    (void)state;
    failure f = {0};
    failure_set(&f, CLR_USAGE_ERROR, "a %s b", "x\ny");
    assert_null(strchr(f.message, '\n'));
    assert_string_equal(f.message, "a x?y b");
    f.opencl_status = -5;
    failure_set(&f, CLR_RUNTIME_ERROR, "again");
    assert_int_equal(f.opencl_status, 0);
}

static json_problem check(const char *text) {
    return json_check(text, strlen(text), 8);
}

static void valid_json_has_no_problem(void **state) {
    (void)state;
    assert_int_equal(check("{\"a\": 1, \"b\": {\"a\": 2}, \"c\": [{\"a\": 1}, {\"a\": 2}]}").kind,
                     JSON_FINE);
    assert_int_equal(check("[1, 2, [3]]").kind, JSON_FINE);
    assert_int_equal(check("{\"a\": \"}\\\"{\", \"b\": 1}").kind, JSON_FINE); /* in strings */
    assert_int_equal(check("").kind, JSON_FINE);
}

static void a_duplicate_key_is_found_with_both_places_and_its_object(void **state) {
    (void)state;
    json_problem p = check("{\"camera\": {\"fov\": 40,\n  \"fov\": 400}}");
    assert_int_equal(p.kind, JSON_DUPLICATE_KEY);
    assert_string_equal(p.key, "fov");
    assert_string_equal(p.path, "camera");
    assert_int_equal(p.first_line, 1), assert_int_equal(p.first_column, 13);
    assert_int_equal(p.line, 2), assert_int_equal(p.column, 3);

    p = check("{\"spheres\": [{\"r\": 1}, {\"m\": {\"d\": 1, \"d\": 2}}]}");
    assert_int_equal(p.kind, JSON_DUPLICATE_KEY);
    assert_string_equal(p.path, "spheres[1].m");

    p = check("{\"a\": 1, \"a\": 2}");
    assert_string_equal(p.path, ""); /* the top-level object */
}

static void keys_are_compared_decoded(void **state) {
    (void)state;
    /* "\u0066ov" is "fov", as cJSON reads it. */
    json_problem p = check("{\"fov\": 1, \"\\u0066ov\": 2}");
    assert_int_equal(p.kind, JSON_DUPLICATE_KEY);
    assert_string_equal(p.key, "fov");
    /* Different keys that share a prefix are no duplicates. */
    assert_int_equal(check("{\"fo\": 1, \"fov\": 2, \"fovx\": 3}").kind, JSON_FINE);
}

static void nesting_beyond_the_limit_is_reported_where_it_starts(void **state) {
    (void)state;
    json_problem p = check("[[[[[[[[1]]]]]]]]"); /* 8 levels: the limit */
    assert_int_equal(p.kind, JSON_FINE);
    p = check("[[[[[[[[[1]]]]]]]]]"); /* 9 */
    assert_int_equal(p.kind, JSON_TOO_DEEP);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.column, 9);
}

static void many_keys_are_checked_in_good_time(void **state) {
    (void)state;
    /* 200,000 distinct keys in one object: sorted once, not compared pairwise. */
    const size_t count = 200000;
    char *text = malloc(count * 16 + 16), *at = text;
    *at++ = '{';
    for (size_t i = 0; i < count; ++i)
        at += sprintf(at, "%s\"k%zu\": 1", i ? ", " : "", i);
    strcpy(at, "}");
    json_problem p = json_check(text, strlen(text), 8);
    assert_int_equal(p.kind, JSON_FINE);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_is_shown_as_it_is),
        cmocka_unit_test(control_characters_are_escaped),
        cmocka_unit_test(long_text_keeps_both_ends),
        cmocka_unit_test(a_failure_is_always_one_line),
        cmocka_unit_test(valid_json_has_no_problem),
        cmocka_unit_test(a_duplicate_key_is_found_with_both_places_and_its_object),
        cmocka_unit_test(keys_are_compared_decoded),
        cmocka_unit_test(nesting_beyond_the_limit_is_reported_where_it_starts),
        cmocka_unit_test(many_keys_are_checked_in_good_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
