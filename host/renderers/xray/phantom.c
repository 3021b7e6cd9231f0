/* The built-in phantoms: their placement on a grid, their closed-form line
 * integrals and their voxelisation. */
#define _POSIX_C_SOURCE 200809L
#include "renderers/xray/xray.h"
#include "util/threads.h"
#include "util/values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The 3-D Shepp–Logan phantom with Yu–Ye–Wang intensities, on the normalised cube
 * [-1, 1]^3: semi-axes a, b, c; centre x0, y0, z0; rotation phi about z (degrees); value. */
static const double shepp_logan[10][8] = {
    {0.69, 0.92, 0.90, 0, 0, 0, 0, 1.0},
    {0.6624, 0.874, 0.88, 0, 0, 0, 0, -0.8},
    {0.41, 0.16, 0.21, -0.22, 0, -0.25, 108, -0.2},
    {0.31, 0.11, 0.22, 0.22, 0, -0.25, 72, -0.2},
    {0.21, 0.25, 0.5, 0, 0.35, -0.25, 0, 0.2},
    {0.046, 0.046, 0.046, 0, 0.1, -0.25, 0, 0.2},
    {0.046, 0.023, 0.02, -0.08, -0.65, -0.25, 0, 0.1},
    {0.046, 0.023, 0.02, 0.06, -0.65, -0.25, 90, 0.1},
    {0.056, 0.04, 0.1, 0.06, -0.105, 0.625, 90, 0.2},
    {0.056, 0.056, 0.1, 0, 0.1, 0.625, 0, -0.2},
};

double volume_grid_centre(const volume_grid *grid, int axis) {
    return grid->corner[axis] + (double)grid->dims[axis] * grid->spacing[axis] / 2;
}

int phantom_parse(const char *text, phantom *out, char *why, size_t why_len) {
    char reason[256];
    if (!strcmp(text, "shepp-logan")) {
        *out = (phantom){.kind = PHANTOM_SHEPP_LOGAN};
        return 0;
    }
    if (!strncmp(text, "box:", 4)) {
        phantom p = {.kind = PHANTOM_BOX};
        if (parse_double_list(text + 4, p.box, 6, reason, sizeof reason) != 0) {
            snprintf(why, why_len, "box:X0,X1,Y0,Y1,Z0,Z1 in mm: %s", reason);
            return -1;
        }
        for (int a = 0; a < 3; ++a)
            if (!(p.box[2 * a] < p.box[2 * a + 1]) || fabs(p.box[2 * a]) > 1e9 ||
                fabs(p.box[2 * a + 1]) > 1e9) {
                snprintf(why, why_len, "box: %c0 must be less than %c1, both within 1e9 mm",
                         'X' + a, 'X' + a);
                return -1;
            }
        *out = p;
        return 0;
    }
    if (!strncmp(text, "sphere:", 7)) {
        double r;
        if (parse_finite_double(text + 7, &r, reason, sizeof reason) != 0 || !(r > 0) || r > 1e9) {
            snprintf(why, why_len, "sphere:R needs a radius in mm above 0 and within 1e9");
            return -1;
        }
        *out = (phantom){.kind = PHANTOM_SPHERE, .radius = r};
        return 0;
    }
    snprintf(why, why_len, "unknown phantom (known: shepp-logan, box:X0,X1,Y0,Y1,Z0,Z1, sphere:R)");
    return -1;
}

/* An ellipsoid piece from its inverse map x = centre + inverse·q (|q| <= 1). */
static void ellipsoid(phantom_piece *piece, double value, const double centre[3],
                      const double inverse[3][3]) {
    *piece = (phantom_piece){.is_box = false, .value = value};
    /* map = inverse^-1, by the adjugate */
    const double(*m)[3] = inverse;
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                 m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                 m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
            /* cofactor of (c, r), transposed */
            int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
            piece->map[r][c] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
        }
    for (int r = 0; r < 3; ++r) {
        piece->offset[r] = 0;
        for (int c = 0; c < 3; ++c)
            piece->offset[r] -= piece->map[r][c] * centre[c];
        /* The extent along axis r is the length of row r of the inverse map. */
        double extent = sqrt(m[r][0] * m[r][0] + m[r][1] * m[r][1] + m[r][2] * m[r][2]);
        piece->lo[r] = centre[r] - extent;
        piece->hi[r] = centre[r] + extent;
    }
}

