/* raytrace.cl — a Whitted-style ray tracer over spheres, one work-item per
 * pixel: Lambert + Phong shading, hard shadows, mirror reflections (iterative:
 * OpenCL C has no recursion), stratified antialiasing, sRGB output.
 * host/raytrace_reference.c is its scalar twin; include/clrender/sphere.h
 * documents the packed buffers. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#include "raytrace_layout.h"

#define SPHERE_STRIDE RAYTRACE_SPHERE_STRIDE
#define LIGHT_STRIDE RAYTRACE_LIGHT_STRIDE
#define HIT_EPSILON RAYTRACE_HIT_EPSILON
#define SURFACE_OFFSET RAYTRACE_SURFACE_OFFSET
#define GOLDEN RAYTRACE_GOLDEN

typedef struct {
    double x, y, z;
} vec;

/* x^y for x > 0 as exp(y log x): PoCL 3.1's double8 pow() returns wrong values in lanes 0-3
 * for some inputs (a Phong exponent of 200 near a highlight), and exp/log is faster than its
 * pow() in both scalar and vector form. The references use pow(); --verify compares. */
#define POSITIVE_POW(x, y) exp((y) * log(x))

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
    const vec oc = sub(o, load(s + RAYTRACE_SPHERE_CENTER));
    const double b = dot3(oc, d);
    const double c = dot3(oc, oc) - s[RAYTRACE_SPHERE_RADIUS] * s[RAYTRACE_SPHERE_RADIUS];
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
    const vec ambient = load(view + RAYTRACE_VIEW_AMBIENT);
    const vec background = load(view + RAYTRACE_VIEW_BACKGROUND);
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
        vec n = unit(sub(p, load(s + RAYTRACE_SPHERE_CENTER)));
        if (dot3(n, d) > 0.0)
            n = scale(n, -1.0); /* seen from inside */
        const vec diffuse = load(s + RAYTRACE_SPHERE_DIFFUSE);
        const vec start = add(p, scale(n, SURFACE_OFFSET));

        vec direct = mul(ambient, diffuse);
        for (uint i = 0; i < light_count; ++i) {
            __global const double *light = lights + LIGHT_STRIDE * i;
            const vec to_light = sub(load(light + RAYTRACE_LIGHT_POSITION), p);
            const double distance = sqrt(dot3(to_light, to_light));
            const vec l = scale(to_light, 1.0 / distance);
            const double lambert = dot3(n, l);
            if (lambert <= 0.0 || occluded(spheres, sphere_count, start, l, distance))
                continue;
            const vec radiance = load(light + RAYTRACE_LIGHT_RADIANCE);
            direct = add(direct, scale(mul(diffuse, radiance), lambert));
            const vec mirrored = sub(scale(n, 2.0 * lambert), l);
            const double highlight = -dot3(mirrored, d);
            const double specular = s[RAYTRACE_SPHERE_SPECULAR];
            if (highlight > 0.0 && specular > 0.0)
                direct = add(direct, scale(radiance, specular * POSITIVE_POW(highlight,
                                                                            s[RAYTRACE_SPHERE_SHININESS])));
        }

        const double reflectivity = bounce < depth ? s[RAYTRACE_SPHERE_REFLECTIVITY] : 0.0;
        colour = add(colour, scale(mul(throughput, direct), 1.0 - reflectivity));
        if (reflectivity <= 0.0)
            break;
        throughput = scale(throughput, reflectivity);
        d = unit(sub(d, scale(n, 2.0 * dot3(d, n))));
        o = start;
    }
    return colour;
}

/* What a pixel holds: sRGB bytes, or with -DRADIANCE the linear radiance as floats. */
#ifdef RADIANCE
typedef float sample_t;
#define ENCODE(linear)  ((float)(linear))
#define ENCODE8(linear) convert_float8(linear)
#else
typedef uchar sample_t;
#define ENCODE(linear)  srgb_byte(linear)
#define ENCODE8(linear) srgb_bytes(linear)

static uchar srgb_byte(double linear) {
    const double c = fmin(fmax(linear, 0.0), 1.0);
    const double encoded = c <= 0.0031308 ? 12.92 * c : 1.055 * POSITIVE_POW(c, 1.0 / 2.4) - 0.055;
    return (uchar)(int)floor(encoded * 255.0 + 0.5);
}
#endif

/* view: camera origin, corner, right, down (see camera_frame), ambient, background. */
__kernel void raytrace(__global sample_t *rgb, uint width, uint height, __global const double *view,
                       __global const double *spheres, uint sphere_count,
                       __global const double *lights, uint light_count, uint depth, uint spp) {
    const uint x = get_global_id(0), y = get_global_id(1);
    if (x >= width || y >= height)
        return;
    const vec origin = load(view + RAYTRACE_VIEW_ORIGIN), corner = load(view + RAYTRACE_VIEW_CORNER);
    const vec right = load(view + RAYTRACE_VIEW_RIGHT), down = load(view + RAYTRACE_VIEW_DOWN);

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
    const size_t pixel = (size_t)(y - get_global_offset(1)) * width + x; /* in this band */
    rgb[3 * pixel] = ENCODE(sum.x / (double)spp);
    rgb[3 * pixel + 1] = ENCODE(sum.y / (double)spp);
    rgb[3 * pixel + 2] = ENCODE(sum.z / (double)spp);
}

