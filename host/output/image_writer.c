#define _GNU_SOURCE /* O_TMPFILE */
#include "output/image_writer.h"

#include "output/exr.h"
#include "output/npy.h"
#include "util/clock.h"
#include "util/values.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int output_format_from_path(const char *path, output_format *format, failure *f) {
    static const struct {
        const char *extension;
        output_format format;
    } known[] = {{".png", OUTPUT_PNG}, {".pgm", OUTPUT_PGM}, {".ppm", OUTPUT_PPM},
                 {".npy", OUTPUT_NPY}, {".mha", OUTPUT_MHA}, {".exr", OUTPUT_EXR}};
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (*base == '\0')
        return failure_set(f, CLR_USAGE_ERROR, "output path '%s' names a directory, not a file",
                           shown);
    for (size_t i = 0; dot && dot != base && i < sizeof known / sizeof known[0]; ++i)
        if (text_equal_nocase(dot, known[i].extension)) {
            *format = known[i].format;
            return 0;
        }
    return failure_set(
        f, CLR_USAGE_ERROR,
        "output '%s': unknown file type; use a name ending in .png, .pgm, .ppm, .npy, .mha or "
        ".exr",
        shown);
}

int output_format_from_name(const char *name, output_format *format, failure *f) {
    static const struct {
        const char *name;
        output_format format;
    } streamable[] = {{"png", OUTPUT_PNG},
                      {"pgm", OUTPUT_PGM},
                      {"ppm", OUTPUT_PPM},
                      {"npy", OUTPUT_NPY},
                      {"mha", OUTPUT_MHA}};
    for (size_t i = 0; i < sizeof streamable / sizeof streamable[0]; ++i)
        if (text_equal_nocase(name, streamable[i].name)) {
            *format = streamable[i].format;
            return 0;
        }
    char shown[TEXT_SHOWN_SIZE];
    return failure_set(
        f, CLR_USAGE_ERROR, "--format '%s': standard output takes png, pgm, ppm, npy or mha%s",
        text_shown(name, shown),
        text_equal_nocase(name, "exr") ? " (EXR seeks back to its offset table)" : "");
}

int output_format_accepts(const char *path, output_format format, size_t frames, size_t width,
                          size_t height, unsigned channels, clr_sample sample, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    if (format == OUTPUT_NPY || format == OUTPUT_MHA)
        return 0;
    if (format == OUTPUT_EXR) {
        if (channels != 1 && channels != 3)
            return failure_set(f, CLR_USAGE_ERROR,
                               "output '%s': clrender writes EXR with one channel (Y) or three "
                               "(R, G, B), not %u; use .npy",
                               shown, channels);
        if (sample != CLR_SAMPLE_F32)
            return failure_set(f, CLR_USAGE_ERROR,
                               "output '%s': EXR holds float values, and this render gives "
                               "%s-bit integers; use .png or .npy (julia and mandelbrot: "
                               "--values smooth; sphere: --values radiance)",
                               shown,
                               sample == CLR_SAMPLE_U8    ? "8"
                               : sample == CLR_SAMPLE_U16 ? "16"
                                                          : "32");
        if (frames != 1)
            return failure_set(f, CLR_USAGE_ERROR,
                               "output '%s': %zu frames need .npy or .mha, which stack them, or "
                               "a %%d in the name for one file per frame",
                               shown, frames);
        return 0;
    }
    if (format == OUTPUT_PGM && channels != 1)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': .pgm holds gray images; use .ppm or .png", shown);
    if (format == OUTPUT_PPM && channels != 3)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': .ppm holds RGB images; use .pgm or .png", shown);
    if (format == OUTPUT_PNG && channels != 1 && channels != 3)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': PNG holds gray or RGB images; use .npy", shown);
    if (sample != CLR_SAMPLE_U8 && sample != CLR_SAMPLE_U16)
        return failure_set(
            f, CLR_USAGE_ERROR,
            "output '%s': this format holds 8- or 16-bit samples, not %s; use .npy%s", shown,
            sample == CLR_SAMPLE_F32 ? "floats" : "32-bit integers",
            sample == CLR_SAMPLE_F32 ? " or .exr" : "");
    if (frames != 1)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': %zu frames need .npy or .mha, which stack them, or a %%d "
                           "in the name for one file per frame",
                           shown, frames);
    if (format == OUTPUT_PNG && (width > PNG_SIDE_MAX || height > PNG_SIDE_MAX))
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': %zux%zu is too large for PNG (%u pixels a side at "
                           "most); use .pgm or .npy",
                           shown, width, height, PNG_SIDE_MAX);
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

