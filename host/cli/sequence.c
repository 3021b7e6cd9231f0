/* Many frames in one run: START:END values, their interpolation, %d patterns and the loop
 * that renders the frames (sequence.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/sequence.h"
#include "output/image_writer.h"
#include "util/values.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The parameters that take START:END: those a sequence of pictures moves smoothly. Sphere
 * has none (its camera is in the scene file, not an option). */
static const struct ranged_param {
    const char *renderer, *name;
    sequence_rule rule;
} ranged_params[] = {
    {"julia", "region", SEQUENCE_ZOOM},
    {"julia", "c", SEQUENCE_LINEAR},
    {"xray", "first-angle", SEQUENCE_LINEAR},
};
#define RANGED_COUNT (sizeof ranged_params / sizeof ranged_params[0])

bool sequence_takes_range(const char *renderer, const char *name, sequence_rule *rule) {
    for (size_t i = 0; i < RANGED_COUNT; ++i)
        if (!strcmp(ranged_params[i].renderer, renderer) && !strcmp(ranged_params[i].name, name)) {
            if (rule)
                *rule = ranged_params[i].rule;
            return true;
        }
    return false;
}

void sequence_ranged_names(const char *renderer, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < RANGED_COUNT && used < size; ++i)
        if (!strcmp(ranged_params[i].renderer, renderer))
            used += (size_t)snprintf(
                out + used, size - used, "%s--%s%s", used ? ", " : "", ranged_params[i].name,
                ranged_params[i].rule == SEQUENCE_ZOOM ? " (a zoom: the same ratio every frame)"
                                                       : "");
}

/* The renderer's own name string of parameter `name`, which outlives any run (NULL when
 * there is none), and in *count how many numbers it holds: 1 for a real, a list's length. */
static const char *table_name(const char *renderer, const char *name, size_t *count) {
    for (size_t i = 0; i < clr_renderer_param_count(renderer); ++i) {
        clr_param_info info;
        if (clr_renderer_param(renderer, i, &info, NULL) == CLR_OK && !strcmp(info.name, name)) {
            *count = info.type == CLR_PARAM_REALS ? info.count : 1;
            return info.name;
        }
    }
    return NULL;
}

/* The reason in a message of clr_set(), "--NAME 'TEXT': REASON": the caller names the value. */
static const char *reason_of(const char *message, const char *name, const char *text) {
    char prefix[TEXT_SHOWN_SIZE + 128], shown[TEXT_SHOWN_SIZE];
    snprintf(prefix, sizeof prefix, "--%s '%s': ", name, text_shown(text, shown));
    return strncmp(message, prefix, strlen(prefix)) ? message : message + strlen(prefix);
}

/* Sets one end of a START:END value through the session (the renderer's own checks) and
 * reads its numbers. */
static int set_end(clr_session *s, const char *name, const char *text, const char *which,
                   const char *value, size_t count, double *numbers, failure *f) {
    clr_error e;
    char shown[TEXT_SHOWN_SIZE], why[256];
    if (clr_set(s, name, text, &e) != CLR_OK)
        return failure_set(f, e.status, "--%s '%s': %s: %s", name, text_shown(value, shown), which,
                           reason_of(e.message, name, text));
    /* The session accepted it, so its own parsers (the same ones) read it. */
    int parsed = count == 1 ? parse_finite_double(text, numbers, why, sizeof why)
                            : parse_double_list(text, numbers, count, why, sizeof why);
    if (parsed != 0)
        return failure_set(f, CLR_USAGE_ERROR, "--%s '%s': %s: %s", name, text_shown(value, shown),
                           which, why);
    return 0;
}

int sequence_add(frame_sequence **sequence, clr_session *s, const char *renderer, const char *name,
                 const char *value, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    sequence_rule rule;
    size_t count = 0;
    const char *kept_name = table_name(renderer, name, &count);
    if (!kept_name || !sequence_takes_range(renderer, name, &rule) || count > SEQUENCE_MAX_VALUES)
        return failure_set(f, CLR_USAGE_ERROR, "--%s takes no START:END", name);
    const char *colon = strchr(value, ':');
    if (!colon || strchr(colon + 1, ':'))
        return failure_set(f, CLR_USAGE_ERROR, "--%s '%s': expected START:END, with one ':'", name,
                           text_shown(value, shown));
    if (colon == value || !colon[1])
        return failure_set(f, CLR_USAGE_ERROR,
                           "--%s '%s': START:END needs both values, the first frame's and the "
                           "last's",
                           name, text_shown(value, shown));
    char *start = strndup(value, (size_t)(colon - value));
    if (!start)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    sequence_param p = {.name = kept_name, .rule = rule, .count = count};
    /* END first: the session keeps START, the first frame's value. */
    int status = set_end(s, name, colon + 1, "END", value, count, p.end, f);
    if (status == 0)
        status = set_end(s, name, start, "START", value, count, p.start, f);
    free(start);
    if (status != 0)
        return status;
    if (!*sequence && !(*sequence = calloc(1, sizeof **sequence)))
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    sequence_drop(*sequence, name); /* given twice: the last one counts, as for any option */
    if ((*sequence)->count == SEQUENCE_MAX_PARAMS)
        return failure_set(f, CLR_USAGE_ERROR, "more than %d options take START:END",
                           SEQUENCE_MAX_PARAMS);
    (*sequence)->params[(*sequence)->count++] = p;
    return 0;
}

