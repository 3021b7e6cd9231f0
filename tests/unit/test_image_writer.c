/* Unit tests for image_writer.h: choosing the format from the path, and
 * writing files through a temporary file that is renamed into place.
 *
 * Each file test runs in a fresh mkdtemp directory, so it can list the
 * directory afterwards and prove that nothing else (no temporary file, no
 * partial output) was left behind.
 */
#define _GNU_SOURCE /* mkdtemp, lstat, getcwd, chdir, memmem */

#include "output/image_writer.h"
#include "output/npy.h"

#include <dirent.h>
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

/* A format value output_format_from_path never produces: shows it was left alone. */
#define NO_FORMAT ((output_format)99)

/* ---- choosing the format ---------------------------------------------- */

#define EXPECT_FORMAT(path, expected) expect_format((path), (expected), __LINE__)

static void expect_format(const char *path, output_format expected, int line) {
    output_format format = NO_FORMAT;
    failure f = {0};
    int status = output_format_from_path(path, &format, &f);
    if (status != 0 || format != expected) {
        print_error("line %d: '%s' gave status %d, format %d; expected format %d (%s)\n", line,
                    path, status, (int)format, (int)expected, f.message);
        _fail(__FILE__, line);
    }
}

#define EXPECT_NO_FORMAT(path, reason_part) expect_no_format((path), (reason_part), __LINE__)

/* A usage error that quotes the path and says what is wrong with it. */
static void expect_no_format(const char *path, const char *reason_part, int line) {
    output_format format = NO_FORMAT;
    failure f = {0};
    int status = output_format_from_path(path, &format, &f);
    char quoted[256];
    snprintf(quoted, sizeof quoted, "'%s'", path);
    if (status != CLR_USAGE_ERROR || f.status != CLR_USAGE_ERROR || format != NO_FORMAT ||
        !strstr(f.message, quoted) || !strstr(f.message, reason_part)) {
        print_error("line %d: '%s' gave status %d, format %d, message '%s'; expected a usage "
                    "error mentioning '%s'\n",
                    line, path, status, (int)format, f.message, reason_part);
        _fail(__FILE__, line);
    }
}

static void format_follows_the_extension_in_any_case(void **state) {
    (void)state;
    EXPECT_FORMAT("out.png", OUTPUT_PNG);
    EXPECT_FORMAT("OUT.PGM", OUTPUT_PGM);
    EXPECT_FORMAT("x.ppm", OUTPUT_PPM);
    EXPECT_FORMAT("counts.Npy", OUTPUT_NPY);
    EXPECT_FORMAT("/tmp/a/b.png", OUTPUT_PNG);
}

static void format_looks_only_at_the_last_extension_of_the_file_name(void **state) {
    (void)state;
    EXPECT_FORMAT("archive.png.npy", OUTPUT_NPY);
    EXPECT_FORMAT(".hidden.pgm", OUTPUT_PGM);
    EXPECT_FORMAT("images.d/out.ppm", OUTPUT_PPM);
    /* A dot in a directory name is not the file's extension. */
    EXPECT_NO_FORMAT("images.png/out", "unknown file type");
}

static void format_rejects_unknown_or_missing_extensions(void **state) {
    (void)state;
    EXPECT_NO_FORMAT("x.jpg", "unknown file type");
    EXPECT_NO_FORMAT("noext", "unknown file type");
    EXPECT_NO_FORMAT("x.", "unknown file type");
    EXPECT_NO_FORMAT("x.png.bak", "unknown file type");
    /* ".png" alone is a hidden file named "png" without an extension, not a PNG. */
    EXPECT_NO_FORMAT(".png", "unknown file type");
    EXPECT_NO_FORMAT("dir/.png", "unknown file type");
}

static void format_rejects_a_path_that_names_a_directory(void **state) {
    (void)state;
    EXPECT_NO_FORMAT("dir/", "directory");
    EXPECT_NO_FORMAT("out.png/", "directory");
    EXPECT_NO_FORMAT("", "directory");
}