static const char *kind_of(mode_t mode) {
    return S_ISFIFO(mode)   ? "a FIFO (named pipe)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

int output_target_check(const char *path, failure *f) {
    char dir[4096], shown[TEXT_SHOWN_SIZE], shown_dir[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    if (strlen(path) >= PATH_MAX)
        return failure_set(f, CLR_USAGE_ERROR, "output '%s': the path is longer than %d bytes",
                           shown, PATH_MAX - 1);
    output_directory(path, dir, sizeof dir);
    text_shown(dir, shown_dir);
    struct stat dir_info, info;
    if (stat(dir, &dir_info) != 0 || !S_ISDIR(dir_info.st_mode))
        return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': directory '%s' does not exist",
                           shown, shown_dir);
    if (access(dir, W_OK | X_OK) != 0)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "cannot write '%s': directory '%s' is not writable", shown, shown_dir);
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max > 0 && strlen(name) > (size_t)name_max)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': the file name is %zu bytes, more than the %ld its file "
                           "system allows",
                           shown, strlen(name), name_max);
    if (lstat(path, &info) != 0)
        return 0; /* a new file */
    if (S_ISDIR(info.st_mode))
        return failure_set(f, CLR_USAGE_ERROR, "output '%s' is a directory; name a file in it",
                           shown);
    if (!S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode))
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s' is %s; clrender writes regular files only", shown,
                           kind_of(info.st_mode));
    if (S_ISREG(info.st_mode) && access(path, W_OK) != 0)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "output '%s' exists and is read-only for you; remove it or choose "
                           "another name",
                           shown);
    /* In a sticky directory (such as /tmp) only a file's owner may replace it. */
    uid_t me = geteuid();
    if ((dir_info.st_mode & S_ISVTX) && me != 0 && info.st_uid != me && dir_info.st_uid != me)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "output '%s' belongs to another user in the sticky directory '%s', "
                           "where only its owner may replace it; choose another name",
                           shown, shown_dir);
    return 0;
}

/* ---- The temporary file ---------------------------------------------------------------- */

/* A fresh name for the temporary file beside the target, into stream->temp: ".NAME.tmp-XXXXXX",
 * or ".clrender-XXXXXX.tmp" when that would be longer than the file system allows. */
static void temp_name(image_stream *stream, unsigned long *seed) {
    const char *slash = strrchr(stream->path, '/');
    size_t dir_length = slash ? (size_t)(slash - stream->path) + 1 : 0;
    const char *name = stream->path + dir_length;
    char dir[4096];
    output_directory(stream->path, dir, sizeof dir);
    long name_max = pathconf(dir, _PC_NAME_MAX);
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char suffix[7];
    for (int i = 0; i < 6; ++i) {
        *seed = *seed * 6364136223846793005ul + 1442695040888963407ul;
        suffix[i] = letters[(*seed >> 33) % (sizeof letters - 1)];
    }
    suffix[6] = '\0';
    if (name_max <= 0 || strlen(name) + 13 <= (size_t)name_max)
        snprintf(stream->temp, stream->temp_size, "%.*s.%s.tmp-%s", (int)dir_length, stream->path,
                 name, suffix);
    else
        snprintf(stream->temp, stream->temp_size, "%.*s.clrender-%s.tmp", (int)dir_length,
                 stream->path, suffix);
}

static unsigned long fresh_seed(const image_stream *stream) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (unsigned long)now.tv_nsec ^ ((unsigned long)getpid() << 16) ^
           (unsigned long)(uintptr_t)stream;
}

static int cannot_create(image_stream *stream, int error, failure *f) {
    return failure_set(f, CLR_RUNTIME_ERROR, "cannot create a file beside '%s': %s", stream->shown,
                       strerror(error));
}

