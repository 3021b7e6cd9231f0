/* raytrace.cl — a Whitted-style ray tracer over spheres, one work-item per
 * pixel: Lambert + Phong shading, hard shadows, mirror reflections (iterative:
 * OpenCL C has no recursion), stratified antialiasing, sRGB output.
 * host/raytrace_reference.c is its scalar twin; include/clrender/sphere.h
 * documents the packed buffers. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#define SPHERE_STRIDE 10 /* center xyz, radius, diffuse rgb, specular, shininess, reflectivity */
#define LIGHT_STRIDE 6   /* position xyz, radiance rgb (colour times intensity) */
#define HIT_EPSILON 1e-9 /* nearest distance along a ray that counts as a hit */
#define SURFACE_OFFSET 1e-7 /* secondary rays start this far off the surface */
#define GOLDEN 0.6180339887498949

typedef struct {
    double x, y, z;
} vec;

static vec make(double x, double y, double z) {
    vec v = {x, y, z};
    return v;
}
static vec load(__global const double *p) {
    return make(p[0], p[1], p[2]);
}
static vec add(vec a, vec b) {
    return make(a.x + b.x, a.y + b.y, a.z + b.z);
}
static vec sub(vec a, vec b) {
    return make(a.x - b.x, a.y - b.y, a.z - b.z);
}
static vec mul(vec a, vec b) {
    return make(a.x * b.x, a.y * b.y, a.z * b.z);
}
static vec scale(vec a, double s) {
    return make(a.x * s, a.y * s, a.z * s);
}
static double dot3(vec a, vec b) {
    return (a.x * b.x + a.y * b.y) + a.z * b.z;
}
static vec unit(vec a) {
    const double length = sqrt(dot3(a, a));
    return make(a.x / length, a.y / length, a.z / length);
}

/* Distance along the unit ray (o, d) to sphere s, or -1 when it misses. */
static double intersect(__global const double *s, vec o, vec d) {
    const vec oc = sub(o, load(s));
    const double b = dot3(oc, d);
    const double c = dot3(oc, oc) - s[3] * s[3];
    const double disc = b * b - c;
    if (disc < 0.0)
        return -1.0;
    const double root = sqrt(disc);
    double t = -b - root;
    if (t > HIT_EPSILON)
        return t;
    t = -b + root;
    return t > HIT_EPSILON ? t : -1.0;
}

static int nearest(__global const double *spheres, uint count, vec o, vec d, double *t_hit) {
    int hit = -1;
    double best = INFINITY;
    for (uint i = 0; i < count; ++i) {
        const double t = intersect(spheres + SPHERE_STRIDE * i, o, d);
        if (t > 0.0 && t < best) {
            best = t;
            hit = (int)i;
        }
    }
    *t_hit = best;
    return hit;
}

static bool occluded(__global const double *spheres, uint count, vec o, vec d, double distance) {
    for (uint i = 0; i < count; ++i) {
        const double t = intersect(spheres + SPHERE_STRIDE * i, o, d);
        if (t > 0.0 && t < distance)
            return true;
    }
    return false;
}

/* The linear colour seen along the unit ray (o, d), following up to `depth` reflections. */
static vec trace(__global const double *view, __global const double *spheres, uint sphere_count,
                 __global const double *lights, uint light_count, vec o, vec d, uint depth) {
    const vec ambient = load(view + 12), background = load(view + 15);
    vec colour = make(0.0, 0.0, 0.0);
    vec throughput = make(1.0, 1.0, 1.0);
    for (uint bounce = 0;; ++bounce) {
        double t;
        const int hit = nearest(spheres, sphere_count, o, d, &t);
        if (hit < 0) {
            colour = add(colour, mul(throughput, background));
            break;
        }
        __global const double *s = spheres + SPHERE_STRIDE * hit;
        const vec p = add(o, scale(d, t));
        vec n = unit(sub(p, load(s)));
        if (dot3(n, d) > 0.0)
            n = scale(n, -1.0); /* seen from inside */
        const vec diffuse = load(s + 4);
        const vec start = add(p, scale(n, SURFACE_OFFSET));

        vec direct = mul(ambient, diffuse);
        for (uint i = 0; i < light_count; ++i) {
            __global const double *light = lights + LIGHT_STRIDE * i;
            const vec to_light = sub(load(light), p);
            const double distance = sqrt(dot3(to_light, to_light));
            const vec l = scale(to_light, 1.0 / distance);
            const double lambert = dot3(n, l);
            if (lambert <= 0.0 || occluded(spheres, sphere_count, start, l, distance))
                continue;
            const vec radiance = load(light + 3);
            direct = add(direct, scale(mul(diffuse, radiance), lambert));
            const vec mirrored = sub(scale(n, 2.0 * lambert), l);
            const double highlight = -dot3(mirrored, d);
            if (highlight > 0.0 && s[7] > 0.0)
                direct = add(direct, scale(radiance, s[7] * pow(highlight, s[8])));
        }

        const double reflectivity = bounce < depth ? s[9] : 0.0;
        colour = add(colour, scale(mul(throughput, direct), 1.0 - reflectivity));
        if (reflectivity <= 0.0)
            break;
        throughput = scale(throughput, reflectivity);
        d = unit(sub(d, scale(n, 2.0 * dot3(d, n))));
        o = start;
    }
    return colour;
}

static uchar srgb_byte(double linear) {
    const double c = fmin(fmax(linear, 0.0), 1.0);
    const double encoded = c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
    return (uchar)(int)floor(encoded * 255.0 + 0.5);
}

/* view: camera origin, corner, right, down (see camera_frame), ambient, background. */
__kernel void raytrace(__global uchar *rgb, uint width, uint height, __global const double *view,
                       __global const double *spheres, uint sphere_count,
                       __global const double *lights, uint light_count, uint depth, uint spp) {
    const uint x = get_global_id(0), y = get_global_id(1);
    if (x >= width || y >= height)
        return;
    const vec origin = load(view), corner = load(view + 3);
    const vec right = load(view + 6), down = load(view + 9);

    vec sum = make(0.0, 0.0, 0.0);
    for (uint s = 0; s < spp; ++s) {
        /* A rank-1 lattice: stratified in x, golden-ratio spaced in y. */
        const double jitter_x = ((double)s + 0.5) / (double)spp;
        const double lattice_y = 0.5 + (double)s * GOLDEN;
        const double jitter_y = lattice_y - floor(lattice_y);
        const double fx = ((double)x + jitter_x) / (double)width;
        const double fy = ((double)y + jitter_y) / (double)height;
        const vec d = unit(add(add(corner, scale(right, fx)), scale(down, fy)));
        sum = add(sum, trace(view, spheres, sphere_count, lights, light_count, origin, d, depth));
    }
    const size_t pixel = (size_t)y * width + x;
    rgb[3 * pixel] = srgb_byte(sum.x / (double)spp);
    rgb[3 * pixel + 1] = srgb_byte(sum.y / (double)spp);
    rgb[3 * pixel + 2] = srgb_byte(sum.z / (double)spp);
}
