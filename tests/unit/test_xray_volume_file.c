/* Volume files: every format and element type read back as written, and
 * hostile files refused with a message that names the problem. */
#define _POSIX_C_SOURCE 200809L
#include "renderers/xray/xray.h"

#include <libdeflate.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64];
static char path_buffer[256];

static const char *at(const char *name) {
    snprintf(path_buffer, sizeof path_buffer, "%s/%s", dir, name);
    return path_buffer;
}

static void write_bytes(const char *name, const void *header, size_t header_length,
                        const void *data, size_t data_length) {
    FILE *out = fopen(at(name), "wb");
    assert_non_null(out);
    if (header_length)
        assert_int_equal(fwrite(header, 1, header_length, out), header_length);
    if (data_length)
        assert_int_equal(fwrite(data, 1, data_length, out), data_length);
    assert_int_equal(fclose(out), 0);
}

/* A .npy with `descr` and `shape` (a Python tuple) holding `data`. */
static void write_npy(const char *name, const char *descr, const char *order, const char *shape,
                      const void *data, size_t length) {
    char dict[256], header[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                     descr, order, shape);
    size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64;
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    header[8] = (char)((total - 10) & 0xff), header[9] = (char)((total - 10) >> 8);
    memcpy(header + 10, dict, (size_t)n);
    memset(header + 10 + n, ' ', total - 10 - (size_t)n - 1);
    header[total - 1] = '\n';
    write_bytes(name, header, total, data, length);
}

/* A 4 x 3 x 2 volume (x fastest) whose voxel i holds i - 5.5. */
#define NX    4
#define NY    3
#define NZ    2
#define COUNT (NX * NY * NZ)

static float expected(size_t i) {
    return (float)i - 5.5f;
}

static void expect_volume(const volume_file *v, bool integers) {
    assert_int_equal(v->grid.dims[0], NX);
    assert_int_equal(v->grid.dims[1], NY);
    assert_int_equal(v->grid.dims[2], NZ);
    for (size_t i = 0; i < COUNT; ++i) {
        float want = integers ? floorf(expected(i)) : expected(i);
        if (v->voxels[i] != want)
            fail_msg("voxel %zu: %g, expected %g", i, (double)v->voxels[i], (double)want);
    }
}

static int read_ok(const char *name, volume_file *v) {
    failure f = {0};
    int status = volume_file_read(at(name), UINT64_MAX, v, &f);
    if (status != 0)
        fail_msg("%s: %s", name, f.message);
    return status;
}

/* Expects `name` refused with `status` and a message containing `words`. */
static void refused(const char *name, uint64_t limit, clr_status status, const char *words) {
    failure f = {0};
    volume_file v;
    int got = volume_file_read(at(name), limit, &v, &f);
    if (got != (int)status || !strstr(f.message, words))
        fail_msg("%s: status %d (expected %d), message '%s' (expected '%s')", name, got,
                 (int)status, f.message, words);
    assert_null(v.voxels);
}

static void npy_of_every_element_type(void **state) {
    (void)state;
    float f32[COUNT];
    double f64[COUNT];
    int16_t i16[COUNT];
    uint8_t be32[COUNT * 4];
    for (size_t i = 0; i < COUNT; ++i) {
        f32[i] = expected(i), f64[i] = expected(i), i16[i] = (int16_t)floorf(expected(i));
        uint32_t bits;
        memcpy(&bits, &f32[i], 4);
        for (int b = 0; b < 4; ++b)
            be32[i * 4 + (size_t)b] = (uint8_t)(bits >> (24 - 8 * b));
    }
    volume_file v;
    write_npy("f4.npy", "<f4", "False", "(2, 3, 4)", f32, sizeof f32);
    read_ok("f4.npy", &v);
    expect_volume(&v, false);
    assert_false(v.has_spacing);
    assert_string_equal(v.element, "float32");
    volume_file_free(&v);
    write_npy("f8.npy", "<f8", "False", "(2, 3, 4)", f64, sizeof f64);
    read_ok("f8.npy", &v);
    expect_volume(&v, false);
    volume_file_free(&v);
    write_npy("i2.npy", "<i2", "False", "(2, 3, 4)", i16, sizeof i16);
    read_ok("i2.npy", &v);
    expect_volume(&v, true);
    volume_file_free(&v);
    write_npy("be.npy", ">f4", "False", "(2, 3, 4)", be32, sizeof be32);
    read_ok("be.npy", &v);
    expect_volume(&v, false);
    volume_file_free(&v);
    uint16_t u16[COUNT];
    for (size_t i = 0; i < COUNT; ++i)
        u16[i] = (uint16_t)(i * 1000);
    write_npy("u2.npy", "<u2", "False", "(2, 3, 4)", u16, sizeof u16);
    read_ok("u2.npy", &v);
    assert_true(v.voxels[COUNT - 1] == (float)((COUNT - 1) * 1000));
    volume_file_free(&v);
}

