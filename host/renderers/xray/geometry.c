/* Where a projection's rays run: the circular orbit, the blog's preset, and the
 * packing of a view into the voxel frame the kernels walk in. */
#include "kernels/xray_layout.h"
#include "renderers/xray/xray.h"

#include <math.h>

/* The blog's model (bisulco): 208 x 256 x 225 voxels of 1 mm spanning x in [0, 208),
 * y in [0, 256), z in [2, 227). */
const volume_grid xray_bisulco_grid = {{208, 256, 225}, {1, 1, 1}, {0, 0, 2}};

#define BISULCO_PITCH 2.756667

void xray_view_bisulco(xray_view *view) {
    /* Pixel (i, j) ends its ray at (-72.42667 + i·pitch, -48.42667 + j·pitch, 0); output
     * row j, column i; the source is at (104, 128, 827). */
    *view = (xray_view){.parallel = false,
                        .source = {104, 128, 827},
                        .pixel00 = {-72.42667, -48.42667, 0},
                        .column_step = {BISULCO_PITCH, 0, 0},
                        .row_step = {0, BISULCO_PITCH, 0}};
}

void xray_view_orbit(bool parallel, double theta_degrees, double sod, double sdd, size_t nu,
                     size_t nv, double pitch_u, double pitch_v, xray_view *view) {
    /* Exact for multiples of 90 degrees: sin(pi) is not 0 in floating point. */
    double turns = theta_degrees / 90.0, c, s;
    if (turns == floor(turns) && fabs(turns) < 1e15) {
        static const double quarter_cos[4] = {1, 0, -1, 0}, quarter_sin[4] = {0, 1, 0, -1};
        long q = (long)fmod(turns, 4.0);
        q = (q + 4) % 4;
        c = quarter_cos[q], s = quarter_sin[q];
    } else {
        double theta = theta_degrees * XRAY_PI / 180;
        c = cos(theta), s = sin(theta);
    }
    const double axis[3] = {c, s, 0};    /* Rz(θ)·x̂ */
    const double column[3] = {-s, c, 0}; /* Rz(θ)·ŷ */
    const double row[3] = {0, 0, -1};
    const double half_u = ((double)nu - 1) / 2, half_v = ((double)nv - 1) / 2;
    view->parallel = parallel;
    for (int a = 0; a < 3; ++a) {
        double centre = (sod - sdd) * axis[a];
        view->column_step[a] = pitch_u * column[a];
        view->row_step[a] = pitch_v * row[a];
        view->pixel00[a] = centre - half_u * view->column_step[a] - half_v * view->row_step[a];
        view->source[a] = parallel ? -axis[a] : sod * axis[a];
    }
}

void xray_view_ray(const xray_view *view, size_t row, size_t col, double origin[3],
                   double direction[3], double *t0, double *t1) {
    double pixel[3];
    for (int a = 0; a < 3; ++a)
        pixel[a] =
            view->pixel00[a] + (double)col * view->column_step[a] + (double)row * view->row_step[a];
    if (view->parallel) {
        for (int a = 0; a < 3; ++a)
            origin[a] = pixel[a], direction[a] = view->source[a];
        *t0 = -INFINITY, *t1 = INFINITY;
        return;
    }
    double length = 0;
    for (int a = 0; a < 3; ++a) {
        origin[a] = view->source[a];
        direction[a] = pixel[a] - view->source[a];
        length += direction[a] * direction[a];
    }
    length = sqrt(length);
    for (int a = 0; a < 3; ++a)
        direction[a] /= length;
    *t0 = 0, *t1 = length;
}

static double dot(const double a[3], const double b[3]) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

void xray_view_pack(const xray_view *view, const volume_grid *grid, double *packed) {
    double centre[3], anchor00[3], column[3], row[3], beyond = 0;
    for (int a = 0; a < 3; ++a)
        centre[a] = volume_grid_centre(grid, a);
    if (view->parallel) {
        /* Slide each pixel's point along the ray to the plane through the centre, normal to
         * the rays; the steps lose their part along the rays. */
        const double *d = view->source;
        double to_centre[3];
        for (int a = 0; a < 3; ++a)
            to_centre[a] = centre[a] - view->pixel00[a];
        double s = dot(to_centre, d), su = dot(view->column_step, d), sv = dot(view->row_step, d);
        for (int a = 0; a < 3; ++a) {
            anchor00[a] = view->pixel00[a] + s * d[a];
            column[a] = view->column_step[a] - su * d[a];
            row[a] = view->row_step[a] - sv * d[a];
        }
    } else {
        /* Where the rays cross the plane through the centre parallel to the detector: the
         * fraction lambda of the way from the source to the detector. */
        const double *u = view->column_step, *v = view->row_step, *src = view->source;
        double normal[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                            u[0] * v[1] - u[1] * v[0]};
        double to_centre[3], to_pixel[3];
        for (int a = 0; a < 3; ++a)
            to_centre[a] = centre[a] - src[a], to_pixel[a] = view->pixel00[a] - src[a];
        double lambda = dot(to_centre, normal) / dot(to_pixel, normal);
        if (!(lambda > 1e-9) || !isfinite(lambda))
            lambda = 1; /* the volume is not in front of the source: anchor at the pixels */
        for (int a = 0; a < 3; ++a) {
            anchor00[a] = src[a] + lambda * to_pixel[a];
            column[a] = lambda * u[a];
            row[a] = lambda * v[a];
        }
        beyond = (1 - lambda) / lambda;
    }
    for (int i = 0; i < XRAY_VIEW_STRIDE; ++i)
        packed[i] = 0;
    for (int a = 0; a < 3; ++a) {
        const double step = grid->spacing[a];
        packed[XRAY_VIEW_SOURCE + a] =
            view->parallel ? view->source[a] / step : (view->source[a] - centre[a]) / step;
        packed[XRAY_VIEW_ANCHOR00 + a] = (anchor00[a] - centre[a]) / step;
        packed[XRAY_VIEW_COLUMN_STEP + a] = column[a] / step;
        packed[XRAY_VIEW_ROW_STEP + a] = row[a] / step;
        packed[XRAY_VIEW_SPACING + a] = step;
    }
    packed[XRAY_VIEW_PARALLEL] = view->parallel ? 1 : 0;
    packed[XRAY_VIEW_PIXEL_BEYOND] = beyond;
}
