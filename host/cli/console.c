/* Log lines and the progress bar, on stderr. */
#include "cli/cli.h"
#include "util/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void print_warning(console *c, const char *message) {
    if (!strcmp(message, c->last_warning))
        return;
    snprintf(c->last_warning, sizeof c->last_warning, "%s", message);
    fprintf(stderr, "clrender: warning: %s\n", message);
}

void console_hold(console *c) {
    c->holding = true;
    c->held_count = 0;
}

void console_release(console *c) {
    for (size_t i = 0; i < c->held_count; ++i)
        print_warning(c, c->held[i]);
    c->held_count = 0;
    c->holding = false;
}

void console_log(void *user, clr_log_level level, const char *message) {
    console *c = user;
    if (level == CLR_LOG_WARNING && c->holding) {
        if (!c->quiet && c->held_count < sizeof c->held / sizeof c->held[0])
            snprintf(c->held[c->held_count++], sizeof c->held[0], "%s", message);
        return;
    }
    if (console_bar_open && (level == CLR_LOG_BUILD_LOG || !c->quiet)) {
        /* A bar waiting for its newline (a run's, between renders) gets it first. */
        fputc('\n', stderr);
        console_bar_open = 0;
    }
    switch (level) {
    case CLR_LOG_INFO:
        if (!c->quiet)
            fprintf(stderr, "clrender: %s\n", message);
        break;
    case CLR_LOG_WARNING:
        if (!c->quiet)
            print_warning(c, message);
        break;
    case CLR_LOG_BUILD_LOG: /* part of the error that follows */
        fprintf(stderr, "%s\n", message);
        break;
    }
}

static void draw_bar(char bar[31], double fraction) {
    size_t filled = (size_t)(fraction * 30);
    for (size_t i = 0; i < 30; ++i)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
}

/* The bar of a run: "clrender: [#####.....]  50%  frame 51/100  1.2 s, 1.2 s left", where
 * `current` is the part of the render in progress that is done; shown once the run has
 * taken a second, and at its end when it was shown before or asked for. */
static void run_progress(console *c, double current) {
    double elapsed = clock_ms() - c->run_start_ms;
    bool done = c->run_done >= c->run_total;
    if (!c->bar || (elapsed < 1000 && !c->bar_shown && !done))
        return;
    double fraction = c->run_total ? ((double)c->run_done + current) / (double)c->run_total : 1.0;
    if (fraction > 1)
        fraction = 1;
    char bar[31];
    draw_bar(bar, fraction);
    size_t shown = done ? c->run_done : c->run_done + 1;
    fprintf(stderr, "\rclrender: [%s] %3.0f%%  %s %zu/%zu  %.1f s, %.1f s left ", bar,
            100 * fraction, c->run_noun, shown, c->run_total, elapsed / 1e3,
            fraction > 0 ? elapsed * (1 - fraction) / fraction / 1e3 : 0.0);
    c->bar_shown = true;
    console_bar_open = !done;
    if (done)
        fputc('\n', stderr);
    fflush(stderr);
}

void console_run_begin(console *c, const char *noun, size_t total) {
    c->run_noun = noun;
    c->run_total = total;
    c->run_done = c->run_skipped = 0;
    c->run_start_ms = clock_ms();
}

void console_run_skip(console *c, size_t count) {
    c->run_skipped += count;
    c->run_total = c->run_total > count ? c->run_total - count : 0;
}

size_t console_run_render_done(console *c) {
    ++c->run_done;
    if (c->run_noun)
        run_progress(c, 0);
    return c->run_done;
}

/* "clrender: [#####.....]  50%  band 3/6  1.2 s, 1.2 s left, launches <= 480 ms", shown once
 * a render has taken a second, and at its end when it was shown before or asked for; inside
 * a run, the run's bar. */
void console_progress(void *user, const clr_progress *p) {
    console *c = user;
    if (!c->bar)
        return;
    if (c->run_noun) {
        if (p->rows_done < p->rows_total) /* the run's bar ends with its last render */
            run_progress(c, (double)p->rows_done / (double)p->rows_total);
        return;
    }
    bool done = p->rows_done >= p->rows_total;
    if (p->elapsed_ms < 1000 && !c->bar_shown && !done)
        return;
    double fraction = p->rows_total ? (double)p->rows_done / (double)p->rows_total : 1.0;
    char bar[31];
    draw_bar(bar, fraction);
    fprintf(stderr,
            "\rclrender: [%s] %3.0f%%  band %zu/%zu  %.1f s, %.1f s left, launches <= %.1f ms ",
            bar, 100 * fraction, p->bands_done, p->bands_estimated, p->elapsed_ms / 1e3,
            p->remaining_ms / 1e3, p->longest_launch_ms);
    c->bar_shown = true;
    console_bar_open = !done;
    if (done)
        fputc('\n', stderr);
    fflush(stderr);
}

void timings_add(clr_timings *sum, const clr_timings *t) {
    sum->setup_ms += t->setup_ms, sum->build_ms += t->build_ms, sum->upload_ms += t->upload_ms;
    sum->kernel_ms += t->kernel_ms, sum->transfer_ms += t->transfer_ms;
    sum->reference_ms += t->reference_ms, sum->convert_ms += t->convert_ms;
    sum->write_ms += t->write_ms, sum->render_ms += t->render_ms;
    sum->longest_launch_ms = fmax(sum->longest_launch_ms, t->longest_launch_ms);
    sum->launches += t->launches, sum->bands += t->bands;
    sum->programs_cached += t->programs_cached, sum->programs_built += t->programs_built;
}
