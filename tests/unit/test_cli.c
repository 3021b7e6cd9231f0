/* Unit tests for the julia command line: render_parse() over the julia renderer.
 *
 * These go through the same path as `clrender julia ...` (the common option
 * table, presets first, the julia parameters set through the session, the
 * parameters checked together and the final combination checks) without
 * opening a device, so they pin down what every option means and that every
 * mistake is a usage error (exit 2) whose message names the culprit.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */

#include "cli/cli.h"
#include "cli/sequence.h"
#include "engine/session.h"
#include "renderers/julia/julia.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define MAX_WORDS 16

/* One parse: the writable argv it ran on (render_options points into it) and what came out. */
typedef struct parse_result {
    int argc;
    char *argv[MAX_WORDS + 2];
    char text[MAX_WORDS + 2][96];
    int status;
    render_options options;
    julia_params params; /* the session's, copied */
    const char *devices; /* the session's device spec, or NULL */
    char output_copy[96], device_copy[96], devices_copy[96];
    frame_sequence sequence_copy; /* the START:END values, or none */
    failure failure;
} parse_result;

/* Runs `clrender julia WORDS...` as main() would: argv[0] and argv[1] are the
 * program and the command, and the options start at index 2. */
static void parse_words(parse_result *r, const char *const *words, size_t count) {
    assert_true(count <= MAX_WORDS);
    memset(r, 0, sizeof *r);
    const char *all[MAX_WORDS + 2] = {"clrender", "julia"};
    for (size_t i = 0; i < count; ++i)
        all[i + 2] = words[i];
    r->argc = (int)count + 2;
    for (int i = 0; i < r->argc; ++i) {
        assert_true(strlen(all[i]) < sizeof r->text[i]);
        strcpy(r->text[i], all[i]);
        r->argv[i] = r->text[i];
    }
    console out = {0};
    clr_session *s = NULL;
    r->status = render_parse("julia", r->argc, r->argv, 2, &r->options, &out, &s, &r->failure);
    if (s) {
        r->params = *(const julia_params *)s->params;
        if (s->options.devices) {
            snprintf(r->devices_copy, sizeof r->devices_copy, "%s", s->options.devices);
            r->devices = r->devices_copy;
        }
    }
    clr_session_close(s);
    /* The strings the tests look at outlive the parse: the result keeps copies. */
    if (r->options.output) {
        snprintf(r->output_copy, sizeof r->output_copy, "%s", r->options.output);
        free(r->options.output);
        r->options.output = r->output_copy;
    }
    if (r->options.device_spec) {
        snprintf(r->device_copy, sizeof r->device_copy, "%s", r->options.device_spec);
        free(r->options.device_spec);
        r->options.device_spec = r->device_copy;
    }
    if (r->options.sequence) {
        r->sequence_copy = *r->options.sequence;
        sequence_free(r->options.sequence);
        r->options.sequence = &r->sequence_copy;
    }
}

#define WORDS(...)      ((const char *const[]){__VA_ARGS__})
#define WORD_COUNT(...) (sizeof WORDS(__VA_ARGS__) / sizeof(const char *))
#define PARSE(r, ...)   parse_words((r), WORDS(__VA_ARGS__), WORD_COUNT(__VA_ARGS__))
#define EXPECT_OK(r)    expect_ok((r), __LINE__)
#define EXPECT_USAGE(needle, ...)                                                                  \
    expect_usage(WORDS(__VA_ARGS__), WORD_COUNT(__VA_ARGS__), (needle), __LINE__)

static void expect_ok(const parse_result *r, int line) {
    if (r->status != 0) {
        print_error("line %d: render_parse failed (%d): %s\n", line, r->status, r->failure.message);
        _fail(__FILE__, line);
    }
}

/* The words must be refused as a usage error whose message mentions `needle`
 * (the option, or the argument, the user has to fix). */
