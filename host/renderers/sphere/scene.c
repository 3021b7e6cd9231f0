/* Loading scenes from JSON with cJSON (Debian libcjson-dev). */
#include "renderers/sphere/scene.h"

#include "device/embedded_files.h"
#include "util/file.h"
#include "util/json_check.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *source;
    char warnings[4096]; /* printed only when the whole scene is valid */
    size_t warnings_length;
    failure *f;
} parser;

static int field_error(parser *p, const char *path, const char *problem) {
    return failure_set(p->f, CLR_USAGE_ERROR, "scene '%s': %s: %s", p->source, path, problem);
}

/* Notes a warning for every member of `object` not listed in `known` (NULL-terminated). */
static void warn_unknown(parser *p, const cJSON *object, const char *path,
                         const char *const *known) {
    for (const cJSON *item = object->child; item; item = item->next) {
        bool listed = false;
        for (const char *const *k = known; *k && !listed; ++k)
            listed = item->string && !strcmp(item->string, *k);
        size_t room = sizeof p->warnings - p->warnings_length;
        if (listed || room <= 1)
            continue;
        int n = snprintf(p->warnings + p->warnings_length, room,
                         "scene '%s': unknown field %s%s%s (ignored)\n", p->source, path,
                         *path ? "." : "", item->string ? item->string : "?");
        p->warnings_length += n > 0 && (size_t)n < room ? (size_t)n : room - 1;
    }
}

static int need_object(parser *p, const cJSON *item, const char *path) {
    return cJSON_IsObject(item) ? 0 : field_error(p, path, "must be an object {...}");
}

/* Looks up `key` of `object` and writes its full path into `where`. Returns the
 * member, or NULL when it is absent: then *status is 0 for an optional field
 * and a usage failure for a required one. */