static void formats_accept_only_the_channel_counts_they_hold(void **state) {
    (void)state;
    failure f = {0};
    assert_int_equal(output_format_accepts("a.pgm", OUTPUT_PGM, 1, 64, 48, 1, CLR_SAMPLE_U8, &f),
                     0);
    assert_int_equal(output_format_accepts("a.ppm", OUTPUT_PPM, 1, 64, 48, 3, CLR_SAMPLE_U8, &f),
                     0);
    assert_int_equal(output_format_accepts("a.png", OUTPUT_PNG, 1, 64, 48, 1, CLR_SAMPLE_U8, &f),
                     0);
    assert_int_equal(output_format_accepts("a.png", OUTPUT_PNG, 1, 64, 48, 3, CLR_SAMPLE_U8, &f),
                     0);
    assert_int_equal(output_format_accepts("a.npy", OUTPUT_NPY, 1, 64, 48, 1, CLR_SAMPLE_U8, &f),
                     0);
    assert_int_equal(output_format_accepts("a.npy", OUTPUT_NPY, 1, 64, 48, 3, CLR_SAMPLE_U8, &f),
                     0);

    assert_int_equal(output_format_accepts("c.pgm", OUTPUT_PGM, 1, 64, 48, 3, CLR_SAMPLE_U8, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "'c.pgm'"));
    assert_non_null(strstr(f.message, "gray"));
    assert_int_equal(output_format_accepts("g.ppm", OUTPUT_PPM, 1, 64, 48, 1, CLR_SAMPLE_U8, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "'g.ppm'"));
    assert_non_null(strstr(f.message, "RGB"));
}

static void png_refuses_only_sizes_png_cannot_hold(void **state) {
    (void)state;
    failure f = {0};
    /* Streamed row by row: any size up to PNG's 2^31 - 1 pixels a side, 8 or 16 bits. */
    assert_int_equal(
        output_format_accepts("a.png", OUTPUT_PNG, 1, 65536, 65536, 1, CLR_SAMPLE_U8, &f), 0);
    assert_int_equal(output_format_accepts("b.png", OUTPUT_PNG, 1, 0x7fffffff, 0x7fffffff, 3,
                                           CLR_SAMPLE_U16, &f),
                     0);
    assert_int_equal(
        output_format_accepts("c.png", OUTPUT_PNG, 1, 0x80000000u, 1, 1, CLR_SAMPLE_U8, &f),
        CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "too large for PNG"));
    assert_int_equal(
        output_format_accepts("d.png", OUTPUT_PNG, 1, 1, 0x80000000u, 3, CLR_SAMPLE_U8, &f),
        CLR_USAGE_ERROR);
    assert_int_equal(output_format_accepts("e.png", OUTPUT_PNG, 1, 8, 8, 1, CLR_SAMPLE_U32, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "8- or 16-bit samples, not 32-bit integers"));
    /* .pgm and .ppm take 16-bit samples too; the other formats have no size limit. */
    assert_int_equal(output_format_accepts("f.pgm", OUTPUT_PGM, 1, 8, 8, 1, CLR_SAMPLE_U16, &f), 0);
    assert_int_equal(output_format_accepts("g.ppm", OUTPUT_PPM, 1, 8, 8, 3, CLR_SAMPLE_U16, &f), 0);
    assert_int_equal(
        output_format_accepts("h.npy", OUTPUT_NPY, 1, 1ul << 32, 1ul << 32, 1, CLR_SAMPLE_U8, &f),
        0);
}

/* ---- writing files ------------------------------------------------------ */

typedef struct scratch {
    char dir[64];
} scratch;

static int make_scratch_dir(void **state) {
    scratch *s = malloc(sizeof *s);
    if (!s)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/clrender-image-writer-XXXXXX");
    if (!mkdtemp(s->dir)) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

/* Removes `path` and, when it is a directory, everything below it. */
static int remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        if (!dir)
            return -1;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
                continue;
            char child[512];
            snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
            remove_tree(child);
        }
        closedir(dir);
        return rmdir(path);
    }
    return unlink(path);
}

static int remove_scratch_dir(void **state) {
    scratch *s = *state;
    int status = remove_tree(s->dir);
    free(s);
    return status;
}

