#define _POSIX_C_SOURCE 200809L
#include "util/clock.h"

#include <time.h>

double clock_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec * 1e-6;
}

double clock_process_start_ms(void) {
    static double start = -1;
    if (start < 0) {
        struct timespec used;
        double now = clock_ms();
        start = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used) == 0
                    ? now - ((double)used.tv_sec * 1e3 + (double)used.tv_nsec * 1e-6)
                    : now;
    }
    return start;
}