static const cJSON *find_member(parser *p, const cJSON *object, const char *key, const char *path,
                                bool required, char *where, size_t where_size, int *status) {
    snprintf(where, where_size, "%s%s%s", path, *path ? "." : "", key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    *status = !item && required ? field_error(p, where, "missing (required)") : 0;
    return item;
}

/* Reads a number member; absent: `fallback` when optional, an error when required. */
static int read_number(parser *p, const cJSON *object, const char *key, const char *path,
                       bool required, double fallback, double *out) {
    char where[256];
    int status;
    const cJSON *item = find_member(p, object, key, path, required, where, sizeof where, &status);
    if (!item) {
        *out = fallback;
        return status;
    }
    if (!cJSON_IsNumber(item))
        return field_error(p, where, "must be a number");
    if (!isfinite(item->valuedouble))
        return field_error(p, where, "must be a finite number");
    *out = item->valuedouble;
    return 0;
}

static int read_vec3(parser *p, const cJSON *object, const char *key, const char *path,
                     bool required, vec3 fallback, vec3 *out) {
    char where[256];
    int status;
    const cJSON *item = find_member(p, object, key, path, required, where, sizeof where, &status);
    if (!item) {
        *out = fallback;
        return status;
    }
    if (!cJSON_IsArray(item))
        return field_error(p, where, "must be an array of 3 numbers [x, y, z]");
    int count = cJSON_GetArraySize(item);
    if (count != 3) {
        char problem[96];
        snprintf(problem, sizeof problem, "must have 3 numbers, not %d", count);
        return field_error(p, where, problem);
    }
    double v[3];
    for (int i = 0; i < 3; ++i) {
        const cJSON *element = cJSON_GetArrayItem(item, i);
        if (!cJSON_IsNumber(element))
            return field_error(p, where, "must be an array of 3 numbers [x, y, z]");
        if (!isfinite(element->valuedouble))
            return field_error(p, where, "must hold finite numbers");
        v[i] = element->valuedouble;
        /* The tracer squares differences of coordinates: beyond this they overflow. */
        if (fabs(v[i]) > SCENE_MAX_COORDINATE) {
            char problem[160];
            snprintf(problem, sizeof problem,
                     "must hold numbers within +-1e150, whose squares stay finite (got %g)", v[i]);
            return field_error(p, where, problem);
        }
    }
    *out = v3(v[0], v[1], v[2]);
    return 0;
}

static int check_range(parser *p, const char *path, const char *key, double value, double low,
                       double high, bool low_open, const char *expected) {
    if ((low_open ? value > low : value >= low) && value <= high)
        return 0;
    char where[256], problem[160];
    snprintf(where, sizeof where, "%s.%s", path, key);
    snprintf(problem, sizeof problem, "must be %s (got %g)", expected, value);
    return field_error(p, where, problem);
}

static int check_color(parser *p, const char *path, const char *key, vec3 c) {
    char where[256];
    snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", key);
    if (!(c.x >= 0 && c.y >= 0 && c.z >= 0))
        return field_error(p, where, "colour components must not be negative");
    if (c.x > SCENE_MAX_COLOR || c.y > SCENE_MAX_COLOR || c.z > SCENE_MAX_COLOR)
        return field_error(p, where, "colour components must be at most 1e12");
    return 0;
}

static int parse_camera(parser *p, const cJSON *root, scene *s) {
    const cJSON *camera = cJSON_GetObjectItemCaseSensitive(root, "camera");
    if (!camera)
        return field_error(p, "camera", "missing (required)");
    static const char *const known[] = {"position", "look_at", "up", "fov", NULL};
    if (need_object(p, camera, "camera") ||
        read_vec3(p, camera, "position", "camera", true, v3(0, 0, 0), &s->camera_position) ||
        read_vec3(p, camera, "look_at", "camera", true, v3(0, 0, 0), &s->camera_look_at) ||
        read_vec3(p, camera, "up", "camera", false, v3(0, 1, 0), &s->camera_up) ||
        read_number(p, camera, "fov", "camera", true, 0, &s->fov_degrees) ||
        check_range(p, "camera", "fov", s->fov_degrees, 0, 180, true, "in (0, 180) degrees"))
        return p->f->status;
    if (s->fov_degrees == 180)
        return field_error(p, "camera.fov", "must be in (0, 180) degrees (got 180)");
    warn_unknown(p, camera, "camera", known);
    return 0;
}

static int parse_material(parser *p, const cJSON *sphere, const char *path, scene_material *m) {
    char where[128];
    snprintf(where, sizeof where, "%s.material", path);
    const cJSON *material = cJSON_GetObjectItemCaseSensitive(sphere, "material");
    if (!material)
        return field_error(p, where, "missing (required)");
    static const char *const known[] = {"diffuse", "specular", "shininess", "reflectivity", NULL};
    if (need_object(p, material, where) ||
        read_vec3(p, material, "diffuse", where, true, v3(0, 0, 0), &m->diffuse) ||
        check_color(p, where, "diffuse", m->diffuse) ||
        read_number(p, material, "specular", where, false, 0, &m->specular) ||
        check_range(p, where, "specular", m->specular, 0, 1e6, false, "from 0 to 1e6") ||
        read_number(p, material, "shininess", where, false, 1, &m->shininess) ||
        check_range(p, where, "shininess", m->shininess, 0, 1e6, false, "from 0 to 1e6") ||
        read_number(p, material, "reflectivity", where, false, 0, &m->reflectivity) ||
        check_range(p, where, "reflectivity", m->reflectivity, 0, 1, false, "from 0 to 1"))
        return p->f->status;
    warn_unknown(p, material, where, known);
    return 0;
}

/* Checks that `key` of `root`, when present, is an array of at most `limit` objects. */
static int array_member(parser *p, const cJSON *root, const char *key, size_t limit,
                        const cJSON **array, size_t *count) {
    *array = cJSON_GetObjectItemCaseSensitive(root, key);
    *count = 0;
    if (!*array)
        return 0;
    if (!cJSON_IsArray(*array))
        return field_error(p, key, "must be an array [...]");
    *count = (size_t)cJSON_GetArraySize(*array);
    if (*count > limit) {
        char problem[96];
        snprintf(problem, sizeof problem, "has %zu entries; at most %zu are allowed", *count,
                 limit);
        return field_error(p, key, problem);
    }
    return 0;
}

static int parse_spheres(parser *p, const cJSON *root, scene *s) {
    const cJSON *array;
    size_t count;
    if (array_member(p, root, "spheres", SCENE_MAX_SPHERES, &array, &count))
        return p->f->status;
    if (!array)
        return field_error(p, "spheres", "missing (required)");
    s->spheres = calloc(count ? count : 1, sizeof *s->spheres);
    if (!s->spheres)
        return failure_set(p->f, CLR_RUNTIME_ERROR, "out of memory reading scene '%s'", p->source);
    static const char *const known[] = {"center", "radius", "material", NULL};
    size_t i = 0;
    for (const cJSON *item = array->child; item; item = item->next, ++i) {
        char path[64];
        snprintf(path, sizeof path, "spheres[%zu]", i);
        scene_sphere *sphere = &s->spheres[i];
        if (need_object(p, item, path) ||
            read_vec3(p, item, "center", path, true, v3(0, 0, 0), &sphere->center) ||
            read_number(p, item, "radius", path, true, 0, &sphere->radius) ||
            check_range(p, path, "radius", sphere->radius, 0, 1e12, true,
                        "positive and at most 1e12") ||
            parse_material(p, item, path, &sphere->material))
            return p->f->status;
        warn_unknown(p, item, path, known);
    }
    s->sphere_count = count;
    return 0;
}

static int parse_lights(parser *p, const cJSON *root, scene *s) {
    const cJSON *array;
    size_t count;
    if (array_member(p, root, "lights", SCENE_MAX_LIGHTS, &array, &count))
        return p->f->status;
    s->lights = calloc(count ? count : 1, sizeof *s->lights);
    if (!s->lights)
        return failure_set(p->f, CLR_RUNTIME_ERROR, "out of memory reading scene '%s'", p->source);
    static const char *const known[] = {"position", "color", "intensity", NULL};
    size_t i = 0;
    for (const cJSON *item = array ? array->child : NULL; item; item = item->next, ++i) {
        char path[64];
        snprintf(path, sizeof path, "lights[%zu]", i);
        scene_light *light = &s->lights[i];
        if (need_object(p, item, path) ||
            read_vec3(p, item, "position", path, true, v3(0, 0, 0), &light->position) ||
            read_vec3(p, item, "color", path, false, v3(1, 1, 1), &light->color) ||
            check_color(p, path, "color", light->color) ||
            read_number(p, item, "intensity", path, false, 1, &light->intensity) ||
            check_range(p, path, "intensity", light->intensity, 0, 1e12, false, "from 0 to 1e12"))
            return p->f->status;
        warn_unknown(p, item, path, known);
    }
    s->light_count = count;
    return 0;
}

/* "line L, column C" of byte `offset` in `text`. */
static void locate(const char *text, size_t offset, size_t *line, size_t *column) {
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else {
            ++*column;
        }
    }
}