/* Opens the file the rows go into. Where the file system can, it has no name until it is
 * complete (O_TMPFILE): a process killed even by SIGKILL leaves nothing behind. Elsewhere it
 * is a named file created with O_EXCL and mode 0666 (the umask applies, as to any new file,
 * without reading or changing the process-wide umask). */
static int create_temp(image_stream *stream, failure *f) {
    int fd = -1;
    if (stream->to_stdout) { /* a descriptor of its own: closing it leaves stdout open */
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(stream->file = fdopen(fd, "wb"))) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            return failure_set(f, CLR_RUNTIME_ERROR, "cannot write to standard output: %s",
                               strerror(saved));
        }
        return 0;
    }
#ifdef O_TMPFILE
    if (stream->unnamed_allowed) {
        char dir[4096];
        output_directory(stream->path, dir, sizeof dir);
        fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
            return cannot_create(stream, errno, f);
    }
#endif
    if (fd < 0) {
        unsigned long seed = fresh_seed(stream);
        for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
            temp_name(stream, &seed);
            stream->named = 1; /* before it exists: a signal now removes a name not yet there */
            fd = open(stream->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0)
                stream->named = 0;
            if (fd < 0 && errno != EEXIST)
                return cannot_create(stream, errno, f);
        }
        if (fd < 0)
            return cannot_create(stream, EEXIST, f);
    }
    stream->file = fdopen(fd, "wb");
    if (!stream->file) {
        int saved = errno;
        close(fd);
        if (stream->named)
            unlink(stream->temp);
        stream->named = 0;
        return cannot_create(stream, saved, f);
    }
    return 0;
}

/* Gives the complete unnamed file a temporary name beside the target. */
static int link_temp(image_stream *stream, failure *f) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fileno(stream->file));
    unsigned long seed = fresh_seed(stream);
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp_name(stream, &seed);
        stream->named = 1;
        if (linkat(AT_FDCWD, proc, AT_FDCWD, stream->temp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        int saved = errno;
        stream->named = 0;
        if (saved != EEXIST)
            return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %s", stream->shown,
                               strerror(saved));
    }
    return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %s", stream->shown,
                       strerror(EEXIST));
}

/* ---- Streams ---------------------------------------------------------------------------- */

/* A MetaImage header (ITK's .mha): 2-D, or 3-D for a stack of frames; the samples follow,
 * little-endian, as in .npy. */
static int mha_header(size_t frames, size_t width, size_t height, unsigned channel_count,
                      clr_sample sample, const double spacing_xy[2], const double origin_xy[2],
                      char *out, size_t size) {
    static const char *const element[] = {"MET_UCHAR", "MET_USHORT", "MET_UINT", "MET_FLOAT"};
    char dims[96], spacing[96], origin[96], channels[64] = "";
    snprintf(dims, sizeof dims, "%zu %zu", width, height);
    snprintf(spacing, sizeof spacing, "%.17g %.17g", spacing_xy[0], spacing_xy[1]);
    snprintf(origin, sizeof origin, "%.17g %.17g", origin_xy[0], origin_xy[1]);
    if (frames > 1) { /* frames are the third axis, one unit apart */
        snprintf(dims + strlen(dims), sizeof dims - strlen(dims), " %zu", frames);
        snprintf(spacing + strlen(spacing), sizeof spacing - strlen(spacing), " 1");
        snprintf(origin + strlen(origin), sizeof origin - strlen(origin), " 0");
    }
    if (channel_count > 1)
        snprintf(channels, sizeof channels, "ElementNumberOfChannels = %u\n", channel_count);
    return snprintf(out, size,
                    "ObjectType = Image\nNDims = %d\nBinaryData = True\n"
                    "BinaryDataByteOrderMSB = False\nCompressedData = False\nDimSize = %s\n"
                    "ElementSpacing = %s\nOffset = %s\n%sElementType = %s\n"
                    "ElementDataFile = LOCAL\n",
                    frames > 1 ? 3 : 2, dims, spacing, origin, channels, element[sample]);
}

