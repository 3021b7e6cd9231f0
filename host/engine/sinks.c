/* The sinks of a render: the caller's memory, a file, the verifier. */
#define _POSIX_C_SOURCE 200809L
#include "engine/sinks.h"

#include "output/file_pattern.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void clear(failure *f) {
    f->status = CLR_OK;
    f->message[0] = '\0';
}

static clr_sink *new_sink(clr_session *s, sink_kind kind, failure *f) {
    if (session_finish(s, f) != 0)
        return NULL;
    clr_sink *sink = calloc(1, sizeof *sink);
    if (!sink) {
        failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        return NULL;
    }
    sink->kind = kind;
    sink->session = s;
    sink->layout = s->layout;
    return sink;
}

/* ---- Memory --------------------------------------------------------------------------- */

clr_sink *clr_sink_memory(clr_session *s, void *buffer, size_t bytes, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    clr_sink *sink = new_sink(s, SINK_MEMORY, f);
    if (!sink)
        return NULL;
    if (!buffer || bytes < sink->layout.bytes) {
        failure_set(f, CLR_USAGE_ERROR, "the buffer holds %zu bytes; the render needs %zu", bytes,
                    sink->layout.bytes);
        free(sink);
        return NULL;
    }
    sink->buffer = buffer;
    sink->bytes = bytes;
    return sink;
}

/* ---- Files ------------------------------------------------------------------------------- */

/* The layout of what the renderer stores in `format`. */
static void output_layout(const renderer *r, const void *params, const clr_layout *raw,
                          output_format format, unsigned *channels, clr_sample *sample) {
    *channels = (unsigned)raw->channels;
    *sample = raw->sample;
    if (r->output_layout)
        r->output_layout(params, format, channels, sample);
}

/* Refuses, before any work, a file larger than the free space of its filesystem. */
static int check_resources(const char *path, output_format format, const clr_layout *l,
                           unsigned channels, clr_sample sample, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    (void)format;
    double file_bytes = (double)l->frames * (double)l->width * (double)l->height * channels *
                        (double)clr_sample_size(sample);
    char dir[4096];
    output_directory(path, dir, sizeof dir);
    struct statvfs fs;
    if (statvfs(dir, &fs) == 0) {
        double free_bytes = (double)fs.f_bavail * (double)fs.f_frsize;
        /* A PNG is at most a little larger than its raw samples. */
        if (file_bytes * 1.01 + 4096 > free_bytes)
            return failure_set(f, CLR_RUNTIME_ERROR,
                               "'%s' needs up to %.1f MiB but its filesystem has %.1f MiB free",
                               text_shown(path, shown), file_bytes / 1048576.0,
                               free_bytes / 1048576.0);
    }
    return 0;
}

static void free_streams(clr_sink *sink) {
    for (size_t i = 0; i < sink->stream_count; ++i)
        image_stream_abort(&sink->streams[i]);
    free(sink->streams);
    sink->streams = NULL;
    sink->stream_count = 0;
}

/* Opens the sink's streams: one for `path`, or one per frame when it is a pattern. */
static int open_streams(clr_sink *sink, const char *path, bool pattern, unsigned channels,
                        clr_sample sample, failure *f) {
    clr_session *s = sink->session;
    const clr_layout *l = &sink->layout;
    char shown[TEXT_SHOWN_SIZE];
    if (pattern && l->frames > SINK_MAX_FILES)
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': %zu frames would be as many files, more than %d; use "
                           ".npy or .mha",
                           text_shown(path, shown), l->frames, SINK_MAX_FILES);
    size_t count = pattern ? l->frames : 1;
    sink->streams = calloc(count, sizeof *sink->streams);
    if (!sink->streams)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu files", count);
    double spacing[2] = {1, 1}, origin[2] = {0, 0};
    if (s->r->pixel_geometry)
        s->r->pixel_geometry(s->params, spacing, origin);
    for (size_t i = 0; i < count; ++i) {
        char *name = pattern ? output_pattern_name(path, i) : strdup(path);
        if (!name)
            return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu files", count);
        image_stream *stream = &sink->streams[i];
        int status = output_format_accepts(name, sink->format, pattern ? 1 : l->frames, l->width,
                                           l->height, channels, sample, f);
        if (status == 0 && strcmp(name, "-") != 0)
            status = output_target_check(name, f);
        if (status == 0)
            status =
                image_stream_open(name, sink->format, pattern ? 1 : l->frames, l->width, l->height,
                                  sink->compression, !s->options.test_named_temp_files, stream, f);
        free(name);
        if (status != 0)
            return status;
        sink->stream_count = i + 1;
        /* Many finished files wait for their commit: their descriptors are closed meanwhile. */
        stream->close_at_finish = count > 16;
        memcpy(stream->spacing, spacing, sizeof spacing);
        memcpy(stream->origin, origin, sizeof origin);
    }
    return 0;
}