static void expect_usage(const char *const *words, size_t count, const char *needle, int line) {
    parse_result r;
    parse_words(&r, words, count);
    char command[512] = "";
    for (size_t i = 0; i < count; ++i) {
        strncat(command, " ", sizeof command - strlen(command) - 1);
        strncat(command, words[i], sizeof command - strlen(command) - 1);
    }
    if (r.status != CLR_USAGE_ERROR || r.failure.status != CLR_USAGE_ERROR) {
        print_error("line %d: 'julia%s' returned %d, expected usage error %d (message: %s)\n", line,
                    command, r.status, CLR_USAGE_ERROR, r.failure.message);
        _fail(__FILE__, line);
    }
    if (!strstr(r.failure.message, needle)) {
        print_error("line %d: 'julia%s': message does not mention '%s': %s\n", line, command,
                    needle, r.failure.message);
        _fail(__FILE__, line);
    }
}

/* The session takes $CLRENDER_DEVICE: the tests must not depend on the caller's. */
static int clear_device_environment(void **state) {
    (void)state;
    return unsetenv("CLRENDER_DEVICE");
}

static void defaults_are_the_blog_overview(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "-o", "out.png");
    EXPECT_OK(&r);
    assert_true(r.params.c[0] == -0.835);
    assert_true(r.params.c[1] == -0.2321);
    assert_true(r.params.region[0] == -1.6);
    assert_true(r.params.region[1] == 1.6);
    assert_true(r.params.region[2] == -1.0);
    assert_true(r.params.region[3] == 1.0);
    assert_int_equal(r.params.size.width, 1000);
    assert_int_equal(r.params.size.height, 625);
    assert_int_equal(r.params.iter_min, 0);
    assert_int_equal(r.params.iter_max, 80);
    assert_true(r.params.threshold == 2.0);
    assert_int_equal(r.params.precision, PRECISION_DOUBLE);

    assert_string_equal(r.options.output, "out.png");
    assert_null(r.options.device_spec);
    assert_int_equal(r.options.backend, 0);
    assert_int_equal(r.options.verify, 0);
    assert_true(r.options.tolerance < 0); /* the renderer's default */
    assert_int_equal(r.options.timings, 0);
}

static void blog_zoom_preset_sets_size_region_and_iterations_but_keeps_c(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "--preset", "blog-zoom", "-o", "zoom.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.size.width, 4000);
    assert_int_equal(r.params.size.height, 4000);
    assert_true(r.params.region[0] == -0.1);
    assert_true(r.params.region[1] == 0.1);
    assert_true(r.params.region[2] == -0.1);
    assert_true(r.params.region[3] == 0.1);
    assert_int_equal(r.params.iter_min, 20);
    assert_int_equal(r.params.iter_max, 100);
    assert_true(r.params.c[0] == -0.835);
    assert_true(r.params.c[1] == -0.2321);
    assert_true(r.params.threshold == 2.0);
}

