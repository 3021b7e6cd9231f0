#define _POSIX_C_SOURCE 200809L /* fseeko, ftello, pread, O_CLOEXEC */

#include "output/exr.h"

#include <openexr.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- the library's messages ------------------------------------------- */

/* OpenEXRCore prints its errors to stderr unless given a handler. The handler
 * cannot find our state through the context: it is called with the context's
 * lock held, and exr_get_user_data takes that lock again. Each call into the
 * library happens on the caller's thread, so a thread-local buffer holds the
 * first message since the last reset: the cause, before what followed from it. */
static _Thread_local char library_message[200];

static void keep_message(exr_const_context_t context, exr_result_t code, const char *message) {
    (void)context;
    if (library_message[0] == '\0')
        snprintf(library_message, sizeof library_message, "%s",
                 message && *message ? message : exr_get_default_error_message(code));
}

/* The library's message for `code`, its own when it gave one. */
static const char *message_for(exr_result_t code) {
    return library_message[0] ? library_message : exr_get_default_error_message(code);
}

static exr_context_initializer_t quiet_initializer(void) {
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = keep_message;
    return init;
}

/* ---- writing ---------------------------------------------------------- */

struct exr_writer {
    exr_context_t context;
    FILE *file;
    size_t width, height, rows_done;
    unsigned channels;
    size_t chunk_rows;   /* scanlines per chunk: 16 for ZIP */
    float *chunk;        /* rows of the chunk being gathered, interleaved */
    size_t chunk_filled; /* rows in `chunk` */
    exr_encode_pipeline_t encoder;
    bool encoder_ready;
    int write_errno; /* why the last write failed */
};

/* OpenEXRCore writes the header and chunks in order, then goes back for the
 * chunk offset table: it gives an offset with every write. */
static int64_t write_at(exr_const_context_t context, void *user, const void *buffer, uint64_t size,
                        uint64_t offset, exr_stream_error_func_ptr_t error) {
    (void)context, (void)error;
    exr_writer *w = user;
    if (offset > (uint64_t)INT64_MAX || size > (uint64_t)INT64_MAX) {
        w->write_errno = EFBIG;
        return -1;
    }
    off_t at = ftello(w->file);
    if (at < 0 || (uint64_t)at != offset) {
        if (fseeko(w->file, (off_t)offset, SEEK_SET) != 0) {
            w->write_errno = errno;
            return -1;
        }
    }
    errno = 0; /* fwrite need not set it: EIO then */
    if (fwrite(buffer, 1, (size_t)size, w->file) != size) {
        w->write_errno = errno ? errno : EIO;
        return -1;
    }
    return (int64_t)size;
}

/* A failure for `code` from the library while doing `what`. */
static int library_failure(exr_writer *w, exr_result_t code, const char *what, failure *f) {
    if (code == EXR_ERR_WRITE_IO && w && w->write_errno)
        return failure_set(f, CLR_RUNTIME_ERROR, "writing the EXR file: %s",
                           strerror(w->write_errno));
    return failure_set(f, CLR_RUNTIME_ERROR, "EXR %s: %s", what, message_for(code));
}

static void writer_free(exr_writer *w) {
    if (!w)
        return;
    if (w->encoder_ready)
        exr_encoding_destroy(w->context, &w->encoder);
    if (w->context)
        exr_finish(&w->context); /* with our own stream it only frees: the file is the caller's */
    free(w->chunk);
    free(w);
}

void exr_writer_abort(exr_writer *writer) {
    library_message[0] = '\0';
    writer_free(writer);
}

/* The channels are stored sorted by name: B, G, R. */
static const char *const rgb_names[] = {"B", "G", "R"};

/* Where channel `name` lies in an interleaved pixel. */
static int channel_offset(const char *name, unsigned channels) {
    if (channels == 1)
        return strcmp(name, "Y") == 0 ? 0 : -1;
    static const char *const interleaved[] = {"R", "G", "B"};
    for (int c = 0; c < 3; ++c)
        if (strcmp(name, interleaved[c]) == 0)
            return c;
    return -1;
}