/* ---- raytrace_simd: the same tracer for CPU devices --------------------------------------
 * PoCL runs one work-item per pixel as scalar code: the work-item loop it builds around the
 * kernel holds the tracer's inner loops, so LLVM cannot vectorise it. Here each work-item
 * carries LANES horizontally adjacent pixels in double8 vectors, with a lane mask for the rays
 * still alive, so every sphere test runs on all lanes at once. Per lane it performs exactly the
 * operations of raytrace() above, in the same order. */
#define LANES RAYTRACE_SIMD_LANES
#if LANES != 8
#error "raytrace_simd is written for double8 lanes: change it together with RAYTRACE_SIMD_LANES"
#endif

typedef struct {
    double8 x, y, z;
} vec8;

static vec8 splat(vec a) {
    vec8 v = {(double8)(a.x), (double8)(a.y), (double8)(a.z)};
    return v;
}
static vec8 add8(vec8 a, vec8 b) {
    vec8 v = {a.x + b.x, a.y + b.y, a.z + b.z};
    return v;
}
static vec8 sub8(vec8 a, vec8 b) {
    vec8 v = {a.x - b.x, a.y - b.y, a.z - b.z};
    return v;
}
static vec8 mul8(vec8 a, vec8 b) {
    vec8 v = {a.x * b.x, a.y * b.y, a.z * b.z};
    return v;
}
static vec8 scale8(vec8 a, double8 s) {
    vec8 v = {a.x * s, a.y * s, a.z * s};
    return v;
}
static double8 dot8(vec8 a, vec8 b) {
    return (a.x * b.x + a.y * b.y) + a.z * b.z;
}
static vec8 unit8(vec8 a) {
    const double8 length = sqrt(dot8(a, a));
    vec8 v = {a.x / length, a.y / length, a.z / length};
    return v;
}
/* b where the lane's mask is set, else a */
static vec8 choose8(vec8 a, vec8 b, long8 mask) {
    vec8 v = {select(a.x, b.x, mask), select(a.y, b.y, mask), select(a.z, b.z, mask)};
    return v;
}

static double8 intersect8(__global const double *s, vec8 o, vec8 d) {
    const vec8 oc = sub8(o, splat(load(s + RAYTRACE_SPHERE_CENTER)));
    const double8 b = dot8(oc, d);
    const double8 c = dot8(oc, oc) - s[RAYTRACE_SPHERE_RADIUS] * s[RAYTRACE_SPHERE_RADIUS];
    const double8 disc = b * b - c;
    const double8 root = sqrt(disc);
    const double8 near = -b - root, far = -b + root;
    const double8 t = select(select((double8)(-1.0), far, far > HIT_EPSILON), near,
                             near > HIT_EPSILON);
    return select(t, (double8)(-1.0), disc < 0.0);
}

/* Field k of each lane's sphere: spheres[offset + k] for the lane's record offset. */
static double8 gather(__global const double *spheres, long8 offset, int k) {
    return (double8)(spheres[offset.s0 + k], spheres[offset.s1 + k], spheres[offset.s2 + k],
                     spheres[offset.s3 + k], spheres[offset.s4 + k], spheres[offset.s5 + k],
                     spheres[offset.s6 + k], spheres[offset.s7 + k]);
}
static vec8 gather3(__global const double *spheres, long8 offset, int k) {
    vec8 v = {gather(spheres, offset, k), gather(spheres, offset, k + 1),
              gather(spheres, offset, k + 2)};
    return v;
}