static bool host_is_little_endian(void) {
    const uint16_t probe = 1;
    unsigned char first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

size_t image_raw_header(output_format format, size_t frames, size_t width, size_t height,
                        unsigned channels, clr_sample sample, const double spacing[2],
                        const double origin[2], char *out, size_t size) {
    int length = 0;
    switch (format) {
    case OUTPUT_PGM:
    case OUTPUT_PPM:
        length = snprintf(out, size, "P%c\n%zu %zu\n%u\n", format == OUTPUT_PGM ? '5' : '6', width,
                          height, sample == CLR_SAMPLE_U16 ? 65535u : 255u);
        break;
    case OUTPUT_NPY:
        return npy_header(frames, height, width, channels, sample, out, size);
    case OUTPUT_MHA:
        length = mha_header(frames, width, height, channels, sample, spacing, origin, out, size);
        break;
    case OUTPUT_PNG:
    case OUTPUT_EXR:
        return 0;
    }
    return length > 0 && (size_t)length < size ? (size_t)length : 0;
}

static int write_header(image_stream *stream, const image *rows) {
    if (stream->format == OUTPUT_PNG || stream->format == OUTPUT_EXR)
        return 0;
    char header[IMAGE_RAW_HEADER_MAX];
    size_t length = image_raw_header(stream->format, stream->frames, stream->width, stream->height,
                                     rows->channels, rows->sample, stream->spacing, stream->origin,
                                     header, sizeof header);
    return length && fwrite(header, 1, length, stream->file) == length ? 0 : -1;
}

void image_raw_encode(output_format format, const image *rows, unsigned char *out) {
    const size_t samples = rows->width * rows->height * rows->channels;
    const size_t size = clr_sample_size(rows->sample);
    const unsigned char *in = rows->pixels;
    /* The same byte orders as image_stream_rows: netpbm's 16-bit samples big-endian, .npy and
     * .mha little-endian whatever the host. */
    bool big = (format == OUTPUT_PGM || format == OUTPUT_PPM) && size == 2;
    bool swap = size > 1 && (big ? host_is_little_endian() : !host_is_little_endian());
    if (!swap) {
        memcpy(out, in, samples * size);
        return;
    }
    for (size_t i = 0; i < samples; ++i)
        for (size_t b = 0; b < size; ++b)
            out[i * size + b] = in[i * size + size - 1 - b];
}

int image_stream_open(const char *path, output_format format, size_t frames, size_t width,
                      size_t height, png_compression compression, bool unnamed_allowed,
                      image_stream *stream, failure *f) {
    memset(stream, 0, sizeof *stream);
    stream->format = format;
    stream->compression = compression;
    stream->frames = frames;
    stream->width = width;
    stream->height = height;
    stream->unnamed_allowed = unnamed_allowed;
    stream->to_stdout = !strcmp(path, "-");
    stream->spacing[0] = stream->spacing[1] = 1;
    text_shown(path, stream->shown);
    /* Every name the file will have is made now: a signal handler may need it. */
    stream->path = strdup(path);
    stream->temp_size = strlen(path) + 32;
    stream->temp = calloc(1, stream->temp_size);
    if (!stream->path || !stream->temp) {
        image_stream_abort(stream);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory writing '%s'", stream->shown);
    }
    return 0;
}

/* Copies the caller's text: its strings may be gone by the time the file is written. */
int image_stream_set_text(image_stream *stream, const image_text *text, size_t count, failure *f) {
    image_text *copy = count ? calloc(count, sizeof *copy) : NULL;
    if (count && !copy)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory writing '%s'", stream->shown);
    int status = 0;
    for (size_t i = 0; i < count && status == 0; ++i) {
        char *key = text[i].key ? strdup(text[i].key) : NULL;
        char *value = text[i].value ? strdup(text[i].value) : NULL;
        copy[i] = (image_text){key, value};
        if (!key || !value)
            status =
                failure_set(f, text[i].key && text[i].value ? CLR_RUNTIME_ERROR : CLR_USAGE_ERROR,
                            "'%s': %s", stream->shown,
                            text[i].key && text[i].value ? "out of memory"
                                                         : "a text entry without key or value");
    }
    image_text *old = stream->text;
    size_t old_count = stream->text_count;
    stream->text = copy;
    stream->text_count = count;
    if (status != 0) {
        old = copy;
        old_count = count;
        stream->text = NULL;
        stream->text_count = 0;
    }
    for (size_t i = 0; i < old_count; ++i) {
        free((char *)old[i].key);
        free((char *)old[i].value);
    }
    free(old);
    return status;
}

/* 16-bit samples in .pgm and .ppm are big-endian (netpbm's rule): swapped through a small
 * buffer, so that no band is copied whole. */
static int write_big_endian_16(FILE *file, const image *rows) {
    unsigned char buffer[65536];
    const size_t samples = rows->width * rows->height * rows->channels;
    const unsigned char *in = rows->pixels;
    for (size_t done = 0; done < samples;) {
        size_t count = samples - done < sizeof buffer / 2 ? samples - done : sizeof buffer / 2;
        for (size_t i = 0; i < count; ++i) {
            uint16_t v;
            memcpy(&v, in + 2 * (done + i), 2);
            buffer[2 * i] = (unsigned char)(v >> 8);
            buffer[2 * i + 1] = (unsigned char)v;
        }
        if (fwrite(buffer, 2, count, file) != count)
            return -1;
        done += count;
    }
    return 0;
}

static int stream_failed(image_stream *stream, failure *f) {
    failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %s", stream->shown,
                errno ? strerror(errno) : "encoder failed");
    image_stream_abort(stream);
    return f->status;
}