static void explicit_options_override_a_preset_before_or_after_it(void **state) {
    (void)state;
    parse_result r;
    /* Presets are applied first, so an option written before one still wins. */
    PARSE(&r, "--size", "100x100", "--iter", "5:50", "--preset", "blog-zoom", "-o", "a.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.size.width, 100);
    assert_int_equal(r.params.size.height, 100);
    assert_int_equal(r.params.iter_min, 5);
    assert_int_equal(r.params.iter_max, 50);
    /* What the options did not name still comes from the preset. */
    assert_true(r.params.region[1] == 0.1);

    PARSE(&r, "--preset", "blog-zoom", "--size", "100x100", "--region", "-2,2,-1.5,1.5", "-o",
          "a.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.size.width, 100);
    assert_int_equal(r.params.size.height, 100);
    assert_true(r.params.region[0] == -2.0);
    assert_true(r.params.region[3] == 1.5);
    assert_int_equal(r.params.iter_min, 20);
}

static void later_preset_replaces_an_earlier_one(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "--preset", "blog-zoom", "--preset", "blog-overview", "-o", "a.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.size.width, 1000);
    assert_int_equal(r.params.size.height, 625);
    assert_int_equal(r.params.iter_min, 0);
    assert_int_equal(r.params.iter_max, 80);
    assert_true(r.params.region[0] == -1.6);
}

static void option_equals_value_form_is_accepted(void **state) {
    (void)state;
    parse_result r;
    /* In the = form a value starting with '-' cannot be mistaken for an option. */
    PARSE(&r, "--size=320x200", "--c=0.285,-0.01", "--region=-2,2,-1.5,1.5", "--iter=3:30",
          "--threshold=4", "--precision=float", "--output=out.npy");
    EXPECT_OK(&r);
    assert_int_equal(r.params.size.width, 320);
    assert_int_equal(r.params.size.height, 200);
    assert_true(r.params.c[0] == 0.285);
    assert_true(r.params.c[1] == -0.01);
    assert_true(r.params.region[0] == -2.0);
    assert_true(r.params.region[2] == -1.5);
    assert_int_equal(r.params.iter_min, 3);
    assert_int_equal(r.params.iter_max, 30);
    assert_true(r.params.threshold == 4.0);
    assert_int_equal(r.params.precision, PRECISION_FLOAT);
    assert_string_equal(r.options.output, "out.npy");
}

static void separate_value_may_start_with_a_minus(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "--c", "-0.4,0.6", "--region", "-1,1,-1,1", "-o", "out.pgm");
    EXPECT_OK(&r);
    assert_true(r.params.c[0] == -0.4);
    assert_true(r.params.c[1] == 0.6);
    assert_true(r.params.region[0] == -1.0);
}

static void short_and_long_output_options_both_set_the_file(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "-o", "short.png");
    EXPECT_OK(&r);
    assert_string_equal(r.options.output, "short.png");
    PARSE(&r, "--output", "long.ppm");
    EXPECT_OK(&r);
    assert_string_equal(r.options.output, "long.ppm");
}

static void single_iteration_number_means_zero_to_max(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "--iter", "50", "-o", "a.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.iter_min, 0);
    assert_int_equal(r.params.iter_max, 50);
    /* Also over a preset whose MIN is 20: "50" says MIN is 0, not "keep MIN". */
    PARSE(&r, "--preset", "blog-zoom", "--iter", "50", "-o", "a.png");
    EXPECT_OK(&r);
    assert_int_equal(r.params.iter_min, 0);
    assert_int_equal(r.params.iter_max, 50);
    /* The largest MAX is what a 32-bit count holds. */
    PARSE(&r, "--iter", "4294967295", "-o", "a.npy");
    EXPECT_OK(&r);
    assert_int_equal(r.params.iter_max, JULIA_ITER_LIMIT);
}

static void common_options_are_recorded(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "-o", "a.png", "--device", "1:0", "--verify", "--tolerance", "0.25", "--timings");
    EXPECT_OK(&r);
    assert_string_equal(r.options.device_spec, "1:0");
    assert_int_equal(r.options.verify, 1);
    assert_true(r.options.tolerance == 0.25);
    assert_int_equal(r.options.timings, 1);
    assert_int_equal(r.options.backend, 0);

    PARSE(&r, "-o", "a.png", "--backend", "reference");
    EXPECT_OK(&r);
    assert_int_equal(r.options.backend, 1);
}

static void device_comes_from_the_environment_unless_given(void **state) {
    (void)state;
    parse_result r;
    assert_int_equal(setenv("CLRENDER_DEVICE", "cpu", 1), 0);
    PARSE(&r, "-o", "a.png");
    EXPECT_OK(&r);
    assert_null(r.options.device_spec);
    assert_non_null(r.devices);
    assert_string_equal(r.devices, "cpu");

    PARSE(&r, "-o", "a.png", "--device", "gpu");
    EXPECT_OK(&r);
    assert_string_equal(r.options.device_spec, "gpu");
    assert_string_equal(r.devices, "gpu");

    /* An empty variable means "not set": automatic choice. */
    assert_int_equal(setenv("CLRENDER_DEVICE", "", 1), 0);
    PARSE(&r, "-o", "a.png");
    EXPECT_OK(&r);
    assert_null(r.devices);
}

