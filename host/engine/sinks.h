/* sinks.h — where a render's rows go: the caller's memory, a file, a verifier.
 *
 * The scheduler delivers every band of every frame to each sink in order
 * (frame by frame, top to bottom): sink_begin() before the first, sink_rows()
 * for each, sink_end() after the last, sink_abort() when the render failed.
 */
#ifndef CLRENDER_SINKS_H
#define CLRENDER_SINKS_H

#include "engine/session.h"
#include "engine/verify.h"
#include "output/image_writer.h"

typedef enum sink_kind { SINK_MEMORY, SINK_FILE, SINK_VERIFY } sink_kind;

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
    image_stream stream;
    bool stream_open, finished;
    image converted; /* a band in the file's layout, when it is not the rendered one */
    /* verify */
    image reference;
    verify_totals totals;
};

/* Checks that the session still has the sink's layout and makes room for
 * bands of up to `max_rows` rows. */
int sink_begin(clr_sink *sink, size_t max_rows, failure *f);
int sink_rows(clr_sink *sink, size_t frame, size_t first_row, const image *rows, failure *f);
int sink_end(clr_sink *sink, failure *f);
void sink_abort(clr_sink *sink);

#endif
