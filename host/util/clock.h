/* clock.h — wall-clock milliseconds for timings. */
#ifndef CLRENDER_CLOCK_H
#define CLRENDER_CLOCK_H

/* Milliseconds on a monotonic clock with an arbitrary origin. */
double clock_ms(void);

#endif