static void metaimage_raw_compressed_and_detached(void **state) {
    (void)state;
    float f32[COUNT];
    for (size_t i = 0; i < COUNT; ++i)
        f32[i] = expected(i);
    const char *header = "ObjectType = Image\nNDims = 3\nBinaryData = True\n"
                         "BinaryDataByteOrderMSB = False\nCompressedData = False\n"
                         "TransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = -10 20 0.5\n"
                         "CenterOfRotation = 0 0 0\nAnatomicalOrientation = RAI\n"
                         "ElementSpacing = 0.5 2 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\n"
                         "ElementDataFile = LOCAL\n";
    write_bytes("raw.mha", header, strlen(header), f32, sizeof f32);
    volume_file v;
    read_ok("raw.mha", &v);
    expect_volume(&v, false);
    /* Offset is the centre of voxel 0 (as in ITK): the corner is half a voxel lower */
    assert_true(v.has_spacing && v.has_position);
    assert_true(v.grid.spacing[0] == 0.5 && v.grid.spacing[1] == 2 && v.grid.spacing[2] == 3);
    assert_true(v.grid.corner[0] == -10.25 && v.grid.corner[1] == 19 && v.grid.corner[2] == -1);
    volume_file_free(&v);

    /* zlib-compressed, as ITK writes with compression on */
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    unsigned char packed[1024];
    size_t packed_length = libdeflate_zlib_compress(c, f32, sizeof f32, packed, sizeof packed);
    assert_true(packed_length > 0);
    char zheader[512];
    snprintf(zheader, sizeof zheader,
             "ObjectType = Image\nNDims = 3\nCompressedData = True\nCompressedDataSize = %zu\n"
             "DimSize = 4 3 2\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n",
             packed_length);
    write_bytes("zlib.mha", zheader, strlen(zheader), packed, packed_length);
    read_ok("zlib.mha", &v);
    expect_volume(&v, false);
    volume_file_free(&v);

    /* big-endian shorts in a separate file named by an .mhd */
    uint8_t shorts[COUNT * 2];
    for (size_t i = 0; i < COUNT; ++i) {
        int16_t s = (int16_t)floorf(expected(i));
        shorts[2 * i] = (uint8_t)((uint16_t)s >> 8), shorts[2 * i + 1] = (uint8_t)s;
    }
    write_bytes("data.raw", NULL, 0, shorts, sizeof shorts);
    const char *mhd = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_SHORT\n"
                      "ElementByteOrderMSB = True\nElementDataFile = data.raw\n";
    write_bytes("detached.mhd", mhd, strlen(mhd), NULL, 0);
    read_ok("detached.mhd", &v);
    expect_volume(&v, true);
    volume_file_free(&v);
    libdeflate_free_compressor(c);
}

static void nrrd_raw_and_gzip(void **state) {
    (void)state;
    float f32[COUNT];
    for (size_t i = 0; i < COUNT; ++i)
        f32[i] = expected(i);
    const char *header =
        "NRRD0004\n# written by a test\ntype: float\ndimension: 3\n"
        "space: left-posterior-superior\nsizes: 4 3 2\n"
        "space directions: (0.5,0,0) (0,2,0) (0,0,3)\nkinds: domain domain domain\n"
        "endian: little\nencoding: raw\nspace origin: (-10,20,0.5)\n\n";
    write_bytes("raw.nrrd", header, strlen(header), f32, sizeof f32);
    volume_file v;
    read_ok("raw.nrrd", &v);
    expect_volume(&v, false);
    assert_true(v.grid.spacing[0] == 0.5 && v.grid.corner[0] == -10.25 && v.grid.corner[2] == -1);
    volume_file_free(&v);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    unsigned char packed[1024];
    size_t packed_length = libdeflate_gzip_compress(c, f32, sizeof f32, packed, sizeof packed);
    libdeflate_free_compressor(c);
    const char *gz = "NRRD0005\ntype: float\ndimension: 3\nsizes: 4 3 2\nspacings: 1 1 1\n"
                     "encoding: gzip\n\n";
    write_bytes("gz.nrrd", gz, strlen(gz), packed, packed_length);
    read_ok("gz.nrrd", &v);
    expect_volume(&v, false);
    assert_true(v.has_spacing && !v.has_position);
    volume_file_free(&v);
    /* damaged gzip */
    packed[packed_length / 2] ^= 0x55;
    packed[packed_length / 2 + 1] ^= 0x55;
    write_bytes("damaged.nrrd", gz, strlen(gz), packed, packed_length);
    refused("damaged.nrrd", UINT64_MAX, CLR_USAGE_ERROR, "gzip");
}