static int add_texts(exr_writer *w, const image_text *texts, size_t count, failure *f) {
    for (size_t i = 0; i < count; ++i) {
        const char *key = texts[i].key, *value = texts[i].value;
        char shown[TEXT_SHOWN_SIZE];
        if (!key || !*key || !value)
            return failure_set(f, CLR_USAGE_ERROR, "EXR text %zu has no key or no value", i);
        size_t length = strlen(key);
        if (length > 255)
            return failure_set(f, CLR_USAGE_ERROR,
                               "EXR text key '%s' is longer than EXR allows (255 bytes)",
                               text_shown(key, shown));
        /* A required attribute (channels, dataWindow...) has the same name, or a key came
         * twice: setting it would change the image's layout or drop a text. */
        const exr_attribute_t *existing = NULL;
        if (exr_get_attribute_by_name(w->context, 0, key, &existing) == EXR_ERR_SUCCESS)
            return failure_set(f, CLR_USAGE_ERROR,
                               "EXR text key '%s' is taken (by EXR itself, or given twice)",
                               text_shown(key, shown));
        library_message[0] = '\0';
        exr_result_t rv = EXR_ERR_SUCCESS;
        /* Names over 31 bytes need the "long names" flag, which EXR readers before
         * OpenEXR 1.7 refuse: set it only when a key needs it. */
        if (length > 31)
            rv = exr_set_longname_support(w->context, 1);
        if (rv == EXR_ERR_SUCCESS)
            rv = exr_attr_set_string(w->context, 0, key, value);
        if (rv != EXR_ERR_SUCCESS)
            return failure_set(f, CLR_USAGE_ERROR, "EXR text key '%s': %s", text_shown(key, shown),
                               message_for(rv));
    }
    return 0;
}

int exr_writer_open(exr_writer **writer, FILE *file, size_t width, size_t height, unsigned channels,
                    const image_text *texts, size_t text_count, failure *f) {
    *writer = NULL;
    if (!file || (channels != 1 && channels != 3))
        return failure_set(f, CLR_USAGE_ERROR, "EXR: %u channels (1 or 3 can be written)",
                           channels);
    /* EXR's coordinates are int32, and the library takes a row's bytes as an int32. */
    if (width == 0 || height == 0 || width > INT32_MAX || height > INT32_MAX ||
        width > (size_t)INT32_MAX / (channels * sizeof(float)))
        return failure_set(f, CLR_USAGE_ERROR, "EXR cannot hold an image of %zu x %zu pixels",
                           width, height);
    if (text_count && !texts)
        return failure_set(f, CLR_USAGE_ERROR, "EXR: %zu texts but no array", text_count);

    exr_writer *w = calloc(1, sizeof *w);
    if (!w)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for the EXR writer");
    w->file = file;
    w->width = width, w->height = height, w->channels = channels;

    library_message[0] = '\0';
    exr_context_initializer_t init = quiet_initializer();
    init.user_data = w;
    init.write_fn = write_at;
    /* With our own write function the name only appears in the library's messages. */
    exr_result_t rv = exr_start_write(&w->context, "EXR output", EXR_WRITE_FILE_DIRECTLY, &init);
    int part = 0;
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_add_part(w->context, NULL, EXR_STORAGE_SCANLINE, &part);
    if (rv == EXR_ERR_SUCCESS) /* data and display window (0,0)-(w-1,h-1), increasing y */
        rv = exr_initialize_required_attr_simple(w->context, part, (int32_t)width, (int32_t)height,
                                                 EXR_COMPRESSION_ZIP);
    for (unsigned c = 0; c < channels && rv == EXR_ERR_SUCCESS; ++c)
        /* Perceptual treatment matters only to lossy compression (B44, DWA). */
        rv = exr_add_channel(w->context, part, channels == 1 ? "Y" : rgb_names[c], EXR_PIXEL_FLOAT,
                             EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
    if (rv != EXR_ERR_SUCCESS) {
        library_failure(w, rv, "header", f);
        writer_free(w);
        return (int)f->status;
    }
    int status = add_texts(w, texts, text_count, f);
    if (status) {
        writer_free(w);
        return status;
    }
    int32_t chunk_rows = 0;
    library_message[0] = '\0';
    rv = exr_write_header(w->context);
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_get_scanlines_per_chunk(w->context, part, &chunk_rows);
    if (rv == EXR_ERR_SUCCESS && chunk_rows <= 0)
        rv = EXR_ERR_INVALID_ATTR;
    if (rv != EXR_ERR_SUCCESS) {
        library_failure(w, rv, "header", f);
        writer_free(w);
        return (int)f->status;
    }
    w->chunk_rows = (size_t)chunk_rows;
    size_t rows = w->chunk_rows < height ? w->chunk_rows : height;
    size_t bytes = image_bytes(width, rows, channels, CLR_SAMPLE_F32);
    w->chunk = bytes ? malloc(bytes) : NULL;
    if (!w->chunk) {
        writer_free(w);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu EXR rows of %zu pixels",
                           rows, width);
    }
    *writer = w;
    return 0;
}