/* The offset of the first byte JSON never allows unescaped (below 0x20 but
 * tab, newline and carriage return), or `length`. cJSON would skip such bytes
 * as blank space. */
static size_t first_control_byte(const char *text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return i;
    }
    return length;
}

/* Whether a parse that failed at `error_offset` failed because the text ended:
 * the error is at its last non-blank byte or later, and a string, object or
 * array is still open there (or there is nothing but blanks). */
static bool ends_early(const char *text, size_t length, size_t error_offset) {
    size_t depth = 0, last = length;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < length; ++i) {
        char c = text[i];
        if (!strchr(" \t\r\n", c))
            last = i;
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    if (last == length)
        return true; /* empty, or blanks only */
    return error_offset >= last && (in_string || depth > 0);
}

/* cJSON records the position of a parse error in a global of its own; parses are serialised so
 * that sessions in separate threads can load scenes at once. */
static pthread_mutex_t cjson_lock = PTHREAD_MUTEX_INITIALIZER;

/* Passes each line of `lines` to `warn`. */
static void emit_warnings(char *lines, scene_warn_fn warn, void *user) {
    for (char *line = lines; warn && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        warn(user, line);
        if (!end)
            break;
        line = end + 1;
    }
}

int scene_parse(const char *text, size_t length, const char *source, scene *out, scene_warn_fn warn,
                void *user, failure *f) {
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", source);
    parser p = {source, {0}, 0, f};
    size_t control = first_control_byte(text, length);
    if (control < length) {
        size_t line, column;
        locate(text, control, &line, &column);
        return failure_set(f, CLR_USAGE_ERROR,
                           "scene '%s': line %zu, column %zu: control byte 0x%02x, so not JSON "
                           "text (a binary file?)",
                           source, line, column, (unsigned)(unsigned char)text[control]);
    }
    /* Deeper than a scene can be: said before cJSON fails there with no reason. */
    json_problem problem = json_check(text, length, SCENE_MAX_NESTING);
    if (problem.kind == JSON_TOO_DEEP)
        return failure_set(f, CLR_USAGE_ERROR,
                           "scene '%s': line %zu, column %zu: nested deeper than %u levels (a "
                           "scene needs 4)",
                           source, problem.line, problem.column, SCENE_MAX_NESTING);
    if (problem.kind == JSON_OUT_OF_MEMORY)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading scene '%s'", source);
    const char *end = NULL;
    pthread_mutex_lock(&cjson_lock);
    cJSON *root = cJSON_ParseWithLengthOpts(text, length, &end, false);
    pthread_mutex_unlock(&cjson_lock);
    if (!root) {
        size_t offset = end && end >= text ? (size_t)(end - text) : 0;
        size_t line, column;
        if (ends_early(text, length, offset)) {
            locate(text, length, &line, &column);
            return failure_set(f, CLR_USAGE_ERROR,
                               "scene '%s': line %zu, column %zu: unexpected end of file "
                               "(truncated JSON?)",
                               source, line, column);
        }
        locate(text, offset < length ? offset : length, &line, &column);
        return failure_set(f, CLR_USAGE_ERROR,
                           "scene '%s': line %zu, column %zu: not valid JSON here", source, line,
                           column);
    }
    /* Anything but white space after the value is an error too. */
    size_t rest = end ? (size_t)(end - text) : length;
    while (rest < length && strchr(" \t\r\n", text[rest]) && text[rest])
        ++rest;
    int status = 0;
    if (rest < length) {
        size_t line, column;
        locate(text, rest, &line, &column);
        status = failure_set(f, CLR_USAGE_ERROR,
                             "scene '%s': line %zu, column %zu: unexpected text after the JSON "
                             "value",
                             source, line, column);
    } else if (problem.kind == JSON_DUPLICATE_KEY) {
        /* cJSON keeps both and a lookup takes the first: one of the two would be ignored. */
        char where[300] = "the top-level object";
        if (problem.path[0])
            snprintf(where, sizeof where, "%s", problem.path);
        status = failure_set(f, CLR_USAGE_ERROR,
                             "scene '%s': line %zu, column %zu: key \"%s\" appears twice in %s "
                             "(first at line %zu, column %zu)",
                             source, problem.line, problem.column, problem.key, where,
                             problem.first_line, problem.first_column);
    } else if (!cJSON_IsObject(root)) {
        status = failure_set(f, CLR_USAGE_ERROR,
                             "scene '%s': the top level must be an object {...}", source);
    } else {
        static const char *const known[] = {"camera", "background", "ambient",
                                            "lights", "spheres",    NULL};
        if (parse_camera(&p, root, out) ||
            read_vec3(&p, root, "background", "", false, v3(0, 0, 0), &out->background) ||
            check_color(&p, "", "background", out->background) ||
            read_vec3(&p, root, "ambient", "", false, v3(0, 0, 0), &out->ambient) ||
            check_color(&p, "", "ambient", out->ambient) || parse_lights(&p, root, out) ||
            parse_spheres(&p, root, out))
            status = f->status;
        else
            warn_unknown(&p, root, "", known);
    }
    cJSON_Delete(root);
    if (status != 0)
        scene_free(out);
    else
        emit_warnings(p.warnings, warn, user);
    return status;
}