static const char *in_dir(const scratch *s, const char *name, char *buffer, size_t size) {
    snprintf(buffer, size, "%s/%s", s->dir, name);
    return buffer;
}

/* The directory's entries, sorted, joined by spaces ("" when empty); hidden
 * files included, since that is where the temporary files would be. */
static void list_dir(const char *path, char *out, size_t size) {
    char names[16][256];
    size_t count = 0;
    DIR *dir = opendir(path);
    assert_non_null(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        assert_true(count < 16);
        snprintf(names[count++], sizeof names[0], "%s", entry->d_name);
    }
    closedir(dir);
    for (size_t i = 1; i < count; ++i) /* insertion sort: a handful of names */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; --j) {
            char swap[256];
            memcpy(swap, names[j], sizeof swap);
            memcpy(names[j], names[j - 1], sizeof swap);
            memcpy(names[j - 1], swap, sizeof swap);
        }
    out[0] = '\0';
    for (size_t i = 0; i < count; ++i) {
        if (i)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, names[i], size - strlen(out) - 1);
    }
}

#define assert_dir_holds(s, expected) assert_dir_holds_at((s), (expected), __LINE__)

static void assert_dir_holds_at(const scratch *s, const char *expected, int line) {
    char listing[1024];
    list_dir(s->dir, listing, sizeof listing);
    if (strcmp(listing, expected) != 0) {
        print_error("line %d: the directory holds '%s', expected '%s'\n", line, listing, expected);
        _fail(__FILE__, line);
    }
}

/* The whole file, malloc'd; its length in *length. */
static unsigned char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    assert_int_equal(fseek(file, 0, SEEK_END), 0);
    long size = ftell(file);
    assert_true(size >= 0);
    rewind(file);
    unsigned char *bytes = malloc((size_t)size + 1);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, file), (size_t)size);
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

static void write_text_file(const char *path, const char *text) {
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

static void assert_file_is(const char *path, const void *expected, size_t expected_length) {
    size_t length = 0;
    unsigned char *bytes = read_file(path, &length);
    assert_int_equal(length, expected_length);
    assert_memory_equal(bytes, expected, expected_length);
    free(bytes);
}

/* A 3x2 gray image with distinct samples, so that any reordering shows. */
static uint8_t gray_pixels[6] = {0, 127, 255, 1, 2, 3};
static const image gray_image = {3, 2, 1, CLR_SAMPLE_U8, gray_pixels};

static void pgm_file_has_the_exact_expected_bytes(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    in_dir(s, "gray.pgm", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f), 0);
    static const char expected[] = "P5\n3 2\n255\n\x00\x7f\xff\x01\x02\x03";
    assert_file_is(path, expected, sizeof expected - 1);
    /* The temporary file was renamed, not copied. */
    assert_dir_holds(s, "gray.pgm");
}

static void ppm_file_has_the_exact_expected_bytes(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    uint8_t rgb[2 * 1 * 3] = {255, 0, 0, 0, 128, 255};
    const image img = {2, 1, 3, CLR_SAMPLE_U8, rgb};
    in_dir(s, "color.ppm", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PPM, &img, PNG_DEFAULT, &timings, &f), 0);
    static const char expected[] = "P6\n2 1\n255\n\xff\x00\x00\x00\x80\xff";
    assert_file_is(path, expected, sizeof expected - 1);
    assert_dir_holds(s, "color.ppm");
}

static uint32_t big_endian_32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The PNG signature, an IHDR chunk first with the image's size, depth 8 and
 * the given color type, and an IEND chunk last. */
