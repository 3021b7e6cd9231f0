/* raytrace.cl — a Whitted-style ray tracer over spheres: Lambert + Phong shading, hard
 * shadows, mirror reflections (iterative: OpenCL C has no recursion), stratified antialiasing,
 * sRGB output. host/renderers/sphere/raytrace_reference.c is its scalar twin;
 * kernels/raytrace_layout.h documents the packed buffers.
 *
 * Lanes. One work-item traces LANES horizontally adjacent pixels (build with -DLANES=1, 2, 4,
 * 8 or 16; 1 by default). One lane is the per-pixel kernel GPUs want. On a CPU, PoCL runs each
 * work-item as scalar code (the work-item loop it builds holds the tracer's own loops, so LLVM
 * cannot vectorise them), so there the lanes are vectors: every sphere test runs on all lanes
 * at once, with a mask of the lanes whose rays are still alive. The tracer is written once,
 * over the lane types below (real_l, mask_l, ...), and the host compiles this one file with the
 * lane count it wants, as it does xray.cl: the per-pixel and the vector kernels cannot drift
 * apart, and a program holds only the variant its launch runs (a header included twice would
 * need two sets of names and would build both). Every lane performs exactly the operations of
 * the one-lane kernel, in the same order, so both give the same bits.
 *
 * Skipped work. A vector skips what none of its live lanes needs: a sphere's square root and
 * the rest of its test where no lane can hit it, the remaining shadow tests once every lane is
 * in shadow, a highlight's exp and log where no lit lane has one. Only results that would be
 * thrown away are skipped, so the pictures do not change. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#include "raytrace_layout.h"

#define SPHERE_STRIDE  RAYTRACE_SPHERE_STRIDE
#define LIGHT_STRIDE   RAYTRACE_LIGHT_STRIDE
#define HIT_EPSILON    RAYTRACE_HIT_EPSILON
#define SURFACE_OFFSET RAYTRACE_SURFACE_OFFSET
#define GOLDEN         RAYTRACE_GOLDEN

#ifndef LANES
#define LANES 1
#endif
#include "lanes.h"

typedef LANEWISE(double) real_l;
typedef LANEWISE(long) mask_l; /* a comparison of real_l: nonzero in the lanes where it holds */