/* Encodes and writes the chunk that starts at row `y`, whose rows lie at `rows`. */
static int write_chunk(exr_writer *w, const float *rows, size_t y, failure *f) {
    library_message[0] = '\0';
    exr_chunk_info_t chunk;
    exr_result_t rv = exr_write_scanline_chunk_info(w->context, 0, (int)y, &chunk);
    if (rv == EXR_ERR_SUCCESS) {
        if (!w->encoder_ready) {
            rv = exr_encoding_initialize(w->context, 0, &chunk, &w->encoder);
            w->encoder_ready = rv == EXR_ERR_SUCCESS;
        } else {
            rv = exr_encoding_update(w->context, 0, &chunk, &w->encoder);
        }
    }
    bool first = rv == EXR_ERR_SUCCESS && w->encoder.convert_and_pack_fn == NULL;
    for (int c = 0; c < w->encoder.channel_count && rv == EXR_ERR_SUCCESS; ++c) {
        exr_coding_channel_info_t *channel = &w->encoder.channels[c];
        int offset = channel_offset(channel->channel_name, w->channels);
        if (offset < 0) {
            rv = EXR_ERR_INVALID_ARGUMENT;
            break;
        }
        /* The library reads interleaved rows itself, with these strides. */
        channel->user_bytes_per_element = (int16_t)sizeof(float);
        channel->user_data_type = EXR_PIXEL_FLOAT;
        channel->user_pixel_stride = (int32_t)(w->channels * sizeof(float));
        channel->user_line_stride = (int32_t)(w->width * w->channels * sizeof(float));
        channel->encode_from_ptr = (const uint8_t *)(rows + offset);
    }
    if (rv == EXR_ERR_SUCCESS && first)
        rv = exr_encoding_choose_default_routines(w->context, 0, &w->encoder);
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_encoding_run(w->context, 0, &w->encoder);
    if (rv != EXR_ERR_SUCCESS)
        return library_failure(w, rv, "rows", f);
    return 0;
}