/* A file sink, or with `stdout_format` a sink to standard output in that format. */
static clr_sink *file_sink(clr_session *s, const char *path, const char *stdout_format,
                           int compression, failure *f) {
    if (compression < 0 || compression > 2) {
        failure_set(f, CLR_USAGE_ERROR, "PNG compression %d: expected 0 default, 1 fast, 2 best",
                    compression);
        return NULL;
    }
    clr_sink *sink = new_sink(s, SINK_FILE, f);
    if (!sink)
        return NULL;
    static const png_compression levels[] = {PNG_DEFAULT, PNG_FAST, PNG_BEST};
    sink->compression = levels[compression];
    const clr_layout *l = &sink->layout;
    unsigned channels = 1;
    clr_sample sample = CLR_SAMPLE_U8;
    output_pattern pattern = {0};
    if (stdout_format ? output_format_from_name(stdout_format, &sink->format, f) == 0
                      : output_pattern_read(path, &pattern, f) == 0 &&
                            output_format_from_path(path, &sink->format, f) == 0)
        output_layout(s->r, s->params, l, sink->format, &channels, &sample);
    if (f->status != CLR_OK ||
        open_streams(sink, path, pattern.numbered, channels, sample, f) != 0 ||
        (!stdout_format &&
         check_resources(sink->streams[0].path, sink->format, l, channels, sample, f) != 0)) {
        clr_sink_free(sink);
        return NULL;
    }
    sink->whole_frames =
        s->r->output_whole_frames && s->r->output_whole_frames(s->params, sink->format);
    sink->stream_open = true;
    return sink;
}

clr_sink *clr_sink_file(clr_session *s, const char *path, int compression, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!path || !*path) {
        failure_set(f, CLR_USAGE_ERROR, "empty output file name");
        return NULL;
    }
    if (!strcmp(path, "-")) {
        failure_set(f, CLR_USAGE_ERROR,
                    "output '-' is standard output: name its format (clr_sink_stdout)");
        return NULL;
    }
    return file_sink(s, path, NULL, compression, f);
}

clr_sink *clr_sink_stdout(clr_session *s, const char *format, int compression, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!format) {
        failure_set(f, CLR_USAGE_ERROR,
                    "standard output needs a format: png, pgm, ppm, npy or mha");
        return NULL;
    }
    return file_sink(s, "-", format, compression, f);
}

clr_status clr_sink_commit(clr_sink *sink, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (sink->kind != SINK_FILE)
        return CLR_OK;
    if (!sink->finished)
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s' cannot be committed: no render has completed it",
                           sink->streams ? sink->streams[0].shown : "");
    write_timings t = {0, 0};
    int status = 0;
    for (size_t i = 0; i < sink->stream_count && status == 0; ++i)
        status = image_stream_commit(&sink->streams[i], &t, f);
    sink->stream_open = false;
    sink->finished = false;
    session_add_time(sink->session, &sink->session->timings.write_ms, t.write_ms);
    return status;
}

clr_status clr_sink_set_text(clr_sink *sink, const char *const *keys, const char *const *values,
                             size_t count, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!sink || sink->kind != SINK_FILE)
        return failure_set(f, CLR_USAGE_ERROR, "text goes into the files of a file sink");
    if (count && (!keys || !values))
        return failure_set(f, CLR_USAGE_ERROR, "%zu text entries without keys or values", count);
    image_text *text = calloc(count ? count : 1, sizeof *text);
    if (!text)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    for (size_t i = 0; i < count; ++i)
        text[i] = (image_text){keys[i], values[i]};
    int status = 0;
    for (size_t i = 0; i < sink->stream_count && status == 0; ++i)
        status = image_stream_set_text(&sink->streams[i], text, count, f);
    free(text);
    return status;
}

size_t clr_sink_file_count(const clr_sink *sink) {
    return sink && sink->kind == SINK_FILE ? sink->stream_count : 0;
}