#if LANES == 1
#define SELECT(a, b, mask)  ((mask) ? (b) : (a))
#define LANE_INDICES        0.0
#define STORE_LANES(v, out) (*(out) = (v))
#else
#define SELECT(a, b, mask)  select(a, b, mask)
#define LANE_INDICES        LANEWISE(vload)(0, lane_indices)
#define STORE_LANES(v, out) LANEWISE(vstore)(v, 0, out)
__constant double lane_indices[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#endif
#define ALL_LANES ((mask_l)(-1))

/* x^y for x > 0 as exp(y log x): PoCL 3.1's double8 pow() returns wrong values in lanes 0-3
 * for some inputs (a Phong exponent of 200 near a highlight), and exp/log is faster than its
 * pow() in both scalar and vector form. The references use pow(); --verify compares. */
#define POSITIVE_POW(x, y) exp((y) * (log(x)))

/* A point, direction or colour the same for all lanes (the camera, a light), and one per lane. */
typedef struct {
    double x, y, z;
} vec;
typedef struct {
    real_l x, y, z;
} vec_l;

static vec load(__global const double *p) {
    vec v = {p[0], p[1], p[2]};
    return v;
}
static vec_l make(real_l x, real_l y, real_l z) {
    vec_l v = {x, y, z};
    return v;
}
static vec_l splat(vec a) {
    return make((real_l)(a.x), (real_l)(a.y), (real_l)(a.z));
}
static vec_l add(vec_l a, vec_l b) {
    return make(a.x + b.x, a.y + b.y, a.z + b.z);
}
static vec_l sub(vec_l a, vec_l b) {
    return make(a.x - b.x, a.y - b.y, a.z - b.z);
}
static vec_l mul(vec_l a, vec_l b) {
    return make(a.x * b.x, a.y * b.y, a.z * b.z);
}
static vec_l scale(vec_l a, real_l s) {
    return make(a.x * s, a.y * s, a.z * s);
}
static real_l dot3(vec_l a, vec_l b) {
    return (a.x * b.x + a.y * b.y) + a.z * b.z;
}
static vec_l unit(vec_l a) {
    const real_l length = sqrt(dot3(a, a));
    return make(a.x / length, a.y / length, a.z / length);
}
/* b in the lanes where mask holds, else a */
static vec_l choose(vec_l a, vec_l b, mask_l mask) {
    return make(SELECT(a.x, b.x, mask), SELECT(a.y, b.y, mask), SELECT(a.z, b.z, mask));
}

/* The material and centre of the sphere each lane's ray hit. They are copied from the records
 * while searching for the nearest hit, where few spheres get that far, rather than gathered
 * lane by lane afterwards: the normal, which all shading waits for, needs the centre at once. */
typedef struct {
    vec_l centre, diffuse;
    real_l specular, shininess, reflectivity;
} surface_l;

/* sphere's fields in the lanes where mask holds */
static void take_where(surface_l *s, __global const double *sphere, mask_l mask) {
    s->centre = choose(s->centre, splat(load(sphere + RAYTRACE_SPHERE_CENTER)), mask);
    s->diffuse = choose(s->diffuse, splat(load(sphere + RAYTRACE_SPHERE_DIFFUSE)), mask);
    s->specular = SELECT(s->specular, (real_l)(sphere[RAYTRACE_SPHERE_SPECULAR]), mask);
    s->shininess = SELECT(s->shininess, (real_l)(sphere[RAYTRACE_SPHERE_SHININESS]), mask);
    s->reflectivity = SELECT(s->reflectivity, (real_l)(sphere[RAYTRACE_SPHERE_REFLECTIVITY]), mask);
}

/* Distance along the unit rays (o, d) to sphere s, or -1 where they miss, in the lanes of
 * `wanted`; the other lanes may hold anything. */
static real_l intersect(__global const double *s, vec_l o, vec_l d, mask_l wanted) {
    const vec_l oc = sub(o, splat(load(s + RAYTRACE_SPHERE_CENTER)));
    const real_l b = dot3(oc, d);
    const real_l c = dot3(oc, oc) - s[RAYTRACE_SPHERE_RADIUS] * s[RAYTRACE_SPHERE_RADIUS];
    const real_l disc = b * b - c;
    /* A lane misses where disc < 0, and also where the sphere lies behind an origin outside it
     * (b > 0, c > 0): there disc <= b*b, and the square root of b*b rounded is b exactly in
     * binary floating point, so root <= b and both roots are <= 0. The square root is the
     * costliest step of the test, and most spheres can be hit by no wanted lane of a vector
     * (the ground, behind every shadow ray that leaves it, is one). */
    if (!ANY_LANE(wanted && disc >= 0.0 && !(b > 0.0 && c > 0.0)))
        return (real_l)(-1.0);
    const real_l root = sqrt(disc);
    const real_l near = -b - root, far = -b + root;
    const real_l t =
        SELECT(SELECT((real_l)(-1.0), far, far > HIT_EPSILON), near, near > HIT_EPSILON);
    return SELECT(t, (real_l)(-1.0), disc < 0.0);
}

/* The linear colour seen along the unit rays (o, d), following up to `depth` reflections. */
static vec_l trace(__global const double *view, __global const double *spheres, uint sphere_count,
                   __global const double *lights, uint light_count, vec_l o, vec_l d, uint depth) {
    const vec_l ambient = splat(load(view + RAYTRACE_VIEW_AMBIENT));
    const vec_l background = splat(load(view + RAYTRACE_VIEW_BACKGROUND));
    vec_l colour = make(0.0, 0.0, 0.0);
    vec_l throughput = make(1.0, 1.0, 1.0);
    mask_l alive = ALL_LANES; /* the lanes whose ray has not yet left the scene or stopped */
    for (uint bounce = 0;; ++bounce) {
        real_l t = (real_l)(INFINITY);
        mask_l hit = 0;
        surface_l surface; /* set in the lanes that hit: the others are not alive, and unread */
        for (uint i = 0; i < sphere_count; ++i) {
            __global const double *sphere = spheres + SPHERE_STRIDE * i;
            const real_l ti = intersect(sphere, o, d, alive);
            const mask_l closer = ti > 0.0 && ti < t;
            if (!ANY_LANE(closer))
                continue;
            t = SELECT(t, ti, closer);
            hit = hit || closer;
            take_where(&surface, sphere, closer);
        }
        colour = choose(colour, add(colour, mul(throughput, background)), alive && !hit);
        alive = alive && hit;
        if (!ANY_LANE(alive))
            break;

        const vec_l p = add(o, scale(d, t));
        vec_l n = unit(sub(p, surface.centre));
        n = choose(n, scale(n, (real_l)(-1.0)), dot3(n, d) > 0.0); /* seen from inside */
        const vec_l diffuse = surface.diffuse;
        const real_l specular = surface.specular;
        const mask_l specular_here = alive && specular > 0.0;
        const vec_l start = add(p, scale(n, (real_l)(SURFACE_OFFSET)));

        vec_l direct = mul(ambient, diffuse);
        for (uint i = 0; i < light_count; ++i) {
            __global const double *light = lights + LIGHT_STRIDE * i;
            const vec_l to_light = sub(splat(load(light + RAYTRACE_LIGHT_POSITION)), p);
            const real_l distance = sqrt(dot3(to_light, to_light));
            const vec_l l = scale(to_light, 1.0 / distance);
            const real_l lambert = dot3(n, l);
            mask_l lit = alive && lambert > 0.0;
            for (uint j = 0; j < sphere_count && ANY_LANE(lit); ++j) {
                const real_l tj = intersect(spheres + SPHERE_STRIDE * j, start, l, lit);
                lit = lit && !(tj > 0.0 && tj < distance);
            }
            if (!ANY_LANE(lit))
                continue;
            const vec_l radiance = splat(load(light + RAYTRACE_LIGHT_RADIANCE));
            direct = choose(direct, add(direct, scale(mul(diffuse, radiance), lambert)), lit);
            if (!ANY_LANE(lit && specular_here))
                continue;
            const vec_l mirrored = sub(scale(n, 2.0 * lambert), l);
            const real_l highlight = -dot3(mirrored, d);
            const mask_l shiny = lit && specular_here && highlight > 0.0;
            if (!ANY_LANE(shiny))
                continue;
            const real_l phong = POSITIVE_POW(highlight, surface.shininess);
            direct = choose(direct, add(direct, scale(radiance, specular * phong)), shiny);
        }

        const real_l reflectivity = bounce < depth ? surface.reflectivity : (real_l)(0.0);
        colour =
            choose(colour, add(colour, scale(mul(throughput, direct), 1.0 - reflectivity)), alive);
        alive = alive && reflectivity > 0.0;
        if (!ANY_LANE(alive))
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
#define ENCODE(linear) LANEWISE(convert_float)(linear)
#else
typedef uchar sample_t;
#define ENCODE(linear) srgb_bytes(linear)

static LANEWISE(uchar) srgb_bytes(real_l linear) {
    const real_l c = fmin(fmax(linear, 0.0), 1.0);
    const real_l encoded =
        SELECT(1.055 * POSITIVE_POW(c, 1.0 / 2.4) - 0.055, 12.92 * c, c <= 0.0031308);
    return LANEWISE(convert_uchar)(floor(encoded * 255.0 + 0.5));
}
#endif

/* The unit direction of sample s of pixels xs of row y, from the camera frame (corner, right,
 * down). */
static vec_l camera_ray(vec_l corner, vec_l right, vec_l down, real_l xs, uint y, uint s,
                        uint width, uint height, uint spp) {
    /* A rank-1 lattice: stratified in x, golden-ratio spaced in y. */
    const double jitter_x = ((double)s + 0.5) / (double)spp;
    const double lattice_y = 0.5 + (double)s * GOLDEN;
    const double jitter_y = lattice_y - floor(lattice_y);
    const real_l fx = (xs + jitter_x) / (double)width;
    const real_l fy = (real_l)(((double)y + jitter_y) / (double)height);
    return unit(add(add(corner, scale(right, fx)), scale(down, fy)));
}

/* view: camera origin, corner, right, down (see camera_frame), ambient, background.
 * The global size is ceil(width / LANES) x height. */
__kernel void raytrace(__global sample_t *rgb, uint width, uint height, __global const double *view,
                       __global const double *spheres, uint sphere_count,
                       __global const double *lights, uint light_count, uint depth, uint spp) {
    const uint x0 = get_global_id(0) * LANES, y = get_global_id(1);
    if (x0 >= width || y >= height)
        return;
    const vec_l origin = splat(load(view + RAYTRACE_VIEW_ORIGIN));
    const vec_l corner = splat(load(view + RAYTRACE_VIEW_CORNER));
    const vec_l right = splat(load(view + RAYTRACE_VIEW_RIGHT));
    const vec_l down = splat(load(view + RAYTRACE_VIEW_DOWN));
    const real_l xs = (double)x0 + LANE_INDICES;

    /* The next sample's ray is made before this one is traced: its divisions and square root
     * then run beside the tracing instead of holding it up at the divider. The ray made after
     * the last sample goes unused; skipping it behind a branch measured slower. */
    vec_l sum = make(0.0, 0.0, 0.0);
    vec_l d = camera_ray(corner, right, down, xs, y, 0, width, height, spp);
    for (uint s = 0; s < spp; ++s) {
        const vec_l next = camera_ray(corner, right, down, xs, y, s + 1, width, height, spp);
        sum = add(sum, trace(view, spheres, sphere_count, lights, light_count, origin, d, depth));
        d = next;
    }
    sample_t r[LANES], g[LANES], b[LANES];
    STORE_LANES(ENCODE(sum.x / (double)spp), r);
    STORE_LANES(ENCODE(sum.y / (double)spp), g);
    STORE_LANES(ENCODE(sum.z / (double)spp), b);
    const size_t row = (size_t)(y - get_global_offset(1)) * width; /* in this band */
    for (uint lane = 0; lane < LANES && x0 + lane < width; ++lane) {
        rgb[3 * (row + x0 + lane)] = r[lane];
        rgb[3 * (row + x0 + lane) + 1] = g[lane];
        rgb[3 * (row + x0 + lane) + 2] = b[lane];
    }
}