int exr_writer_rows(exr_writer *w, const image *rows, failure *f) {
    if (rows->sample != CLR_SAMPLE_F32 || rows->channels != w->channels || rows->width != w->width)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "EXR rows of %zu pixels of %u channels (float expected: %zu, %u)",
                           rows->width, rows->channels, w->width, w->channels);
    if (rows->height > w->height - w->rows_done)
        return failure_set(f, CLR_RUNTIME_ERROR, "EXR rows beyond the image's %zu", w->height);
    const size_t row_samples = w->width * w->channels;
    const float *next = rows->pixels;
    size_t left = rows->height;
    while (left > 0) {
        size_t chunk_start = w->rows_done - w->chunk_filled;
        size_t chunk_height =
            w->height - chunk_start < w->chunk_rows ? w->height - chunk_start : w->chunk_rows;
        size_t missing = chunk_height - w->chunk_filled;
        int status;
        if (w->chunk_filled == 0 && left >= chunk_height) {
            /* A whole chunk in the caller's rows: encode it from there, without a copy. */
            status = write_chunk(w, next, chunk_start, f);
            next += chunk_height * row_samples;
            left -= chunk_height;
            w->rows_done += chunk_height;
        } else {
            size_t take = left < missing ? left : missing;
            memcpy(w->chunk + w->chunk_filled * row_samples, next,
                   take * row_samples * sizeof(float));
            next += take * row_samples;
            left -= take;
            w->chunk_filled += take;
            w->rows_done += take;
            if (w->chunk_filled < chunk_height)
                break;
            status = write_chunk(w, w->chunk, chunk_start, f);
            w->chunk_filled = 0;
        }
        if (status)
            return status;
    }
    return 0;
}