const char *clr_sink_file_path(const clr_sink *sink, size_t index) {
    return index < clr_sink_file_count(sink) ? sink->streams[index].path : NULL;
}

void clr_sink_discard(clr_sink *sink) {
    if (sink && sink->kind == SINK_FILE)
        for (size_t i = 0; i < sink->stream_count; ++i)
            image_stream_discard(&sink->streams[i]);
}

/* ---- Placed rows ------------------------------------------------------------------------- */

clr_sink *clr_sink_placed(clr_session *s, const char *format, clr_write_at write_at, void *user,
                          uint64_t *file_bytes, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!format || !write_at) {
        failure_set(f, CLR_USAGE_ERROR, "a placed sink needs a format and a write_at function");
        return NULL;
    }
    clr_sink *sink = new_sink(s, SINK_PLACED, f);
    if (!sink)
        return NULL;
    const clr_layout *l = &sink->layout;
    unsigned channels = 1;
    clr_sample sample = CLR_SAMPLE_U8;
    if (output_format_from_name(format, &sink->format, f) != 0)
        goto failed;
    if (sink->format != OUTPUT_NPY && sink->format != OUTPUT_PGM && sink->format != OUTPUT_PPM &&
        sink->format != OUTPUT_MHA) {
        failure_set(f, CLR_USAGE_ERROR,
                    "format '%s' cannot be written in place: only npy, pgm, ppm and mha have rows "
                    "at fixed offsets",
                    format);
        goto failed;
    }
    /* A conversion that needs a whole frame (an X-ray window) gathers each frame first: the
     * bands given to such a sink must be whole frames (clr_band_whole_frames). */
    sink->whole_frames =
        s->r->output_whole_frames && s->r->output_whole_frames(s->params, sink->format);
    output_layout(s->r, s->params, l, sink->format, &channels, &sample);
    if (output_format_accepts(format, sink->format, l->frames, l->width, l->height, channels,
                              sample, f) != 0)
        goto failed;
    double spacing[2] = {1, 1}, origin[2] = {0, 0};
    if (s->r->pixel_geometry)
        s->r->pixel_geometry(s->params, spacing, origin);
    sink->header_bytes =
        image_raw_header(sink->format, l->frames, l->width, l->height, channels, sample, spacing,
                         origin, sink->header, sizeof sink->header);
    if (!sink->header_bytes) {
        failure_set(f, CLR_RUNTIME_ERROR, "internal error: the %s header does not fit", format);
        goto failed;
    }
    sink->placed_row_bytes = l->width * channels * clr_sample_size(sample);
    sink->write_at = write_at;
    sink->user = user;
    if (file_bytes)
        *file_bytes =
            sink->header_bytes + (uint64_t)l->frames * l->height * (uint64_t)sink->placed_row_bytes;
    return sink;
failed:
    clr_sink_free(sink);
    return NULL;
}

/* Converts and encodes a band, and hands it (with the header, for the first) to write_at. */
static int place_rows(clr_sink *sink, size_t frame, size_t first_row, const image *rows,
                      failure *f) {
    clr_session *s = sink->session;
    const clr_layout *l = &sink->layout;
    double start = clock_ms();
    image converted = *rows;
    if (sink->converted.pixels) {
        converted = image_rows(&sink->converted, 0, rows->height);
        s->r->to_output(s->params, rows, sink->format, &converted);
    }
    image_raw_encode(sink->format, &converted, sink->encoded);
    session_add_time(s, &s->timings.convert_ms, clock_ms() - start);
    start = clock_ms();
    char message[CLR_MESSAGE_SIZE] = "";
    uint64_t offset = sink->header_bytes +
                      ((uint64_t)frame * l->height + first_row) * (uint64_t)sink->placed_row_bytes;
    int status = frame == 0 && first_row == 0
                     ? sink->write_at(sink->user, 0, sink->header, sink->header_bytes, message)
                     : 0;
    if (status == 0)
        status = sink->write_at(sink->user, offset, sink->encoded,
                                rows->height * sink->placed_row_bytes, message);
    session_add_time(s, &s->timings.write_ms, clock_ms() - start);
    if (status != 0)
        return failure_set(f, CLR_RUNTIME_ERROR, "%s",
                           message[0] ? message : "writing rows in place failed");
    return 0;
}

/* ---- Rows handed to the caller, rows fed by the caller ----------------------------------- */