int image_stream_rows(image_stream *stream, const image *rows, write_timings *timings, failure *f) {
    double start = clock_ms();
    if (!stream->file) {
        if (output_format_accepts(stream->path, stream->format, stream->frames, rows->width,
                                  stream->height, rows->channels, rows->sample, f) != 0 ||
            create_temp(stream, f) != 0) {
            image_stream_abort(stream);
            return f->status;
        }
        errno = 0;
        if (write_header(stream, rows) != 0)
            return stream_failed(stream, f);
        if ((stream->format == OUTPUT_PNG &&
             png_stream_open(&stream->png, stream->file, stream->path, stream->width,
                             stream->height, rows->channels,
                             rows->sample == CLR_SAMPLE_U16 ? 16 : 8, stream->compression,
                             stream->text, stream->text_count, f) != 0) ||
            (stream->format == OUTPUT_EXR &&
             exr_writer_open(&stream->exr, stream->file, stream->width, stream->height,
                             rows->channels, stream->text, stream->text_count, f) != 0)) {
            image_stream_abort(stream);
            return f->status;
        }
    }
    size_t row_bytes = image_row_bytes(rows);
    size_t bytes = row_bytes * rows->height;
    errno = 0;
    if (stream->format == OUTPUT_PNG) {
        double encode_start = clock_ms();
        int status = png_stream_rows(stream->png, rows->pixels, rows->height, row_bytes, f);
        timings->encode_ms += clock_ms() - encode_start;
        start += clock_ms() - encode_start; /* not counted twice */
        if (status != 0) {
            image_stream_abort(stream);
            return status;
        }
    } else if (stream->format == OUTPUT_EXR) {
        double encode_start = clock_ms();
        int status = exr_writer_rows(stream->exr, rows, f);
        timings->encode_ms += clock_ms() - encode_start;
        start += clock_ms() - encode_start;
        if (status != 0) {
            image_stream_abort(stream);
            return status;
        }
    } else if ((stream->format == OUTPUT_PGM || stream->format == OUTPUT_PPM) &&
               rows->sample == CLR_SAMPLE_U16) {
        if (write_big_endian_16(stream->file, rows) != 0)
            return stream_failed(stream, f);
    } else if (stream->format == OUTPUT_NPY || stream->format == OUTPUT_MHA) {
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
    if (!stream->file || stream->rows_written != stream->frames * stream->height)
        return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %zu of %zu rows arrived",
                           stream->shown, stream->rows_written, stream->frames * stream->height);
    if (stream->format == OUTPUT_PNG) {
        double start = clock_ms();
        int status = png_stream_finish(stream->png, f);
        png_stream_free(stream->png);
        stream->png = NULL;
        timings->encode_ms += clock_ms() - start;
        if (status != 0) {
            image_stream_abort(stream);
            return status;
        }
    }
    if (stream->format == OUTPUT_EXR) {
        double start = clock_ms();
        int status = exr_writer_finish(stream->exr, f); /* frees it either way */
        stream->exr = NULL;
        timings->encode_ms += clock_ms() - start;
        if (status != 0) {
            image_stream_abort(stream);
            return status;
        }
    }
    /* Everything reaches the file now (a full disk says so here); it stays open, as an
     * unnamed file must until it is linked. */
    double start = clock_ms();
    int flushed = fflush(stream->file) == 0 && !ferror(stream->file);
    timings->write_ms += clock_ms() - start;
    if (!flushed)
        return stream_failed(stream, f);
    if (stream->close_at_finish && !stream->to_stdout) {
        /* Its descriptor is freed now: many files may wait for their commit at once. */
        if (!stream->named && link_temp(stream, f) != 0) {
            image_stream_abort(stream);
            return f->status;
        }
        int closed = fclose(stream->file) == 0;
        stream->file = NULL;
        if (!closed)
            return stream_failed(stream, f);
    }
    stream->finished = true;
    return 0;
}