static void check_png(const char *path, uint32_t width, uint32_t height, int color_type) {
    size_t length = 0;
    unsigned char *png = read_file(path, &length);
    assert_true(length > 8 + 25 + 12);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(big_endian_32(png + 8), 13);
    assert_memory_equal(png + 12, "IHDR", 4);
    assert_int_equal(big_endian_32(png + 16), width);
    assert_int_equal(big_endian_32(png + 20), height);
    assert_int_equal(png[24], 8);
    assert_int_equal(png[25], color_type);
    assert_memory_equal(png + length - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    free(png);
}

static void png_files_carry_the_signature_size_and_color_type(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    in_dir(s, "gray.png", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PNG, &gray_image, PNG_DEFAULT, &timings, &f), 0);
    check_png(path, 3, 2, 0); /* color type 0: gray */

    uint8_t rgb[2 * 1 * 3] = {255, 0, 0, 0, 128, 255};
    const image color = {2, 1, 3, CLR_SAMPLE_U8, rgb};
    in_dir(s, "color.png", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PNG, &color, PNG_DEFAULT, &timings, &f), 0);
    check_png(path, 2, 1, 2); /* color type 2: RGB */
    assert_dir_holds(s, "color.png gray.png");
}

static void pgm_16_bit_has_maxval_65535_and_big_endian_samples(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    uint16_t counts[2][2] = {{0, 0x1234}, {65535, 7}};
    const image img = {2, 2, 1, CLR_SAMPLE_U16, counts};
    in_dir(s, "wide.pgm", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &img, PNG_DEFAULT, &timings, &f), 0);
    static const char expected[] = "P5\n2 2\n65535\n\x00\x00\x12\x34\xff\xff\x00\x07";
    assert_file_is(path, expected, sizeof expected - 1);
}

static int count_text(void *context, const char *key, const char *value) {
    (void)key;
    (void)value;
    ++*(int *)context;
    return 0;
}

static void a_png_stream_embeds_copies_of_its_text(void **state) {
    scratch *s = *state;
    char path[256], key[16] = "Software", value[32] = "clrender test";
    write_timings timings = {0, 0};
    failure f = {0};
    image_stream stream;
    in_dir(s, "text.png", path, sizeof path);
    assert_int_equal(image_stream_open(path, OUTPUT_PNG, 1, 3, 2, PNG_FAST, true, &stream, &f), 0);
    const image_text text[] = {{key, value}};
    assert_int_equal(image_stream_set_text(&stream, text, 1, &f), 0);
    strcpy(key, "gone"); /* the caller's strings may change: the stream copied them */
    strcpy(value, "gone");
    assert_int_equal(image_stream_rows(&stream, &gray_image, &timings, &f), 0);
    assert_int_equal(image_stream_finish(&stream, &timings, &f), 0);
    assert_int_equal(image_stream_commit(&stream, &timings, &f), 0);
    int count = 0;
    assert_int_equal(png_read_text(path, count_text, &count, &f), 0);
    assert_int_equal(count, 1);
    size_t length = 0;
    unsigned char *png = read_file(path, &length);
    assert_non_null(memmem(png, length, "tEXtSoftware\0clrender test", 26));
    free(png);
}

static void npy_file_is_the_header_then_little_endian_samples(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    uint16_t counts[2][3] = {{0, 80, 0x1234}, {65535, 7, 256}};
    const image img = {3, 2, 1, CLR_SAMPLE_U16, counts};
    in_dir(s, "counts.npy", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_NPY, &img, PNG_DEFAULT, &timings, &f), 0);

    /* npy.h's own tests check the header; here the file must be exactly it plus the data. */
    unsigned char expected[256];
    size_t header_length = npy_header(1, img.height, img.width, img.channels, img.sample,
                                      (char *)expected, sizeof expected);
    assert_true(header_length > 0);
    const uint16_t *samples = &counts[0][0];
    for (size_t i = 0; i < 6; ++i) {
        expected[header_length + 2 * i] = (unsigned char)(samples[i] & 0xff);
        expected[header_length + 2 * i + 1] = (unsigned char)(samples[i] >> 8);
    }
    assert_file_is(path, expected, header_length + 12);
    assert_dir_holds(s, "counts.npy");
}

static void writing_replaces_an_existing_file(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    in_dir(s, "gray.pgm", path, sizeof path);
    write_text_file(path, "an older, longer file that must not leave a tail behind\n");
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f), 0);
    static const char expected[] = "P5\n3 2\n255\n\x00\x7f\xff\x01\x02\x03";
    assert_file_is(path, expected, sizeof expected - 1);
    assert_dir_holds(s, "gray.pgm");
}

