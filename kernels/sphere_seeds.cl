/* sphere_seeds.cl — the two one-sphere shaders of the seed programs, exactly
 * as specified in include/clrender/sphere.h, one work-item per pixel.
 * host/sphere_seeds_reference.c is their scalar twin. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

typedef struct {
    double x, y, z;
} vec;

static vec make(double x, double y, double z) {
    vec v = {x, y, z};
    return v;
}
static vec sub(vec a, vec b) {
    return make(a.x - b.x, a.y - b.y, a.z - b.z);
}
static vec add_scaled(vec a, vec b, double s) {
    return make(a.x + b.x * s, a.y + b.y * s, a.z + b.z * s);
}
static double dot3(vec a, vec b) {
    return (a.x * b.x + a.y * b.y) + a.z * b.z;
}
static vec divide(vec a, double d) {
    return make(a.x / d, a.y / d, a.z / d);
}

static void store(__global uchar *rgb, size_t pixel, uchar r, uchar g, uchar b) {
    rgb[3 * pixel] = r;
    rgb[3 * pixel + 1] = g;
    rgb[3 * pixel + 2] = b;
}

/* The PyCon DE 2023 talk's shader: an 8 x 6 screen, sphere at (4, 3, 10). */
__kernel void pyconde(__global uchar *rgb, uint width, uint height) {
    const uint x = get_global_id(0), y = get_global_id(1);
    if (x >= width || y >= height)
        return;
    const size_t pixel = (size_t)(y - get_global_offset(1)) * width + x; /* in this band */
    const vec p = make(8.0 * (double)x / (double)width, 6.0 * (double)y / (double)height, 0.0);
    const vec v = make(0.0, 0.0, 1.0);
    const vec q = make(4.0, 3.0, 10.0);
    const double r = 2.0;
    const vec light = make(8.0, 0.0, 7.0);

    const vec d = sub(p, q);
    const double s = dot3(v, d);
    const double disc = s * s - (dot3(d, d) - r * r);
    if (disc < 0.0) {
        store(rgb, pixel, 100, 100, 100);
        return;
    }
    const double t = -s - sqrt(disc);
    const vec hit = add_scaled(p, v, t);
    const vec n_raw = sub(hit, q), l_raw = sub(light, hit);
    const vec n = divide(n_raw, sqrt(dot3(n_raw, n_raw)));
    const vec l = divide(l_raw, sqrt(dot3(l_raw, l_raw)));
    const double shade = trunc(255.0 * dot3(n, l));
    store(rgb, pixel, (uchar)(int)fmax(shade, 30.0), 0, 0);
}

/* normalize() of the PyO3 benchmark: divides by max(|v|, 1e-5). */
static vec safe_unit(vec v) {
    return divide(v, fmax(sqrt(dot3(v, v)), 1e-5));
}

/* The PyO3 benchmark's Python backend: a 16 x 10 screen around the origin. */
__kernel void pyo3(__global uchar *rgb, uint width, uint height) {
    const uint x = get_global_id(0), y = get_global_id(1);
    if (x >= width || y >= height)
        return;
    const size_t pixel = (size_t)(y - get_global_offset(1)) * width + x; /* in this band */
    const vec o = make(16.0 / (double)width * ((double)x - (double)width / 2.0),
                       10.0 / (double)height * ((double)y - (double)height / 2.0), 0.0);
    const vec d = make(0.0, 0.0, 1.0);
    const vec centre = make(0.0, 0.0, 3.0);
    const double r = 1.0;
    const vec light = make(-4.0, -4.0, 5.0);

    const vec oc = sub(o, centre);
    const double a = dot3(d, d);
    const double b = 2.0 * dot3(oc, d);
    const double c = dot3(oc, oc) - r * r;
    const double disc = b * b - 4.0 * a * c;
    if (disc < 0.0) {
        store(rgb, pixel, 100, 100, 100);
        return;
    }
    const double t = (-b - sqrt(disc)) / fmax(2.0 * a, 1e-5);
    const vec hit = add_scaled(o, d, t);
    const vec n = safe_unit(sub(hit, centre));
    const vec l = safe_unit(sub(light, hit));
    const double shade = trunc(fmax(255.0 * dot3(n, l), 30.0));
    store(rgb, pixel, (uchar)(int)fmin(255.0, shade), 0, 0);
}
