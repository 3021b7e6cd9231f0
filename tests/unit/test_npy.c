/* Unit tests for npy.h: NumPy .npy version 1.0 headers and files.
 *
 * numpy.load checks the magic, the version, the header length field, the
 * 64-byte alignment and the dict; the data must be little-endian in C order.
 * The file tests read what npy_write produced back with a small independent
 * reader (below) instead of comparing against npy_header's own output.
 */
#include "output/npy.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define MAGIC_AND_VERSION     "\x93NUMPY\x01\x00"
#define MAGIC_AND_VERSION_LEN 8

/* An image header of the given layout; npy_header never reads the pixels. */
static image layout(size_t width, size_t height, unsigned channels, clr_sample sample) {
    image img = {width, height, channels, sample, NULL};
    return img;
}

/* Builds the header and checks what every valid one has; returns its length. */
static size_t header_of(const image *img, char *header, size_t capacity) {
    return npy_header(1, img->height, img->width, img->channels, img->sample, header, capacity);
}

static size_t build_header(const image *img, char *header, size_t capacity) {
    size_t length = header_of(img, header, capacity);
    assert_true(length > 0);
    assert_memory_equal(header, MAGIC_AND_VERSION, MAGIC_AND_VERSION_LEN);
    /* numpy maps the data right after the header: the whole header is 64-byte aligned. */
    assert_int_equal(length % 64, 0);
    assert_int_equal(header[length - 1], '\n');
    /* The little-endian length field counts the bytes after the first 10. */
    size_t field = (size_t)(unsigned char)header[8] | (size_t)(unsigned char)header[9] << 8;
    assert_int_equal(field, length - 10);
    return length;
}

/* The dict as a C string (the header holds no NUL). */
static void header_dict(const char *header, size_t length, char *dict, size_t capacity) {
    assert_true(length - 10 < capacity);
    memcpy(dict, header + 10, length - 10);
    dict[length - 10] = '\0';
}

static void header_starts_with_magic_and_is_padded_to_64_bytes(void **state) {
    (void)state;
    const image img = layout(3, 2, 1, CLR_SAMPLE_U16);
    char header[256];
    size_t length = build_header(&img, header, sizeof header);
    /* 10 bytes + a 59-byte dict + '\n' is 70: the next multiple of 64 is 128. */
    assert_int_equal(length, 128);
    /* Between the dict's closing brace and the final newline there are only spaces. */
    const char *brace = memchr(header, '}', length);
    assert_non_null(brace);
    for (const char *p = brace + 1; p < header + length - 1; ++p)
        assert_int_equal(*p, ' ');
}

static void header_describes_a_gray_image_as_height_by_width(void **state) {
    (void)state;
    const image img = layout(3, 2, 1, CLR_SAMPLE_U16);
    char header[256], dict[256];
    size_t length = build_header(&img, header, sizeof header);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(strstr(dict, "'descr': '<u2'"));
    assert_non_null(strstr(dict, "'fortran_order': False"));
    /* Rows first: a 3-wide, 2-high image is the array shape (2, 3). */
    assert_non_null(strstr(dict, "'shape': (2, 3)"));
    assert_int_equal(dict[0], '{');
}

static void header_gives_color_images_a_channel_axis(void **state) {
    (void)state;
    const image img = layout(4, 2, 3, CLR_SAMPLE_U8);
    char header[256], dict[256];
    size_t length = build_header(&img, header, sizeof header);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(strstr(dict, "'descr': '<u1'"));
    assert_non_null(strstr(dict, "'shape': (2, 4, 3)"));
}

