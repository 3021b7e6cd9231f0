/* scene.h — ray-tracing scenes: the JSON schema, loading, and the packed form
 * the raytrace kernel reads.
 *
 * A scene file is a JSON object (schema in README.md, example scenes/default.json):
 *   camera      {position [x,y,z], look_at [x,y,z], up [x,y,z] = [0,1,0], fov degrees in (0,180)}
 *   background  [r,g,b] = [0,0,0]           ambient [r,g,b] = [0,0,0]
 *   lights      [{position, color [r,g,b] = [1,1,1], intensity = 1}]
 *   spheres     [{center, radius > 0, material {diffuse [r,g,b], specular = 0,
 *                 shininess = 1, reflectivity in [0,1] = 0}}]
 * Colours are linear, components >= 0. Errors name the file and the field
 * (with line and column for JSON syntax errors); unknown fields are warnings.
 */
#ifndef CLRENDER_SCENE_H
#define CLRENDER_SCENE_H

#include "util/failure.h"
#include "renderers/sphere/vec3.h"

#include <stddef.h>
#include <stdio.h>

#define SCENE_MAX_FILE_BYTES (16u << 20)
#define SCENE_MAX_SPHERES    100000u
#define SCENE_MAX_LIGHTS     1000u
#define SCENE_MAX_NESTING    64u   /* levels of objects and arrays; a valid scene uses 4 */
#define SCENE_MAX_COORDINATE 1e150 /* squared, still finite */
#define SCENE_MAX_COLOR      1e12

typedef struct scene_material {
    vec3 diffuse;
    double specular, shininess, reflectivity;
} scene_material;

typedef struct scene_sphere {
    vec3 center;
    double radius;
    scene_material material;
} scene_sphere;

typedef struct scene_light {
    vec3 position, color;
    double intensity;
} scene_light;

typedef struct scene {
    char source[256]; /* the file name, or "built-in NAME", for messages */
    vec3 camera_position, camera_look_at, camera_up;
    double fov_degrees;
    vec3 background, ambient;
    scene_sphere *spheres;
    size_t sphere_count;
    scene_light *lights;
    size_t light_count;
} scene;

/* Receives one warning, a line without a newline: "scene 'x.json': unknown field ...". */
typedef void (*scene_warn_fn)(void *user, const char *message);

/* Parses JSON `text`; `source` names it in messages. Warnings go to `warn` (may
 * be NULL), and only when the whole scene is valid. Usage failure on any
 * error; the scene is then empty. */
int scene_parse(const char *text, size_t length, const char *source, scene *out, scene_warn_fn warn,
                void *user, failure *f);

/* Reads and parses the file at `path`. */
int scene_load(const char *path, scene *out, scene_warn_fn warn, void *user, failure *f);

/* The built-in scene scenes/NAME.json. */
int scene_load_builtin(const char *name, scene *out, scene_warn_fn warn, void *user, failure *f);

void scene_free(scene *s);

/* Where the primary rays start and point: the ray through image position
 * (fx, fy) in [0,1]^2, (0,0) the top-left corner, has direction
 * unit(corner + fx * right + fy * down) from `origin`. */
typedef struct camera_frame {
    vec3 origin, corner, right, down;
} camera_frame;

/* Usage failure when the camera is degenerate (look_at at the position, up
 * along the view direction). */
int camera_frame_make(const scene *s, size_t width, size_t height, camera_frame *frame, failure *f);

#endif
