/* The scalar twins of kernels/sphere_seeds.cl, written from sphere.h. */
#include "renderers/sphere/sphere.h"
#include "renderers/sphere/vec3.h"

#include <math.h>

static void set_pixel(uint8_t rgb[3], uint8_t r, uint8_t g, uint8_t b) {
    rgb[0] = r;
    rgb[1] = g;
    rgb[2] = b;
}

void pyconde_pixel(uint64_t x, uint64_t y, uint64_t width, uint64_t height, uint8_t rgb[3]) {
    const vec3 p = v3(8.0 * (double)x / (double)width, 6.0 * (double)y / (double)height, 0.0);
    const vec3 v = v3(0.0, 0.0, 1.0), q = v3(4.0, 3.0, 10.0), light = v3(8.0, 0.0, 7.0);
    const double r = 2.0;
    const vec3 d = v3_sub(p, q);
    const double s = v3_dot(v, d);
    const double disc = s * s - (v3_dot(d, d) - r * r);
    if (disc < 0.0) {
        set_pixel(rgb, 100, 100, 100);
        return;
    }
    const double t = -s - sqrt(disc);
    const vec3 hit = v3_add(p, v3_scale(v, t));
    const vec3 n = v3_unit(v3_sub(hit, q)), l = v3_unit(v3_sub(light, hit));
    set_pixel(rgb, (uint8_t)fmax(trunc(255.0 * v3_dot(n, l)), 30.0), 0, 0);
}

/* The PyO3 benchmark's normalize(): guards against a zero vector. */
static vec3 safe_unit(vec3 v) {
    double length = fmax(v3_length(v), 1e-5);
    return v3(v.x / length, v.y / length, v.z / length);
}

void pyo3_pixel(uint64_t x, uint64_t y, uint64_t width, uint64_t height, uint8_t rgb[3]) {
    const vec3 o = v3(16.0 / (double)width * ((double)x - (double)width / 2.0),
                      10.0 / (double)height * ((double)y - (double)height / 2.0), 0.0);
    const vec3 d = v3(0.0, 0.0, 1.0), centre = v3(0.0, 0.0, 3.0), light = v3(-4.0, -4.0, 5.0);
    const double r = 1.0;
    const vec3 oc = v3_sub(o, centre);
    const double a = v3_dot(d, d), b = 2.0 * v3_dot(oc, d), c = v3_dot(oc, oc) - r * r;
    const double disc = b * b - 4.0 * a * c;
    if (disc < 0.0) {
        set_pixel(rgb, 100, 100, 100);
        return;
    }
    const double t = (-b - sqrt(disc)) / fmax(2.0 * a, 1e-5);
    const vec3 hit = v3_add(o, v3_scale(d, t));
    const vec3 n = safe_unit(v3_sub(hit, centre)), l = safe_unit(v3_sub(light, hit));
    set_pixel(rgb, (uint8_t)fmin(255.0, trunc(fmax(255.0 * v3_dot(n, l), 30.0))), 0, 0);
}