int exr_writer_finish(exr_writer *w, failure *f) {
    if (w->rows_done != w->height) {
        int status = failure_set(f, CLR_RUNTIME_ERROR, "EXR file finished after %zu of %zu rows",
                                 w->rows_done, w->height);
        exr_writer_abort(w);
        return status;
    }
    /* The last chunk wrote the offset table; exr_finish frees the context. */
    library_message[0] = '\0';
    if (w->encoder_ready) {
        exr_encoding_destroy(w->context, &w->encoder);
        w->encoder_ready = false;
    }
    exr_result_t rv = exr_finish(&w->context);
    int status = rv == EXR_ERR_SUCCESS ? 0 : library_failure(w, rv, "file", f);
    writer_free(w);
    return status;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct exr_source {
    int fd;
    int64_t size;
} exr_source;

static int64_t read_at(exr_const_context_t context, void *user, void *buffer, uint64_t size,
                       uint64_t offset, exr_stream_error_func_ptr_t error) {
    (void)context, (void)error;
    const exr_source *source = user;
    if (offset > (uint64_t)INT64_MAX || size > (uint64_t)SSIZE_MAX)
        return -1;
    uint64_t done = 0;
    while (done < size) {
        ssize_t got =
            pread(source->fd, (char *)buffer + done, (size_t)(size - done), (off_t)(offset + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break; /* the end of the file: a short read, which the library reports */
        done += (uint64_t)got;
    }
    return (int64_t)done;
}

static int64_t source_size(exr_const_context_t context, void *user) {
    (void)context;
    return ((const exr_source *)user)->size;
}

/* Opens `path` for the library: a regular file that starts like an EXR file. */
static int open_source(const char *path, exr_source *source, exr_context_t *context, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
    source->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (source->fd < 0)
        return failure_set(f, CLR_USAGE_ERROR, "cannot open '%s': %s", shown, strerror(errno));
    struct stat st;
    if (fstat(source->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(source->fd);
        return failure_set(f, CLR_USAGE_ERROR, "'%s' is not a regular file", shown);
    }
    source->size = (int64_t)st.st_size;
    unsigned char magic[4];
    exr_source probe = *source;
    if (read_at(NULL, &probe, magic, 4, 0, NULL) != 4 ||
        memcmp(magic, "\x76\x2f\x31\x01", 4) != 0) {
        close(source->fd);
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s' is not an OpenEXR file (it does not start with EXR's magic "
                           "number)",
                           shown);
    }
    library_message[0] = '\0';
    exr_context_initializer_t init = quiet_initializer();
    init.user_data = source;
    init.read_fn = read_at;
    init.size_fn = source_size;
    /* A damaged file is an error to report, not something to patch up. */
    init.flags = EXR_CONTEXT_FLAG_DISABLE_CHUNK_RECONSTRUCTION;
    exr_result_t rv = exr_start_read(context, path, &init);
    if (rv != EXR_ERR_SUCCESS) {
        int status = failure_set(f, CLR_USAGE_ERROR,
                                 "'%s' is not a readable OpenEXR file (damaged or cut short?): %s",
                                 shown, message_for(rv));
        exr_finish(context);
        close(source->fd);
        return status;
    }
    return 0;
}

static void close_source(exr_source *source, exr_context_t *context) {
    exr_finish(context);
    close(source->fd);
}

static const char *compression_name(exr_compression_t compression) {
    static const char *const names[] = {"none",  "rle", "zips", "zip",  "piz",
                                        "pxr24", "b44", "b44a", "dwaa", "dwab"};
    return (unsigned)compression < sizeof names / sizeof *names ? names[compression] : "unknown";
}

/* Width and height of part 0's data window, refused when it is empty or inverted. */
static int data_size(exr_context_t context, const char *shown, size_t *width, size_t *height,
                     failure *f) {
    exr_attr_box2i_t window;
    exr_result_t rv = exr_get_data_window(context, 0, &window);
    if (rv != EXR_ERR_SUCCESS)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': %s", shown, message_for(rv));
    int64_t w = (int64_t)window.max.x - window.min.x + 1;
    int64_t h = (int64_t)window.max.y - window.min.y + 1;
    if (w <= 0 || h <= 0)
        return failure_set(f, CLR_USAGE_ERROR, "'%s' has an empty data window", shown);
    *width = (size_t)w, *height = (size_t)h;
    return 0;
}

static int summarize(exr_context_t context, const char *shown, exr_summary *summary, failure *f) {
    memset(summary, 0, sizeof *summary);
    int status = data_size(context, shown, &summary->width, &summary->height, f);
    if (status)
        return status;
    const exr_attr_chlist_t *list = NULL;
    exr_compression_t compression = EXR_COMPRESSION_NONE;
    exr_result_t rv = exr_get_channels(context, 0, &list);
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_get_compression(context, 0, &compression);
    if (rv != EXR_ERR_SUCCESS || !list)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': %s", shown, message_for(rv));
    summary->channels = (unsigned)list->num_channels;
    size_t used = 0, room = sizeof summary->channel_names;
    for (int c = 0; c < list->num_channels; ++c) {
        const char *name = list->entries[c].name.str ? list->entries[c].name.str : "?";
        size_t need = strlen(name) + (c ? 1 : 0);
        if (used + need + 4 > room) { /* keep room for "..." and the NUL */
            memcpy(summary->channel_names + used, "...", 4);
            break;
        }
        used += (size_t)snprintf(summary->channel_names + used, room - used, "%s%s", c ? " " : "",
                                 name);
    }
    snprintf(summary->compression, sizeof summary->compression, "%s",
             compression_name(compression));
    return 0;
}

/* Checks that every chunk of a scanline image lies inside the file, as the offset table and
 * each chunk's leader say: a file cut short in its pixels is refused, not just its header.
 * This reads 8 bytes a chunk, not the pixels. */
static int check_chunks(exr_context_t context, const char *shown, failure *f) {
    exr_storage_t storage = EXR_STORAGE_LAST_TYPE;
    exr_attr_box2i_t window;
    int32_t chunk_rows = 0;
    exr_result_t rv = exr_get_storage(context, 0, &storage);
    if (rv != EXR_ERR_SUCCESS || storage != EXR_STORAGE_SCANLINE)
        return 0; /* tiled and deep images: their text is still shown */
    rv = exr_get_data_window(context, 0, &window);
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_get_scanlines_per_chunk(context, 0, &chunk_rows);
    if (rv == EXR_ERR_SUCCESS && chunk_rows <= 0)
        rv = EXR_ERR_INVALID_ATTR;
    for (int64_t y = window.min.y; rv == EXR_ERR_SUCCESS && y <= window.max.y; y += chunk_rows) {
        exr_chunk_info_t chunk;
        rv = exr_read_scanline_chunk_info(context, 0, (int)y, &chunk);
    }
    if (rv != EXR_ERR_SUCCESS)
        return failure_set(f, CLR_USAGE_ERROR, "'%s' is damaged or cut short: %s", shown,
                           message_for(rv));
    return 0;
}

int exr_file_read_text(const char *path, exr_summary *summary,
                       void (*each)(void *user, const char *key, const char *value), void *user,
                       failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    exr_source source;
    exr_context_t context = NULL;
    int status = open_source(path, &source, &context, f);
    if (status)
        return status;
    exr_summary ignored;
    status = summarize(context, shown, summary ? summary : &ignored, f);
    if (!status)
        status = check_chunks(context, shown, f);
    int32_t count = 0;
    exr_result_t rv = EXR_ERR_SUCCESS;
    if (!status)
        rv = exr_get_attribute_count(context, 0, &count);
    for (int32_t i = 0; !status && rv == EXR_ERR_SUCCESS && i < count; ++i) {
        const exr_attribute_t *attribute = NULL;
        rv = exr_get_attribute_by_index(context, 0, EXR_ATTR_LIST_FILE_ORDER, i, &attribute);
        if (rv != EXR_ERR_SUCCESS || !attribute || attribute->type != EXR_ATTR_STRING ||
            !attribute->string || strcmp(attribute->name, "name") == 0 ||
            strcmp(attribute->name, "type") == 0)
            continue;
        /* The value as a C string: the file's bytes are counted, not terminated. */
        int32_t length = attribute->string->length > 0 ? attribute->string->length : 0;
        char *value = malloc((size_t)length + 1);
        if (!value) {
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a text of '%s'", shown);
            break;
        }
        if (length)
            memcpy(value, attribute->string->str, (size_t)length);
        value[length] = '\0';
        each(user, attribute->name, value);
        free(value);
    }
    if (!status && rv != EXR_ERR_SUCCESS)
        status = failure_set(f, CLR_USAGE_ERROR, "'%s': %s", shown, message_for(rv));
    close_source(&source, &context);
    return status;
}

/* Checks that the channels are Y, or B, G, R, each one sample per pixel. */
static int check_channels(exr_context_t context, const char *shown, unsigned *channels,
                          failure *f) {
    const exr_attr_chlist_t *list = NULL;
    exr_result_t rv = exr_get_channels(context, 0, &list);
    if (rv != EXR_ERR_SUCCESS || !list)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': %s", shown, message_for(rv));
    unsigned n = (unsigned)list->num_channels;
    bool known = n == 1 || n == 3;
    for (unsigned c = 0; c < n && known; ++c) {
        const exr_attr_chlist_entry_t *entry = &list->entries[c];
        known = entry->name.str && entry->x_sampling == 1 && entry->y_sampling == 1 &&
                strcmp(entry->name.str, n == 1 ? "Y" : rgb_names[c]) == 0;
    }
    if (!known)
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s' has channels other than Y or R, G, B (or subsampled ones)", shown);
    *channels = n;
    return 0;
}

static int read_chunks(exr_context_t context, const char *shown, float *pixels, size_t width,
                       size_t height, unsigned channels, failure *f) {
    exr_attr_box2i_t window;
    int32_t chunk_rows = 0;
    exr_result_t rv = exr_get_data_window(context, 0, &window);
    if (rv == EXR_ERR_SUCCESS)
        rv = exr_get_scanlines_per_chunk(context, 0, &chunk_rows);
    if (rv == EXR_ERR_SUCCESS && chunk_rows <= 0)
        rv = EXR_ERR_INVALID_ATTR;
    exr_decode_pipeline_t decoder = EXR_DECODE_PIPELINE_INITIALIZER;
    bool decoder_ready = false;
    const size_t row_samples = width * channels;
    for (int64_t y = window.min.y; rv == EXR_ERR_SUCCESS && y <= window.max.y; y += chunk_rows) {
        exr_chunk_info_t chunk;
        rv = exr_read_scanline_chunk_info(context, 0, (int)y, &chunk);
        if (rv != EXR_ERR_SUCCESS)
            break;
        if (!decoder_ready) {
            rv = exr_decoding_initialize(context, 0, &chunk, &decoder);
            decoder_ready = rv == EXR_ERR_SUCCESS;
        } else {
            rv = exr_decoding_update(context, 0, &chunk, &decoder);
        }
        /* The chunk's rows, as the file says, must lie inside the image. */
        int64_t first = (int64_t)chunk.start_y - window.min.y;
        if (rv == EXR_ERR_SUCCESS &&
            (first < 0 || chunk.height <= 0 || (uint64_t)first + (uint64_t)chunk.height > height ||
             chunk.width <= 0 || (size_t)chunk.width != width))
            rv = EXR_ERR_CORRUPT_CHUNK;
        for (int c = 0; rv == EXR_ERR_SUCCESS && c < decoder.channel_count; ++c) {
            exr_coding_channel_info_t *channel = &decoder.channels[c];
            int offset = channel_offset(channel->channel_name, channels);
            if (offset < 0) {
                rv = EXR_ERR_INVALID_ARGUMENT;
                break;
            }
            /* Any sample type becomes float, written interleaved straight into `pixels`. */
            channel->user_bytes_per_element = (int16_t)sizeof(float);
            channel->user_data_type = EXR_PIXEL_FLOAT;
            channel->user_pixel_stride = (int32_t)(channels * sizeof(float));
            channel->user_line_stride = (int32_t)(row_samples * sizeof(float));
            channel->decode_to_ptr = (uint8_t *)(pixels + (size_t)first * row_samples + offset);
        }
        if (rv == EXR_ERR_SUCCESS)
            rv = exr_decoding_choose_default_routines(context, 0, &decoder);
        if (rv == EXR_ERR_SUCCESS)
            rv = exr_decoding_run(context, 0, &decoder);
    }
    if (decoder_ready)
        exr_decoding_destroy(context, &decoder);
    if (rv != EXR_ERR_SUCCESS)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': cannot read its pixels: %s", shown,
                           message_for(rv));
    return 0;
}

int exr_file_read_pixels(const char *path, float **pixels, size_t *width, size_t *height,
                         unsigned *channels, failure *f) {
    *pixels = NULL;
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    exr_source source;
    exr_context_t context = NULL;
    int status = open_source(path, &source, &context, f);
    if (status)
        return status;
    exr_storage_t storage = EXR_STORAGE_LAST_TYPE;
    size_t w = 0, h = 0;
    unsigned n = 0;
    float *samples = NULL;
    if (exr_get_storage(context, 0, &storage) != EXR_ERR_SUCCESS || storage != EXR_STORAGE_SCANLINE)
        status =
            failure_set(f, CLR_USAGE_ERROR, "'%s' is not a scanline image (tiled or deep)", shown);
    if (!status)
        status = data_size(context, shown, &w, &h, f);
    if (!status)
        status = check_channels(context, shown, &n, f);
    if (!status) {
        /* The row stride is an int32 for the library; a bad file may claim any size. */
        size_t bytes = image_bytes(w, h, n, CLR_SAMPLE_F32);
        if (bytes == 0 || w > (size_t)INT32_MAX / (n * sizeof(float)))
            status = failure_set(f, CLR_USAGE_ERROR, "'%s' is too large (%zu x %zu)", shown, w, h);
        else if (!(samples = calloc(1, bytes)))
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory for '%s' (%zu x %zu)", shown,
                                 w, h);
    }
    if (!status)
        status = read_chunks(context, shown, samples, w, h, n, f);
    close_source(&source, &context);
    if (status) {
        free(samples);
        return status;
    }
    *pixels = samples, *width = w, *height = h, *channels = n;
    return 0;
}
