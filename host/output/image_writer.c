#define _POSIX_C_SOURCE 200809L
#include "output/image_writer.h"

#include "output/npy.h"
#include "util/clock.h"
#include "util/values.h"

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

void output_directory(const char *path, char *dir, size_t size) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int output_directory_writable(const char *path, failure *f) {
    char dir[4096];
    output_directory(path, dir, sizeof dir);
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

/* The PNG stb encodes, copied out of the one call in which stb hands it over. */
typedef struct png_bytes {
    unsigned char *data;
    size_t size;
} png_bytes;

static void keep_png(void *context, void *data, int size) {
    png_bytes *png = context;
    png->data = malloc((size_t)size);
    if (png->data) {
        memcpy(png->data, data, (size_t)size);
        png->size = (size_t)size;
    }
}

/* Encodes with libdeflate `level` and PNG row filter `filter` (stb's numbering: 0 none, 1 sub). */
static int encode_png(const image *img, int level, int filter, png_bytes *png) {
    /* stb takes both settings from globals; clrender encodes one image at a time. */
    stbi_write_png_compression_level = level;
    stbi_write_force_png_filter = filter;
    *png = (png_bytes){NULL, 0};
    int ok =
        stbi_write_png_to_func(keep_png, png, (int)img->width, (int)img->height, (int)img->channels,
                               img->pixels, (int)(img->width * img->channels));
    if (ok && png->data)
        return 0;
    free(png->data);
    png->data = NULL;
    errno = ENOMEM;
    return -1;
}

/* Measured on a 4000x4000 Julia set and a 1920x1080 ray-traced scene: a fixed row filter beat
 * stb's per-row choice in time and size on both; "none" won on the gray image with its flat
 * regions, "sub" on the colour one with its gradients. libdeflate's level 6 took about 1.5x
 * the time of level 1 for a 13 % smaller file; level 12 about 30x for 8 % more. */
static int encode_png_for(const image *img, png_compression compression, png_bytes *png) {
    const int filter = img->channels == 1 ? 0 : 1;
    switch (compression) {
    case PNG_FAST:
        return encode_png(img, 1, 0, png);
    case PNG_DEFAULT:
        return encode_png(img, 6, filter, png);
    case PNG_BEST:
        return encode_png(img, 12, filter, png);
    }
    return -1;
}

static mode_t default_file_mode(void) {
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

static int write_header(image_stream *stream, const image *rows) {
    switch (stream->format) {
    case OUTPUT_PGM:
    case OUTPUT_PPM:
        return fprintf(stream->file, "P%c\n%zu %zu\n255\n",
                       stream->format == OUTPUT_PGM ? '5' : '6', stream->width, stream->height) < 0
                   ? -1
                   : 0;
    case OUTPUT_NPY: {
        image whole = *rows;
        whole.height = stream->height;
        char header[256];
        size_t length = npy_header(&whole, header, sizeof header);
        return length && fwrite(header, 1, length, stream->file) == length ? 0 : -1;
    }
    case OUTPUT_PNG:
        break;
    }
    return 0;
}

int image_stream_open(const char *path, output_format format, size_t width, size_t height,
                      png_compression compression, image_stream *stream, failure *f) {
    memset(stream, 0, sizeof *stream);
    stream->format = format;
    stream->compression = compression;
    stream->width = width;
    stream->height = height;
    const char *slash = strrchr(path, '/');
    size_t dir_length = slash ? (size_t)(slash - path) + 1 : 0;
    size_t temp_size = strlen(path) + 32;
    stream->path = strdup(path);
    stream->temp = malloc(temp_size);
    if (!stream->path || !stream->temp) {
        image_stream_abort(stream);
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory writing '%s'", path);
    }
    snprintf(stream->temp, temp_size, "%.*s.%s.tmp-XXXXXX", (int)dir_length, path,
             path + dir_length);
    int fd = mkstemp(stream->temp);
    if (fd < 0) {
        failure_set(f, CLR_EXIT_RUNTIME, "cannot create a file beside '%s': %s", path,
                    strerror(errno));
        free(stream->temp);
        stream->temp = NULL;
        image_stream_abort(stream);
        return f->code;
    }
    stream->file = fdopen(fd, "wb");
    if (!stream->file) {
        close(fd);
        failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': %s", stream->temp, strerror(errno));
        image_stream_abort(stream);
        return f->code;
    }
    return 0;
}

static int stream_failed(image_stream *stream, failure *f) {
    failure_set(f, CLR_EXIT_RUNTIME, "cannot write '%s': %s", stream->path,
                errno ? strerror(errno) : "encoder failed");
    image_stream_abort(stream);
    return f->code;
}

int image_stream_rows(image_stream *stream, const image *rows, write_timings *timings, failure *f) {
    double start = clock_ms();
    if (stream->rows_written == 0) {
        image whole = *rows;
        whole.height = stream->height;
        if (check_layout(stream->path, stream->format, &whole, f) != 0) {
            image_stream_abort(stream);
            return f->code;
        }
        errno = 0;
        if (write_header(stream, rows) != 0)
            return stream_failed(stream, f);
        if (stream->format == OUTPUT_PNG &&
            image_alloc(&stream->whole, stream->width, stream->height, rows->channels, rows->sample,
                        f) != 0) {
            image_stream_abort(stream);
            return f->code;
        }
    }
    size_t row_bytes = rows->width * rows->channels * (size_t)rows->sample;
    size_t bytes = row_bytes * rows->height;
    errno = 0;
    if (stream->format == OUTPUT_PNG) {
        memcpy((unsigned char *)stream->whole.pixels + stream->rows_written * row_bytes,
               rows->pixels, bytes);
    } else if (stream->format == OUTPUT_NPY) {
        if (npy_write_samples(stream->file, rows) != 0)
            return stream_failed(stream, f);
    } else if (fwrite(rows->pixels, 1, bytes, stream->file) != bytes) {
        return stream_failed(stream, f);
    }
    stream->rows_written += rows->height;
    timings->write_ms += clock_ms() - start;
    return 0;
}

int image_stream_finish(image_stream *stream, write_timings *timings, failure *f) {
    errno = 0;
    if (stream->format == OUTPUT_PNG) {
        png_bytes png;
        double start = clock_ms();
        if (encode_png_for(&stream->whole, stream->compression, &png) != 0)
            return stream_failed(stream, f);
        timings->encode_ms += clock_ms() - start;
        start = clock_ms();
        int written = fwrite(png.data, 1, png.size, stream->file) == png.size;
        free(png.data);
        timings->write_ms += clock_ms() - start;
        if (!written)
            return stream_failed(stream, f);
    }
    double start = clock_ms();
    int fchmod_failed = fchmod(fileno(stream->file), default_file_mode()) != 0;
    int close_failed = fclose(stream->file) != 0;
    stream->file = NULL;
    if (fchmod_failed || close_failed)
        return stream_failed(stream, f);
    if (rename(stream->temp, stream->path) != 0) {
        failure_set(f, CLR_EXIT_RUNTIME, "cannot rename the finished file to '%s': %s",
                    stream->path, strerror(errno));
        image_stream_abort(stream);
        return f->code;
    }
    free(stream->temp);
    stream->temp = NULL;
    image_stream_abort(stream);
    timings->write_ms += clock_ms() - start;
    return 0;
}

void image_stream_abort(image_stream *stream) {
    if (stream->file)
        fclose(stream->file);
    if (stream->temp)
        unlink(stream->temp);
    free(stream->temp);
    free(stream->path);
    image_free(&stream->whole);
    stream->file = NULL;
    stream->temp = stream->path = NULL;
}

int image_write_file(const char *path, output_format format, const image *img,
                     png_compression compression, write_timings *timings, failure *f) {
    image_stream stream;
    timings->encode_ms = timings->write_ms = 0;
    if (check_layout(path, format, img, f) != 0)
        return f->code;
    if (image_stream_open(path, format, img->width, img->height, compression, &stream, f) != 0 ||
        image_stream_rows(&stream, img, timings, f) != 0 ||
        image_stream_finish(&stream, timings, f) != 0)
        return f->code;
    return 0;
}
