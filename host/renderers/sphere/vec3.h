/* vec3.h — the few 3-vector operations the scalar references use. Each is
 * written out in the order the kernels use, so both round alike. */
#ifndef CLRENDER_VEC3_H
#define CLRENDER_VEC3_H

#include <math.h>

typedef struct vec3 {
    double x, y, z;
} vec3;

static inline vec3 v3(double x, double y, double z) {
    return (vec3){x, y, z};
}
static inline vec3 v3_add(vec3 a, vec3 b) {
    return v3(a.x + b.x, a.y + b.y, a.z + b.z);
}
static inline vec3 v3_sub(vec3 a, vec3 b) {
    return v3(a.x - b.x, a.y - b.y, a.z - b.z);
}
static inline vec3 v3_mul(vec3 a, vec3 b) {
    return v3(a.x * b.x, a.y * b.y, a.z * b.z);
}
static inline vec3 v3_scale(vec3 a, double s) {
    return v3(a.x * s, a.y * s, a.z * s);
}
static inline double v3_dot(vec3 a, vec3 b) {
    return (a.x * b.x + a.y * b.y) + a.z * b.z;
}
static inline vec3 v3_cross(vec3 a, vec3 b) {
    return v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
static inline double v3_length(vec3 a) {
    return sqrt(v3_dot(a, a));
}
static inline vec3 v3_unit(vec3 a) {
    double length = v3_length(a);
    return v3(a.x / length, a.y / length, a.z / length);
}

#endif
