/* The scalar references of the X-ray renderer: the voxel walk of kernels/xray.cl
 * in double precision, and the closed-form projection of a built-in phantom. */
#include "kernels/xray_layout.h"
#include "renderers/xray/xray.h"

#include <math.h>

/* A ray clipped to the volume, in the voxel frame: it enters at e, runs along the unit (in mm)
 * direction d for `length` mm, and starts in cell `index`. */
typedef struct clipped_ray {
    double e[3], d[3], inverse[3], lo[3], length;
    long index[3];
} clipped_ray;

/* Pixel (row, col)'s ray through the volume; false when it misses. */
static bool clip_ray(const size_t dims[3], const double *view, size_t row, size_t col,
                     clipped_ray *ray) {
    /* The ray o + t·d, t in mm over [t_in, t_out], o its anchor. */
    double o[3], *d = ray->d, t_in, t_out;
    for (int a = 0; a < 3; ++a)
        o[a] = view[XRAY_VIEW_ANCHOR00 + a] + (double)col * view[XRAY_VIEW_COLUMN_STEP + a] +
               (double)row * view[XRAY_VIEW_ROW_STEP + a];
    if (view[XRAY_VIEW_PARALLEL] != 0) {
        for (int a = 0; a < 3; ++a)
            d[a] = view[XRAY_VIEW_SOURCE + a];
        t_in = -INFINITY, t_out = INFINITY;
    } else {
        double length = 0; /* from the source to the anchor, mm */
        for (int a = 0; a < 3; ++a) {
            d[a] = o[a] - view[XRAY_VIEW_SOURCE + a];
            double mm = d[a] * view[XRAY_VIEW_SPACING + a];
            length += mm * mm;
        }
        length = sqrt(length);
        if (!(length > 0))
            return false; /* the anchor is the source */
        for (int a = 0; a < 3; ++a)
            d[a] /= length;
        t_in = -length, t_out = view[XRAY_VIEW_PIXEL_BEYOND] * length;
    }

    /* Clip to the volume's box [-N/2, N/2) on each axis. */
    int entry_axis = -1;
    for (int a = 0; a < 3; ++a) {
        ray->lo[a] = -(double)dims[a] / 2;
        double hi = ray->lo[a] + (double)dims[a];
        if (d[a] == 0) {
            if (!(ray->lo[a] <= o[a] && o[a] < hi))
                return false;
            ray->inverse[a] = INFINITY;
            continue;
        }
        ray->inverse[a] = 1 / d[a];
        double ta = (ray->lo[a] - o[a]) * ray->inverse[a], tb = (hi - o[a]) * ray->inverse[a];
        double near = fmin(ta, tb), far = fmax(ta, tb);
        if (near > t_in)
            t_in = near, entry_axis = a;
        if (far < t_out)
            t_out = far;
    }
    if (!(t_in < t_out))
        return false;
    /* The walk starts from the entry point e, where t restarts at 0: the boundaries' distances
     * then stay as small as the volume, and so do their rounding errors. */
    ray->length = t_out - t_in;
    for (int a = 0; a < 3; ++a) {
        ray->e[a] = o[a] + t_in * d[a];
        const long n = (long)dims[a];
        if (a == entry_axis) {
            ray->index[a] = d[a] > 0 ? 0 : n - 1; /* on the face it entered by, exactly */
        } else {
            double cell = floor(ray->e[a] - ray->lo[a]);
            ray->index[a] = cell < 0 ? 0 : cell > (double)(n - 1) ? n - 1 : (long)cell;
        }
    }
    return true;
}

double xray_cells(const size_t dims[3], const double *view, size_t row, size_t col) {
    clipped_ray ray;
    if (!clip_ray(dims, view, row, col, &ray))
        return 0;
    /* the cell the ray leaves from: just short of its exit point */
    double cells = 1;
    for (int a = 0; a < 3; ++a) {
        double exit = ray.e[a] + ray.length * ray.d[a] - ray.lo[a] - 1e-9 * ray.d[a];
        double last = floor(exit);
        last = last < 0 ? 0 : last > (double)dims[a] - 1 ? (double)dims[a] - 1 : last;
        cells += fabs(last - (double)ray.index[a]);
    }
    return cells;
}

double xray_siddon(const float *voxels, const size_t dims[3], const double *view, size_t row,
                   size_t col) {
    clipped_ray ray;
    if (!clip_ray(dims, view, row, col, &ray))
        return 0;
    const double length = ray.length, *e = ray.e, *lo = ray.lo, *inverse = ray.inverse;
    long *index = ray.index, step[3];
    double next[3];
    /* The face ahead along an axis, or none (infinitely far) where no cell lies beyond it:
     * the walk then ends where the ray leaves the volume, at `length`, even when rounding
     * puts the last face a hair before it. */
#define NEXT_FACE(a)                                                                               \
    (step[a] == 0 || index[a] + step[a] < 0 || index[a] + step[a] >= (long)dims[a]                 \
         ? INFINITY                                                                                \
         : (lo[a] + (double)(index[a] + (step[a] > 0)) - e[a]) * inverse[a])
    for (int a = 0; a < 3; ++a) {
        step[a] = ray.d[a] > 0 ? 1 : ray.d[a] < 0 ? -1 : 0;
        next[a] = NEXT_FACE(a);
    }
    const size_t nx = dims[0], ny = dims[1];
    double t = 0, sum = 0;
    for (;;) {
        /* The nearest boundary; on a tie x, then y, then z (the others follow at no length). */
        int a = next[0] <= next[1] ? (next[0] <= next[2] ? 0 : 2) : (next[1] <= next[2] ? 1 : 2);
        double until = fmin(next[a], length);
        if (until > t) {
            size_t cell = ((size_t)index[2] * ny + (size_t)index[1]) * nx + (size_t)index[0];
            sum += (double)voxels[cell] * (until - t);
            t = until;
        }
        if (t >= length)
            break;
        index[a] += step[a]; /* next[a] was finite: a cell lies there */
        next[a] = NEXT_FACE(a);
    }
#undef NEXT_FACE
    return sum;
}

void xray_reference(const void *params, size_t frame, image *rows, size_t first_row) {
    const xray_params *p = params;
    const size_t width = (size_t)p->detector[0];
    float *out = rows->pixels;
    const double *view = p->packed + frame * XRAY_VIEW_STRIDE;
    for (size_t r = 0; r < rows->height; ++r)
        for (size_t c = 0; c < width; ++c) {
            double value;
            if (p->truth == XRAY_REFERENCE_ANALYTIC) {
                double origin[3], direction[3], t0, t1;
                xray_view_ray(&p->views[frame], first_row + r, c, origin, direction, &t0, &t1);
                value =
                    p->value_scale * phantom_line_integral(&p->shape, origin, direction, t0, t1);
            } else {
                value =
                    p->value_scale * xray_siddon(p->volume, p->grid.dims, view, first_row + r, c);
            }
            if (p->quantity == XRAY_INTENSITY_OUT)
                value = p->i0 * exp(-value);
            out[r * width + c] = (float)value;
        }
}

double xray_iterations(const void *params, size_t frame, const image *raw) {
    const xray_params *p = params;
    const double *view = p->packed + frame * XRAY_VIEW_STRIDE;
    double cells = 0;
    for (size_t r = 0; r < raw->height; ++r)
        for (size_t c = 0; c < raw->width; ++c)
            cells += xray_cells(p->grid.dims, view, r, c);
    return cells;
}
