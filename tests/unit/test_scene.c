#define _POSIX_C_SOURCE 200809L /* mkstemp, mkdtemp */
/* Unit tests for scene.h: parsing JSON scenes, their defaults, limits and
 * error messages, the built-in scene, and the camera frame.
 *
 * Every error must be a usage error whose message names the source and then
 * the field ("scene 'FILE': spheres[0].radius: ..."), or the line and column
 * of a JSON syntax error, and must leave the scene empty.
 */
#include "renderers/sphere/scene.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOURCE "test.json"
#define PREFIX "scene '" SOURCE "': "

/* Pieces of a valid scene, to build the variants below. */
#define CAMERA      "\"camera\": {\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": 60}"
#define MATERIAL    "\"material\": {\"diffuse\": [0.5, 0.5, 0.5]}"
#define SPHERE      "{\"center\": [0, 0, 0], \"radius\": 1, " MATERIAL "}"
#define SPHERES     "\"spheres\": [" SPHERE "]"
#define VALID_SCENE "{" CAMERA ", " SPHERES "}"
/* A scene with one sphere whose members are `members`. */
#define WITH_SPHERE(members) "{" CAMERA ", \"spheres\": [{" members "}]}"
/* A scene with one sphere whose material's members are `members`. */
#define WITH_MATERIAL(members)                                                                     \
    WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 1, \"material\": {" members "}")
/* A scene with the camera `camera` (its members). */
#define WITH_CAMERA(members) "{\"camera\": {" members "}, " SPHERES "}"

/* Writes a warning to the FILE the tests read back, as the command line prints it. */
static void write_warning(void *user, const char *message) {
    fprintf(user, "clrender: warning: %s\n", message);
}

#define WARN_TO(file) ((file) ? write_warning : NULL), (file)

static int parse_text(const char *text, scene *s, FILE *warnings, failure *f) {
    *f = (failure){0};
    return scene_parse(text, strlen(text), SOURCE, s, WARN_TO(warnings), f);
}

