/* sinks.h — where a render's rows go: the caller's memory, files, a verifier.
 *
 * The scheduler delivers every band of every frame to each sink in order
 * (frame by frame, top to bottom; for clr_render_band(s), the chosen bands in
 * the order given): sink_begin() before the first, sink_rows() for each,
 * sink_end() after the last, sink_abort() when the render failed.
 */
#ifndef CLRENDER_SINKS_H
#define CLRENDER_SINKS_H

#include "engine/session.h"
#include "engine/verify.h"
#include "output/image_writer.h"

typedef enum sink_kind { SINK_MEMORY, SINK_FILE, SINK_VERIFY, SINK_PLACED, SINK_ROWS } sink_kind;

/* The most files one sink writes (one per frame through a %d pattern). */
#define SINK_MAX_FILES 100000

struct clr_sink {
    sink_kind kind;
    clr_session *session;
    clr_layout layout; /* the session's when the sink was made */
    /* memory */
    unsigned char *buffer;
    size_t bytes;
    /* file */
    output_format format;
    png_compression compression;
    image_stream *streams; /* one, or one per frame (a %d pattern) */
    size_t stream_count;
    bool stream_open, finished;
    bool whole_frames; /* the renderer converts whole frames: they are gathered first */
    image frame;       /* the frame being gathered */
    size_t frame_rows; /* its rows gathered so far, from the top */
    image converted;   /* a band (or frame) in the file's layout, when it is not the rendered one */
    /* placed (clr_sink_placed): bands converted and encoded, then handed to write_at */
    clr_write_at write_at;
    void *user;
    char header[IMAGE_RAW_HEADER_MAX];
    size_t header_bytes, placed_row_bytes;
    unsigned char *encoded; /* a band in the file's byte order */
    size_t encoded_bytes;
    /* rows (clr_sink_rows) */
    clr_rows_fn rows_fn;
    /* fed (clr_sink_feed): the next row expected, and the tallest band room was made for */
    size_t fed_frame, fed_row, fed_capacity;
    /* verify */
    bool accumulate; /* clr_render_band(s): the totals run over every band, begun once */
    bool begun;
    verify_rule rule;
    image reference;
    verify_totals totals;
};

/* Checks that the session still has the sink's layout and makes room for
 * bands of up to `max_rows` rows. */
int sink_begin(clr_sink *sink, size_t max_rows, failure *f);
int sink_rows(clr_sink *sink, size_t frame, size_t first_row, const image *rows, failure *f);
int sink_end(clr_sink *sink, failure *f);
void sink_abort(clr_sink *sink);

/* Whether one of `sinks` verifies. */
bool sinks_verify(clr_sink *const *sinks, size_t count);

/* Whether a band of rows [first_row, first_row + rows) of `frame` may go to `sinks` without
 * the rest of its frame: not where a placed sink converts, or a verifier judges, whole frames.
 * Else a usage error in *f. */
int sinks_accept_band(const clr_session *s, clr_sink *const *sinks, size_t count, size_t frame,
                      size_t first_row, size_t rows, failure *f);

#endif
