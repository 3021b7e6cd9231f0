#define _POSIX_C_SOURCE 200809L
#include "clrender/image_writer.h"

#include "clrender/npy.h"
#include "clrender/timing.h"
#include "clrender/values.h"

#include <errno.h>
#include <limits.h>
#include <stb_image_write.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int output_format_from_path(const char *path, output_format *format, failure *f) {
    static const struct {
        const char *extension;
        output_format format;
    } known[] = {
        {".png", OUTPUT_PNG}, {".pgm", OUTPUT_PGM}, {".ppm", OUTPUT_PPM}, {".npy", OUTPUT_NPY}};
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (*base == '\0')
        return failure_set(f, CLR_EXIT_USAGE, "output path '%s' names a directory, not a file",
                           path);
    for (size_t i = 0; dot && dot != base && i < sizeof known / sizeof known[0]; ++i)
        if (text_equal_nocase(dot, known[i].extension)) {
            *format = known[i].format;
            return 0;
        }
    return failure_set(
        f, CLR_EXIT_USAGE,
        "output '%s': unknown file type; use a name ending in .png, .pgm, .ppm or .npy", path);
}

int output_format_accepts(const char *path, output_format format, size_t width, size_t height,
                          unsigned channels, failure *f) {
    if (format == OUTPUT_PGM && channels != 1)
        return failure_set(f, CLR_EXIT_USAGE,
                           "output '%s': .pgm holds gray images; use .ppm or .png", path);
    if (format == OUTPUT_PPM && channels != 3)
        return failure_set(f, CLR_EXIT_USAGE,
                           "output '%s': .ppm holds RGB images; use .pgm or .png", path);
    /* stb sizes its buffers as (width * channels + 1) * height in an int. */
    if (format == OUTPUT_PNG && ((double)width * channels + 1) * (double)height > (double)INT_MAX)
        return failure_set(f, CLR_EXIT_USAGE,
                           "output '%s': %zux%zu is too large for the PNG encoder (2 GiB at "
                           "most); use .pgm or .npy",
                           path, width, height);
    return 0;
}

int output_directory_writable(const char *path, failure *f) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat info;
    if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode))
        return failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': directory '%s' does not exist",
                           path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': directory '%s' is not writable",
                           path, dir);
    return 0;
}

static int check_layout(const char *path, output_format format, const image *img, failure *f) {
    if (output_format_accepts(path, format, img->width, img->height, img->channels, f) != 0)
        return f->code;
    if (format != OUTPUT_NPY && img->sample != SAMPLE_U8)
        return failure_set(f, CLR_EXIT_RUNTIME, "output '%s': this format needs 8-bit samples",
                           path);
    return 0;
}

typedef struct png_sink {
    FILE *file;
    int failed;
    double encode_done_ms;
} png_sink;

/* stb hands over the whole encoded PNG in one call. */
static void png_to_file(void *context, void *data, int size) {
    png_sink *sink = context;
    sink->encode_done_ms = clock_ms();
    if (fwrite(data, 1, (size_t)size, sink->file) != (size_t)size)
        sink->failed = 1;
}

/* Encodes into `file`; returns 0 or -1 (errno may tell why). */
static int write_body(FILE *file, output_format format, const image *img, write_timings *timings) {
    size_t bytes = img->width * img->height * img->channels;
    switch (format) {
    case OUTPUT_PNG: {
        png_sink sink = {file, 0, 0};
        double start = clock_ms();
        int ok = stbi_write_png_to_func(png_to_file, &sink, (int)img->width, (int)img->height,
                                        (int)img->channels, img->pixels,
                                        (int)(img->width * img->channels));
        if (!ok || sink.failed)
            return -1;
        timings->encode_ms = sink.encode_done_ms - start;
        return 0;
    }
    case OUTPUT_PGM:
    case OUTPUT_PPM:
        if (fprintf(file, "P%c\n%zu %zu\n255\n", format == OUTPUT_PGM ? '5' : '6', img->width,
                    img->height) < 0)
            return -1;
        return fwrite(img->pixels, 1, bytes, file) == bytes ? 0 : -1;
    case OUTPUT_NPY:
        return npy_write(file, img);
    }
    return -1;
}

static mode_t default_file_mode(void) {
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int image_write_file(const char *path, output_format format, const image *img,
                     write_timings *timings, failure *f) {
    if (check_layout(path, format, img, f) != 0)
        return f->code;

    double start = clock_ms();
    timings->encode_ms = 0;
    const char *slash = strrchr(path, '/');
    size_t dir_length = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_length;
    size_t temp_size = strlen(path) + 32;
    char *temp = malloc(temp_size);
    if (!temp)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory writing '%s'", path);
    snprintf(temp, temp_size, "%.*s.%s.tmp-XXXXXX", (int)dir_length, path, base);

    int fd = mkstemp(temp);
    if (fd < 0) {
        failure_set(f, CLR_EXIT_RUNTIME, "cannot create a file beside '%s': %s", path,
                    strerror(errno));
        free(temp);
        return f->code;
    }
    FILE *file = fdopen(fd, "wb");
    if (!file) {
        close(fd);
        failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': %s", temp, strerror(errno));
        goto failed;
    }
    errno = 0;
    int body_failed = write_body(file, format, img, timings) != 0;
    int saved_errno = errno;
    int fchmod_failed = fchmod(fileno(file), default_file_mode()) != 0;
    int close_failed = fclose(file) != 0;
    if (body_failed || close_failed || fchmod_failed) {
        failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': %s", path,
                    saved_errno ? strerror(saved_errno)
                                : (errno ? strerror(errno) : "encoder failed"));
        goto failed;
    }
    if (rename(temp, path) != 0) {
        failure_set(f, CLR_EXIT_RUNTIME, "cannot rename the finished file to '%s': %s", path,
                    strerror(errno));
        goto failed;
    }
    free(temp);
    timings->write_ms = clock_ms() - start - timings->encode_ms;
    return 0;
failed:
    unlink(temp);
    free(temp);
    return f->code;
}
