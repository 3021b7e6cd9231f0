/* Unit tests for exr.h: EXR files written row by row through OpenEXRCore and read
 * back bit for bit, their text attributes, and files that are not EXR, or cut
 * short, refused with a message (and nothing printed by the library).
 *
 * Each test runs in a fresh mkdtemp directory.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, dup */

#include "output/exr.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

typedef struct scratch {
    char dir[64];
} scratch;

static int make_scratch_dir(void **state) {
    scratch *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/clrender-test-exr-XXXXXX");
    if (!mkdtemp(s->dir)) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int remove_scratch_dir(void **state) {
    scratch *s = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", s->dir);
    int status = system(command);
    free(s);
    return status == 0 ? 0 : -1;
}

static void path_in(void **state, const char *name, char *path, size_t size) {
    snprintf(path, size, "%s/%s", ((scratch *)*state)->dir, name);
}

/* Samples that every lossy step would change: signs, zeros, a denormal, the largest
 * float, infinity and a NaN with a payload, then values that differ in each pixel. */
static float sample_value(size_t i) {
    static const uint32_t specials[] = {0x00000000, 0x80000000, 0x00000001, 0x7f7fffff,
                                        0x7f800000, 0xff800000, 0x7fc12345, 0x3dcccccd};
    uint32_t bits = i < sizeof specials / sizeof *specials
                        ? specials[i]
                        : (uint32_t)(i * 2654435761u) ^ 0x3f000000u;
    if ((bits & 0x7f800000u) == 0x7f800000u && i >= sizeof specials / sizeof *specials)
        bits &= ~0x40000000u; /* keep the pseudo-random ones finite */
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* Writes a width x height image of `channels` to `path`, giving the rows in batches of
 * the sizes in `batches` (repeated), with `texts`. */
static void write_exr(const char *path, size_t width, size_t height, unsigned channels,
                      const size_t *batches, size_t batch_count, const image_text *texts,
                      size_t text_count, float **written) {
    size_t samples = width * height * channels;
    float *pixels = malloc(samples * sizeof *pixels);
    assert_non_null(pixels);
    for (size_t i = 0; i < samples; ++i)
        pixels[i] = sample_value(i);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    failure f = {0};
    exr_writer *w = NULL;
    int status = exr_writer_open(&w, file, width, height, channels, texts, text_count, &f);
    if (status)
        fail_msg("exr_writer_open: %s", f.message);
    image all = {width, height, channels, CLR_SAMPLE_F32, pixels};
    for (size_t y = 0, b = 0; y < height; ++b) {
        size_t count = batches[b % batch_count];
        if (count > height - y)
            count = height - y;
        image rows = image_rows(&all, y, count);
        if (exr_writer_rows(w, &rows, &f))
            fail_msg("exr_writer_rows at row %zu: %s", y, f.message);
        y += count;
    }
    if (exr_writer_finish(w, &f))
        fail_msg("exr_writer_finish: %s", f.message);
    assert_int_equal(fclose(file), 0);
    *written = pixels;
}

static void expect_round_trip(void **state, size_t width, size_t height, unsigned channels,
                              const size_t *batches, size_t batch_count) {
    char path[128];
    path_in(state, "round.exr", path, sizeof path);
    float *written = NULL;
    write_exr(path, width, height, channels, batches, batch_count, NULL, 0, &written);
    float *read = NULL;
    size_t read_width = 0, read_height = 0;
    unsigned read_channels = 0;
    failure f = {0};
    if (exr_file_read_pixels(path, &read, &read_width, &read_height, &read_channels, &f))
        fail_msg("%zux%zu, %u channels: %s", width, height, channels, f.message);
    assert_int_equal(read_width, width);
    assert_int_equal(read_height, height);
    assert_int_equal(read_channels, channels);
    /* Bit for bit: NaN payloads and negative zero included. */
    assert_memory_equal(read, written, width * height * channels * sizeof(float));
    free(read);
    free(written);
}

static void images_round_trip_bit_for_bit(void **state) {
    static const size_t one_by_one[] = {1};
    static const size_t uneven[] = {1, 5, 16, 2, 17, 3};
    static const size_t whole[] = {1000};
    static const size_t by_row[] = {1};
    for (unsigned channels = 1; channels <= 3; channels += 2) {
        expect_round_trip(state, 1, 1, channels, one_by_one, 1);
        /* 33 rows: two full chunks of 16 and a last one of a single row. */
        expect_round_trip(state, 7, 33, channels, uneven, 6);
        expect_round_trip(state, 7, 33, channels, whole, 1);
        expect_round_trip(state, 7, 33, channels, by_row, 1);
        expect_round_trip(state, 5, 16, channels, uneven, 6); /* exactly one chunk */
        expect_round_trip(state, 300, 40, channels, uneven, 6);
    }
}

typedef struct seen_texts {
    char keys[8][64], values[8][256];
    size_t count;
} seen_texts;

static void remember(void *user, const char *key, const char *value) {
    seen_texts *seen = user;
    if (seen->count < 8) {
        snprintf(seen->keys[seen->count], sizeof seen->keys[0], "%s", key);
        snprintf(seen->values[seen->count], sizeof seen->values[0], "%s", value);
    }
    ++seen->count;
}

static const char *seen_value(const seen_texts *seen, const char *key) {
    for (size_t i = 0; i < seen->count && i < 8; ++i)
        if (strcmp(seen->keys[i], key) == 0)
            return seen->values[i];
    return NULL;
}

static void texts_and_size_read_back(void **state) {
    char path[128];
    path_in(state, "texts.exr", path, sizeof path);
    const char *long_key = "clrender.a-key-longer-than-31-bytes-of-the-old-limit";
    const image_text texts[] = {
        {"clrender.command", "clrender julia --size 7x33 -o 'x y.exr'"},
        {"comments", "two\nlines, UTF-8: \xc3\xa9"},
        {long_key, ""},
    };
    static const size_t batch[] = {4};
    float *written = NULL;
    write_exr(path, 7, 33, 3, batch, 1, texts, 3, &written);
    free(written);

    seen_texts seen = {0};
    exr_summary summary;
    failure f = {0};
    if (exr_file_read_text(path, &summary, remember, &seen, &f))
        fail_msg("exr_file_read_text: %s", f.message);
    assert_int_equal(summary.width, 7);
    assert_int_equal(summary.height, 33);
    assert_int_equal(summary.channels, 3);
    assert_string_equal(summary.channel_names, "B G R");
    assert_string_equal(summary.compression, "zip");
    /* Only the texts: the part's "type" and non-string attributes are left out. */
    assert_int_equal(seen.count, 3);
    assert_non_null(seen_value(&seen, "clrender.command"));
    assert_string_equal(seen_value(&seen, "clrender.command"), texts[0].value);
    assert_string_equal(seen_value(&seen, "comments"), texts[1].value);
    assert_string_equal(seen_value(&seen, long_key), "");

    /* The summary is optional. */
    seen.count = 0;
    assert_int_equal(exr_file_read_text(path, NULL, remember, &seen, &f), 0);
    assert_int_equal(seen.count, 3);
}

static void open_refusal(void **state, const image_text *texts, size_t count, size_t width,
                         size_t height, unsigned channels, const char *message_part) {
    char path[128];
    path_in(state, "refused.exr", path, sizeof path);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    failure f = {0};
    exr_writer *w = (exr_writer *)&f; /* set to NULL by a refusal */
    assert_int_equal(exr_writer_open(&w, file, width, height, channels, texts, count, &f),
                     CLR_USAGE_ERROR);
    assert_null(w);
    if (!strstr(f.message, message_part))
        fail_msg("'%s' does not say '%s'", f.message, message_part);
    assert_int_equal(fclose(file), 0);
}

static void writer_refuses_bad_texts_and_shapes(void **state) {
    const image_text taken[] = {{"channels", "x"}};
    open_refusal(state, taken, 1, 4, 4, 1, "'channels' is taken");
    const image_text twice[] = {{"comments", "a"}, {"comments", "b"}};
    open_refusal(state, twice, 2, 4, 4, 3, "'comments' is taken");
    const image_text no_key[] = {{"", "a"}};
    open_refusal(state, no_key, 1, 4, 4, 3, "no key");
    const image_text no_value[] = {{"k", NULL}};
    open_refusal(state, no_value, 1, 4, 4, 3, "no value");
    char too_long[300];
    memset(too_long, 'k', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    const image_text long_key[] = {{too_long, "v"}};
    open_refusal(state, long_key, 1, 4, 4, 3, "longer than EXR allows");
    open_refusal(state, NULL, 0, 4, 4, 2, "2 channels");
    open_refusal(state, NULL, 0, 0, 4, 1, "0 x 4");
    open_refusal(state, NULL, 0, 4, (size_t)INT32_MAX + 1, 1, "cannot hold");
}

static void writer_refuses_wrong_rows_and_early_finish(void **state) {
    char path[128];
    path_in(state, "rows.exr", path, sizeof path);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    failure f = {0};
    exr_writer *w = NULL;
    assert_int_equal(exr_writer_open(&w, file, 4, 3, 3, NULL, 0, &f), 0);
    float pixels[4 * 4 * 3] = {0};
    const image u8_rows = {4, 1, 3, CLR_SAMPLE_U8, pixels};
    assert_int_equal(exr_writer_rows(w, &u8_rows, &f), CLR_RUNTIME_ERROR);
    const image gray_rows = {4, 1, 1, CLR_SAMPLE_F32, pixels};
    assert_int_equal(exr_writer_rows(w, &gray_rows, &f), CLR_RUNTIME_ERROR);
    const image too_many = {4, 4, 3, CLR_SAMPLE_F32, pixels};
    assert_int_equal(exr_writer_rows(w, &too_many, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "beyond"));
    const image two = {4, 2, 3, CLR_SAMPLE_F32, pixels};
    assert_int_equal(exr_writer_rows(w, &two, &f), 0);
    assert_int_equal(exr_writer_finish(w, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "after 2 of 3 rows"));
    assert_int_equal(fclose(file), 0);

    /* Abandoned after some rows: only freed (ASan would see a leak). */
    file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(exr_writer_open(&w, file, 4, 40, 3, NULL, 0, &f), 0);
    const image twenty = {4, 20, 3, CLR_SAMPLE_F32, calloc(4 * 20 * 3, sizeof(float))};
    assert_non_null(twenty.pixels);
    assert_int_equal(exr_writer_rows(w, &twenty, &f), 0);
    exr_writer_abort(w);
    exr_writer_abort(NULL);
    free(twenty.pixels);
    assert_int_equal(fclose(file), 0);
}

static void write_bytes(const char *path, const void *bytes, size_t size) {
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(bytes, 1, size, file), size);
    assert_int_equal(fclose(file), 0);
}

static void nothing(void *user, const char *key, const char *value) {
    (void)user, (void)key, (void)value;
}

/* Both readers refuse `path` with a usage failure whose message has `part`. */
static void expect_refused(const char *path, const char *part) {
    failure f = {0};
    assert_int_equal(exr_file_read_text(path, NULL, nothing, NULL, &f), CLR_USAGE_ERROR);
    if (!strstr(f.message, part))
        fail_msg("read_text: '%s' does not say '%s'", f.message, part);
    float *pixels = (float *)&f;
    size_t width, height;
    unsigned channels;
    f.message[0] = '\0';
    assert_int_equal(exr_file_read_pixels(path, &pixels, &width, &height, &channels, &f),
                     CLR_USAGE_ERROR);
    assert_null(pixels);
    if (!strstr(f.message, part))
        fail_msg("read_pixels: '%s' does not say '%s'", f.message, part);
}

static void other_files_are_refused(void **state) {
    char path[128];
    path_in(state, "image.png", path, sizeof path);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                        0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    write_bytes(path, png, sizeof png);
    expect_refused(path, "is not an OpenEXR file");
    path_in(state, "empty.exr", path, sizeof path);
    write_bytes(path, "", 0);
    expect_refused(path, "is not an OpenEXR file");
    path_in(state, "missing.exr", path, sizeof path);
    expect_refused(path, "cannot open");
    expect_refused(((scratch *)*state)->dir, "not a regular file");
}

/* Every prefix of a valid file is refused by both readers; the library prints nothing
 * (stderr is checked). */
static void truncated_files_are_refused_quietly(void **state) {
    char path[128], cut_path[128], log_path[128];
    path_in(state, "whole.exr", path, sizeof path);
    path_in(state, "cut.exr", cut_path, sizeof cut_path);
    path_in(state, "stderr.txt", log_path, sizeof log_path);
    const image_text texts[] = {{"comments", "a text in the header"}};
    static const size_t batch[] = {33};
    float *written = NULL;
    write_exr(path, 7, 33, 3, batch, 1, texts, 1, &written);
    free(written);
    FILE *whole = fopen(path, "rb");
    assert_non_null(whole);
    unsigned char bytes[1 << 16];
    size_t size = fread(bytes, 1, sizeof bytes, whole);
    assert_int_equal(fclose(whole), 0);
    assert_true(size > 100 && size < sizeof bytes);

    /* The library's messages would go to stderr: send it to a file for the loop. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    FILE *log = fopen(log_path, "w");
    assert_non_null(log);
    assert_true(dup2(fileno(log), STDERR_FILENO) >= 0);
    size_t text_refusals = 0;
    for (size_t length = 0; length < size; ++length) {
        write_bytes(cut_path, bytes, length);
        failure f = {0};
        float *pixels = NULL;
        size_t width, height;
        unsigned channels;
        int status = exr_file_read_pixels(cut_path, &pixels, &width, &height, &channels, &f);
        if (status != CLR_USAGE_ERROR || pixels || f.message[0] == '\0') {
            dup2(saved, STDERR_FILENO);
            fail_msg("a file cut to %zu of %zu bytes gave status %d, '%s'", length, size, status,
                     f.message);
        }
        if (exr_file_read_text(cut_path, NULL, nothing, NULL, &f) != 0)
            ++text_refusals;
    }
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    assert_int_equal(fclose(log), 0);
    struct stat st;
    assert_int_equal(stat(log_path, &st), 0);
    if (st.st_size != 0)
        fail_msg("the library printed %lld bytes to stderr (%s)", (long long)st.st_size, log_path);
    assert_int_equal(text_refusals, size);
}

int main(void) {
#define TEST(name) cmocka_unit_test_setup_teardown(name, make_scratch_dir, remove_scratch_dir)
    const struct CMUnitTest tests[] = {
        TEST(images_round_trip_bit_for_bit),
        TEST(texts_and_size_read_back),
        TEST(writer_refuses_bad_texts_and_shapes),
        TEST(writer_refuses_wrong_rows_and_early_finish),
        TEST(other_files_are_refused),
        TEST(truncated_files_are_refused_quietly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
