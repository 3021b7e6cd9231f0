/* sphere.h — the sphere command: the seeds' one-sphere shaders and a ray tracer.
 *
 * Pixel (x, y): x is the column, y the row from the top; --size changes the
 * pixel counts only. All maths is in double precision.
 *
 * pyconde (800x600 by default): ray origin p = (8x/W, 6y/H, 0), direction
 *   v = (0,0,1); sphere centre q = (4,3,10), radius 2; light (8,0,7). With
 *   d = p - q, s = v.d, disc = s^2 - (d.d - r^2): when disc >= 0 the hit is
 *   p + t v, t = -s - sqrt(disc); n = unit(hit - q), l = unit(light - hit);
 *   the pixel is (max(trunc(255 n.l), 30), 0, 0). Otherwise (100,100,100).
 * pyo3 (80x60): o = (16/W (x - W/2), 10/H (y - H/2), 0), d = (0,0,1); sphere
 *   (0,0,3), radius 1; light (-4,-4,5). oc = o - centre, a = d.d, b = 2 oc.d,
 *   c = oc.oc - r^2, disc = b^2 - 4ac: when disc >= 0, t = (-b - sqrt(disc)) /
 *   max(2a, 1e-5); unit(v) divides by max(|v|, 1e-5); n = unit(hit - centre),
 *   l = unit(light - hit); the pixel is (min(255, trunc(max(255 n.l, 30))), 0, 0).
 *   Otherwise (100,100,100).
 * scene (960x540): the ray tracer of kernels/raytrace.cl over a JSON scene
 *   (scene.h). Each pixel averages --spp samples at offsets ((s+0.5)/spp,
 *   frac(0.5 + s*0.618...)) in linear light; a hit shades ambient*diffuse plus,
 *   for each light not shadowed, diffuse*radiance*(n.l) + radiance*specular*
 *   (r.v)^shininess; a surface of reflectivity k returns (1-k)*local + k*(what
 *   the mirrored ray sees), up to --depth reflections; a miss sees the
 *   background. The result is encoded as 8-bit sRGB.
 */
#ifndef CLRENDER_SPHERE_H
#define CLRENDER_SPHERE_H

#include "renderers/renderer.h"
#include "renderers/sphere/scene.h"

#include <stdint.h>

typedef enum sphere_mode { SPHERE_SCENE, SPHERE_PYCONDE, SPHERE_PYO3 } sphere_mode;

#define SPHERE_MAX_DEPTH 64
#define SPHERE_MAX_SPP   4096

/* What a pixel holds, in the order of the --values choices: sRGB bytes, or the linear
 * radiance (float RGB, unclamped) that the bytes encode. */
typedef enum sphere_values { SPHERE_SRGB, SPHERE_RADIANCE } sphere_values;

typedef struct sphere_params {
    sphere_mode mode; /* set by --preset */
    char *scene_path; /* --scene (owned), or NULL for the built-in scene */
    image_size size;
    uint64_t depth, spp;
    int kernel; /* kernel_variant; AUTO picks SIMD on CPU devices */
    int values; /* enum sphere_values (--values) */
    /* Derived by finish() for SPHERE_SCENE: */
    char *loaded_path; /* the scene file scene came from ("" for the built-in one) */
    scene scene;
    camera_frame frame;
    double *packed_view, *packed_spheres, *packed_lights; /* kernels/raytrace_layout.h */
    uint64_t scene_generation, view_generation;           /* bumped when repacked */
} sphere_params;

extern const renderer sphere_renderer;

/* The scalar references (seeds_reference.c, raytrace_reference.c). */
void pyconde_pixel(uint64_t x, uint64_t y, uint64_t width, uint64_t height, uint8_t rgb[3]);
void pyo3_pixel(uint64_t x, uint64_t y, uint64_t width, uint64_t height, uint8_t rgb[3]);
/* Rows first_row .. first_row + rows - 1 of a width x height image, into rgb (sRGB
 * bytes), or into radiance (linear floats) when that is not NULL. */
void raytrace_reference(const scene *s, const camera_frame *frame, uint64_t width, uint64_t height,
                        uint64_t first_row, uint64_t rows, uint32_t depth, uint32_t spp,
                        uint8_t *rgb, float *radiance);

#endif
