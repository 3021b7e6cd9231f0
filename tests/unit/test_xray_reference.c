/* The X-ray renderer's scalar parts: the double-precision voxel walk against the
 * closed-form chords of box phantoms (exact cases: random rays, a single voxel,
 * orbits at 0, 45 and 90 degrees, rays lying in faces, along edges and through
 * corners, a source inside the volume, misses), the phantoms themselves, and
 * the geometry's conventions. */
#include "kernels/xray_layout.h"
#include "renderers/xray/xray.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A grid centred at the origin. */
static volume_grid centred(size_t nx, size_t ny, size_t nz, double sx, double sy, double sz) {
    volume_grid g = {{nx, ny, nz}, {sx, sy, sz}, {0, 0, 0}};
    for (int a = 0; a < 3; ++a)
        g.corner[a] = -(double)g.dims[a] * g.spacing[a] / 2;
    return g;
}

/* A box phantom covering voxels [lo, hi) of the grid on each axis. */
static phantom voxel_box(const volume_grid *g, const size_t lo[3], const size_t hi[3]) {
    phantom p = {.kind = PHANTOM_BOX};
    for (int a = 0; a < 3; ++a) {
        p.box[2 * a] = g->corner[a] + (double)lo[a] * g->spacing[a];
        p.box[2 * a + 1] = g->corner[a] + (double)hi[a] * g->spacing[a];
    }
    return p;
}

static float *voxelise(const phantom *p, const volume_grid *g, phantom_shape *shape) {
    float *voxels = malloc(g->dims[0] * g->dims[1] * g->dims[2] * sizeof *voxels);
    assert_non_null(voxels);
    phantom_place(p, g, shape);
    failure f;
    assert_int_equal(phantom_voxelize(shape, g, 1, voxels, &f), 0);
    return voxels;
}

/* The walk and the chord of pixel (row, col) of `view`. */
static void both(const xray_view *view, const volume_grid *g, const float *voxels,
                 const phantom_shape *shape, size_t row, size_t col, double *walked,
                 double *chord) {
    double packed[XRAY_VIEW_STRIDE], o[3], d[3], t0, t1;
    xray_view_pack(view, g, packed);
    *walked = xray_siddon(voxels, g->dims, packed, row, col);
    xray_view_ray(view, row, col, o, d, &t0, &t1);
    *chord = phantom_line_integral(shape, o, d, t0, t1);
}

