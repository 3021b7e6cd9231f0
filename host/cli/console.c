/* Log lines and the progress bar, on stderr. */
#include "cli/cli.h"

void console_log(void *user, clr_log_level level, const char *message) {
    const console *c = user;
    switch (level) {
    case CLR_LOG_INFO:
        if (!c->quiet)
            fprintf(stderr, "clrender: %s\n", message);
        break;
    case CLR_LOG_WARNING:
        if (!c->quiet)
            fprintf(stderr, "clrender: warning: %s\n", message);
        break;
    case CLR_LOG_BUILD_LOG: /* part of the error that follows */
        fprintf(stderr, "%s\n", message);
        break;
    }
}

/* "clrender: [#####.....]  50%  band 3/6  1.2 s, 1.2 s left, launches <= 480 ms", shown once
 * a render has taken a second, and at its end when it was shown before or asked for. */
void console_progress(void *user, const clr_progress *p) {
    console *c = user;
    bool done = p->rows_done >= p->rows_total;
    if (!c->bar || (p->elapsed_ms < 1000 && !c->bar_shown && !done))
        return;
    double fraction = p->rows_total ? (double)p->rows_done / (double)p->rows_total : 1.0;
    char bar[31];
    size_t filled = (size_t)(fraction * 30);
    for (size_t i = 0; i < 30; ++i)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
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