static vec8 trace8(__global const double *view, __global const double *spheres,
                   uint sphere_count, __global const double *lights, uint light_count, vec8 o,
                   vec8 d, uint depth) {
    const vec8 ambient = splat(load(view + RAYTRACE_VIEW_AMBIENT));
    const vec8 background = splat(load(view + RAYTRACE_VIEW_BACKGROUND));
    vec8 colour = splat(make(0.0, 0.0, 0.0));
    vec8 throughput = splat(make(1.0, 1.0, 1.0));
    long8 active = (long8)(-1);
    for (uint bounce = 0; any(active); ++bounce) {
        double8 t = (double8)(INFINITY);
        long8 hit = (long8)(-1);
        for (uint i = 0; i < sphere_count; ++i) {
            const double8 ti = intersect8(spheres + SPHERE_STRIDE * i, o, d);
            const long8 closer = (ti > 0.0) & (ti < t);
            t = select(t, ti, closer);
            hit = select(hit, (long8)(i), closer);
        }
        colour = choose8(colour, add8(colour, mul8(throughput, background)), active & (hit < 0));
        active &= hit >= 0;
        if (!any(active))
            break;

        const long8 record = select((long8)(0), hit, active) * SPHERE_STRIDE;
        const vec8 p = add8(o, scale8(d, t));
        vec8 n = unit8(sub8(p, gather3(spheres, record, RAYTRACE_SPHERE_CENTER)));
        n = choose8(n, scale8(n, (double8)(-1.0)), dot8(n, d) > 0.0);
        const vec8 diffuse = gather3(spheres, record, RAYTRACE_SPHERE_DIFFUSE);
        const double8 specular = gather(spheres, record, RAYTRACE_SPHERE_SPECULAR);
        const double8 shininess = gather(spheres, record, RAYTRACE_SPHERE_SHININESS);
        const double8 reflectivity_here = gather(spheres, record, RAYTRACE_SPHERE_REFLECTIVITY);
        const vec8 start = add8(p, scale8(n, (double8)(SURFACE_OFFSET)));

        vec8 direct = mul8(ambient, diffuse);
        for (uint i = 0; i < light_count; ++i) {
            __global const double *light = lights + LIGHT_STRIDE * i;
            const vec8 to_light = sub8(splat(load(light + RAYTRACE_LIGHT_POSITION)), p);
            const double8 distance = sqrt(dot8(to_light, to_light));
            const vec8 l = scale8(to_light, 1.0 / distance);
            const double8 lambert = dot8(n, l);
            long8 lit = active & (lambert > 0.0);
            for (uint j = 0; j < sphere_count && any(lit); ++j) {
                const double8 tj = intersect8(spheres + SPHERE_STRIDE * j, start, l);
                lit &= ~((tj > 0.0) & (tj < distance));
            }
            if (!any(lit))
                continue;
            const vec8 radiance = splat(load(light + RAYTRACE_LIGHT_RADIANCE));
            direct = choose8(direct, add8(direct, scale8(mul8(diffuse, radiance), lambert)), lit);
            const vec8 mirrored = sub8(scale8(n, 2.0 * lambert), l);
            const double8 highlight = -dot8(mirrored, d);
            const long8 shiny = lit & (highlight > 0.0) & (specular > 0.0);
            if (any(shiny))
                direct = choose8(direct,
                                 add8(direct, scale8(radiance, specular * POSITIVE_POW(highlight, shininess))),
                                 shiny);
        }

        const double8 reflectivity = bounce < depth ? reflectivity_here : (double8)(0.0);
        colour = choose8(colour, add8(colour, scale8(mul8(throughput, direct), 1.0 - reflectivity)),
                         active);
        active &= reflectivity > 0.0;
        throughput = scale8(throughput, reflectivity);
        d = unit8(sub8(d, scale8(n, 2.0 * dot8(d, n))));
        o = start;
    }
    return colour;
}

#ifndef RADIANCE
static uchar8 srgb_bytes(double8 linear) {
    const double8 c = fmin(fmax(linear, 0.0), 1.0);
    const double8 encoded =
        select(1.055 * POSITIVE_POW(c, 1.0 / 2.4) - 0.055, 12.92 * c, c <= 0.0031308);
    return convert_uchar8(floor(encoded * 255.0 + 0.5));
}
#endif

/* The global size is ceil(width / LANES) x height. */
__kernel void raytrace_simd(__global sample_t *rgb, uint width, uint height,
                            __global const double *view, __global const double *spheres,
                            uint sphere_count, __global const double *lights, uint light_count,
                            uint depth, uint spp) {
    const uint x0 = get_global_id(0) * LANES, y = get_global_id(1);
    if (x0 >= width || y >= height)
        return;
    const vec8 origin = splat(load(view + RAYTRACE_VIEW_ORIGIN));
    const vec8 corner = splat(load(view + RAYTRACE_VIEW_CORNER));
    const vec8 right = splat(load(view + RAYTRACE_VIEW_RIGHT));
    const vec8 down = splat(load(view + RAYTRACE_VIEW_DOWN));
    const double8 xs = (double)x0 + (double8)(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);

    vec8 sum = splat(make(0.0, 0.0, 0.0));
    for (uint s = 0; s < spp; ++s) {
        const double jitter_x = ((double)s + 0.5) / (double)spp;
        const double lattice_y = 0.5 + (double)s * GOLDEN;
        const double jitter_y = lattice_y - floor(lattice_y);
        const double8 fx = (xs + jitter_x) / (double)width;
        const double8 fy = (double8)(((double)y + jitter_y) / (double)height);
        const vec8 d = unit8(add8(add8(corner, scale8(right, fx)), scale8(down, fy)));
        sum = add8(sum, trace8(view, spheres, sphere_count, lights, light_count, origin, d, depth));
    }
    sample_t r[LANES], g[LANES], b[LANES];
    vstore8(ENCODE8(sum.x / (double)spp), 0, r);
    vstore8(ENCODE8(sum.y / (double)spp), 0, g);
    vstore8(ENCODE8(sum.z / (double)spp), 0, b);
    const size_t row = (size_t)(y - get_global_offset(1)) * width; /* in this band */
    for (uint lane = 0; lane < LANES && x0 + lane < width; ++lane) {
        rgb[3 * (row + x0 + lane)] = r[lane];
        rgb[3 * (row + x0 + lane) + 1] = g[lane];
        rgb[3 * (row + x0 + lane) + 2] = b[lane];
    }
}