static void check_vec3(vec3 actual, double x, double y, double z, double tolerance,
                       const char *what, int line) {
    if (!(fabs(actual.x - x) <= tolerance && fabs(actual.y - y) <= tolerance &&
          fabs(actual.z - z) <= tolerance)) {
        print_error("line %d: %s is (%.17g, %.17g, %.17g), expected (%.17g, %.17g, %.17g)\n", line,
                    what, actual.x, actual.y, actual.z, x, y, z);
        _fail(__FILE__, line);
    }
}
#define ASSERT_VEC3(actual, x, y, z) check_vec3((actual), (x), (y), (z), 0.0, #actual, __LINE__)
#define ASSERT_VEC3_NEAR(actual, x, y, z)                                                          \
    check_vec3((actual), (x), (y), (z), 1e-12, #actual, __LINE__)

/* The parse of `text` must fail as a usage error whose message is PREFIX followed by
 * `expected_start` (the field path and the start of the problem), and leave the scene empty. */
#define EXPECT_SCENE_ERROR(text, expected_start)                                                   \
    expect_scene_error((text), (expected_start), __LINE__)

static void expect_scene_error(const char *text, const char *expected_start, int line) {
    scene s;
    memset(&s, 0xA5, sizeof s); /* scene_parse must clear it */
    failure f;
    int status = parse_text(text, &s, NULL, &f);
    _assert_int_equal(status, CLR_USAGE_ERROR, __FILE__, line);
    _assert_int_equal(f.status, CLR_USAGE_ERROR, __FILE__, line);
    size_t prefix = strlen(PREFIX);
    if (strncmp(f.message, PREFIX, prefix) != 0 ||
        strncmp(f.message + prefix, expected_start, strlen(expected_start)) != 0) {
        print_error("line %d: message '%s', expected '%s%s...'\n", line, f.message, PREFIX,
                    expected_start);
        _fail(__FILE__, line);
    }
    _assert_true(s.spheres == NULL && s.sphere_count == 0, "no spheres left", __FILE__, line);
    _assert_true(s.lights == NULL && s.light_count == 0, "no lights left", __FILE__, line);
}

/* The parse of `text` must fail with exactly the message PREFIX `expected`. */
#define EXPECT_SYNTAX_ERROR(text, length, expected)                                                \
    expect_syntax_error((text), (length), (expected), __LINE__)

static void expect_syntax_error(const char *text, size_t length, const char *expected, int line) {
    scene s;
    failure f = {0};
    int status = scene_parse(text, length, SOURCE, &s, NULL, NULL, &f);
    _assert_int_equal(status, CLR_USAGE_ERROR, __FILE__, line);
    char full[1024];
    snprintf(full, sizeof full, "%s%s", PREFIX, expected);
    _assert_string_equal(f.message, full, __FILE__, line);
    _assert_true(s.spheres == NULL && s.lights == NULL, "scene left empty", __FILE__, line);
}

/* ---- valid scenes ---------------------------------------------------------------------- */

static void minimal_scene_gets_the_documented_defaults(void **state) {
    (void)state;
    const char *text = "{" CAMERA ", \"lights\": [{\"position\": [1, 2, 3]}], " SPHERES "}";
    scene s;
    failure f;
    assert_int_equal(parse_text(text, &s, NULL, &f), 0);
    ASSERT_VEC3(s.camera_position, 0, 0, 5);
    ASSERT_VEC3(s.camera_look_at, 0, 0, 0);
    ASSERT_VEC3(s.camera_up, 0, 1, 0);
    assert_true(s.fov_degrees == 60);
    ASSERT_VEC3(s.background, 0, 0, 0);
    ASSERT_VEC3(s.ambient, 0, 0, 0);
    assert_int_equal(s.light_count, 1);
    ASSERT_VEC3(s.lights[0].position, 1, 2, 3);
    ASSERT_VEC3(s.lights[0].color, 1, 1, 1);
    assert_true(s.lights[0].intensity == 1);
    assert_int_equal(s.sphere_count, 1);
    ASSERT_VEC3(s.spheres[0].center, 0, 0, 0);
    assert_true(s.spheres[0].radius == 1);
    ASSERT_VEC3(s.spheres[0].material.diffuse, 0.5, 0.5, 0.5);
    assert_true(s.spheres[0].material.specular == 0);
    assert_true(s.spheres[0].material.shininess == 1);
    assert_true(s.spheres[0].material.reflectivity == 0);
    scene_free(&s);
}

static void every_field_given_is_read(void **state) {
    (void)state;
    const char *text =
        "{\"camera\": {\"position\": [1, 2, 3], \"look_at\": [4, 5, 6], \"up\": [0, 0, 1],"
        "              \"fov\": 35.5},"
        " \"background\": [0.1, 0.2, 0.3], \"ambient\": [0.01, 0.02, 0.03],"
        " \"lights\": [{\"position\": [7, 8, 9], \"color\": [0.5, 0.6, 0.7], \"intensity\": 2.5},"
        "            {\"position\": [-1, -2, -3]}],"
        " \"spheres\": [{\"center\": [-1, 0.5, 2], \"radius\": 0.25,"
        "               \"material\": {\"diffuse\": [0.9, 0.8, 0.7], \"specular\": 0.4,"
        "                            \"shininess\": 64, \"reflectivity\": 1}},"
        "              " SPHERE "]}";
    scene s;
    failure f;
    assert_int_equal(parse_text(text, &s, NULL, &f), 0);
    ASSERT_VEC3(s.camera_position, 1, 2, 3);
    ASSERT_VEC3(s.camera_look_at, 4, 5, 6);
    ASSERT_VEC3(s.camera_up, 0, 0, 1);
    assert_true(s.fov_degrees == 35.5);
    ASSERT_VEC3(s.background, 0.1, 0.2, 0.3);
    ASSERT_VEC3(s.ambient, 0.01, 0.02, 0.03);
    assert_int_equal(s.light_count, 2);
    ASSERT_VEC3(s.lights[0].position, 7, 8, 9);
    ASSERT_VEC3(s.lights[0].color, 0.5, 0.6, 0.7);
    assert_true(s.lights[0].intensity == 2.5);
    ASSERT_VEC3(s.lights[1].position, -1, -2, -3);
    assert_int_equal(s.sphere_count, 2);
    ASSERT_VEC3(s.spheres[0].center, -1, 0.5, 2);
    assert_true(s.spheres[0].radius == 0.25);
    ASSERT_VEC3(s.spheres[0].material.diffuse, 0.9, 0.8, 0.7);
    assert_true(s.spheres[0].material.specular == 0.4);
    assert_true(s.spheres[0].material.shininess == 64);
    assert_true(s.spheres[0].material.reflectivity == 1);
    assert_true(s.spheres[1].radius == 1);
    scene_free(&s);
}

static void boundary_values_are_accepted(void **state) {
    (void)state;
    scene s;
    failure f;
    /* fov just inside (0, 180), reflectivity 0 and 1, black colours, zero intensity */
    const char *accepted[] = {
        WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": 179.999"),
        WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": 0.001"),
        WITH_MATERIAL("\"diffuse\": [0, 0, 0], \"reflectivity\": 1"),
        WITH_MATERIAL("\"diffuse\": [0, 0, 0], \"reflectivity\": 0, \"specular\": 0, "
                      "\"shininess\": 0"),
        "{" CAMERA ", \"background\": [0, 0, 0], \"lights\": [{\"position\": [0, 0, 0], "
        "\"color\": [0, 0, 0], \"intensity\": 0}], " SPHERES "}",
        /* no spheres at all is a valid (empty) scene */
        "{" CAMERA ", \"spheres\": []}",
        /* blank space before and after the value */
        " \r\n\t" VALID_SCENE " \r\n\t",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; ++i) {
        if (parse_text(accepted[i], &s, NULL, &f) != 0) {
            print_error("refused %s: %s\n", accepted[i], f.message);
            fail_msg("a valid scene was refused");
        }
        scene_free(&s);
    }
    assert_int_equal(parse_text("{" CAMERA ", \"spheres\": []}", &s, NULL, &f), 0);
    assert_int_equal(s.sphere_count, 0);
    assert_int_equal(s.light_count, 0);
    scene_free(&s);
}

