/* sequence.h — many frames in one run: `--frames N`, START:END values and %d patterns.
 *
 *     clrender julia --frames 100 --region -1.6,1.6,-1,1:-0.0016,0.0016,-0.001,0.001 \
 *         -o zoom/%03d.png
 *
 * renders 100 frames in one session: the devices are opened and the kernels built once.
 * For frame k of N every parameter given as START:END takes its value at t = k/(N-1)
 * (START when N = 1) through the typed setters, a file sink is made for the pattern's
 * name of k, and that file is rendered and committed before the next frame begins, so
 * an interrupted run leaves every finished frame and no partial one.
 *
 * Interpolation. Frame 0 takes START and frame N-1 takes END exactly as given; between
 * them, in double precision:
 *   - linear (julia --c, xray --first-angle): v = START + t*(END - START), per value;
 *   - a zoom (julia --region), each axis (XMIN,XMAX and YMIN,YMAX) on its own, with
 *     widths w0 (START) and w1 (END) and centres c0, c1 (the mean of the two edges):
 *     w = w0*pow(w1/w0, t), a constant zoom ratio per frame; the centre moves so that its
 *     offset from the end's centre shrinks in proportion to the width,
 *     c = c1 + (c0 - c1)*((w - w1)/(w0 - w1)); the edges are c - w/2 and c + w/2. An
 *     axis whose width does not change (w0 == w1, a pan) moves its edges linearly.
 * tools/frames_bench.py and tests/e2e/render_checks.sh compute the same numbers in Python.
 */
#ifndef CLRENDER_CLI_SEQUENCE_H
#define CLRENDER_CLI_SEQUENCE_H

#include "cli/cli.h"
#include "output/file_pattern.h"

#include <stdbool.h>
#include <stddef.h>

/* At most this many frames in one run; a %0Nd pattern allows 10^N at most. */
#define SEQUENCE_MAX_FRAMES 1000000u
/* The most values one ranged parameter has (julia's region: 4). */
#define SEQUENCE_MAX_VALUES 4
#define SEQUENCE_MAX_PARAMS 4

typedef enum sequence_rule { SEQUENCE_LINEAR, SEQUENCE_ZOOM } sequence_rule;

typedef struct sequence_param {
    const char *name; /* the renderer's parameter ("region"): its table's string */
    sequence_rule rule;
    size_t count; /* values: 1 for a real, the count of a list */
    double start[SEQUENCE_MAX_VALUES], end[SEQUENCE_MAX_VALUES];
} sequence_param;

struct frame_sequence {
    sequence_param params[SEQUENCE_MAX_PARAMS];
    size_t count;
};

/* Whether parameter `name` of `renderer` takes START:END (its rule in *rule, if not NULL). */
bool sequence_takes_range(const char *renderer, const char *name, sequence_rule *rule);

/* "--region, --c" for help: the parameters of `renderer` that take START:END ("" if none). */
void sequence_ranged_names(const char *renderer, char *out, size_t size);

/* Reads `value`, "START:END", of the ranged parameter `name`: each end is set through the
 * session, so the renderer checks it as it checks any value (END first: the session keeps
 * START, the first frame's). *sequence is allocated on first use. */
int sequence_add(frame_sequence **sequence, clr_session *s, const char *renderer, const char *name,
                 const char *value, failure *f);

/* A later plain value of a parameter replaces its START:END. */
void sequence_drop(frame_sequence *sequence, const char *name);
void sequence_free(frame_sequence *sequence);

/* The values of `p` at frame `frame` of `frames` (the rules above). */
void sequence_values(const sequence_param *p, size_t frame, size_t frames, double *values);

/* Sets every ranged parameter of the session to its value at `frame`. */
int sequence_set_frame(clr_session *s, const char *renderer, const frame_sequence *sequence,
                       size_t frame, size_t frames, failure *f);

/* What can be checked of a --frames request before any device is opened: the pattern, the
 * number of files it can name, its directory, START:END only with --frames. Without
 * --frames it needs no `layout` (NULL). */
int sequence_check(const char *renderer, const render_options *o, const clr_layout *layout,
                   failure *f);

/* Checks every frame's values (the renderer's checks of each frame's parameters): before any
 * device is opened. */
int sequence_check_frames(const char *renderer, clr_session *s, const render_options *o,
                          failure *f);

/* Renders frame `frame` of `o` into its file (its verify line starts with `label`, then
 * "frame K: "); whether that file exists (--resume). */
int sequence_render_frame(const char *renderer, clr_session *s, const render_options *o,
                          size_t frame, const char *label, console *out, failure *f);
bool sequence_frame_exists(const render_options *o, size_t frame);

/* Renders the frames of `o` (every one's parameters checked first; with --resume those
 * whose files exist are skipped), one file each; their verify lines start with `label`. */
int sequence_run(const char *renderer, clr_session *s, const render_options *o, const char *label,
                 console *out, failure *f);

#endif
