/* Unit tests for kernel_source_load(): kernels include the layout headers they share with the
 * host, and the includes are expanded before a driver sees the source. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "device/program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEMP_DIR_TEMPLATE "/tmp/clrender-kernels-XXXXXX"
#include "temp_dir.h"

static void write_file(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void includes_are_replaced_by_the_header_with_line_markers(void **state) {
    (void)state;
    write_file("layout.h", "#define ROWS 4\n");
    write_file("k.cl", "// first\n#include \"layout.h\"\n__kernel void k(void) {}\n");
    char *text;
    size_t length;
    failure f = {0};
    assert_int_equal(kernel_source_load(dir, "k.cl", &text, &length, &f), 0);
    assert_int_equal(strlen(text), length);
    assert_string_equal(text, "// first\n"
                              "#line 1 \"layout.h\"\n"
                              "#define ROWS 4\n"
                              "\n#line 3 \"k.cl\"\n"
                              "__kernel void k(void) {}\n");
    free(text);
}

static void nested_includes_expand_and_a_missing_one_is_named(void **state) {
    (void)state;
    write_file("a.h", "#include \"b.h\"\nint a;\n");
    write_file("b.h", "int b;\n");
    write_file("n.cl", "  #  include \"a.h\"\n");
    char *text;
    size_t length;
    failure f = {0};
    assert_int_equal(kernel_source_load(dir, "n.cl", &text, &length, &f), 0);
    assert_non_null(strstr(text, "int b;\n"));
    assert_true(strstr(text, "int b;") < strstr(text, "int a;"));
    free(text);
    write_file("m.cl", "#include \"missing.h\"\n");
    assert_int_equal(kernel_source_load(dir, "m.cl", &text, &length, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "missing.h"));
}

static void an_include_cycle_stops_with_a_message(void **state) {
    (void)state;
    write_file("loop.h", "#include \"loop.h\"\n");
    write_file("c.cl", "#include \"loop.h\"\n");
    char *text = NULL;
    size_t length;
    failure f = {0};
    assert_int_equal(kernel_source_load(dir, "c.cl", &text, &length, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "nest more than"));
}

static void built_in_kernels_carry_their_layout_headers(void **state) {
    (void)state;
    char *text;
    size_t length;
    failure f = {0};
    assert_int_equal(kernel_source_load(NULL, "raytrace.cl", &text, &length, &f), 0);
    assert_non_null(strstr(text, "#define RAYTRACE_SPHERE_STRIDE"));
    assert_null(strstr(text, "#include \"raytrace_layout.h\""));
    free(text);
    assert_int_equal(kernel_source_load(NULL, "julia.cl", &text, &length, &f), 0);
    assert_non_null(strstr(text, "#define JULIA_SIMD_ROWS"));
    free(text);
    assert_int_equal(kernel_source_load(NULL, "nope.cl", &text, &length, &f), CLR_RUNTIME_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(includes_are_replaced_by_the_header_with_line_markers),
        cmocka_unit_test(nested_includes_expand_and_a_missing_one_is_named),
        cmocka_unit_test(an_include_cycle_stops_with_a_message),
        cmocka_unit_test(built_in_kernels_carry_their_layout_headers),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