/* ---- errors in the structure ------------------------------------------------------------ */

static void top_level_must_be_an_object(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR("[" VALID_SCENE "]", "the top level must be an object");
    EXPECT_SCENE_ERROR("42", "the top level must be an object");
    EXPECT_SCENE_ERROR("\"scene\"", "the top level must be an object");
    EXPECT_SCENE_ERROR("null", "the top level must be an object");
}

static void missing_required_fields_are_named(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR("{" SPHERES "}", "camera: missing (required)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"look_at\": [0, 0, 0], \"fov\": 60"),
                       "camera.position: missing (required)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"fov\": 60"),
                       "camera.look_at: missing (required)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0]"),
                       "camera.fov: missing (required)");
    EXPECT_SCENE_ERROR("{" CAMERA "}", "spheres: missing (required)");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"radius\": 1, " MATERIAL),
                       "spheres[0].center: missing (required)");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], " MATERIAL),
                       "spheres[0].radius: missing (required)");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 1"),
                       "spheres[0].material: missing (required)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"specular\": 0.5"),
                       "spheres[0].material.diffuse: missing (required)");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"lights\": [{\"color\": [1, 1, 1]}], " SPHERES "}",
                       "lights[0].position: missing (required)");
    /* Names are case-sensitive: "Radius" is not "radius". */
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"Radius\": 1, " MATERIAL),
                       "spheres[0].radius: missing (required)");
}

static void the_path_names_the_failing_array_entry(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR("{" CAMERA ", \"spheres\": [" SPHERE ", " SPHERE ", {\"center\": [0, 0, 0], "
                       "\"radius\": -1, " MATERIAL "}]}",
                       "spheres[2].radius: must be positive and at most 1e12 (got -1)");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"lights\": [{\"position\": [0, 0, 0]}, {\"position\": [0, 0, "
                       "0], \"color\": [1, -1, 1]}], " SPHERES "}",
                       "lights[1].color: colour components must not be negative");
}

static void wrong_types_are_named(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR("{\"camera\": [0, 0, 5], " SPHERES "}", "camera: must be an object");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": "
                                   "\"60\""),
                       "camera.fov: must be a number");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": \"1\", " MATERIAL),
                       "spheres[0].radius: must be a number");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": true, " MATERIAL),
                       "spheres[0].radius: must be a number");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": null, " MATERIAL),
                       "spheres[0].radius: must be a number");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": \"0,0,0\", \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must be an array of 3 numbers");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, \"0\", 0], \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must be an array of 3 numbers");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 1, \"material\": \"red\""),
                       "spheres[0].material: must be an object");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"spheres\": {}}", "spheres: must be an array");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"spheres\": [1]}", "spheres[0]: must be an object");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"lights\": {\"position\": [0, 0, 0]}, " SPHERES "}",
                       "lights: must be an array");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"lights\": [[0, 0, 0]], " SPHERES "}",
                       "lights[0]: must be an object");
}

static void vectors_must_have_three_numbers(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0], \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must have 3 numbers, not 2");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0, 0], \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must have 3 numbers, not 4");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [], \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must have 3 numbers, not 0");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"up\": [0, "
                                   "1], \"fov\": 60"),
                       "camera.up: must have 3 numbers, not 2");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"ambient\": [0.1], " SPHERES "}",
                       "ambient: must have 3 numbers, not 1");
}

