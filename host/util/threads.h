/* threads.h — the host's own parallel loops (voxelising a phantom, reading a
 * volume), for the work that runs before any OpenCL device is involved. */
#ifndef CLRENDER_THREADS_H
#define CLRENDER_THREADS_H

#include <stddef.h>

/* Worker threads worth starting: the online cores, 1 to THREADS_MAX. */
#define THREADS_MAX 64
size_t threads_available(void);

/* Calls work(job) for each of `count` jobs (`job_size` bytes apart from `jobs`), each on a
 * thread of its own, the first on the calling one; returns when all have. A thread that
 * cannot be started leaves its job to the calling thread, so every job runs. */
void threads_run(void (*work)(void *job), void *jobs, size_t job_size, size_t count);

#endif