void phantom_place(const phantom *p, const volume_grid *grid, phantom_shape *shape) {
    double centre[3], half[3];
    for (int a = 0; a < 3; ++a) {
        centre[a] = volume_grid_centre(grid, a);
        half[a] = (double)grid->dims[a] * grid->spacing[a] / 2;
    }
    memset(shape, 0, sizeof *shape);
    switch (p->kind) {
    case PHANTOM_SHEPP_LOGAN:
        shape->count = 10;
        for (size_t k = 0; k < 10; ++k) {
            const double *e = shepp_logan[k];
            double phi = e[6] * XRAY_PI / 180, c = cos(phi), s = sin(phi);
            /* x = centre + half ∘ (e_centre + Rz(phi)·diag(a, b, c)·q) */
            const double rotated[3][3] = {
                {c * e[0], -s * e[1], 0}, {s * e[0], c * e[1], 0}, {0, 0, e[2]}};
            double inverse[3][3], where[3];
            for (int r = 0; r < 3; ++r) {
                for (int col = 0; col < 3; ++col)
                    inverse[r][col] = half[r] * rotated[r][col];
                where[r] = centre[r] + half[r] * e[3 + r];
            }
            ellipsoid(&shape->pieces[k], e[7], where, inverse);
        }
        break;
    case PHANTOM_BOX:
        shape->count = 1;
        shape->pieces[0] = (phantom_piece){.is_box = true, .value = 1};
        for (int a = 0; a < 3; ++a) {
            shape->pieces[0].lo[a] = p->box[2 * a];
            shape->pieces[0].hi[a] = p->box[2 * a + 1];
        }
        break;
    case PHANTOM_SPHERE: {
        const double inverse[3][3] = {{p->radius, 0, 0}, {0, p->radius, 0}, {0, 0, p->radius}};
        shape->count = 1;
        ellipsoid(&shape->pieces[0], 1, centre, inverse);
        break;
    }
    }
}

static void apply_map(const phantom_piece *piece, const double x[3], double q[3]) {
    for (int r = 0; r < 3; ++r)
        q[r] = piece->map[r][0] * x[0] + piece->map[r][1] * x[1] + piece->map[r][2] * x[2];
}

double phantom_value(const phantom_shape *shape, const double x[3]) {
    double value = 0;
    for (size_t k = 0; k < shape->count; ++k) {
        const phantom_piece *piece = &shape->pieces[k];
        bool inside = true;
        if (piece->is_box) {
            for (int a = 0; a < 3; ++a)
                inside &= piece->lo[a] <= x[a] && x[a] < piece->hi[a];
        } else {
            double q[3];
            apply_map(piece, x, q);
            double r2 = 0;
            for (int a = 0; a < 3; ++a)
                r2 += (q[a] + piece->offset[a]) * (q[a] + piece->offset[a]);
            inside = r2 <= 1;
        }
        if (inside)
            value += piece->value;
    }
    return value;
}

/* The interval [*lo, *hi] of t where |a + t·b| <= 1; false when there is none (or a point). The
 * closest approach to the centre first: no cancellation for a far origin. */
