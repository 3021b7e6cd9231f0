/* xray.h — X-ray projections through voxel volumes (`clrender xray`).
 *
 * A projection's pixel is p = ∫ μ dl along its ray, in the units of μ times
 * mm (μ in mm⁻¹ makes p dimensionless), or I0·exp(−p). The voxel projector is
 * exact (Siddon / Amanatides–Woo: the ray is walked cell by cell and each
 * cell's μ is weighted by the length of the ray inside it); the built-in
 * phantoms also have closed-form projections, the truth the voxel projection
 * converges to.
 *
 * World frame: mm, right-handed, z up. A volume without a position of its own
 * (phantoms, .npy, the library's input) is centred at the origin; a MetaImage
 * Offset or NRRD space origin is the centre of voxel 0. Arrays are indexed
 * [k][j][i] (z slowest). Cells are half-open, [x_i, x_i + dx) on each axis: a
 * ray lying exactly in a face between two cells counts with the cell on its +
 * side, and a box phantom [X0, X1) likewise. README.md ("X-ray projections")
 * has the full geometry; host/renderers/xray/geometry.c computes it.
 */
#ifndef CLRENDER_XRAY_H
#define CLRENDER_XRAY_H

#include "renderers/renderer.h"

#include <stdbool.h>
#include <stdint.h>

/* π, which strict C11's math.h does not define */
#define XRAY_PI 3.14159265358979323846

/* ---- Volumes ----------------------------------------------------------------------------- */

/* Where a volume's voxels are in the world. */
typedef struct volume_grid {
    size_t dims[3];    /* NX, NY, NZ */
    double spacing[3]; /* mm */
    double corner[3];  /* the low corner of voxel (0, 0, 0), mm */
} volume_grid;

/* The world position of the grid's centre along `axis`. */
double volume_grid_centre(const volume_grid *grid, int axis);

/* Voxels in a volume file, as float μ (host/renderers/xray/volume_file.c). */
typedef struct volume_file {
    float *voxels; /* [k][j][i], owned */
    volume_grid grid;
    bool has_spacing, has_position; /* the file said where its voxels are (.mha, .nrrd) */
    char element[16];               /* what the file stored: "float32", "int16", ... */
} volume_file;

/* Reads a .npy, .mha, .mhd or .nrrd volume; usage failure naming what is wrong
 * with the file, runtime failure when it cannot be read or does not fit in
 * `host_limit` bytes of memory (checked before reading the voxels). */
/* Room for `count` voxels, page-aligned so that CPU devices read it in place (free()
 * releases it); NULL when out of memory. */
float *volume_alloc(size_t count);
int volume_file_read(const char *path, uint64_t host_limit, volume_file *volume, failure *f);
void volume_file_free(volume_file *volume);

/* ---- Phantoms (phantom.c) --------------------------------------------------------------- */

typedef enum phantom_kind { PHANTOM_SHEPP_LOGAN, PHANTOM_BOX, PHANTOM_SPHERE } phantom_kind;

typedef struct phantom {
    phantom_kind kind;
    double box[6]; /* X0, X1, Y0, Y1, Z0, Z1 in mm */
    double radius; /* mm */
} phantom;

/* "shepp-logan", "box:X0,X1,Y0,Y1,Z0,Z1" or "sphere:R"; -1 with a reason otherwise. */
int phantom_parse(const char *text, phantom *out, char *why, size_t why_len);

#define PHANTOM_MAX_PIECES 10

/* One part of a phantom in world coordinates, of value `value`: an ellipsoid,
 * the points x with |map·x + offset| ≤ 1, or a box [lo, hi). `lo` and `hi`
 * bound the ellipsoid too. */
typedef struct phantom_piece {
    bool is_box;
    double value;
    double map[3][3], offset[3];
    double lo[3], hi[3];
} phantom_piece;

typedef struct phantom_shape {
    size_t count;
    phantom_piece pieces[PHANTOM_MAX_PIECES];
} phantom_shape;

/* The phantom placed on `grid`: Shepp–Logan's normalised cube scaled to the
 * grid's half-extents about its centre, the box as given, the sphere at the
 * grid's centre. */
void phantom_place(const phantom *p, const volume_grid *grid, phantom_shape *shape);

/* The phantom's value at world point x. */
double phantom_value(const phantom_shape *shape, const double x[3]);

/* ∫ value dl over the ray origin + t·direction, t in [t0, t1] (direction a unit
 * vector, so t is in mm): closed-form chords. */
double phantom_line_integral(const phantom_shape *shape, const double origin[3],
                             const double direction[3], double t0, double t1);

/* Fills grid->dims voxels ([k][j][i]) with the mean of K³ samples of the
 * phantom at (i + (s + 0.5)/K) along each axis (K = 1: the voxel's centre),
 * using every core. Runtime failure only when a thread cannot start. */