static void numbers_must_be_finite(void **state) {
    (void)state;
    /* cJSON reads 1e999 as infinity. */
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 1e999, " MATERIAL),
                       "spheres[0].radius: must be a finite number");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"shininess\": -1e999"),
                       "spheres[0].material.shininess: must be a finite number");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 1e999, 0], \"radius\": 1, " MATERIAL),
                       "spheres[0].center: must hold finite numbers");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, -1e999], \"look_at\": [0, 0, 0], "
                                   "\"fov\": 60"),
                       "camera.position: must hold finite numbers");
}

static void values_out_of_range_are_named_with_the_value(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 0, " MATERIAL),
                       "spheres[0].radius: must be positive and at most 1e12 (got 0)");
    EXPECT_SCENE_ERROR(WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": -2.5, " MATERIAL),
                       "spheres[0].radius: must be positive and at most 1e12 (got -2.5)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": 0"),
                       "camera.fov: must be in (0, 180) degrees (got 0)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": "
                                   "180"),
                       "camera.fov: must be in (0, 180) degrees (got 180)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": "
                                   "200"),
                       "camera.fov: must be in (0, 180) degrees (got 200)");
    EXPECT_SCENE_ERROR(WITH_CAMERA("\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": "
                                   "-30"),
                       "camera.fov: must be in (0, 180) degrees (got -30)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"reflectivity\": 1.5"),
                       "spheres[0].material.reflectivity: must be from 0 to 1 (got 1.5)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"reflectivity\": -0.1"),
                       "spheres[0].material.reflectivity: must be from 0 to 1 (got -0.1)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"specular\": -1"),
                       "spheres[0].material.specular: must be from 0 to 1e6 (got -1)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"shininess\": -1"),
                       "spheres[0].material.shininess: must be from 0 to 1e6 (got -1)");
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [1, 1, 1], \"shininess\": 2e6"),
                       "spheres[0].material.shininess: must be from 0 to 1e6 (got 2e+06)");
    EXPECT_SCENE_ERROR("{" CAMERA
                       ", \"lights\": [{\"position\": [0, 0, 0], \"intensity\": -1}], " SPHERES "}",
                       "lights[0].intensity: must be from 0 to 1e12 (got -1)");
}

static void negative_colours_are_refused(void **state) {
    (void)state;
    EXPECT_SCENE_ERROR(WITH_MATERIAL("\"diffuse\": [0.5, -0.5, 0.5]"),
                       "spheres[0].material.diffuse: colour components must not be negative");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"background\": [-0.1, 0, 0], " SPHERES "}",
                       "background: colour components must not be negative");
    EXPECT_SCENE_ERROR("{" CAMERA ", \"ambient\": [0, 0, -1e-9], " SPHERES "}",
                       "ambient: colour components must not be negative");
    EXPECT_SCENE_ERROR(
        "{" CAMERA ", \"lights\": [{\"position\": [0, 0, 0], \"color\": [0, -1, 0]}], " SPHERES "}",
        "lights[0].color: colour components must not be negative");
}

static void too_many_lights_are_refused(void **state) {
    (void)state;
    const char *light = "{\"position\": [0, 0, 0]},";
    size_t count = SCENE_MAX_LIGHTS + 1, capacity = count * strlen(light) + 1024;
    char *text = malloc(capacity);
    assert_non_null(text);
    size_t length = (size_t)snprintf(text, capacity, "{" CAMERA ", " SPHERES ", \"lights\": [");
    for (size_t i = 0; i < count; ++i)
        length += (size_t)snprintf(text + length, capacity - length, "%s", light);
    snprintf(text + length - 1, capacity - length + 1, "]}"); /* replaces the last comma */
    char expected[128];
    snprintf(expected, sizeof expected, "lights: has %zu entries; at most %u are allowed", count,
             SCENE_MAX_LIGHTS);
    EXPECT_SCENE_ERROR(text, expected);

    /* One fewer is the limit itself, and is accepted. */
    memmove(text + length - strlen(light) - 1, "]}", 3);
    scene s;
    failure f;
    assert_int_equal(parse_text(text, &s, NULL, &f), 0);
    assert_int_equal(s.light_count, SCENE_MAX_LIGHTS);
    scene_free(&s);
    free(text);
}

/* ---- JSON syntax errors: line and column ------------------------------------------------ */