int image_stream_commit(image_stream *stream, write_timings *timings, failure *f) {
    double start = clock_ms();
    if (!stream->finished || (!stream->file && !stream->named))
        return failure_set(f, CLR_RUNTIME_ERROR, "'%s' is not finished, so it cannot be renamed",
                           stream->shown);
    if (stream->to_stdout) {
        int closed = fclose(stream->file) == 0;
        stream->file = NULL;
        image_stream_abort(stream);
        timings->write_ms += clock_ms() - start;
        return closed ? 0
                      : failure_set(f, CLR_RUNTIME_ERROR, "cannot write to standard output: %s",
                                    strerror(errno));
    }
    if (!stream->named && link_temp(stream, f) != 0) {
        image_stream_abort(stream);
        return f->status;
    }
    int close_failed = stream->file && fclose(stream->file) != 0;
    stream->file = NULL;
    if (close_failed) {
        failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %s", stream->shown, strerror(errno));
        image_stream_abort(stream);
        return f->status;
    }
    if (rename(stream->temp, stream->path) != 0) {
        failure_set(f, CLR_RUNTIME_ERROR, "cannot rename the finished file to '%s': %s",
                    stream->shown, strerror(errno));
        image_stream_abort(stream);
        return f->status;
    }
    stream->named = 0; /* the name is the target's now */
    image_stream_abort(stream);
    timings->write_ms += clock_ms() - start;
    return 0;
}

void image_stream_discard(image_stream *stream) {
    if (stream->named)
        unlink(stream->temp); /* async-signal-safe, as are the reads before it */
}

void image_stream_abort(image_stream *stream) {
    if (stream->file)
        fclose(stream->file);
    if (stream->named && stream->temp)
        unlink(stream->temp);
    stream->named = 0;
    free(stream->temp);
    free(stream->path);
    png_stream_free(stream->png);
    stream->png = NULL;
    exr_writer_abort(stream->exr);
    stream->exr = NULL;
    for (size_t i = 0; i < stream->text_count; ++i) {
        free((char *)stream->text[i].key);
        free((char *)stream->text[i].value);
    }
    free(stream->text);
    stream->text = NULL;
    stream->text_count = 0;
    stream->file = NULL;
    stream->temp = stream->path = NULL;
    stream->finished = false;
}

int image_write_file(const char *path, output_format format, const image *img,
                     png_compression compression, write_timings *timings, failure *f) {
    image_stream stream;
    timings->encode_ms = timings->write_ms = 0;
    if (output_format_accepts(path, format, 1, img->width, img->height, img->channels, img->sample,
                              f) != 0)
        return f->status;
    if (image_stream_open(path, format, 1, img->width, img->height, compression, true, &stream,
                          f) != 0 ||
        image_stream_rows(&stream, img, timings, f) != 0 ||
        image_stream_finish(&stream, timings, f) != 0 ||
        image_stream_commit(&stream, timings, f) != 0) {
        image_stream_abort(&stream);
        return f->status;
    }
    return 0;
}