static void hostile_files_are_refused_with_reasons(void **state) {
    (void)state;
    float f32[COUNT];
    for (size_t i = 0; i < COUNT; ++i)
        f32[i] = expected(i);
    /* .npy */
    write_npy("short.npy", "<f4", "False", "(2, 3, 4)", f32, sizeof f32 - 1);
    refused("short.npy", UINT64_MAX, CLR_USAGE_ERROR, "cut short");
    write_npy("long.npy", "<f4", "False", "(2, 3, 2)", f32, sizeof f32);
    refused("long.npy", UINT64_MAX, CLR_USAGE_ERROR, "does not match");
    write_npy("zero.npy", "<f4", "False", "(2, 0, 4)", f32, 0);
    refused("zero.npy", UINT64_MAX, CLR_USAGE_ERROR, "side of 0");
    write_npy("flat.npy", "<f4", "False", "(6, 4)", f32, sizeof f32);
    refused("flat.npy", UINT64_MAX, CLR_USAGE_ERROR, "2 dimensions");
    write_npy("fortran.npy", "<f4", "True", "(2, 3, 4)", f32, sizeof f32);
    refused("fortran.npy", UINT64_MAX, CLR_USAGE_ERROR, "Fortran");
    write_npy("complex.npy", "<c8", "False", "(2, 3, 4)", f32, sizeof f32);
    refused("complex.npy", UINT64_MAX, CLR_USAGE_ERROR, "dtype");
    write_npy("huge.npy", "<f4", "False", "(1048576, 1048576, 1048576)", f32, sizeof f32);
    refused("huge.npy", (uint64_t)1 << 61, CLR_RUNTIME_ERROR, "GiB");
    write_npy("toolarge.npy", "<f4", "False", "(2, 3, 99999999999)", f32, sizeof f32);
    refused("toolarge.npy", UINT64_MAX, CLR_USAGE_ERROR, "larger than");
    /* more than the machine holds: the sizes are in the message, before any reading */
    write_npy("big.npy", "<f4", "False", "(1000, 1000, 1000)", f32, sizeof f32);
    refused("big.npy", 1u << 30, CLR_RUNTIME_ERROR, "1000x1000x1000 voxels needs 3.7 GiB");
    float nan_voxels[COUNT];
    memcpy(nan_voxels, f32, sizeof f32);
    nan_voxels[13] = NAN;
    write_npy("nan.npy", "<f4", "False", "(2, 3, 4)", nan_voxels, sizeof nan_voxels);
    refused("nan.npy", UINT64_MAX, CLR_USAGE_ERROR, "voxel (x 1, y 0, z 1) is not a finite");
    double too_big[COUNT] = {0};
    too_big[2] = 1e300;
    write_npy("f8big.npy", "<f8", "False", "(2, 3, 4)", too_big, sizeof too_big);
    refused("f8big.npy", UINT64_MAX, CLR_USAGE_ERROR, "as a float32");
    write_bytes("magic.npy", "NUMPY", 5, f32, sizeof f32);
    refused("magic.npy", UINT64_MAX, CLR_USAGE_ERROR, "not a NumPy");
    write_bytes("empty.npy", NULL, 0, NULL, 0);
    refused("empty.npy", UINT64_MAX, CLR_USAGE_ERROR, "not a NumPy");
    /* MetaImage */
    const char *two_d =
        "NDims = 2\nDimSize = 4 6\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
    write_bytes("2d.mha", two_d, strlen(two_d), f32, sizeof f32);
    refused("2d.mha", UINT64_MAX, CLR_USAGE_ERROR, "3 dimensions");
    const char *rotated = "NDims = 3\nDimSize = 4 3 2\nTransformMatrix = 0 1 0 1 0 0 0 0 1\n"
                          "ElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
    write_bytes("rotated.mha", rotated, strlen(rotated), f32, sizeof f32);
    refused("rotated.mha", UINT64_MAX, CLR_USAGE_ERROR, "rotated");
    const char *complex = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT_ARRAY\n"
                          "ElementDataFile = LOCAL\n";
    write_bytes("type.mha", complex, strlen(complex), f32, sizeof f32);
    refused("type.mha", UINT64_MAX, CLR_USAGE_ERROR, "ElementType MET_FLOAT_ARRAY");
    const char *list = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\n"
                       "ElementDataFile = LIST\n";
    write_bytes("list.mha", list, strlen(list), f32, sizeof f32);
    refused("list.mha", UINT64_MAX, CLR_USAGE_ERROR, "list of files");
    const char *no_file = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\n";
    write_bytes("nofile.mha", no_file, strlen(no_file), f32, sizeof f32);
    refused("nofile.mha", UINT64_MAX, CLR_USAGE_ERROR, "ElementDataFile");
    const char *negative = "NDims = 3\nDimSize = 4 -3 2\nElementType = MET_FLOAT\n"
                           "ElementDataFile = LOCAL\n";
    write_bytes("negative.mha", negative, strlen(negative), f32, sizeof f32);
    refused("negative.mha", UINT64_MAX, CLR_USAGE_ERROR, "DimSize");
    const char *spacing = "NDims = 3\nDimSize = 4 3 2\nElementSpacing = 1 0 1\n"
                          "ElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
    write_bytes("spacing.mha", spacing, strlen(spacing), f32, sizeof f32);
    refused("spacing.mha", UINT64_MAX, CLR_USAGE_ERROR, "ElementSpacing");
    const char *raw = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\n"
                      "ElementDataFile = LOCAL\n";
    write_bytes("cut.mha", raw, strlen(raw), f32, sizeof f32 - 10);
    refused("cut.mha", UINT64_MAX, CLR_USAGE_ERROR, "cut short: 86 bytes");
    const char *missing = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\n"
                          "ElementDataFile = nowhere.raw\n";
    write_bytes("missing.mhd", missing, strlen(missing), NULL, 0);
    refused("missing.mhd", UINT64_MAX, CLR_USAGE_ERROR, "nowhere.raw");
    const char *lie = "NDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\nCompressedData = True\n"
                      "ElementDataFile = LOCAL\n";
    write_bytes("lie.mha", lie, strlen(lie), f32, sizeof f32);
    refused("lie.mha", UINT64_MAX, CLR_USAGE_ERROR, "not zlib");
    /* NRRD */
    const char *detached = "NRRD0004\ntype: float\ndimension: 3\nsizes: 4 3 2\nencoding: raw\n"
                           "data file: elsewhere.raw\n\n";
    write_bytes("detached.nrrd", detached, strlen(detached), NULL, 0);
    refused("detached.nrrd", UINT64_MAX, CLR_USAGE_ERROR, "another file");
    const char *skewed = "NRRD0004\ntype: float\ndimension: 3\nsizes: 4 3 2\nencoding: raw\n"
                         "space directions: (1,0.5,0) (0,1,0) (0,0,1)\n\n";
    write_bytes("skewed.nrrd", skewed, strlen(skewed), f32, sizeof f32);
    refused("skewed.nrrd", UINT64_MAX, CLR_USAGE_ERROR, "rotated");
    const char *ascii = "NRRD0004\ntype: float\ndimension: 3\nsizes: 4 3 2\nencoding: ascii\n\n";
    write_bytes("ascii.nrrd", ascii, strlen(ascii), "1 2 3", 5);
    refused("ascii.nrrd", UINT64_MAX, CLR_USAGE_ERROR, "raw or gzip");
    const char *unended = "NRRD0004\ntype: float\ndimension: 3\nsizes: 4 3 2\nencoding: raw\n";
    write_bytes("unended.nrrd", unended, strlen(unended), NULL, 0);
    refused("unended.nrrd", UINT64_MAX, CLR_USAGE_ERROR, "blank line");
    /* not volume files at all */
    refused("nothing-here.npy", UINT64_MAX, CLR_USAGE_ERROR, "No such file");
    mkdir(at("folder.npy"), 0700);
    refused("folder.npy", UINT64_MAX, CLR_USAGE_ERROR, "a directory");
    assert_int_equal(mkfifo(at("fifo.mha"), 0600), 0);
    refused("fifo.mha", UINT64_MAX, CLR_USAGE_ERROR, "not a regular file");
    write_bytes("volume.tiff", "II*", 3, NULL, 0);
    refused("volume.tiff", UINT64_MAX, CLR_USAGE_ERROR, "unknown file type");
}

static int make_dir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/clrender-volumes-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npy_of_every_element_type),
        cmocka_unit_test(metaimage_raw_compressed_and_detached),
        cmocka_unit_test(nrrd_raw_and_gzip),
        cmocka_unit_test(hostile_files_are_refused_with_reasons),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