/* A view whose pixel (0, 0) is the segment from `source` to `target`. */
static xray_view segment(const double source[3], const double target[3]) {
    xray_view v = {.parallel = false};
    double d[3], helper[3] = {0, 0, 1};
    for (int a = 0; a < 3; ++a)
        d[a] = target[a] - source[a];
    if (fabs(d[2]) > fabs(d[0]) && fabs(d[2]) > fabs(d[1]))
        helper[0] = 1, helper[2] = 0;
    for (int a = 0; a < 3; ++a)
        v.source[a] = source[a], v.pixel00[a] = target[a];
    /* the steps: any two directions across the ray */
    v.column_step[0] = d[1] * helper[2] - d[2] * helper[1];
    v.column_step[1] = d[2] * helper[0] - d[0] * helper[2];
    v.column_step[2] = d[0] * helper[1] - d[1] * helper[0];
    v.row_step[0] = d[1] * v.column_step[2] - d[2] * v.column_step[1];
    v.row_step[1] = d[2] * v.column_step[0] - d[0] * v.column_step[2];
    v.row_step[2] = d[0] * v.column_step[1] - d[1] * v.column_step[0];
    return v;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(double lo, double hi) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

#define EXACT 1e-9

static void expect_exact(double walked, double chord, const char *what, int i) {
    if (fabs(walked - chord) > EXACT * fabs(chord) + 1e-12)
        fail_msg("%s %d: walk %.17g, chord %.17g", what, i, walked, chord);
}

static void random_segments_through_a_voxel_aligned_box(void **state) {
    (void)state;
    const volume_grid g = centred(12, 10, 8, 1.0, 0.5, 2.0);
    const size_t lo[3] = {2, 3, 1}, hi[3] = {9, 8, 6};
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    int hits = 0;
    for (int i = 0; i < 10000; ++i) {
        /* ends anywhere around the volume (12 x 5 x 16 mm), inside it too */
        double a[3], b[3];
        for (int k = 0; k < 3; ++k)
            a[k] = uniform(-12, 12), b[k] = uniform(-12, 12);
        xray_view v = segment(a, b);
        double walked, chord;
        both(&v, &g, voxels, &shape, 0, 0, &walked, &chord);
        expect_exact(walked, chord, "segment", i);
        hits += chord > 0;
    }
    if (hits < 1500) /* the test saw the box */
        fail_msg("only %d of 10000 segments hit the box", hits);
    free(voxels);
}

static void a_single_voxel(void **state) {
    (void)state;
    const volume_grid g = centred(7, 6, 5, 1.0, 1.0, 1.0);
    const size_t lo[3] = {4, 2, 3}, hi[3] = {5, 3, 4};
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    /* exactly one non-zero voxel */
    size_t nonzero = 0;
    for (size_t i = 0; i < 7 * 6 * 5; ++i)
        nonzero += voxels[i] != 0;
    assert_int_equal(nonzero, 1);
    int hits = 0;
    for (int i = 0; i < 2000; ++i) {
        /* aimed through the voxel's box from far away */
        double target[3], source[3];
        for (int k = 0; k < 3; ++k) {
            target[k] = uniform(p.box[2 * k], p.box[2 * k + 1]);
            source[k] = target[k] + uniform(-30, 30);
        }
        double beyond[3];
        for (int k = 0; k < 3; ++k)
            beyond[k] = target[k] + (target[k] - source[k]);
        xray_view v = segment(source, beyond);
        double walked, chord;
        both(&v, &g, voxels, &shape, 0, 0, &walked, &chord);
        expect_exact(walked, chord, "single voxel", i);
        hits += chord > 0;
    }
    assert_int_equal(hits, 2000);
    free(voxels);
}

static void orbits_at_0_45_and_90_degrees(void **state) {
    (void)state;
    const volume_grid g = centred(16, 16, 12, 1.0, 1.0, 1.0);
    const size_t lo[3] = {3, 4, 2}, hi[3] = {12, 13, 10};
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    const double angles[] = {0, 45, 90, 180, 270, -45};
    for (size_t a = 0; a < sizeof angles / sizeof angles[0]; ++a) {
        xray_view v;
        xray_view_orbit(false, angles[a], 100, 150, 33, 25, 0.9, 0.9, &v);
        for (size_t r = 0; r < 25; ++r)
            for (size_t c = 0; c < 33; ++c) {
                double walked, chord;
                both(&v, &g, voxels, &shape, r, c, &walked, &chord);
                expect_exact(walked, chord, "orbit pixel", (int)(r * 33 + c));
            }
    }
    free(voxels);
}

/* Parallel rays along -x through pixel centres that lie exactly on faces: with an odd detector
 * of the voxels' pitch and an even grid, every column lies in a y face and every row in a z face,
 * so the rays run along edges. A ray in a face counts with the cell on its + side, and the box
 * [Y0, Y1) alike: the one in face Y0 sees the box, the one in face Y1 does not. */
static void rays_along_faces_and_edges(void **state) {
    (void)state;
    const volume_grid g = centred(8, 8, 8, 1.0, 1.0, 1.0);
    const size_t lo[3] = {1, 2, 3}, hi[3] = {7, 6, 5};
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    xray_view v;
    xray_view_orbit(true, 0, 100, 150, 11, 11, 1.0, 1.0, &v);
    int in_face = 0;
    for (size_t r = 0; r < 11; ++r)
        for (size_t c = 0; c < 11; ++c) {
            double walked, chord, o[3], d[3], t0, t1;
            both(&v, &g, voxels, &shape, r, c, &walked, &chord);
            expect_exact(walked, chord, "edge ray", (int)(r * 11 + c));
            xray_view_ray(&v, r, c, o, d, &t0, &t1);
            /* rows run along -z: the ray's z is the row's */
            if (o[1] == p.box[2] && o[2] >= p.box[4] && o[2] < p.box[5]) {
                assert_true(fabs(walked - 6.0) < 1e-12); /* the box's length along x */
                ++in_face;
            }
            if (o[1] == p.box[3])
                assert_true(walked == 0);
        }
    assert_int_equal(in_face, 2);
    free(voxels);
}

/* Diagonal rays through lattice points: every step crosses two faces at once. */
static void rays_through_corners(void **state) {
    (void)state;
    const volume_grid g = centred(10, 10, 10, 1.0, 1.0, 1.0);
    const size_t lo[3] = {2, 1, 3}, hi[3] = {8, 9, 7};
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    for (int i = -6; i <= 6; ++i)
        for (int k = -6; k <= 6; ++k) {
            /* through (i, 0, k) along (1, 1, 1) and (1, -1, 0): corners and edges */
            const double dirs[2][3] = {{1, 1, 1}, {1, -1, 0}};
            for (int d = 0; d < 2; ++d) {
                double a[3] = {i - 30 * dirs[d][0], -30 * dirs[d][1], k - 30 * dirs[d][2]};
                double b[3] = {i + 30 * dirs[d][0], 30 * dirs[d][1], k + 30 * dirs[d][2]};
                xray_view v = segment(a, b);
                double walked, chord;
                both(&v, &g, voxels, &shape, 0, 0, &walked, &chord);
                expect_exact(walked, chord, "corner ray", (i + 6) * 13 + k + 6);
            }
        }
    free(voxels);
}

static void a_source_inside_the_volume(void **state) {
    (void)state;
    const volume_grid g = centred(16, 16, 16, 1.0, 1.0, 1.0);
    const size_t lo[3] = {0, 0, 0}, hi[3] = {16, 16, 16}; /* all of it */
    phantom p = voxel_box(&g, lo, hi);
    phantom_shape shape;
    float *voxels = voxelise(&p, &g, &shape);
    /* the source 3 mm from the centre: every ray starts inside and runs out */
    xray_view v;
    xray_view_orbit(false, 30, 3, 40, 21, 21, 4.0, 4.0, &v);
    for (size_t r = 0; r < 21; ++r)
        for (size_t c = 0; c < 21; ++c) {
            double walked, chord;
            both(&v, &g, voxels, &shape, r, c, &walked, &chord);
            expect_exact(walked, chord, "inside", (int)(r * 21 + c));
            assert_true(walked > 4.9); /* from 3 mm inside to the surface at 8 mm or more */
        }
    free(voxels);
}

static void rays_that_miss_give_zero(void **state) {
    (void)state;
    const volume_grid g = centred(8, 8, 8, 1.0, 1.0, 1.0);
    float voxels[512];
    for (int i = 0; i < 512; ++i)
        voxels[i] = 1;
    double packed[XRAY_VIEW_STRIDE];
    /* passing beside, ending before, starting after, and parallel just outside */
    const double cases[][6] = {{-20, 5, 0, 20, 5, 0},
                               {-20, 0, 0, -4.5, 0, 0},
                               {4.5, 0, 0, 20, 0, 0},
                               {-20, 4, 0, 20, 4, 0},
                               {-20, -4.000001, 0, 20, -4.000001, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        xray_view v = segment(cases[i], cases[i] + 3);
        xray_view_pack(&v, &g, packed);
        assert_true(xray_siddon(voxels, g.dims, packed, 0, 0) == 0);
    }
    /* and one that touches: -4 is the first face, inside */
    const double touching[6] = {-20, -4, 0, 20, -4, 0};
    xray_view v = segment(touching, touching + 3);
    xray_view_pack(&v, &g, packed);
    assert_true(fabs(xray_siddon(voxels, g.dims, packed, 0, 0) - 8) < 1e-12);
}

/* ---- Phantoms ---------------------------------------------------------------------------- */

static void shepp_logan_values_at_known_points(void **state) {
    (void)state;
    /* a 2 mm grid of 100 voxels: the normalised cube spans [-100, 100] mm */
    const volume_grid g = centred(100, 100, 100, 2.0, 2.0, 2.0);
    phantom p = {.kind = PHANTOM_SHEPP_LOGAN};
    phantom_shape shape;
    phantom_place(&p, &g, &shape);
    assert_int_equal(shape.count, 10);
    const double centre[3] = {0, 0, 0}, outside[3] = {0, 0, 95}, shell[3] = {0, 0, 89};
    /* the centre: the outer two ellipsoids and nothing else (ellipsoid 6 is at y = 0.1) */
    assert_true(fabs(phantom_value(&shape, centre) - 0.2) < 1e-12);
    assert_true(phantom_value(&shape, outside) == 0);
    /* 0.89 on the normalised z axis: in the outer ellipsoid (c = 0.90), not the inner (0.88) */
    assert_true(fabs(phantom_value(&shape, shell) - 1.0) < 1e-12);
    /* ellipsoid 5 (centre (0, 0.35, -0.25), value 0.2): inside the two outer ones too */
    const double five[3] = {0, 35, -25};
    assert_true(fabs(phantom_value(&shape, five) - 0.4) < 1e-12);
    /* ellipsoid 3 is rotated by 108 degrees about z: its long axis (0.41) points along
     * (cos 108, sin 108); 0.4 along it from its centre (-0.22, 0, -0.25) is inside, 0.2 across
     * it (its short axis is 0.16) is not */
    double c = cos(108 * XRAY_PI / 180), s = sin(108 * XRAY_PI / 180);
    const double along[3] = {100 * (-0.22 + 0.4 * c), 100 * 0.4 * s, -25};
    const double across[3] = {100 * (-0.22 - 0.2 * s), 100 * 0.2 * c, -25};
    assert_true(fabs(phantom_value(&shape, along) - 0.0) < 1e-12); /* 1 - 0.8 - 0.2 */
    assert_true(fabs(phantom_value(&shape, across) - 0.2) < 1e-12);
}

/* Voxelised with K^3 samples, the phantom's mean over the grid tends to its volume integral. */
static void supersampling_converges_on_the_volume(void **state) {
    (void)state;
    const volume_grid g = centred(24, 24, 24, 1.0, 1.0, 1.0);
    phantom p = {.kind = PHANTOM_SPHERE, .radius = 7.3};
    phantom_shape shape;
    phantom_place(&p, &g, &shape);
    float *voxels = malloc(24 * 24 * 24 * sizeof *voxels);
    assert_non_null(voxels);
    const double exact = 4.0 / 3.0 * XRAY_PI * 7.3 * 7.3 * 7.3;
    double error[3];
    const unsigned ks[3] = {1, 4, 16};
    failure f;
    for (int i = 0; i < 3; ++i) {
        assert_int_equal(phantom_voxelize(&shape, &g, ks[i], voxels, &f), 0);
        double sum = 0;
        for (size_t v = 0; v < 24 * 24 * 24; ++v) {
            assert_true(voxels[v] >= 0 && voxels[v] <= 1);
            sum += voxels[v];
        }
        error[i] = fabs(sum - exact) / exact;
    }
    assert_true(error[2] < 2e-3);
    assert_true(error[2] < error[0]);
    free(voxels);
}

static void closed_form_chords_of_a_sphere_and_a_box(void **state) {
    (void)state;
    const volume_grid g = centred(10, 10, 10, 1.0, 1.0, 1.0);
    phantom sphere = {.kind = PHANTOM_SPHERE, .radius = 5};
    phantom_shape shape;
    phantom_place(&sphere, &g, &shape);
    /* 3 mm off the centre: a chord of 2 sqrt(25 - 9) = 8; from a source 1000 mm away */
    const double o[3] = {-1000, 3, 0}, d[3] = {1, 0, 0};
    assert_true(fabs(phantom_line_integral(&shape, o, d, 0, 2000) - 8) < 1e-9);
    assert_true(fabs(phantom_line_integral(&shape, o, d, 0, 1000) - 4) < 1e-9); /* stops inside */
    assert_true(phantom_line_integral(&shape, o, d, 0, 990) == 0);
    phantom box = {.kind = PHANTOM_BOX, .box = {-1, 2, -3, 3, 0, 1}};
    phantom_place(&box, &g, &shape);
    const double diagonal[3] = {1 / sqrt(2.0), 1 / sqrt(2.0), 0}, start[3] = {-2, -2.5, 0.5};
    /* enters at x = -1 (y = -1.5), leaves at x = 2 (y = 1.5): 3 sqrt 2 */
    assert_true(fabs(phantom_line_integral(&shape, start, diagonal, -INFINITY, INFINITY) -
                     3 * sqrt(2.0)) < 1e-12);
}

static void phantom_names(void **state) {
    (void)state;
    phantom p;
    char why[256];
    assert_int_equal(phantom_parse("shepp-logan", &p, why, sizeof why), 0);
    assert_int_equal(p.kind, PHANTOM_SHEPP_LOGAN);
    assert_int_equal(phantom_parse("box:-1,1,-2,2,-3,3", &p, why, sizeof why), 0);
    assert_true(p.kind == PHANTOM_BOX && p.box[5] == 3);
    assert_int_equal(phantom_parse("sphere:12.5", &p, why, sizeof why), 0);
    assert_true(p.kind == PHANTOM_SPHERE && p.radius == 12.5);
    const char *bad[] = {
        "shepp",     "box:1,2,3", "box:1,0,0,1,0,1", "box:0,1,0,1,0,nan", "sphere:0",
        "sphere:-1", "sphere:",   "sphere:1e99",     "box:0,1,0,1,0,1,2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
        assert_int_equal(phantom_parse(bad[i], &p, why, sizeof why), -1);
}

/* ---- Geometry ---------------------------------------------------------------------------- */

static void the_orbit_follows_the_readme(void **state) {
    (void)state;
    xray_view v;
    xray_view_orbit(false, 90, 1000, 1536, 512, 512, 0.8, 0.8, &v);
    /* source at Rz(90)(1000, 0, 0) = (0, 1000, 0), exactly */
    assert_true(v.source[0] == 0 && v.source[1] == 1000 && v.source[2] == 0);
    /* columns along Rz(90)(0, 1, 0) = (-1, 0, 0), rows along -z */
    assert_true(v.column_step[0] == -0.8 && v.column_step[1] == 0 && v.row_step[2] == -0.8);
    /* pixel (0, 0): the detector centre (0, -536, 0) less 255.5 steps of each */
    assert_true(fabs(v.pixel00[0] - 255.5 * 0.8) < 1e-12);
    assert_true(fabs(v.pixel00[1] + 536) < 1e-12);
    assert_true(fabs(v.pixel00[2] - 255.5 * 0.8) < 1e-12);
    xray_view_orbit(true, 0, 1000, 1536, 4, 4, 1, 1, &v);
    assert_true(v.source[0] == -1 && v.source[1] == 0); /* parallel rays run along -x */
    /* the blog's preset */
    xray_view_bisulco(&v);
    double o[3], d[3], t0, t1;
    xray_view_ray(&v, 2, 3, o, d, &t0, &t1);
    assert_true(o[2] == 827 && t0 == 0);
    /* the ray ends at pixel (i = 3, j = 2)'s corner */
    assert_true(fabs(o[0] + t1 * d[0] - (-72.42667 + 3 * 2.756667)) < 1e-9);
    assert_true(fabs(o[1] + t1 * d[1] - (-48.42667 + 2 * 2.756667)) < 1e-9);
    assert_true(fabs(o[2] + t1 * d[2]) < 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_segments_through_a_voxel_aligned_box),
        cmocka_unit_test(a_single_voxel),
        cmocka_unit_test(orbits_at_0_45_and_90_degrees),
        cmocka_unit_test(rays_along_faces_and_edges),
        cmocka_unit_test(rays_through_corners),
        cmocka_unit_test(a_source_inside_the_volume),
        cmocka_unit_test(rays_that_miss_give_zero),
        cmocka_unit_test(shepp_logan_values_at_known_points),
        cmocka_unit_test(supersampling_converges_on_the_volume),
        cmocka_unit_test(closed_form_chords_of_a_sphere_and_a_box),
        cmocka_unit_test(phantom_names),
        cmocka_unit_test(the_orbit_follows_the_readme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
