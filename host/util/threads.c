#define _POSIX_C_SOURCE 200809L
#include "util/threads.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

size_t threads_available(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > THREADS_MAX ? THREADS_MAX : (size_t)cores;
}

typedef struct {
    void (*work)(void *job);
    void *job;
} thread_start;

static void *start(void *argument) {
    const thread_start *s = argument;
    s->work(s->job);
    return NULL;
}

void threads_run(void (*work)(void *job), void *jobs, size_t job_size, size_t count) {
    pthread_t ids[THREADS_MAX];
    thread_start starts[THREADS_MAX];
    bool started[THREADS_MAX] = {false};
    for (size_t done = 0; done < count; done += THREADS_MAX) {
        const size_t batch = count - done < THREADS_MAX ? count - done : THREADS_MAX;
        for (size_t t = 1; t < batch; ++t) {
            starts[t] = (thread_start){work, (char *)jobs + (done + t) * job_size};
            started[t] = pthread_create(&ids[t], NULL, start, &starts[t]) == 0;
        }
        work((char *)jobs + done * job_size);
        for (size_t t = 1; t < batch; ++t) {
            if (started[t])
                pthread_join(ids[t], NULL);
            else
                work((char *)jobs + (done + t) * job_size); /* no thread: here */
        }
    }
}
