/* Unit tests for png_stream.h: PNGs written in batches of rows, decoded back by libspng (an
 * independent decoder) sample for sample; text chunks read back by png_read_text; damaged and
 * foreign files refused with one line. */
#define _GNU_SOURCE /* mkstemp, memmem */

#include "output/png_stream.h"

#include <setjmp.h>
#include <spng.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

typedef struct scratch {
    char path[64];
} scratch;

static int make_scratch(void **state) {
    scratch *s = malloc(sizeof *s);
    snprintf(s->path, sizeof s->path, "/tmp/test_png_stream-XXXXXX");
    int fd = mkstemp(s->path);
    if (fd < 0)
        return -1;
    close(fd);
    *state = s;
    return 0;
}

static int remove_scratch(void **state) {
    scratch *s = *state;
    unlink(s->path);
    free(s);
    return 0;
}

/* Samples that exercise every filter: gradients, noise and flat runs, all 16 bits. */
static uint16_t sample_at(size_t x, size_t y, size_t c) {
    uint32_t v = (uint32_t)(x * 2654435761u ^ y * 40503u ^ c * 977u);
    return (x + y) % 5 == 0 ? 7 : (uint16_t)((x * 257 + y * 31 + c * 4099) ^ (v >> 16));
}

/* Writes a width x height image in batches of `batch` rows (the last one shorter), then decodes
 * it with libspng and compares every sample. */
static void round_trip(const char *path, size_t width, size_t height, unsigned channels,
                       unsigned depth, png_compression level, size_t batch) {
    const size_t samples = width * height * channels, size = depth / 8;
    unsigned char *pixels = malloc(samples * size);
    assert_non_null(pixels);
    for (size_t y = 0; y < height; ++y)
        for (size_t x = 0; x < width; ++x)
            for (size_t c = 0; c < channels; ++c) {
                size_t i = (y * width + x) * channels + c;
                uint16_t v = sample_at(x, y, c);
                if (depth == 8)
                    pixels[i] = (unsigned char)v;
                else
                    memcpy(pixels + 2 * i, &v, 2); /* native order, as the renderers store */
            }
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    failure f = {0};
    png_stream *png = NULL;
    assert_int_equal(
        png_stream_open(&png, file, path, width, height, channels, depth, level, NULL, 0, &f), 0);
    const size_t row_bytes = width * channels * size;
    for (size_t y = 0; y < height; y += batch) {
        size_t count = height - y < batch ? height - y : batch;
        assert_int_equal(png_stream_rows(png, pixels + y * row_bytes, count, row_bytes, &f), 0);
    }
    assert_int_equal(png_stream_finish(png, &f), 0);
    png_stream_free(png);
    assert_int_equal(fclose(file), 0);

    /* SPNG_FMT_RAW: the samples as the file stores them, 16-bit ones big-endian, so that the
     * byte order written is checked too. */
    FILE *in = fopen(path, "rb");
    spng_ctx *ctx = spng_ctx_new(0);
    assert_non_null(ctx);
    assert_int_equal(spng_set_png_file(ctx, in), 0);
    struct spng_ihdr ihdr;
    assert_int_equal(spng_get_ihdr(ctx, &ihdr), 0);
    assert_int_equal(ihdr.width, width);
    assert_int_equal(ihdr.height, height);
    assert_int_equal(ihdr.bit_depth, depth);
    assert_int_equal(ihdr.color_type,
                     channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR);
    size_t decoded_size = 0;
    assert_int_equal(spng_decoded_image_size(ctx, SPNG_FMT_RAW, &decoded_size), 0);
    assert_int_equal(decoded_size, samples * size);
    unsigned char *decoded = malloc(decoded_size);
    assert_int_equal(spng_decode_image(ctx, decoded, decoded_size, SPNG_FMT_RAW, 0), 0);
    for (size_t i = 0; i < samples; ++i) {
        uint16_t expected, got;
        if (depth == 8) {
            expected = pixels[i];
            got = decoded[i];
        } else {
            memcpy(&expected, pixels + 2 * i, 2);
            got = (uint16_t)(decoded[2 * i] << 8 | decoded[2 * i + 1]);
        }
        if (expected != got) {
            print_error("%zux%zu x%u %u-bit level %d batch %zu: sample %zu is %u, not %u\n", width,
                        height, channels, depth, (int)level, batch, i, got, expected);
            fail();
        }
    }
    spng_ctx_free(ctx);
    fclose(in);
    free(decoded);
    free(pixels);
}