static bool unit_ball_interval(const double a[3], const double b[3], double *lo, double *hi) {
    double bb = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
    if (!(bb > 0))
        return false;
    double tc = -(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / bb;
    double m2 = 0;
    for (int i = 0; i < 3; ++i) {
        double m = a[i] + tc * b[i];
        m2 += m * m;
    }
    if (!(m2 < 1))
        return false;
    double half = sqrt((1 - m2) / bb);
    *lo = tc - half, *hi = tc + half;
    return true;
}

/* The interval of t in the half-open box; false when empty. */
static bool box_interval(const phantom_piece *piece, const double o[3], const double d[3],
                         double *lo, double *hi) {
    double near = -INFINITY, far = INFINITY;
    for (int a = 0; a < 3; ++a) {
        if (d[a] == 0) {
            if (!(piece->lo[a] <= o[a] && o[a] < piece->hi[a]))
                return false;
            continue;
        }
        double t1 = (piece->lo[a] - o[a]) / d[a], t2 = (piece->hi[a] - o[a]) / d[a];
        near = fmax(near, fmin(t1, t2));
        far = fmin(far, fmax(t1, t2));
    }
    *lo = near, *hi = far;
    return near < far;
}

double phantom_line_integral(const phantom_shape *shape, const double origin[3],
                             const double direction[3], double t0, double t1) {
    double total = 0;
    for (size_t k = 0; k < shape->count; ++k) {
        const phantom_piece *piece = &shape->pieces[k];
        double lo, hi;
        bool hit;
        if (piece->is_box) {
            hit = box_interval(piece, origin, direction, &lo, &hi);
        } else {
            double a[3], b[3];
            apply_map(piece, origin, a);
            apply_map(piece, direction, b);
            for (int i = 0; i < 3; ++i)
                a[i] += piece->offset[i];
            hit = unit_ball_interval(a, b, &lo, &hi);
        }
        if (!hit)
            continue;
        lo = fmax(lo, t0), hi = fmin(hi, t1);
        if (hi > lo)
            total += piece->value * (hi - lo); /* direction is a unit vector: t is in mm */
    }
    return total;
}

/* ---- Voxelisation ----------------------------------------------------------------------------
 *
 * Row by row along x: for each sub-row of samples (y, z), each piece covers one interval of x,
 * found in closed form; its value is added at the interval's first sample and taken off after
 * its last (a difference array), and one running sum over the row gives every sample's value.
 * The work is the number of samples, not samples times pieces. */

typedef struct voxelize_job {
    const phantom_shape *shape;
    const volume_grid *grid;
    unsigned k_samples; /* K */
    float *voxels;
    size_t first_slice, slice_count;
    bool ok;
} voxelize_job;

/* The samples m (x_m = corner + (m + 0.5)·step) in [x_lo, x_hi] (closed: inclusive) or
 * [x_lo, x_hi) (half-open), as the range [*first, *end) clamped to [0, count). */
static void sample_range(double x_lo, double x_hi, bool closed, double corner, double step,
                         size_t count, size_t *first, size_t *end) {
    double lo = ceil((x_lo - corner) / step - 0.5);
    double hi =
        closed ? floor((x_hi - corner) / step - 0.5) + 1 : ceil((x_hi - corner) / step - 0.5);
    lo = fmax(lo, 0), hi = fmin(hi, (double)count);
    if (!(lo < hi)) {
        *first = *end = 0;
        return;
    }
    *first = (size_t)lo, *end = (size_t)hi;
}

static void voxelize_slices(void *argument) {
    voxelize_job *job = argument;
    const volume_grid *g = job->grid;
    const phantom_shape *shape = job->shape;
    const size_t nx = g->dims[0], ny = g->dims[1], K = job->k_samples, samples = nx * K;
    const double step_x = g->spacing[0] / (double)K, weight = 1.0 / ((double)K * K * K);
    double *difference = malloc((samples + 1) * sizeof *difference);
    double *row = malloc(nx * sizeof *row);
    if (!difference || !row) {
        free(difference), free(row);
        return;
    }
    for (size_t k = job->first_slice; k < job->first_slice + job->slice_count; ++k)
        for (size_t j = 0; j < ny; ++j) {
            bool any = false;
            memset(row, 0, nx * sizeof *row);
            for (size_t sz = 0; sz < K; ++sz)
                for (size_t sy = 0; sy < K; ++sy) {
                    double y =
                        g->corner[1] + ((double)j + ((double)sy + 0.5) / (double)K) * g->spacing[1];
                    double z =
                        g->corner[2] + ((double)k + ((double)sz + 0.5) / (double)K) * g->spacing[2];
                    bool touched = false;
                    for (size_t p = 0; p < shape->count; ++p) {
                        const phantom_piece *piece = &shape->pieces[p];
                        if (y < piece->lo[1] || y > piece->hi[1] || z < piece->lo[2] ||
                            z > piece->hi[2])
                            continue;
                        double x_lo, x_hi;
                        if (piece->is_box) {
                            if (y >= piece->hi[1] || z >= piece->hi[2])
                                continue;
                            x_lo = piece->lo[0], x_hi = piece->hi[0];
                        } else {
                            /* |u·x + w| <= 1 with u the map's first column */
                            double u[3], w[3];
                            for (int r = 0; r < 3; ++r) {
                                u[r] = piece->map[r][0];
                                w[r] =
                                    piece->map[r][1] * y + piece->map[r][2] * z + piece->offset[r];
                            }
                            if (!unit_ball_interval(w, u, &x_lo, &x_hi))
                                continue;
                        }
                        size_t first, end;
                        sample_range(x_lo, x_hi, !piece->is_box, g->corner[0], step_x, samples,
                                     &first, &end);
                        if (first == end)
                            continue;
                        if (!touched)
                            memset(difference, 0, (samples + 1) * sizeof *difference);
                        touched = true;
                        difference[first] += piece->value;
                        difference[end] -= piece->value;
                    }
                    if (!touched)
                        continue;
                    any = true;
                    double running = 0;
                    for (size_t m = 0; m < samples; ++m) {
                        running += difference[m];
                        row[m / K] += running;
                    }
                }
            if (!any)
                continue; /* the voxels were zeroed */
            float *out = job->voxels + (k * ny + j) * nx;
            for (size_t i = 0; i < nx; ++i) {
                double v = row[i] * weight;
                /* the running sums leave rounding residue where values cancel */
                out[i] = fabs(v) < 1e-12 ? 0.0f : (float)v;
            }
        }
    free(difference), free(row);
    job->ok = true;
}

int phantom_voxelize(const phantom_shape *shape, const volume_grid *grid, unsigned supersample,
                     float *voxels, failure *f) {
    const size_t nz = grid->dims[2];
    memset(voxels, 0, grid->dims[0] * grid->dims[1] * nz * sizeof *voxels);
    size_t threads = threads_available();
    if (threads > nz)
        threads = nz;
    voxelize_job jobs[THREADS_MAX];
    size_t next = 0;
    for (size_t t = 0; t < threads; ++t) {
        size_t count = nz / threads + (t < nz % threads);
        jobs[t] =
            (voxelize_job){shape, grid, supersample ? supersample : 1, voxels, next, count, false};
        next += count;
    }
    threads_run(voxelize_slices, jobs, sizeof jobs[0], threads);
    bool ok = true;
    for (size_t t = 0; t < threads; ++t)
        ok &= jobs[t].ok;
    if (!ok)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory voxelising the phantom");
    return 0;
}