static void syntax_errors_give_the_line_and_column(void **state) {
    (void)state;
    const char *bad_value = "{\n  \"a\": 1,\n  \"b\": x\n}";
    EXPECT_SYNTAX_ERROR(bad_value, strlen(bad_value), "line 3, column 8: not valid JSON here");
    /* A missing comma: the next key is where the text stops making sense. */
    const char *missing_comma = "{\n  \"camera\": {}\n  \"spheres\": []\n}";
    EXPECT_SYNTAX_ERROR(missing_comma, strlen(missing_comma),
                        "line 3, column 3: not valid JSON here");
    /* Windows line ends count one line each. */
    const char *crlf = "{\r\n\r\n  \"a\": [1, 2,, 3]\r\n}";
    EXPECT_SYNTAX_ERROR(crlf, strlen(crlf), "line 3, column 14: not valid JSON here");
    const char *yaml = "camera:\n  fov: 60\n";
    EXPECT_SYNTAX_ERROR(yaml, strlen(yaml), "line 1, column 1: not valid JSON here");
}

static void binary_junk_is_not_json(void **state) {
    (void)state;
    const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xde\xad\xbe\xef";
    EXPECT_SYNTAX_ERROR(junk, sizeof junk - 1,
                        "line 2, column 1: control byte 0x1a, so not JSON text (a binary file?)");
}

static void text_after_the_value_is_an_error(void **state) {
    (void)state;
    EXPECT_SYNTAX_ERROR("{} x", 4, "line 1, column 4: unexpected text after the JSON value");
    const char *two_values = VALID_SCENE "\n\n  " VALID_SCENE;
    EXPECT_SYNTAX_ERROR(two_values, strlen(two_values),
                        "line 3, column 3: unexpected text after the JSON value");
    /* A NUL byte is no blank: the length given, not the first NUL, ends the text. */
    const char nul_after[] = "{}\0";
    EXPECT_SYNTAX_ERROR(nul_after, sizeof nul_after - 1,
                        "line 1, column 3: control byte 0x00, so not JSON text (a binary file?)");
}

/* cJSON skips every byte up to 0x20 as blank; JSON allows only tab, newline and return. */
static void control_bytes_before_the_value_are_an_error(void **state) {
    (void)state;
    const char junk_first[] = "\x01\x02{}";
    EXPECT_SYNTAX_ERROR(junk_first, sizeof junk_first - 1,
                        "line 1, column 1: control byte 0x01, so not JSON text (a binary file?)");
}

static void empty_text_is_an_unexpected_end(void **state) {
    (void)state;
    EXPECT_SYNTAX_ERROR("", 0, "line 1, column 1: unexpected end of file (truncated JSON?)");
}

/* A text cut short is reported at its end, as truncated; not at its last byte as if that
 * byte were wrong. */
static void truncated_text_is_reported_at_its_end(void **state) {
    (void)state;
    const char *cut_after_brace = "{\n  \"camera\": {";
    EXPECT_SYNTAX_ERROR(cut_after_brace, strlen(cut_after_brace),
                        "line 2, column 14: unexpected end of file (truncated JSON?)");
    const char *cut_after_colon = "{\n  \"spheres\": [\n    {\"radius\": ";
    EXPECT_SYNTAX_ERROR(cut_after_colon, strlen(cut_after_colon),
                        "line 3, column 16: unexpected end of file (truncated JSON?)");
    const char *cut_after_newline = "{\n";
    EXPECT_SYNTAX_ERROR(cut_after_newline, strlen(cut_after_newline),
                        "line 2, column 1: unexpected end of file (truncated JSON?)");
    const char *blank = "  \n";
    EXPECT_SYNTAX_ERROR(blank, strlen(blank),
                        "line 2, column 1: unexpected end of file (truncated JSON?)");
}

static void the_length_not_a_nul_ends_the_text(void **state) {
    (void)state;
    /* Only the first `length` bytes count: here a valid scene followed by junk. */
    const char *text = VALID_SCENE "junk";
    scene s;
    failure f = {0};
    assert_int_equal(scene_parse(text, strlen(VALID_SCENE), SOURCE, &s, NULL, NULL, &f), 0);
    assert_int_equal(s.sphere_count, 1);
    scene_free(&s);
}

/* ---- unknown fields ---------------------------------------------------------------------- */

/* Everything written to `stream` so far, as a NUL-terminated string. */
static void read_stream(FILE *stream, char *out, size_t capacity) {
    fflush(stream);
    rewind(stream);
    size_t n = fread(out, 1, capacity - 1, stream);
    out[n] = '\0';
}

static size_t count_lines(const char *text) {
    size_t lines = 0;
    for (; *text; ++text)
        lines += *text == '\n';
    return lines;
}