int scene_load(const char *path, scene *out, scene_warn_fn warn, void *user, failure *f) {
    memset(out, 0, sizeof *out);
    char *text;
    size_t length;
    if (file_read_regular(path, SCENE_MAX_FILE_BYTES, "scene", CLR_USAGE_ERROR, &text, &length,
                          f) != 0)
        return f->status;
    char shown[TEXT_SHOWN_SIZE];
    int status = scene_parse(text, length, text_shown(path, shown), out, warn, user, f);
    free(text);
    return status;
}

int scene_load_builtin(const char *name, scene *out, scene_warn_fn warn, void *user, failure *f) {
    char file_name[96];
    snprintf(file_name, sizeof file_name, "%s.json", name);
    const struct embedded_file *file = embedded_file_find(clr_embedded_scenes, file_name);
    if (!file)
        return failure_set(f, CLR_RUNTIME_ERROR, "no built-in scene named '%s'", name);
    char source[96];
    snprintf(source, sizeof source, "built-in %s", name);
    return scene_parse(file->text, file->length, source, out, warn, user, f);
}

void scene_free(scene *s) {
    free(s->spheres);
    free(s->lights);
    s->spheres = NULL;
    s->lights = NULL;
    s->sphere_count = s->light_count = 0;
}

int camera_frame_make(const scene *s, size_t width, size_t height, camera_frame *frame,
                      failure *f) {
    vec3 back = v3_sub(s->camera_position, s->camera_look_at);
    if (!isfinite(v3_length(back)) || !isfinite(v3_length(s->camera_up)))
        return failure_set(f, CLR_USAGE_ERROR,
                           "scene '%s': camera.position, camera.look_at or camera.up: the distance "
                           "computation overflows; use smaller coordinates",
                           s->source);
    if (v3_length(back) == 0)
        return failure_set(f, CLR_USAGE_ERROR, "scene '%s': camera.look_at equals camera.position",
                           s->source);
    vec3 w = v3_unit(back);
    vec3 side = v3_cross(s->camera_up, w);
    if (!(v3_length(side) > 1e-12 * v3_length(s->camera_up)))
        return failure_set(f, CLR_USAGE_ERROR,
                           "scene '%s': camera.up must not be zero or point along the view "
                           "direction",
                           s->source);
    vec3 u = v3_unit(side);
    vec3 v = v3_cross(w, u);
    const double pi = 3.14159265358979323846;
    double half_height = tan(s->fov_degrees * (pi / 360.0));
    double half_width = half_height * (double)width / (double)height;
    frame->origin = s->camera_position;
    /* The image plane is one unit in front of the camera. */
    frame->corner =
        v3_add(v3_sub(v3_scale(v, half_height), v3_scale(u, half_width)), v3_scale(w, -1.0));
    frame->right = v3_scale(u, 2.0 * half_width);
    frame->down = v3_scale(v, -2.0 * half_height);
    return 0;
}