static void getopt_conventions_hold(void **state) {
    (void)state;
    parse_result r;
    /* -oFILE and --output=FILE */
    PARSE(&r, "-oattached.png");
    EXPECT_OK(&r);
    assert_string_equal(r.options.output, "attached.png");
    PARSE(&r, "--output=equals.png", "--size=10x10");
    EXPECT_OK(&r);
    assert_string_equal(r.options.output, "equals.png");
    /* "--" ends the options: what follows is an operand, which julia refuses. */
    EXPECT_USAGE("unexpected argument '--size'", "-o", "a.png", "--", "--size");
    EXPECT_USAGE("unexpected argument 'x'", "-o", "a.png", "--", "x");
}

static void unknown_options_stray_arguments_and_missing_values_are_usage_errors(void **state) {
    (void)state;
    EXPECT_USAGE("--bogus", "-o", "a.png", "--bogus", "1");
    EXPECT_USAGE("--bogus", "-o", "a.png", "--bogus=1");
    EXPECT_USAGE("-x", "-o", "a.png", "-x");
    /* No positional arguments: a forgotten -o must not be taken as the output. */
    EXPECT_USAGE("'a.png'", "a.png");
    EXPECT_USAGE("'stray'", "-o", "a.png", "stray");
    EXPECT_USAGE("'-'", "-o", "a.png", "-");
    /* A value-taking option at the very end has nothing to take. */
    EXPECT_USAGE("--size", "-o", "a.png", "--size");
    EXPECT_USAGE("--output", "-o");
    /* A flag given a value is a mistake, not silently ignored. */
    EXPECT_USAGE("--verify", "-o", "a.png", "--verify=yes");
}

static void unparsable_and_non_finite_numbers_are_usage_errors(void **state) {
    (void)state;
    EXPECT_USAGE("--threshold", "-o", "a.png", "--threshold", "two");
    EXPECT_USAGE("--threshold", "-o", "a.png", "--threshold", "inf");
    EXPECT_USAGE("--c", "-o", "a.png", "--c", "nan,0");
    EXPECT_USAGE("--c", "-o", "a.png", "--c", "0.3");
    EXPECT_USAGE("--c", "-o", "a.png", "--c", "0.3,0.1,0");
    EXPECT_USAGE("--region", "-o", "a.png", "--region", "-1,1,-1,1e999");
    EXPECT_USAGE("--region", "-o", "a.png", "--region", "-1,,-1,1");
    EXPECT_USAGE("--size", "-o", "a.png", "--size", "100x");
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", "ten");
    EXPECT_USAGE("--tolerance", "-o", "a.png", "--tolerance", "0.1x");
}

static void out_of_range_values_are_usage_errors(void **state) {
    (void)state;
    EXPECT_USAGE("--size", "-o", "a.png", "--size", "0x5");
    EXPECT_USAGE("--size", "-o", "a.png", "--size", "5x0");
    EXPECT_USAGE("--size", "-o", "a.png", "--size", "2147483648x1");
    /* The image needs MIN < MAX to map counts onto gray levels. */
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", "10:10");
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", "20:10");
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", "0");
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", ":10");
    EXPECT_USAGE("--iter", "-o", "a.png", "--iter", "4294967296");
    EXPECT_USAGE("--threshold", "-o", "a.png", "--threshold", "0");
    EXPECT_USAGE("--threshold", "-o", "a.png", "--threshold", "-1");
    /* Positive, but its square underflows to 0 and nothing could ever stay inside. */
    EXPECT_USAGE("--threshold", "-o", "a.png", "--threshold", "1e-200");
    EXPECT_USAGE("--region", "-o", "a.png", "--region", "1,1,-1,1");
    EXPECT_USAGE("--region", "-o", "a.png", "--region", "1,-1,-1,1");
    EXPECT_USAGE("--region", "-o", "a.png", "--region", "-1,1,0.5,0.5");
    EXPECT_USAGE("--tolerance", "-o", "a.png", "--tolerance", "1.5");
    EXPECT_USAGE("--tolerance", "-o", "a.png", "--tolerance", "-0.1");
}