static void unknown_fields_are_warned_about_and_ignored(void **state) {
    (void)state;
    const char *text =
        "{\"title\": \"test\","
        " \"camera\": {\"position\": [0, 0, 5], \"look_at\": [0, 0, 0], \"fov\": 60, \"zoom\": 2},"
        " \"lights\": [{\"position\": [1, 1, 1], \"kind\": \"point\"}],"
        " \"spheres\": [{\"center\": [0, 0, 0], \"radius\": 1, \"name\": \"ball\","
        "               \"material\": {\"diffuse\": [1, 0, 0], \"glossiness\": 0.3}}]}";
    FILE *warnings = tmpfile();
    assert_non_null(warnings);
    scene s;
    failure f;
    assert_int_equal(parse_text(text, &s, warnings, &f), 0);
    assert_int_equal(s.sphere_count, 1);
    assert_int_equal(s.light_count, 1);
    assert_true(s.spheres[0].radius == 1);
    scene_free(&s);

    char written[2048];
    read_stream(warnings, written, sizeof written);
    fclose(warnings);
    const char *expected[] = {
        "clrender: warning: " PREFIX "unknown field title (ignored)\n",
        "clrender: warning: " PREFIX "unknown field camera.zoom (ignored)\n",
        "clrender: warning: " PREFIX "unknown field lights[0].kind (ignored)\n",
        "clrender: warning: " PREFIX "unknown field spheres[0].name (ignored)\n",
        "clrender: warning: " PREFIX "unknown field spheres[0].material.glossiness (ignored)\n",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
        if (!strstr(written, expected[i])) {
            print_error("warnings written:\n%s\nmissing: %s", written, expected[i]);
            fail_msg("a warning is missing");
        }
    }
    assert_int_equal(count_lines(written), 5);
}

static void unknown_fields_without_a_warnings_stream_still_parse(void **state) {
    (void)state;
    scene s;
    failure f;
    assert_int_equal(parse_text("{\"extra\": 1, " CAMERA ", " SPHERES "}", &s, NULL, &f), 0);
    assert_int_equal(s.sphere_count, 1);
    scene_free(&s);
}

static void a_valid_scene_writes_no_warning(void **state) {
    (void)state;
    FILE *warnings = tmpfile();
    assert_non_null(warnings);
    scene s;
    failure f;
    assert_int_equal(parse_text(VALID_SCENE, &s, warnings, &f), 0);
    scene_free(&s);
    assert_int_equal(ftell(warnings), 0);
    fclose(warnings);
}

/* ---- the built-in scene and files -------------------------------------------------------- */

static void builtin_default_scene_has_six_spheres_and_two_lights(void **state) {
    (void)state;
    FILE *warnings = tmpfile();
    assert_non_null(warnings);
    scene s;
    failure f = {0};
    assert_int_equal(scene_load_builtin("default", &s, WARN_TO(warnings), &f), 0);
    assert_int_equal(s.sphere_count, 6);
    assert_int_equal(s.light_count, 2);
    /* A few values of scenes/default.json: the camera, the floor, the second light. */
    ASSERT_VEC3(s.camera_position, 0.0, 1.7, 6.5);
    assert_true(s.fov_degrees == 40);
    assert_true(s.spheres[0].radius == 1000.0);
    ASSERT_VEC3(s.spheres[0].center, 0.0, -1000.0, 0.0);
    assert_true(s.lights[1].intensity == 0.5);
    /* The shipped scene uses no unknown field. */
    assert_int_equal(ftell(warnings), 0);
    fclose(warnings);
    scene_free(&s);
}

static void unknown_builtin_scene_is_a_runtime_error(void **state) {
    (void)state;
    scene s;
    failure f = {0};
    assert_int_equal(scene_load_builtin("no-such-scene", &s, NULL, NULL, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "no-such-scene"));
}

static void missing_file_is_a_usage_error_naming_it(void **state) {
    (void)state;
    scene s;
    failure f = {0};
    assert_int_equal(scene_load("/nonexistent/dir/scene.json", &s, NULL, NULL, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "scene '/nonexistent/dir/scene.json': cannot open"));
}

static void directory_is_a_usage_error(void **state) {
    (void)state;
    char dir[] = "/tmp/test_scene_XXXXXX";
    assert_non_null(mkdtemp(dir));
    scene s;
    failure f = {0};
    int status = scene_load(dir, &s, NULL, NULL, &f);
    rmdir(dir);
    assert_int_equal(status, CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "is a directory, not a file"));
    assert_non_null(strstr(f.message, dir));
}

