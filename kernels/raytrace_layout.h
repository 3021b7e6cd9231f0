/* raytrace_layout.h — the packed scene of kernels/raytrace.cl, written by the
 * host (host/renderers/sphere/) and read by the kernels; the scalar reference
 * uses the same epsilons. Both include this file: it must stay valid C and
 * OpenCL C. Every buffer holds doubles. */
#ifndef RAYTRACE_LAYOUT_H
#define RAYTRACE_LAYOUT_H

/* view: the camera frame (see camera_frame) and the scene's constant colours */
#define RAYTRACE_VIEW_ORIGIN     0  /* xyz */
#define RAYTRACE_VIEW_CORNER     3  /* xyz: towards the top-left corner of the image plane */
#define RAYTRACE_VIEW_RIGHT      6  /* xyz: from the left edge to the right edge */
#define RAYTRACE_VIEW_DOWN       9  /* xyz: from the top edge to the bottom edge */
#define RAYTRACE_VIEW_AMBIENT    12 /* rgb */
#define RAYTRACE_VIEW_BACKGROUND 15 /* rgb */
#define RAYTRACE_VIEW_LENGTH     18

/* spheres: one record each */
#define RAYTRACE_SPHERE_CENTER       0 /* xyz */
#define RAYTRACE_SPHERE_RADIUS       3
#define RAYTRACE_SPHERE_DIFFUSE      4 /* rgb */
#define RAYTRACE_SPHERE_SPECULAR     7
#define RAYTRACE_SPHERE_SHININESS    8
#define RAYTRACE_SPHERE_REFLECTIVITY 9
#define RAYTRACE_SPHERE_STRIDE       10

/* lights: one record each */
#define RAYTRACE_LIGHT_POSITION 0 /* xyz */
#define RAYTRACE_LIGHT_RADIANCE 3 /* rgb: colour times intensity */
#define RAYTRACE_LIGHT_STRIDE   6

/* The nearest distance along a ray that counts as a hit. */
#define RAYTRACE_HIT_EPSILON 1e-9
/* Secondary rays (shadows, reflections) start this far off the surface. */
#define RAYTRACE_SURFACE_OFFSET 1e-7
/* The golden ratio's fraction: the y offsets of the sample pattern. */
#define RAYTRACE_GOLDEN 0.6180339887498949

#endif
