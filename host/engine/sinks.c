/* The sinks of a render: the caller's memory, a file, the verifier. */
#define _POSIX_C_SOURCE 200809L
#include "engine/sinks.h"

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

/* Refuses, before any work, what cannot end well: a PNG, which stb encodes whole, larger than
 * this machine's memory, and a file larger than the free space of its filesystem. */
static int check_resources(const char *path, output_format format, const clr_layout *l,
                           unsigned channels, clr_sample sample, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    double file_bytes = (double)l->frames * (double)l->width * (double)l->height * channels *
                        (double)clr_sample_size(sample);
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    double memory = pages > 0 && page_size > 0 ? (double)pages * (double)page_size : 0;
    /* stb holds the image, its filtered rows and the compressed stream at once. */
    if (format == OUTPUT_PNG && memory > 0 && 3 * file_bytes > memory)
        return failure_set(
            f, CLR_RUNTIME_ERROR,
            "a %zux%zu PNG needs about %.1f GiB of memory (it is encoded whole) but "
            "this machine has %.1f GiB; use .pgm, .ppm or .npy, written band by band",
            l->width, l->height, 3 * file_bytes / 1073741824.0, memory / 1073741824.0);
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

clr_sink *clr_sink_file(clr_session *s, const char *path, int compression, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!path || !*path) {
        failure_set(f, CLR_USAGE_ERROR, "empty output file name");
        return NULL;
    }
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
    unsigned channels;
    clr_sample sample;
    if (output_format_from_path(path, &sink->format, f) == 0)
        output_layout(s->r, s->params, l, sink->format, &channels, &sample);
    if (f->status != CLR_OK ||
        output_format_accepts(path, sink->format, l->frames, l->width, l->height, channels, sample,
                              f) != 0 ||
        output_target_check(path, f) != 0 ||
        check_resources(path, sink->format, l, channels, sample, f) != 0 ||
        image_stream_open(path, sink->format, l->frames, l->width, l->height, sink->compression,
                          !s->options.test_named_temp_files, &sink->stream, f) != 0) {
        free(sink);
        return NULL;
    }
    sink->stream_open = true;
    return sink;
}

clr_status clr_sink_commit(clr_sink *sink, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (sink->kind != SINK_FILE)
        return CLR_OK;
    if (!sink->finished)
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s' cannot be committed: no render has completed it",
                           sink->stream.shown);
    write_timings t = {0, 0};
    int status = image_stream_commit(&sink->stream, &t, f);
    sink->stream_open = false;
    sink->finished = false;
    session_add_time(sink->session, &sink->session->timings.write_ms, t.write_ms);
    return status;
}

void clr_sink_discard(clr_sink *sink) {
    if (sink && sink->kind == SINK_FILE)
        image_stream_discard(&sink->stream);
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
    const verify_rule *rule = &sink->session->r->verify;
    *result = (clr_verify_result){.compared = sink->totals.compared,
                                  .differing = sink->totals.differing,
                                  .largest_difference = sink->totals.largest_difference,
                                  .unit = rule->unit,
                                  .integer = rule->integer};
    return CLR_OK;
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
        return 0;
    case SINK_FILE: {
        if (!sink->stream_open)
            return failure_set(f, CLR_USAGE_ERROR,
                               "a file sink takes one render; make a new one for the next");
        /* One buffer for the converted bands, kept for the whole render. */
        unsigned channels;
        clr_sample sample;
        output_layout(sink->session->r, sink->session->params, now, sink->format, &channels,
                      &sample);
        image_free(&sink->converted);
        if (channels == now->channels && sample == now->sample)
            return 0;
        return image_alloc(&sink->converted, now->width, max_rows, channels, sample, f);
    }
    case SINK_VERIFY:
        sink->totals = (verify_totals){0, 0, 0};
        if (sink->reference.pixels && sink->reference.height >= max_rows)
            return 0;
        image_free(&sink->reference);
        return image_alloc(&sink->reference, now->width, max_rows, (unsigned)now->channels,
                           now->sample, f);
    }
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
    case SINK_FILE: {
        image converted = *rows;
        if (sink->converted.pixels) {
            double start = clock_ms();
            converted = image_rows(&sink->converted, 0, rows->height);
            s->r->to_output(s->params, rows, sink->format, &converted);
            session_add_time(s, &s->timings.convert_ms, clock_ms() - start);
        }
        write_timings t = {0, 0};
        int status = image_stream_rows(&sink->stream, &converted, &t, f);
        session_add_time(s, &s->timings.write_ms, t.write_ms);
        if (status != 0)
            sink->stream_open = false; /* the stream dropped its file */
        return status;
    }
    case SINK_VERIFY: {
        image check = image_rows(&sink->reference, 0, rows->height);
        double start = clock_ms();
        s->r->reference(s->params, frame, &check, first_row);
        session_add_time(s, &s->timings.reference_ms, clock_ms() - start);
        verify_compare(&s->r->verify, rows, &check, &sink->totals);
        return 0;
    }
    }
    return 0;
}

int sink_end(clr_sink *sink, failure *f) {
    if (sink->kind != SINK_FILE)
        return 0;
    write_timings t = {0, 0};
    int status = image_stream_finish(&sink->stream, &t, f);
    session_add_time(sink->session, &sink->session->timings.convert_ms, t.encode_ms);
    session_add_time(sink->session, &sink->session->timings.write_ms, t.write_ms);
    if (status != 0) {
        image_stream_abort(&sink->stream);
        sink->stream_open = false;
        return status;
    }
    sink->finished = true;
    return 0;
}

void sink_abort(clr_sink *sink) {
    if (sink->kind == SINK_FILE && sink->stream_open) {
        image_stream_abort(&sink->stream);
        sink->stream_open = false;
        sink->finished = false;
    }
}

void clr_sink_free(clr_sink *sink) {
    if (!sink)
        return;
    if (sink->kind == SINK_FILE)
        image_stream_abort(&sink->stream);
    image_free(&sink->converted);
    image_free(&sink->reference);
    free(sink);
}