static void new_file_gets_the_usual_permissions_not_the_temporary_files(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    in_dir(s, "gray.pgm", path, sizeof path);
    /* An output file should be 0666 less the umask, like fopen's, never a temporary 0600. */
    mode_t saved = umask(022);
    int status = image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f);
    umask(saved);
    assert_int_equal(status, 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void relative_path_is_written_in_the_current_directory(void **state) {
    scratch *s = *state;
    write_timings timings;
    failure f = {0};
    char previous[4096];
    assert_non_null(getcwd(previous, sizeof previous));
    assert_int_equal(chdir(s->dir), 0);
    int status = image_write_file("plain.pgm", OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f);
    assert_int_equal(chdir(previous), 0);
    assert_int_equal(status, 0);
    assert_dir_holds(s, "plain.pgm");
}

static void missing_directory_fails_without_leaving_files(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};
    in_dir(s, "missing/out.pgm", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f),
                     CLR_RUNTIME_ERROR);
    assert_int_equal(f.status, CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, path));
    assert_dir_holds(s, "");
}

static void parent_that_is_a_file_fails_without_leaving_files(void **state) {
    scratch *s = *state;
    char path[256], parent[256];
    write_timings timings;
    failure f = {0};
    write_text_file(in_dir(s, "notes.txt", parent, sizeof parent), "keep\n");
    in_dir(s, "notes.txt/out.pgm", path, sizeof path);
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f),
                     CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, path));
    assert_file_is(parent, "keep\n", 5);
    assert_dir_holds(s, "notes.txt");
}

static void target_that_is_a_directory_is_left_alone_and_the_temporary_file_removed(void **state) {
    scratch *s = *state;
    char path[256], inside[256];
    write_timings timings;
    failure f = {0};
    /* The temporary file is written in full before the rename fails: this is the late
     * failure that must clean up after itself. */
    in_dir(s, "out.pgm", path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    write_text_file(in_dir(s, "out.pgm/keep", inside, sizeof inside), "keep\n");
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &gray_image, PNG_DEFAULT, &timings, &f),
                     CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, path));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_file_is(inside, "keep\n", 5);
    assert_dir_holds(s, "out.pgm");
}

static void refused_image_layout_leaves_an_existing_file_untouched(void **state) {
    scratch *s = *state;
    char path[256];
    write_timings timings;
    failure f = {0};

    /* PNG needs 8- or 16-bit samples: a usage error, found before any file is created. */
    float wide[2] = {1, 2};
    const image wide_image = {2, 1, 1, CLR_SAMPLE_F32, wide};
    in_dir(s, "old.png", path, sizeof path);
    write_text_file(path, "old\n");
    assert_int_equal(image_write_file(path, OUTPUT_PNG, &wide_image, PNG_DEFAULT, &timings, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, path));
    assert_file_is(path, "old\n", 4);

    /* A color image cannot be a .pgm: the same usage error as output_format_accepts. */
    uint8_t rgb[3] = {1, 2, 3};
    const image color = {1, 1, 3, CLR_SAMPLE_U8, rgb};
    in_dir(s, "old.pgm", path, sizeof path);
    write_text_file(path, "old\n");
    assert_int_equal(image_write_file(path, OUTPUT_PGM, &color, PNG_DEFAULT, &timings, &f),
                     CLR_USAGE_ERROR);
    assert_file_is(path, "old\n", 4);
    assert_dir_holds(s, "old.pgm old.png");
}

static void a_stream_creates_no_file_before_its_first_rows(void **state) {
    scratch *s = *state;
    char path[256];
    failure f = {0};
    image_stream stream;
    in_dir(s, "late.pgm", path, sizeof path);
    assert_int_equal(image_stream_open(path, OUTPUT_PGM, 1, 3, 2, PNG_DEFAULT, true, &stream, &f),
                     0);
    /* Nothing on disk yet: a render that fails before its first band leaves nothing. */
    assert_dir_holds(s, "");
    image_stream_abort(&stream);
    assert_dir_holds(s, "");
}