clr_sink *clr_sink_rows(clr_session *s, clr_rows_fn rows, void *user, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!rows) {
        failure_set(f, CLR_USAGE_ERROR, "a rows sink needs a function to take the rows");
        return NULL;
    }
    clr_sink *sink = new_sink(s, SINK_ROWS, f);
    if (sink)
        sink->rows_fn = rows, sink->user = user;
    return sink;
}

clr_status clr_sink_feed(clr_sink *sink, size_t frame, size_t first_row, size_t rows,
                         const void *samples, size_t bytes, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!sink || sink->kind != SINK_FILE)
        return failure_set(f, CLR_USAGE_ERROR, "rows are fed to file sinks only");
    const clr_layout *l = &sink->layout;
    const size_t row_bytes = l->width * l->channels * clr_sample_size(l->sample);
    if (frame != sink->fed_frame || first_row != sink->fed_row || rows == 0 ||
        rows > l->height - first_row || bytes != rows * row_bytes)
        return failure_set(f, CLR_USAGE_ERROR,
                           "fed rows %zu to %zu of frame %zu (%zu bytes); the file needs rows "
                           "from %zu of frame %zu next, %zu bytes a row",
                           first_row, first_row + rows, frame, bytes, sink->fed_row,
                           sink->fed_frame, row_bytes);
    /* Room for the conversion of the tallest band so far (the sink converts band by band:
     * nothing held is lost when the room grows). A sink that gathers whole frames makes room
     * for one at the first rows, and never again: that room holds the frame gathered so far. */
    if (sink->whole_frames ? sink->fed_capacity == 0 : rows > sink->fed_capacity) {
        if (sink_begin(sink, rows, f) != 0)
            return f->status;
        sink->fed_capacity = rows;
    }
    image band = {l->width, rows, (unsigned)l->channels, l->sample, (void *)samples};
    if (sink_rows(sink, frame, first_row, &band, f) != 0) {
        sink_abort(sink);
        return f->status;
    }
    sink->fed_row += rows;
    if (sink->fed_row == l->height)
        ++sink->fed_frame, sink->fed_row = 0;
    if (sink->fed_frame == l->frames && sink_end(sink, f) != 0)
        return f->status;
    return CLR_OK;
}

/* ---- Verification ------------------------------------------------------------------------ */

clr_sink *clr_sink_verify(clr_session *s, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (s->options.reference) {
        failure_set(f, CLR_USAGE_ERROR,
                    "--verify compares the device with the reference; drop --backend reference");
        return NULL;
    }
    return new_sink(s, SINK_VERIFY, f);
}

clr_status clr_sink_verify_result(const clr_sink *sink, clr_verify_result *result,
                                  clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (sink->kind != SINK_VERIFY)
        return failure_set(f, CLR_USAGE_ERROR, "not a verify sink");
    verify_rule rule = renderer_verify_rule(sink->session->r, sink->session->params);
    verify_result(&rule, &sink->totals, result);
    return CLR_OK;
}

bool sinks_verify(clr_sink *const *sinks, size_t count) {
    for (size_t i = 0; i < count; ++i)
        if (sinks[i]->kind == SINK_VERIFY)
            return true;
    return false;
}

/* ---- Bands of a render spread over processes ------------------------------------------- */

/* Whether the renderer judges each frame against its own largest value: no band of a frame
 * can be verified apart from the others. */
static bool verifies_whole_frames(const clr_session *s) {
    return renderer_verify_rule(s->r, s->params).relative_to_frame_max;
}

clr_status clr_band_whole_frames(clr_session *s, const char *output, int verify, int *whole,
                                 clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    *whole = 0;
    if (session_finish(s, f) != 0)
        return f->status;
    output_format parsed;
    if (output && output_format_from_path(output, &parsed, f) != 0)
        return f->status;
    *whole =
        (output && s->r->output_whole_frames && s->r->output_whole_frames(s->params, parsed)) ||
        (verify && verifies_whole_frames(s));
    return CLR_OK;
}

int sinks_accept_band(const clr_session *s, clr_sink *const *sinks, size_t count, size_t frame,
                      size_t first_row, size_t rows, failure *f) {
    const bool whole_frame = first_row == 0 && rows == s->layout.height;
    for (size_t i = 0; i < count && !whole_frame; ++i) {
        const clr_sink *sink = sinks[i];
        if (sink->kind == SINK_PLACED && sink->whole_frames)
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s converts whole frames for this format: a band of rows %zu "
                               "to %zu of frame %zu cannot be written alone "
                               "(clr_band_whole_frames)",
                               s->r->name, first_row, first_row + rows, frame);
        if (sink->kind == SINK_VERIFY && verifies_whole_frames(s))
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s verifies each frame against its largest value: a band of "
                               "rows %zu to %zu of frame %zu cannot be verified alone "
                               "(clr_band_whole_frames)",
                               s->r->name, first_row, first_row + rows, frame);
    }
    return 0;
}