/* Writes `text` and then `padding` blanks into a new temporary file; fills `path`. */
static void write_temp_scene(char *path, const char *text, size_t padding) {
    strcpy(path, "/tmp/test_scene_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *file = fdopen(fd, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
    char blanks[65536];
    memset(blanks, ' ', sizeof blanks);
    while (padding > 0) {
        size_t n = padding < sizeof blanks ? padding : sizeof blanks;
        assert_int_equal(fwrite(blanks, 1, n, file), n);
        padding -= n;
    }
    assert_int_equal(fclose(file), 0);
}

static void file_errors_name_the_file(void **state) {
    (void)state;
    char path[64];
    write_temp_scene(path, WITH_SPHERE("\"center\": [0, 0, 0], \"radius\": 0, " MATERIAL), 0);
    scene s;
    failure f = {0};
    int status = scene_load(path, &s, NULL, NULL, &f);
    unlink(path);
    assert_int_equal(status, CLR_USAGE_ERROR);
    char expected[160];
    snprintf(expected, sizeof expected, "scene '%s': spheres[0].radius: must be positive", path);
    assert_non_null(strstr(f.message, expected));
}

static void file_size_limit_is_16_mib(void **state) {
    (void)state;
    char path[64];
    scene s;
    failure f = {0};
    write_temp_scene(path, VALID_SCENE, SCENE_MAX_FILE_BYTES - strlen(VALID_SCENE));
    int at_limit = scene_load(path, &s, NULL, NULL, &f);
    unlink(path);
    assert_int_equal(at_limit, 0);
    assert_int_equal(s.sphere_count, 1);
    scene_free(&s);

    write_temp_scene(path, VALID_SCENE, SCENE_MAX_FILE_BYTES - strlen(VALID_SCENE) + 1);
    int above = scene_load(path, &s, NULL, NULL, &f);
    unlink(path);
    assert_int_equal(above, CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "larger than the 16 MiB limit"));
    assert_null(s.spheres);
}

static void scene_free_twice_is_harmless(void **state) {
    (void)state;
    scene s;
    failure f;
    assert_int_equal(parse_text(VALID_SCENE, &s, NULL, &f), 0);
    scene_free(&s);
    assert_null(s.spheres);
    assert_null(s.lights);
    assert_int_equal(s.sphere_count, 0);
    scene_free(&s);
}

/* ---- the camera frame -------------------------------------------------------------------- */

static scene camera_scene(vec3 position, vec3 look_at, vec3 up, double fov) {
    scene s;
    memset(&s, 0, sizeof s);
    s.camera_position = position;
    s.camera_look_at = look_at;
    s.camera_up = up;
    s.fov_degrees = fov;
    return s;
}

static void simple_camera_frame_is_exact(void **state) {
    (void)state;
    scene s = camera_scene(v3(0, 0, 0), v3(0, 0, -1), v3(0, 1, 0), 90);
    camera_frame frame;
    failure f = {0};
    assert_int_equal(camera_frame_make(&s, 100, 100, &frame, &f), 0);
    ASSERT_VEC3_NEAR(frame.origin, 0, 0, 0);
    ASSERT_VEC3_NEAR(frame.corner, -1, 1, -1);
    ASSERT_VEC3_NEAR(frame.right, 2, 0, 0);
    ASSERT_VEC3_NEAR(frame.down, 0, -2, 0);
}

static void wide_image_widens_the_frame_not_its_height(void **state) {
    (void)state;
    scene s = camera_scene(v3(0, 0, 0), v3(0, 0, -1), v3(0, 1, 0), 90);
    camera_frame frame;
    failure f = {0};
    assert_int_equal(camera_frame_make(&s, 200, 100, &frame, &f), 0);
    ASSERT_VEC3_NEAR(frame.corner, -2, 1, -1);
    ASSERT_VEC3_NEAR(frame.right, 4, 0, 0);
    ASSERT_VEC3_NEAR(frame.down, 0, -2, 0);
}

/* For any camera the image centre looks at look_at, right and down are square to the
 * view and to each other, their lengths follow from fov and the aspect, and up is up. */