static void a_finished_stream_replaces_the_target_only_when_committed(void **state) {
    scratch *s = *state;
    char path[256];
    failure f = {0};
    write_timings timings = {0, 0};
    image_stream stream;
    in_dir(s, "verified.pgm", path, sizeof path);
    write_text_file(path, "old\n");
    assert_int_equal(image_stream_open(path, OUTPUT_PGM, 1, 3, 2, PNG_DEFAULT, true, &stream, &f),
                     0);
    assert_int_equal(image_stream_rows(&stream, &gray_image, &timings, &f), 0);
    assert_int_equal(image_stream_finish(&stream, &timings, &f), 0);
    /* Finished but not committed (a failed --verify): dropping it keeps the old file. */
    image_stream_abort(&stream);
    assert_file_is(path, "old\n", 4);
    assert_dir_holds(s, "verified.pgm");

    assert_int_equal(image_stream_open(path, OUTPUT_PGM, 1, 3, 2, PNG_DEFAULT, true, &stream, &f),
                     0);
    assert_int_equal(image_stream_rows(&stream, &gray_image, &timings, &f), 0);
    assert_int_equal(image_stream_finish(&stream, &timings, &f), 0);
    assert_int_equal(image_stream_commit(&stream, &timings, &f), 0);
    static const char expected[] = "P5\n3 2\n255\n\x00\x7f\xff\x01\x02\x03";
    assert_file_is(path, expected, sizeof expected - 1);
    assert_dir_holds(s, "verified.pgm");
}

static void a_stream_missing_rows_cannot_finish(void **state) {
    scratch *s = *state;
    char path[256];
    failure f = {0};
    write_timings timings = {0, 0};
    image_stream stream;
    in_dir(s, "short.pgm", path, sizeof path);
    assert_int_equal(image_stream_open(path, OUTPUT_PGM, 1, 3, 4, PNG_DEFAULT, true, &stream, &f),
                     0);
    assert_int_equal(image_stream_rows(&stream, &gray_image, &timings, &f), 0);
    assert_int_equal(image_stream_finish(&stream, &timings, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "2 of 4 rows"));
    image_stream_abort(&stream);
    assert_dir_holds(s, "");
}

#define SCRATCH_TEST(test)                                                                         \
    cmocka_unit_test_setup_teardown(test, make_scratch_dir, remove_scratch_dir)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_follows_the_extension_in_any_case),
        cmocka_unit_test(format_looks_only_at_the_last_extension_of_the_file_name),
        cmocka_unit_test(format_rejects_unknown_or_missing_extensions),
        cmocka_unit_test(format_rejects_a_path_that_names_a_directory),
        cmocka_unit_test(formats_accept_only_the_channel_counts_they_hold),
        cmocka_unit_test(png_refuses_only_sizes_png_cannot_hold),
        SCRATCH_TEST(pgm_file_has_the_exact_expected_bytes),
        SCRATCH_TEST(ppm_file_has_the_exact_expected_bytes),
        SCRATCH_TEST(png_files_carry_the_signature_size_and_color_type),
        SCRATCH_TEST(pgm_16_bit_has_maxval_65535_and_big_endian_samples),
        SCRATCH_TEST(a_png_stream_embeds_copies_of_its_text),
        SCRATCH_TEST(npy_file_is_the_header_then_little_endian_samples),
        SCRATCH_TEST(writing_replaces_an_existing_file),
        SCRATCH_TEST(new_file_gets_the_usual_permissions_not_the_temporary_files),
        SCRATCH_TEST(relative_path_is_written_in_the_current_directory),
        SCRATCH_TEST(missing_directory_fails_without_leaving_files),
        SCRATCH_TEST(parent_that_is_a_file_fails_without_leaving_files),
        SCRATCH_TEST(target_that_is_a_directory_is_left_alone_and_the_temporary_file_removed),
        SCRATCH_TEST(refused_image_layout_leaves_an_existing_file_untouched),
        SCRATCH_TEST(a_stream_creates_no_file_before_its_first_rows),
        SCRATCH_TEST(a_finished_stream_replaces_the_target_only_when_committed),
        SCRATCH_TEST(a_stream_missing_rows_cannot_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