void sequence_drop(frame_sequence *sequence, const char *name) {
    if (!sequence)
        return;
    for (size_t i = 0; i < sequence->count; ++i)
        if (!strcmp(sequence->params[i].name, name)) {
            memmove(&sequence->params[i], &sequence->params[i + 1],
                    (sequence->count - i - 1) * sizeof sequence->params[0]);
            --sequence->count;
            return;
        }
}

void sequence_free(frame_sequence *sequence) {
    free(sequence);
}

void sequence_values(const sequence_param *p, size_t frame, size_t frames, double *values) {
    /* The ends are exactly what was given, whatever rounding the formulas bring. */
    if (frame == 0 || frames < 2) {
        memcpy(values, p->start, p->count * sizeof *values);
        return;
    }
    if (frame >= frames - 1) {
        memcpy(values, p->end, p->count * sizeof *values);
        return;
    }
    const double t = (double)frame / (double)(frames - 1);
    for (size_t i = 0; i < p->count; ++i)
        values[i] = p->start[i] + t * (p->end[i] - p->start[i]);
    if (p->rule != SEQUENCE_ZOOM)
        return;
    /* A zoom looks steady when every frame magnifies by the same ratio: the width is
     * geometric in t, and the centre follows the width, so the view converges on the end
     * region instead of sliding past it. A pan (equal widths) stays linear. */
    for (size_t axis = 0; axis + 1 < p->count; axis += 2) {
        const double lo0 = p->start[axis], hi0 = p->start[axis + 1];
        const double lo1 = p->end[axis], hi1 = p->end[axis + 1];
        const double w0 = hi0 - lo0, w1 = hi1 - lo1;
        if (w0 == w1)
            continue;
        const double w = w0 * pow(w1 / w0, t);
        const double c0 = (lo0 + hi0) / 2, c1 = (lo1 + hi1) / 2;
        const double c = c1 + (c0 - c1) * ((w - w1) / (w0 - w1));
        values[axis] = c - w / 2;
        values[axis + 1] = c + w / 2;
    }
}

/* A message without its leading "RENDERER: ", for one that says it itself. */
static const char *without_renderer(const char *message, const char *renderer) {
    size_t n = strlen(renderer);
    return !strncmp(message, renderer, n) && !strncmp(message + n, ": ", 2) ? message + n + 2
                                                                            : message;
}

int sequence_set_frame(clr_session *s, const char *renderer, const frame_sequence *sequence,
                       size_t frame, size_t frames, failure *f) {
    for (size_t i = 0; sequence && i < sequence->count; ++i) {
        const sequence_param *p = &sequence->params[i];
        double values[SEQUENCE_MAX_VALUES];
        sequence_values(p, frame, frames, values);
        clr_error e;
        if (clr_set_reals(s, p->name, values, p->count, &e) != CLR_OK)
            return failure_set(f, e.status, "%s: frame %zu of %zu: %s", renderer, frame, frames,
                               without_renderer(e.message, renderer));
    }
    return 0;
}

/* ---- Checks and the run ---------------------------------------------------------------- */

/* Whether `path` is a finished frame: files are renamed into place whole, so one that
 * exists is complete. */