/* ---- The scheduler's side ------------------------------------------------------------ */

int sink_begin(clr_sink *sink, size_t max_rows, failure *f) {
    const clr_layout *now = &sink->session->layout, *then = &sink->layout;
    if (now->frames != then->frames || now->width != then->width || now->height != then->height ||
        now->channels != then->channels || now->sample != then->sample)
        return failure_set(f, CLR_USAGE_ERROR,
                           "the parameters changed the image's layout since this sink was made");
    switch (sink->kind) {
    case SINK_MEMORY:
    case SINK_ROWS:
        return 0;
    case SINK_FILE: {
        if (!sink->stream_open)
            return failure_set(f, CLR_USAGE_ERROR,
                               "a file sink takes one render; make a new one for the next");
        /* Buffers for the whole render: a frame gathered, bands (or frames) converted. */
        unsigned channels;
        clr_sample sample;
        output_layout(sink->session->r, sink->session->params, now, sink->format, &channels,
                      &sample);
        image_free(&sink->converted);
        image_free(&sink->frame);
        size_t rows = sink->whole_frames ? now->height : max_rows;
        if (sink->whole_frames && image_alloc(&sink->frame, now->width, now->height,
                                              (unsigned)now->channels, now->sample, f) != 0)
            return f->status;
        if (channels == now->channels && sample == now->sample)
            return 0;
        return image_alloc(&sink->converted, now->width, rows, channels, sample, f);
    }
    case SINK_PLACED: {
        unsigned channels;
        clr_sample sample;
        output_layout(sink->session->r, sink->session->params, now, sink->format, &channels,
                      &sample);
        if (sink->whole_frames) {
            max_rows = now->height;
            if (!sink->frame.pixels && image_alloc(&sink->frame, now->width, now->height,
                                                   (unsigned)now->channels, now->sample, f) != 0)
                return f->status;
        }
        size_t bytes = max_rows * sink->placed_row_bytes;
        if (bytes > sink->encoded_bytes) {
            free(sink->encoded);
            sink->encoded_bytes = 0;
            if (!(sink->encoded = malloc(bytes ? bytes : 1)))
                return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a band of %zu bytes",
                                   bytes);
            sink->encoded_bytes = bytes;
        }
        if (channels == now->channels && sample == now->sample)
            return 0;
        if (sink->converted.pixels && sink->converted.height >= max_rows)
            return 0;
        image_free(&sink->converted);
        return image_alloc(&sink->converted, now->width, max_rows, channels, sample, f);
    }
    case SINK_VERIFY:
        sink->rule = renderer_verify_rule(sink->session->r, sink->session->params);
        if (!(sink->accumulate && sink->begun) &&
            verify_begin(&sink->rule, now->width * now->height * now->channels, &sink->totals, f) !=
                0)
            return f->status;
        sink->begun = true;
        if (sink->reference.pixels && sink->reference.height >= max_rows)
            return 0;
        image_free(&sink->reference);
        return image_alloc(&sink->reference, now->width, max_rows, (unsigned)now->channels,
                           now->sample, f);
    }
    return 0;
}

/* Writes rows of `frame` (a whole frame when the sink gathers them) to its file. */
static int write_rows(clr_sink *sink, size_t frame, size_t first_row, const image *rows,
                      failure *f) {
    clr_session *s = sink->session;
    image converted = *rows;
    if (sink->converted.pixels) {
        double start = clock_ms();
        converted = image_rows(&sink->converted, 0, rows->height);
        s->r->to_output(s->params, rows, sink->format, &converted);
        session_add_time(s, &s->timings.convert_ms, clock_ms() - start);
    }
    const bool per_frame = sink->stream_count > 1;
    image_stream *stream = &sink->streams[per_frame ? frame : 0];
    write_timings t = {0, 0};
    int status = image_stream_rows(stream, &converted, &t, f);
    /* One file per frame: each is finished as soon as its frame is. */
    if (status == 0 && per_frame && first_row + rows->height == sink->layout.height)
        status = image_stream_finish(stream, &t, f);
    session_add_time(s, &s->timings.convert_ms, t.encode_ms);
    session_add_time(s, &s->timings.write_ms, t.write_ms);
    if (status != 0)
        sink->stream_open = false; /* the stream dropped its file */
    return status;
}