static void unknown_names_are_usage_errors(void **state) {
    (void)state;
    EXPECT_USAGE("--preset", "-o", "a.png", "--preset", "blog-huge");
    EXPECT_USAGE("--precision", "-o", "a.png", "--precision", "half");
    /* Keywords are exact: the help text spells them in lower case. */
    EXPECT_USAGE("--precision", "-o", "a.png", "--precision", "Double");
    EXPECT_USAGE("--backend", "-o", "a.png", "--backend", "gpu");
    EXPECT_USAGE("--device", "-o", "a.png", "--device", "");
    EXPECT_USAGE("--kernel", "-o", "a.png", "--kernel", "vector");
    EXPECT_USAGE("--output", "--output=");
}

static void conflicting_or_missing_options_are_usage_errors(void **state) {
    (void)state;
    parse_result r;
    parse_words(&r, NULL, 0);
    assert_int_equal(r.status, CLR_USAGE_ERROR);
    assert_non_null(strstr(r.failure.message, "-o"));

    EXPECT_USAGE("-o", "--size", "10x10");
    EXPECT_USAGE("--verify", "-o", "a.png", "--verify", "--backend", "reference");
    EXPECT_USAGE("--verify", "-o", "a.png", "--backend", "reference", "--verify");
}

static void frames_and_start_end_values_are_read(void **state) {
    (void)state;
    parse_result r;
    PARSE(&r, "-o", "f_%03d.png", "--frames", "5", "--region", "-2,2,-1,1:-1,1,-0.5,0.5", "--c",
          "0,0:1,-1");
    EXPECT_OK(&r);
    assert_int_equal(r.options.frames, 5);
    /* The session holds START, the first frame's values. */
    assert_true(r.params.region[0] == -2 && r.params.region[3] == 1);
    assert_true(r.params.c[0] == 0 && r.params.c[1] == 0);
    const frame_sequence *q = r.options.sequence;
    assert_non_null(q);
    assert_int_equal(q->count, 2);
    assert_string_equal(q->params[0].name, "region");
    assert_int_equal(q->params[0].rule, SEQUENCE_ZOOM);
    assert_int_equal(q->params[0].count, 4);
    assert_true(q->params[0].end[0] == -1 && q->params[0].end[3] == 0.5);
    assert_string_equal(q->params[1].name, "c");
    assert_int_equal(q->params[1].rule, SEQUENCE_LINEAR);
    assert_true(q->params[1].end[1] == -1);

    /* A later plain value replaces a START:END, as a later option replaces an earlier one;
     * --iter keeps its MIN:MAX. */
    PARSE(&r, "-o", "a.png", "--c", "0,0:1,1", "--c", "0.5,0.25", "--iter", "5:50");
    EXPECT_OK(&r);
    assert_true(r.options.sequence == NULL || r.options.sequence->count == 0);
    assert_true(r.params.c[0] == 0.5 && r.params.c[1] == 0.25);
    assert_int_equal(r.params.iter_min, 5);
}

static void start_end_mistakes_are_usage_errors(void **state) {
    (void)state;
    EXPECT_USAGE("--frames", "-o", "a.png", "--frames", "3");
    EXPECT_USAGE("add --frames", "-o", "a.png", "--region", "-2,2,-1,1:-1,1,-1,1");
    EXPECT_USAGE("--resume", "-o", "a.png", "--resume");
    EXPECT_USAGE("END", "-o", "f%d.png", "--frames", "2", "--region", "-2,2,-1,1:1,2");
    EXPECT_USAGE("START", "-o", "f%d.png", "--frames", "2", "--c", "x,0:1,1");
    EXPECT_USAGE("one ':'", "-o", "f%d.png", "--frames", "2", "--c", "0,0:1,1:2,2");
    EXPECT_USAGE("both values", "-o", "f%d.png", "--frames", "2", "--c", ":1,1");
    EXPECT_USAGE("--frames", "-o", "f%d.png", "--frames", "0");
    EXPECT_USAGE("--frames", "-o", "f%d.png", "--frames", "1000001");
    EXPECT_USAGE("%04d", "-o", "f%03d.png", "--frames", "1001");
    EXPECT_USAGE("file name", "-o", "d%d/f.png", "--frames", "2");
    EXPECT_USAGE("--size", "-o", "f%d.png", "--frames", "2", "--size", "8x8:16x16");
}

