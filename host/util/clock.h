/* timing.h — wall-clock milliseconds for --timings. */
#ifndef CLRENDER_TIMING_H
#define CLRENDER_TIMING_H

/* Milliseconds on a monotonic clock with an arbitrary origin. */
double clock_ms(void);

#endif
