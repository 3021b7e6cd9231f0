/* clock.h — wall-clock milliseconds for timings. */
#ifndef CLRENDER_CLOCK_H
#define CLRENDER_CLOCK_H

/* Milliseconds on a monotonic clock with an arbitrary origin. */
double clock_ms(void);

/* When this process began, on clock_ms()'s clock: the time of the first call less the CPU
 * time the process had used by then. Called first thing in main(), that CPU time is the
 * kernel's exec and the dynamic loader's work, which run on one thread and wait for nothing
 * (the libraries are in the page cache), so it stands for the wall time before main().
 * Later calls return the first call's answer; the first call must come before any thread. */
double clock_process_start_ms(void);

#endif