static void header_names_each_sample_type(void **state) {
    (void)state;
    const struct {
        clr_sample sample;
        const char *descr;
    } cases[] = {{CLR_SAMPLE_U8, "'<u1'"},
                 {CLR_SAMPLE_U16, "'<u2'"},
                 {CLR_SAMPLE_U32, "'<u4'"},
                 {CLR_SAMPLE_F32, "'<f4'"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        const image img = layout(5, 7, 1, cases[i].sample);
        char header[256], dict[256];
        size_t length = build_header(&img, header, sizeof header);
        header_dict(header, length, dict, sizeof dict);
        assert_non_null(strstr(dict, cases[i].descr));
        assert_non_null(strstr(dict, "'shape': (7, 5)"));
    }
}

static void header_holds_the_largest_shape_in_full(void **state) {
    (void)state;
    /* The longest dict any image can have: nothing of it may be cut off. */
    const image img = layout(SIZE_MAX, SIZE_MAX, UINT32_MAX, CLR_SAMPLE_U32);
    char header[256], dict[256];
    size_t length = build_header(&img, header, sizeof header);
    assert_int_equal(length, 128);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(
        strstr(dict, "'shape': (18446744073709551615, 18446744073709551615, 4294967295)"));
}

static void header_stacks_several_frames_on_a_leading_axis(void **state) {
    (void)state;
    char header[256], dict[256];
    size_t length = npy_header(5, 2, 3, 1, CLR_SAMPLE_F32, header, sizeof header);
    assert_true(length > 0 && length % 64 == 0);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(strstr(dict, "'descr': '<f4'"));
    assert_non_null(strstr(dict, "'shape': (5, 2, 3)"));
    /* One frame has no frame axis: (2, 3), as a single image. */
    length = npy_header(1, 2, 3, 1, CLR_SAMPLE_F32, header, sizeof header);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(strstr(dict, "'shape': (2, 3)"));
    /* The longest four-axis shape still fits the 256 bytes the writer gives it. */
    length =
        npy_header(SIZE_MAX, SIZE_MAX, SIZE_MAX, UINT32_MAX, CLR_SAMPLE_U32, header, sizeof header);
    assert_true(length > 0 && length <= sizeof header);
    header_dict(header, length, dict, sizeof dict);
    assert_non_null(strstr(dict, "(18446744073709551615, 18446744073709551615, "
                                 "18446744073709551615, 4294967295)"));
}

static void header_refuses_a_buffer_that_is_too_small(void **state) {
    (void)state;
    const image img = layout(3, 2, 1, CLR_SAMPLE_U16);
    char header[128];
    memset(header, 'Z', sizeof header);
    assert_int_equal(header_of(&img, header, 127), 0);
    /* Nothing was written into the short buffer. */
    for (size_t i = 0; i < 127; ++i)
        assert_int_equal(header[i], 'Z');
    assert_int_equal(header_of(&img, header, 128), 128);
}

/* What the reader found in a .npy file. */
typedef struct npy_contents {
    char descr[8]; /* "<u2" */
    size_t shape[3];
    size_t dims;
    unsigned char *data; /* malloc'd; the bytes after the header */
    size_t data_bytes;
} npy_contents;

/* Reads a whole .npy 1.0 file from `in` (from its start), checking its framing. */
static void read_npy(FILE *in, npy_contents *out) {
    memset(out, 0, sizeof *out);
    assert_int_equal(fseek(in, 0, SEEK_END), 0);
    long size = ftell(in);
    assert_true(size >= 10);
    rewind(in);
    unsigned char *file = malloc((size_t)size);
    assert_non_null(file);
    assert_int_equal(fread(file, 1, (size_t)size, in), (size_t)size);

    assert_memory_equal(file, MAGIC_AND_VERSION, MAGIC_AND_VERSION_LEN);
    size_t header_length = 10 + ((size_t)file[8] | (size_t)file[9] << 8);
    assert_true(header_length <= (size_t)size);
    assert_int_equal(header_length % 64, 0);
    assert_int_equal(file[header_length - 1], '\n');

    char dict[1024];
    assert_true(header_length - 10 < sizeof dict);
    memcpy(dict, file + 10, header_length - 10);
    dict[header_length - 10] = '\0';

    const char *descr = strstr(dict, "'descr': '");
    assert_non_null(descr);
    descr += strlen("'descr': '");
    const char *descr_end = strchr(descr, '\'');
    assert_non_null(descr_end);
    assert_true((size_t)(descr_end - descr) < sizeof out->descr);
    memcpy(out->descr, descr, (size_t)(descr_end - descr));

    assert_non_null(strstr(dict, "'fortran_order': False"));
    const char *shape = strstr(dict, "'shape': (");
    assert_non_null(shape);
    shape += strlen("'shape': (");
    while (*shape != ')') {
        assert_true(out->dims < 3);
        char *end = NULL;
        out->shape[out->dims++] = (size_t)strtoull(shape, &end, 10);
        assert_true(end != shape);
        shape = end;
        if (*shape == ',')
            shape += 1 + (shape[1] == ' ');
        else
            assert_int_equal(*shape, ')');
    }

    out->data_bytes = (size_t)size - header_length;
    out->data = malloc(out->data_bytes + 1);
    assert_non_null(out->data);
    memcpy(out->data, file + header_length, out->data_bytes);
    free(file);
}

/* Sample i of little-endian data of `bytes` bytes per sample. */
static uint32_t little_endian_sample(const unsigned char *data, size_t bytes, size_t i) {
    uint32_t v = 0;
    for (size_t b = 0; b < bytes; ++b)
        v |= (uint32_t)data[i * bytes + b] << (8 * b);
    return v;
}

/* Writes `img` with npy_write, reads it back and compares every sample. */
static void check_round_trip(const image *img, const char *descr) {
    FILE *file = tmpfile();
    assert_non_null(file);
    assert_int_equal(npy_write(file, img), 0);
    assert_int_equal(fflush(file), 0);

    npy_contents got;
    read_npy(file, &got);
    fclose(file);

    assert_string_equal(got.descr, descr);
    assert_int_equal(got.dims, img->channels > 1 ? 3 : 2);
    assert_int_equal(got.shape[0], img->height);
    assert_int_equal(got.shape[1], img->width);
    if (img->channels > 1)
        assert_int_equal(got.shape[2], img->channels);
    size_t samples = img->width * img->height * img->channels;
    const size_t size = clr_sample_size(img->sample);
    assert_int_equal(got.data_bytes, samples * size);
    for (size_t i = 0; i < samples; ++i) {
        /* the bits, so floats compare exactly too */
        uint32_t value = little_endian_sample(got.data, size, i), wrote = 0;
        memcpy(&wrote, (const unsigned char *)img->pixels + i * size, size);
        if (value != wrote)
            print_error("sample %zu: read 0x%x, wrote 0x%x\n", i, (unsigned)value, (unsigned)wrote);
        assert_int_equal(value, wrote);
    }
    free(got.data);
}

static void u8_gray_image_round_trips(void **state) {
    (void)state;
    uint8_t pixels[2][3] = {{0, 1, 127}, {128, 254, 255}};
    const image img = {3, 2, 1, CLR_SAMPLE_U8, pixels};
    check_round_trip(&img, "<u1");
}

static void u8_rgb_image_round_trips_with_channels_interleaved(void **state) {
    (void)state;
    /* Two rows of two pixels; each channel distinct so a transposition would show. */
    uint8_t pixels[2 * 2 * 3] = {10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42};
    const image img = {2, 2, 3, CLR_SAMPLE_U8, pixels};
    check_round_trip(&img, "<u1");
}

static void u16_image_round_trips_little_endian(void **state) {
    (void)state;
    /* 0x1234 and 0x00FF tell the byte order apart; 65535 is the largest count in a .npy of
     * counts with MAX <= 65535. */
    uint16_t pixels[2][3] = {{0, 1, 0x1234}, {0x00FF, 0xFF00, 65535}};
    const image img = {3, 2, 1, CLR_SAMPLE_U16, pixels};
    check_round_trip(&img, "<u2");
}

static void u32_image_round_trips_values_beyond_16_bits(void **state) {
    (void)state;
    /* 70000 does not fit in 16 bits: a writer that narrowed would lose it. */
    uint32_t pixels[3][2] = {{70000, 0}, {0xDEADBEEF, 1}, {UINT32_MAX, 0x01020304}};
    const image img = {2, 3, 1, CLR_SAMPLE_U32, pixels};
    check_round_trip(&img, "<u4");
}

static void f32_image_round_trips_bit_for_bit(void **state) {
    (void)state;
    /* A negative value, a fraction, a denormal and the largest float: every bit kept. */
    float pixels[2][2] = {{-1.5f, 0.1f}, {1e-40f, 3.4028235e38f}};
    const image img = {2, 2, 1, CLR_SAMPLE_F32, pixels};
    check_round_trip(&img, "<f4");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_starts_with_magic_and_is_padded_to_64_bytes),
        cmocka_unit_test(header_describes_a_gray_image_as_height_by_width),
        cmocka_unit_test(header_gives_color_images_a_channel_axis),
        cmocka_unit_test(header_names_each_sample_type),
        cmocka_unit_test(header_holds_the_largest_shape_in_full),
        cmocka_unit_test(header_stacks_several_frames_on_a_leading_axis),
        cmocka_unit_test(header_refuses_a_buffer_that_is_too_small),
        cmocka_unit_test(u8_gray_image_round_trips),
        cmocka_unit_test(u8_rgb_image_round_trips_with_channels_interleaved),
        cmocka_unit_test(u16_image_round_trips_little_endian),
        cmocka_unit_test(u32_image_round_trips_values_beyond_16_bits),
        cmocka_unit_test(f32_image_round_trips_bit_for_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