/* Copies a band into the frame being gathered; sink->frame_rows says how much of it is there.
 * A frame's rows must come in order and from its first (a band of another process's render
 * given to a placed sink that converts whole frames would leave a hole). */
static int gather_frame(clr_sink *sink, size_t frame, size_t first_row, const image *rows,
                        failure *f) {
    if (first_row == 0)
        sink->frame_rows = 0;
    if (first_row != sink->frame_rows)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s converts whole frames for this format: rows %zu to %zu of frame "
                           "%zu came without the rows above them (bands must be whole frames: "
                           "clr_band_whole_frames)",
                           sink->session->r->name, first_row, first_row + rows->height, frame);
    size_t row_bytes = image_row_bytes(rows);
    memcpy((unsigned char *)sink->frame.pixels + first_row * row_bytes, rows->pixels,
           rows->height * row_bytes);
    sink->frame_rows = first_row + rows->height;
    return 0;
}

int sink_rows(clr_sink *sink, size_t frame, size_t first_row, const image *rows, failure *f) {
    clr_session *s = sink->session;
    const clr_layout *l = &sink->layout;
    switch (sink->kind) {
    case SINK_MEMORY: {
        size_t row_bytes = image_row_bytes(rows);
        unsigned char *target = sink->buffer + (frame * l->height + first_row) * row_bytes;
        if (target != rows->pixels) /* else the device wrote there itself */
            memcpy(target, rows->pixels, rows->height * row_bytes);
        return 0;
    }
    case SINK_FILE:
    case SINK_PLACED: {
        /* A file streams its rows; a placed sink hands them to write_at. Either converts whole
         * frames, when its renderer needs them, once it has gathered one. */
        int (*put)(clr_sink *, size_t, size_t, const image *, failure *) =
            sink->kind == SINK_FILE ? write_rows : place_rows;
        if (!sink->whole_frames)
            return put(sink, frame, first_row, rows, f);
        if (gather_frame(sink, frame, first_row, rows, f) != 0)
            return f->status;
        return sink->frame_rows < l->height ? 0 : put(sink, frame, 0, &sink->frame, f);
    }
    case SINK_ROWS: {
        char message[CLR_MESSAGE_SIZE] = "";
        if (sink->rows_fn(sink->user, frame, first_row, rows->height, rows->pixels,
                          image_row_bytes(rows) * rows->height, message) != 0)
            return failure_set(f, CLR_RUNTIME_ERROR, "%s",
                               message[0] ? message : "the rows could not be taken");
        return 0;
    }
    case SINK_VERIFY: {
        image check = image_rows(&sink->reference, 0, rows->height);
        double start = clock_ms();
        s->r->reference(s->params, frame, &check, first_row);
        session_add_time(s, &s->timings.reference_ms, clock_ms() - start);
        verify_compare(&sink->rule, rows, &check, first_row, l->height, &sink->totals);
        return 0;
    }
    }
    return 0;
}

int sink_end(clr_sink *sink, failure *f) {
    if (sink->kind != SINK_FILE)
        return 0;
    write_timings t = {0, 0};
    int status = 0;
    for (size_t i = 0; i < sink->stream_count && status == 0; ++i)
        if (!sink->streams[i].finished)
            status = image_stream_finish(&sink->streams[i], &t, f);
    session_add_time(sink->session, &sink->session->timings.convert_ms, t.encode_ms);
    session_add_time(sink->session, &sink->session->timings.write_ms, t.write_ms);
    if (status != 0) {
        sink_abort(sink);
        return status;
    }
    sink->finished = true;
    return 0;
}

void sink_abort(clr_sink *sink) {
    if (sink->kind == SINK_FILE && sink->stream_open) {
        for (size_t i = 0; i < sink->stream_count; ++i)
            image_stream_abort(&sink->streams[i]);
        sink->stream_open = false;
        sink->finished = false;
    }
}

void clr_sink_free(clr_sink *sink) {
    if (!sink)
        return;
    free_streams(sink);
    image_free(&sink->converted);
    image_free(&sink->frame);
    image_free(&sink->reference);
    free(sink->encoded);
    verify_free(&sink->totals);
    free(sink);
}