static bool frame_exists(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

int sequence_check(const char *renderer, const render_options *o, const clr_layout *layout,
                   failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    if (!o->frames) {
        if (o->sequence && o->sequence->count)
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: --%s START:END describes a sequence of frames: add --frames N "
                               "(and a %%d in -o)",
                               renderer, o->sequence->params[0].name);
        if (o->resume)
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: --resume skips the finished frames of a run: add --frames N",
                               renderer);
        return 0;
    }
    const unsigned long long frames = (unsigned long long)o->frames;
    output_pattern pattern;
    if (output_pattern_read(o->output, &pattern, f) != 0)
        return f->status;
    text_shown(o->output, shown);
    if (frames > 1 && !pattern.numbered)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --frames %llu writes %llu files: -o '%s' needs a %%d (or %%0Nd) "
                           "for the frame number, e.g. -o frame_%%03d.png",
                           renderer, frames, frames, shown);
    if (pattern.in_directory)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: -o '%s': the frame number (%%d) belongs in the file name, not in "
                           "a directory",
                           renderer, shown);
    /* %03d names 1000 frames in order; a thousandth-and-first would break the order. */
    unsigned long long names = 1;
    for (unsigned digit = 0; digit < pattern.width && names <= SEQUENCE_MAX_FRAMES; ++digit)
        names *= 10;
    if (pattern.numbered && pattern.width > 0 && frames > names) {
        unsigned needed = 1;
        for (unsigned long long n = frames - 1; n >= 10; n /= 10)
            ++needed;
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --frames %llu: -o '%s' numbers %llu frames at most in %u digits; "
                           "use %%0%ud",
                           renderer, frames, shown, names, pattern.width, needed);
    }
    char *first = output_pattern_name(o->output, 0);
    if (!first)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    output_pattern again;
    int status = output_pattern_read(first, &again, f);
    if (status == 0 && again.numbered)
        status = failure_set(f, CLR_USAGE_ERROR,
                             "%s: -o '%s': a frame's name, '%s', would read as a pattern itself "
                             "(a %%%% before d); choose another name",
                             renderer, shown, first);
    free(first);
    if (status != 0)
        return status;
    output_format format;
    if (output_format_from_path(o->output, &format, f) != 0)
        return f->status;
    if (layout->frames > 1 && format != OUTPUT_NPY && format != OUTPUT_MHA)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: each of the --frames is a render of %zu images: -o '%s' needs "
                           ".npy or .mha, which stack them",
                           renderer, layout->frames, shown);
    char dir[4096], dir_shown[TEXT_SHOWN_SIZE];
    struct stat info;
    output_directory(o->output, dir, sizeof dir);
    /* the same status as a single render's missing directory (the file sink's check) */
    if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode))
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "%s: -o '%s': directory '%s' does not exist (create it for the frames)",
                           renderer, shown, text_shown(dir, dir_shown));
    return 0;
}

int sequence_check_frames(const char *renderer, clr_session *s, const render_options *o,
                          failure *f) {
    const size_t frames = (size_t)o->frames;
    const frame_sequence *sequence = o->sequence;
    for (size_t k = 0; sequence && sequence->count && k < frames; ++k) {
        clr_layout layout;
        clr_error e;
        if (sequence_set_frame(s, renderer, sequence, k, frames, f) != 0)
            return f->status;
        if (clr_layout_get(s, &layout, &e) != CLR_OK)
            return failure_set(f, e.status, "%s: frame %zu of %zu: %s", renderer, k, frames,
                               without_renderer(e.message, renderer));
    }
    return 0;
}

int sequence_render_frame(const char *renderer, clr_session *s, const render_options *o,
                          size_t frame, const char *label, console *out, failure *f) {
    char *name = output_pattern_name(o->output, frame);
    if (!name)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    char frame_label[128];
    snprintf(frame_label, sizeof frame_label, "%sframe %zu: ", label, frame);
    int status = sequence_set_frame(s, renderer, o->sequence, frame, (size_t)o->frames, f);
    if (status == 0)
        status = render_to_file(s, o, name, frame_label, out, f);
    free(name);
    return status;
}

bool sequence_frame_exists(const render_options *o, size_t frame) {
    char *name = output_pattern_name(o->output, frame);
    bool exists = name && frame_exists(name);
    free(name);
    return exists;
}

int sequence_run(const char *renderer, clr_session *s, const render_options *o, const char *label,
                 console *out, failure *f) {
    const size_t frames = (size_t)o->frames;
    /* Every frame's values are checked before any device is opened: a value the renderer
     * refuses at frame 700 fails now, not after 699 renders. */
    if (sequence_check_frames(renderer, s, o, f) != 0)
        return f->status;
    bool *exists = calloc(frames, sizeof *exists);
    if (!exists)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu frames", frames);
    size_t skipped = 0;
    for (size_t k = 0; o->resume && k < frames; ++k) {
        char *name = output_pattern_name(o->output, k);
        if (!name) {
            free(exists);
            return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        }
        if ((exists[k] = frame_exists(name)))
            ++skipped;
        free(name);
    }
    if (!out->run_noun) /* a batch counts its own run */
        console_run_begin(out, "frame", frames);
    console_run_skip(out, skipped);
    if (o->resume) {
        char line[128];
        snprintf(line, sizeof line, "--resume: %zu of %zu frames exist already, %zu to render",
                 skipped, frames, frames - skipped);
        console_log(out, CLR_LOG_INFO, line);
    }
    /* One frame after the other on the one session: the devices render each frame's bands
     * side by side. (Two sessions rendering two frames at once, one encoding while the
     * other renders, measured no faster on the PoCL CPU device, whose kernels already use
     * every core, and would hold the session's data twice.) */
    int status = 0;
    for (size_t k = 0; k < frames && status == 0; ++k)
        if (!exists[k])
            status = sequence_render_frame(renderer, s, o, k, label, out, f);
    free(exists);
    return status;
}