static void general_camera_frame_looks_at_look_at(void **state) {
    (void)state;
    const vec3 position = v3(1, 2, 3), look_at = v3(4, -1, 7);
    scene s = camera_scene(position, look_at, v3(0, 3, 0), 50);
    camera_frame frame;
    failure f = {0};
    assert_int_equal(camera_frame_make(&s, 160, 90, &frame, &f), 0);
    ASSERT_VEC3(frame.origin, 1, 2, 3);
    const vec3 view = v3_unit(v3_sub(look_at, position));
    const vec3 centre =
        v3_add(frame.corner, v3_add(v3_scale(frame.right, 0.5), v3_scale(frame.down, 0.5)));
    /* The image plane is one unit in front of the camera. */
    ASSERT_VEC3_NEAR(centre, view.x, view.y, view.z);
    assert_true(fabs(v3_dot(frame.right, view)) < 1e-12);
    assert_true(fabs(v3_dot(frame.down, view)) < 1e-12);
    assert_true(fabs(v3_dot(frame.right, frame.down)) < 1e-12);
    const double pi = 3.14159265358979323846;
    const double height = 2 * tan(25 * pi / 180);
    assert_true(fabs(v3_length(frame.down) - height) < 1e-12);
    assert_true(fabs(v3_length(frame.right) - height * 160 / 90) < 1e-12);
    /* Up in the image is towards +y, and right x up points back at the viewer. */
    assert_true(v3_dot(frame.down, v3(0, 1, 0)) < 0);
    const vec3 back = v3_cross(frame.right, v3_scale(frame.down, -1));
    assert_true(v3_dot(back, view) < 0);
}

static void look_at_equal_to_position_is_refused(void **state) {
    (void)state;
    scene s = camera_scene(v3(1, 2, 3), v3(1, 2, 3), v3(0, 1, 0), 60);
    camera_frame frame;
    failure f = {0};
    assert_int_equal(camera_frame_make(&s, 10, 10, &frame, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "camera.look_at"));
}

static void up_along_the_view_is_refused(void **state) {
    (void)state;
    const vec3 ups[] = {v3(0, 0, -3), v3(0, 0, 2), v3(0, 0, 0)};
    for (size_t i = 0; i < sizeof ups / sizeof ups[0]; ++i) {
        scene s = camera_scene(v3(0, 0, 5), v3(0, 0, 0), ups[i], 60);
        camera_frame frame;
        failure f = {0};
        assert_int_equal(camera_frame_make(&s, 10, 10, &frame, &f), CLR_USAGE_ERROR);
        assert_non_null(strstr(f.message, "camera.up"));
    }
    /* Looking straight down with the default up is the usual way to hit this. */
    scene s = camera_scene(v3(0, 10, 0), v3(0, 0, 0), v3(0, 1, 0), 60);
    camera_frame frame;
    failure f = {0};
    assert_int_equal(camera_frame_make(&s, 10, 10, &frame, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "camera.up"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_scene_gets_the_documented_defaults),
        cmocka_unit_test(every_field_given_is_read),
        cmocka_unit_test(boundary_values_are_accepted),
        cmocka_unit_test(top_level_must_be_an_object),
        cmocka_unit_test(missing_required_fields_are_named),
        cmocka_unit_test(the_path_names_the_failing_array_entry),
        cmocka_unit_test(wrong_types_are_named),
        cmocka_unit_test(vectors_must_have_three_numbers),
        cmocka_unit_test(numbers_must_be_finite),
        cmocka_unit_test(values_out_of_range_are_named_with_the_value),
        cmocka_unit_test(negative_colours_are_refused),
        cmocka_unit_test(too_many_lights_are_refused),
        cmocka_unit_test(syntax_errors_give_the_line_and_column),
        cmocka_unit_test(binary_junk_is_not_json),
        cmocka_unit_test(text_after_the_value_is_an_error),
        cmocka_unit_test(empty_text_is_an_unexpected_end),
        cmocka_unit_test(truncated_text_is_reported_at_its_end),
        cmocka_unit_test(control_bytes_before_the_value_are_an_error),
        cmocka_unit_test(the_length_not_a_nul_ends_the_text),
        cmocka_unit_test(unknown_fields_are_warned_about_and_ignored),
        cmocka_unit_test(unknown_fields_without_a_warnings_stream_still_parse),
        cmocka_unit_test(a_valid_scene_writes_no_warning),
        cmocka_unit_test(builtin_default_scene_has_six_spheres_and_two_lights),
        cmocka_unit_test(unknown_builtin_scene_is_a_runtime_error),
        cmocka_unit_test(missing_file_is_a_usage_error_naming_it),
        cmocka_unit_test(directory_is_a_usage_error),
        cmocka_unit_test(file_errors_name_the_file),
        cmocka_unit_test(file_size_limit_is_16_mib),
        cmocka_unit_test(scene_free_twice_is_harmless),
        cmocka_unit_test(simple_camera_frame_is_exact),
        cmocka_unit_test(wide_image_widens_the_frame_not_its_height),
        cmocka_unit_test(general_camera_frame_looks_at_look_at),
        cmocka_unit_test(look_at_equal_to_position_is_refused),
        cmocka_unit_test(up_along_the_view_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