/* The zoom rule of cli/sequence.h: the ends exact, the same ratio from frame to frame, the
 * centre's offset from the end's centre in proportion to the width; a pan stays linear. */
static void a_zoom_has_a_constant_ratio_and_converges(void **state) {
    (void)state;
    sequence_param p = {.name = "region", .rule = SEQUENCE_ZOOM, .count = 4};
    const double start[4] = {-2, 2, -1, 1}, end[4] = {0.25, 0.35, 0.1, 0.15};
    memcpy(p.start, start, sizeof start);
    memcpy(p.end, end, sizeof end);
    const size_t n = 9;
    double v[9][4];
    for (size_t k = 0; k < n; ++k)
        sequence_values(&p, k, n, v[k]);
    assert_memory_equal(v[0], start, sizeof start);
    assert_memory_equal(v[n - 1], end, sizeof end);
    const double ratio = (v[1][1] - v[1][0]) / (v[0][1] - v[0][0]);
    for (size_t k = 1; k < n; ++k) {
        double w = v[k][1] - v[k][0], w_before = v[k - 1][1] - v[k - 1][0];
        assert_true(fabs(w / w_before - ratio) < 1e-9);
        /* the centre's offset from the end centre over the width beyond the end's */
        double centre = (v[k][0] + v[k][1]) / 2, offset = centre - 0.3;
        double expected = (0 - 0.3) * (w - 0.1) / (4 - 0.1);
        assert_true(fabs(offset - expected) < 1e-12);
    }
    /* N = 1: START. A pan: linear. */
    double one[4];
    sequence_values(&p, 0, 1, one);
    assert_memory_equal(one, start, sizeof start);
    sequence_param pan = {.name = "region",
                          .rule = SEQUENCE_ZOOM,
                          .count = 4,
                          .start = {0, 1, 0, 1},
                          .end = {2, 3, 0, 1}};
    double middle[4];
    sequence_values(&pan, 1, 3, middle);
    assert_true(middle[0] == 1 && middle[1] == 2 && middle[2] == 0 && middle[3] == 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_blog_overview),
        cmocka_unit_test(blog_zoom_preset_sets_size_region_and_iterations_but_keeps_c),
        cmocka_unit_test(explicit_options_override_a_preset_before_or_after_it),
        cmocka_unit_test(later_preset_replaces_an_earlier_one),
        cmocka_unit_test(option_equals_value_form_is_accepted),
        cmocka_unit_test(separate_value_may_start_with_a_minus),
        cmocka_unit_test(short_and_long_output_options_both_set_the_file),
        cmocka_unit_test(single_iteration_number_means_zero_to_max),
        cmocka_unit_test(common_options_are_recorded),
        /* The teardown unsets the variable even when an assertion stops the test halfway. */
        cmocka_unit_test_teardown(device_comes_from_the_environment_unless_given,
                                  clear_device_environment),
        cmocka_unit_test(getopt_conventions_hold),
        cmocka_unit_test(unknown_options_stray_arguments_and_missing_values_are_usage_errors),
        cmocka_unit_test(unparsable_and_non_finite_numbers_are_usage_errors),
        cmocka_unit_test(out_of_range_values_are_usage_errors),
        cmocka_unit_test(unknown_names_are_usage_errors),
        cmocka_unit_test(conflicting_or_missing_options_are_usage_errors),
        cmocka_unit_test(frames_and_start_end_values_are_read),
        cmocka_unit_test(start_end_mistakes_are_usage_errors),
        cmocka_unit_test(a_zoom_has_a_constant_ratio_and_converges),
    };
    return cmocka_run_group_tests(tests, clear_device_environment, NULL);
}