int phantom_voxelize(const phantom_shape *shape, const volume_grid *grid, unsigned supersample,
                     float *voxels, failure *f);

/* ---- Geometry (geometry.c) ----------------------------------------------------------------- */

/* One projection's rays in world coordinates (mm); see kernels/xray_layout.h. */
typedef struct xray_view {
    bool parallel;
    double source[3]; /* cone: the source; parallel: the unit direction of the rays */
    double pixel00[3], column_step[3], row_step[3];
} xray_view;

/* The standard circular orbit at angle theta (degrees, about +z): source at
 * Rz(θ)(sod, 0, 0), detector centre at Rz(θ)(sod − sdd, 0, 0), columns along
 * Rz(θ)(0, 1, 0), rows along (0, 0, −1); a parallel beam runs along −Rz(θ)x̂. */
void xray_view_orbit(bool parallel, double theta_degrees, double sod, double sdd, size_t nu,
                     size_t nv, double pitch_u, double pitch_v, xray_view *view);

/* The blog's geometry (--preset bisulco). */
void xray_view_bisulco(xray_view *view);
extern const volume_grid xray_bisulco_grid;
#define XRAY_BISULCO_PIXELS 128

/* The ray of pixel (row, col): origin, unit direction and its extent [t0, t1]
 * in mm (a cone-beam ray runs from the source, t = 0, to the pixel; a parallel
 * ray is the whole line, t in (−inf, inf)). */
void xray_view_ray(const xray_view *view, size_t row, size_t col, double origin[3],
                   double direction[3], double *t0, double *t1);

/* The view in the voxel frame of `grid`, XRAY_VIEW_STRIDE values. */
void xray_view_pack(const xray_view *view, const volume_grid *grid, double *packed);

/* ---- The projector (reference.c) ----------------------------------------------------------- */

/* The exact line integral of pixel (row, col) of a packed view through the
 * voxels (dims NX, NY, NZ, in [k][j][i]), in double precision: the same walk
 * as kernels/xray.cl, Σ voxel × length in mm. */
double xray_siddon(const float *voxels, const size_t dims[3], const double *packed_view, size_t row,
                   size_t col);

/* The cells pixel (row, col)'s ray passes through (what the walk steps over), counted from
 * where it enters and leaves: the work of a projection, for throughput figures. */
double xray_cells(const size_t dims[3], const double *packed_view, size_t row, size_t col);

/* ---- The renderer (params.c, launch.c, reference.c) -------------------------------------- */

typedef enum xray_preset { XRAY_PRESET_NONE, XRAY_PRESET_BISULCO } xray_preset;
typedef enum xray_beam { XRAY_CONE, XRAY_PARALLEL_BEAM } xray_beam;
typedef enum xray_quantity { XRAY_LINE_INTEGRAL, XRAY_INTENSITY_OUT } xray_quantity;
typedef enum xray_truth { XRAY_REFERENCE_VOXELS, XRAY_REFERENCE_ANALYTIC } xray_truth;
typedef enum xray_precision { XRAY_FLOAT, XRAY_DOUBLE } xray_precision;

typedef struct xray_params {
    int preset;         /* xray_preset */
    char *phantom_text; /* --phantom, owned */
    char *volume_path;  /* --volume, owned */
    uint64_t voxels[3];
    double voxel_size[3];
    uint64_t supersample;
    double mu_scale;
    int beam; /* xray_beam */
    double sod, sdd;
    uint64_t detector[2]; /* columns NU, rows NV */
    double pitch[2];      /* mm: column, row */
    uint64_t angles;
    double arc, first_angle; /* degrees */
    int quantity;            /* xray_quantity */
    double i0;
    int projector;
    int truth; /* xray_truth: --reference */
    double window[2];
    int precision; /* xray_precision */
    int kernel;    /* kernel_variant: simd walks a row of pixels per work-item */

    /* Derived by finish(): */
    bool from_phantom;
    phantom phantom;
    phantom_shape shape; /* the phantom on the grid, for --reference analytic */
    volume_grid grid;
    const float *volume;        /* [k][j][i]: owned_voxels or the caller's input */
    float *owned_voxels;        /* a phantom voxelised, or a volume file read */
    char *voxels_key;           /* what owned_voxels hold: re-used when it stays the same */
    uint64_t voxels_generation; /* bumped whenever voxels change */
    uint64_t input_generation;  /* of the attached input voxels came from */
    double value_scale;         /* μ = voxel × value_scale */
    size_t view_count;
    xray_view *views;
    double *packed;      /* view_count × XRAY_VIEW_STRIDE, for double kernels and the reference */
    float *packed_float; /* the same, rounded, for float kernels */
    uint64_t views_generation;
} xray_params;

extern const renderer xray_renderer;

int xray_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                launch *l, failure *f);
void xray_reference(const void *params, size_t frame, image *rows, size_t first_row);
double xray_iterations(const void *params, size_t frame, const image *raw);

#endif