static void every_layout_and_level_decodes_to_its_input(void **state) {
    scratch *s = *state;
    const png_compression levels[] = {PNG_FAST, PNG_DEFAULT, PNG_BEST};
    for (unsigned channels = 1; channels <= 3; channels += 2)
        for (unsigned depth = 8; depth <= 16; depth += 8)
            for (size_t l = 0; l < 3; ++l)
                round_trip(s->path, 37, 23, channels, depth, levels[l], 5);
}

static void odd_sizes_and_batches_decode_to_their_input(void **state) {
    scratch *s = *state;
    round_trip(s->path, 1, 1, 1, 8, PNG_DEFAULT, 1);
    round_trip(s->path, 1, 1, 3, 16, PNG_BEST, 1);
    round_trip(s->path, 3, 7, 1, 8, PNG_FAST, 2);
    round_trip(s->path, 3, 7, 3, 16, PNG_DEFAULT, 7);
    round_trip(s->path, 7, 3, 3, 8, PNG_FAST, 1);
}

/* Several bands per batch and several batches (1 MiB bands): the bands' sync-flushed deflate
 * streams, their dictionaries and combined Adler-32 make one valid zlib stream. */
static void many_bands_decode_to_their_input(void **state) {
    scratch *s = *state;
    round_trip(s->path, 1500, 2100, 3, 8, PNG_FAST, 333);
    round_trip(s->path, 1024, 1300, 1, 16, PNG_DEFAULT, 1300);
    round_trip(s->path, 3000, 300, 1, 8, PNG_BEST, 7);
}

/* ---- text ---------------------------------------------------------------------------------- */

typedef struct collected {
    char keys[8][128];
    char values[8][4096];
    size_t count;
} collected;

static int collect(void *context, const char *key, const char *value) {
    collected *c = context;
    if (c->count < 8) {
        snprintf(c->keys[c->count], sizeof c->keys[0], "%s", key);
        snprintf(c->values[c->count], sizeof c->values[0], "%s", value);
    }
    ++c->count;
    return 0;
}

static void write_small(const char *path, const image_text *text, size_t count) {
    FILE *file = fopen(path, "wb");
    failure f = {0};
    png_stream *png = NULL;
    uint8_t row[4] = {1, 2, 3, 4};
    assert_int_equal(png_stream_open(&png, file, path, 4, 2, 1, 8, PNG_DEFAULT, text, count, &f),
                     0);
    assert_int_equal(png_stream_rows(png, row, 2, 0, &f), 0);
    assert_int_equal(png_stream_finish(png, &f), 0);
    png_stream_free(png);
    assert_int_equal(fclose(file), 0);
}

static void text_chunks_are_read_back(void **state) {
    scratch *s = *state;
    char command[3000];
    memset(command, 'x', sizeof command - 1);
    command[sizeof command - 1] = '\0';
    memcpy(command, "clrender julia --size 8x8", 25);
    const image_text text[] = {{"Software", "clrender 0.2.0"},
                               {"Comment", command},
                               {"Title", "Julia \xc3\xa9t\xc3\xa9 \xe2\x88\x9e"}};
    write_small(s->path, text, 3);
    collected c = {0};
    failure f = {0};
    assert_int_equal(png_read_text(s->path, collect, &c, &f), 0);
    assert_int_equal(c.count, 3);
    assert_string_equal(c.keys[0], "Software");
    assert_string_equal(c.values[0], "clrender 0.2.0");
    assert_string_equal(c.keys[1], "Comment");
    assert_string_equal(c.values[1], command);
    assert_string_equal(c.keys[2], "Title");
    assert_string_equal(c.values[2], "Julia \xc3\xa9t\xc3\xa9 \xe2\x88\x9e");

    /* libspng sees the same: tEXt for ASCII, iTXt for UTF-8. */
    FILE *in = fopen(s->path, "rb");
    spng_ctx *ctx = spng_ctx_new(0);
    assert_int_equal(spng_set_png_file(ctx, in), 0);
    uint32_t n = 0;
    assert_int_equal(spng_get_text(ctx, NULL, &n), 0);
    assert_int_equal(n, 3);
    struct spng_text chunks[3];
    assert_int_equal(spng_get_text(ctx, chunks, &n), 0);
    assert_int_equal(chunks[0].type, SPNG_TEXT);
    assert_int_equal(chunks[2].type, SPNG_ITXT);
    assert_string_equal(chunks[2].text, "Julia \xc3\xa9t\xc3\xa9 \xe2\x88\x9e");
    spng_ctx_free(ctx);
    fclose(in);
}

