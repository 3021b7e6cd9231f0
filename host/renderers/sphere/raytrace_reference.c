/* The scalar twin of kernels/raytrace.cl: the same ray tracer written the
 * textbook way, recursively, straight from the scene structs (sphere.h has
 * the maths). Only the order of a few additions differs from the kernel. */
#include "renderers/sphere/sphere.h"
#include "renderers/sphere/vec3.h"

#include <math.h>

#include "kernels/raytrace_layout.h"

/* The kernel's constants, from the layout header both include. */
#define HIT_EPSILON    RAYTRACE_HIT_EPSILON
#define SURFACE_OFFSET RAYTRACE_SURFACE_OFFSET
#define GOLDEN         RAYTRACE_GOLDEN

typedef struct ray {
    vec3 origin, direction; /* direction has unit length */
} ray;

/* Distance along `r` to the sphere, or -1 when it misses. */
static double hit_distance(const scene_sphere *s, ray r) {
    vec3 oc = v3_sub(r.origin, s->center);
    double b = v3_dot(oc, r.direction);
    double c = v3_dot(oc, oc) - s->radius * s->radius;
    double disc = b * b - c;
    if (disc < 0.0)
        return -1.0;
    double root = sqrt(disc);
    if (-b - root > HIT_EPSILON)
        return -b - root;
    return -b + root > HIT_EPSILON ? -b + root : -1.0;
}

static vec3 shade(const scene *sc, ray r, uint32_t reflections_left) {
    const scene_sphere *hit = NULL;
    double nearest = INFINITY;
    for (size_t i = 0; i < sc->sphere_count; ++i) {
        double t = hit_distance(&sc->spheres[i], r);
        if (t > 0.0 && t < nearest) {
            nearest = t;
            hit = &sc->spheres[i];
        }
    }
    if (!hit)
        return sc->background;

    const scene_material *m = &hit->material;
    vec3 point = v3_add(r.origin, v3_scale(r.direction, nearest));
    vec3 normal = v3_unit(v3_sub(point, hit->center));
    if (v3_dot(normal, r.direction) > 0.0)
        normal = v3_scale(normal, -1.0);
    vec3 lifted = v3_add(point, v3_scale(normal, SURFACE_OFFSET));

    vec3 local = v3_mul(sc->ambient, m->diffuse);
    for (size_t i = 0; i < sc->light_count; ++i) {
        const scene_light *light = &sc->lights[i];
        vec3 to_light = v3_sub(light->position, point);
        double distance = v3_length(to_light);
        vec3 l = v3_scale(to_light, 1.0 / distance);
        double lambert = v3_dot(normal, l);
        if (lambert <= 0.0)
            continue;
        ray shadow = {lifted, l};
        int blocked = 0;
        for (size_t j = 0; j < sc->sphere_count && !blocked; ++j) {
            double t = hit_distance(&sc->spheres[j], shadow);
            blocked = t > 0.0 && t < distance;
        }
        if (blocked)
            continue;
        vec3 radiance = v3_scale(light->color, light->intensity);
        local = v3_add(local, v3_scale(v3_mul(m->diffuse, radiance), lambert));
        vec3 mirrored = v3_sub(v3_scale(normal, 2.0 * lambert), l);
        double highlight = -v3_dot(mirrored, r.direction);
        if (highlight > 0.0 && m->specular > 0.0)
            local = v3_add(local, v3_scale(radiance, m->specular * pow(highlight, m->shininess)));
    }

    double k = reflections_left > 0 ? m->reflectivity : 0.0;
    if (k <= 0.0)
        return local;
    vec3 bounced_direction =
        v3_unit(v3_sub(r.direction, v3_scale(normal, 2.0 * v3_dot(r.direction, normal))));
    ray bounced = {lifted, bounced_direction};
    return v3_add(v3_scale(local, 1.0 - k), v3_scale(shade(sc, bounced, reflections_left - 1), k));
}

static uint8_t to_srgb_byte(double linear) {
    double c = linear < 0.0 ? 0.0 : linear > 1.0 ? 1.0 : linear;
    double encoded = c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
    return (uint8_t)floor(encoded * 255.0 + 0.5);
}

void raytrace_reference(const scene *s, const camera_frame *frame, uint64_t width, uint64_t height,
                        uint64_t first_row, uint64_t rows, uint32_t depth, uint32_t spp,
                        uint8_t *rgb, float *radiance) {
    (void)height; /* the frame already holds the image's proportions */
    for (uint64_t y = first_row; y < first_row + rows; ++y) {
        for (uint64_t x = 0; x < width; ++x) {
            vec3 sum = v3(0, 0, 0);
            for (uint32_t i = 0; i < spp; ++i) {
                double lattice_y = 0.5 + (double)i * GOLDEN;
                double fx = ((double)x + ((double)i + 0.5) / (double)spp) / (double)width;
                double fy = ((double)y + (lattice_y - floor(lattice_y))) / (double)height;
                vec3 toward = v3_add(v3_add(frame->corner, v3_scale(frame->right, fx)),
                                     v3_scale(frame->down, fy));
                ray primary = {frame->origin, v3_unit(toward)};
                sum = v3_add(sum, shade(s, primary, depth));
            }
            const size_t at = 3 * ((y - first_row) * width + x);
            if (radiance) {
                radiance[at] = (float)(sum.x / (double)spp);
                radiance[at + 1] = (float)(sum.y / (double)spp);
                radiance[at + 2] = (float)(sum.z / (double)spp);
                continue;
            }
            uint8_t *pixel = rgb + at;
            pixel[0] = to_srgb_byte(sum.x / (double)spp);
            pixel[1] = to_srgb_byte(sum.y / (double)spp);
            pixel[2] = to_srgb_byte(sum.z / (double)spp);
        }
    }
}