static void bad_text_keys_are_refused(void **state) {
    scratch *s = *state;
    const char *bad[] = {"",
                         " lead",
                         "trail ",
                         "two  spaces",
                         "tab\there",
                         "0123456789012345678901234567890123456789012345678901234567890123456789"
                         "0123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        FILE *file = fopen(s->path, "wb");
        failure f = {0};
        png_stream *png = NULL;
        image_text t = {bad[i], "value"};
        assert_int_equal(png_stream_open(&png, file, s->path, 4, 2, 1, 8, PNG_FAST, &t, 1, &f),
                         CLR_USAGE_ERROR);
        assert_null(png);
        assert_non_null(strstr(f.message, "PNG text key"));
        fclose(file);
    }
}

static void write_bytes(const char *path, const void *data, size_t length) {
    FILE *file = fopen(path, "wb");
    assert_int_equal(fwrite(data, 1, length, file), length);
    assert_int_equal(fclose(file), 0);
}

static void expect_refused(const char *path, const char *why) {
    collected c = {0};
    failure f = {0};
    assert_int_equal(png_read_text(path, collect, &c, &f), CLR_USAGE_ERROR);
    if (!strstr(f.message, why) || strchr(f.message, '\n')) {
        print_error("message '%s' lacks '%s'\n", f.message, why);
        fail();
    }
}

static void foreign_truncated_and_damaged_files_are_refused(void **state) {
    scratch *s = *state;
    write_bytes(s->path, "P5\n1 1\n255\n\0", 12);
    expect_refused(s->path, "not a PNG file");
    write_bytes(s->path, "", 0);
    expect_refused(s->path, "not a PNG file");

    const image_text text[] = {{"Software", "clrender"}};
    write_small(s->path, text, 1);
    FILE *in = fopen(s->path, "rb");
    unsigned char png[4096];
    size_t length = fread(png, 1, sizeof png, in);
    fclose(in);
    for (size_t cut = 8; cut < length; cut += 3) { /* every truncation, none crashes */
        write_bytes(s->path, png, cut);
        expect_refused(s->path, cut < length ? "truncated" : "");
    }
    /* A flipped bit in the tEXt chunk's value: its CRC no longer matches. */
    unsigned char *value = memmem(png, length, "clrender", 8);
    assert_non_null(value);
    value[0] ^= 1;
    write_bytes(s->path, png, length);
    expect_refused(s->path, "tEXt chunk fails its CRC check");

    failure f = {0};
    collected c = {0};
    assert_int_equal(png_read_text("/nonexistent/x.png", collect, &c, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "cannot read"));
}

static void sizes_and_layouts_png_cannot_hold_are_refused(void **state) {
    scratch *s = *state;
    FILE *file = fopen(s->path, "wb");
    failure f = {0};
    png_stream *png = NULL;
    assert_int_equal(
        png_stream_open(&png, file, "a.png", 0x80000000u, 1, 1, 8, PNG_FAST, NULL, 0, &f),
        CLR_USAGE_ERROR);
    assert_int_equal(png_stream_open(&png, file, "a.png", 4, 4, 2, 8, PNG_FAST, NULL, 0, &f),
                     CLR_USAGE_ERROR);
    assert_int_equal(png_stream_open(&png, file, "a.png", 4, 4, 1, 12, PNG_FAST, NULL, 0, &f),
                     CLR_USAGE_ERROR);
    /* More rows than the height, and a finish before all rows: failures, not crashes. */
    uint8_t rows[8] = {0};
    assert_int_equal(png_stream_open(&png, file, "a.png", 4, 1, 1, 8, PNG_FAST, NULL, 0, &f), 0);
    assert_int_equal(png_stream_finish(png, &f), CLR_RUNTIME_ERROR);
    assert_int_equal(png_stream_rows(png, rows, 2, 4, &f), CLR_RUNTIME_ERROR);
    png_stream_free(png);
    fclose(file);
}

int main(void) {
#define SCRATCH(test) cmocka_unit_test_setup_teardown(test, make_scratch, remove_scratch)
    const struct CMUnitTest tests[] = {
        SCRATCH(every_layout_and_level_decodes_to_its_input),
        SCRATCH(odd_sizes_and_batches_decode_to_their_input),
        SCRATCH(many_bands_decode_to_their_input),
        SCRATCH(text_chunks_are_read_back),
        SCRATCH(bad_text_keys_are_refused),
        SCRATCH(foreign_truncated_and_damaged_files_are_refused),
        SCRATCH(sizes_and_layouts_png_cannot_hold_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
