/* clrender-mpi — one render spread over the ranks of an MPI job (docs/CLUSTER.md).
 *
 * Users type `mpirun -np N clrender RENDERER ...`: the plain clrender, which links no MPI,
 * sees that mpirun started it and runs this program instead. Every rank reads the same
 * command line into its own session on its own devices. Rank 0 hands out bands of rows
 * one at a time to whichever rank asks (faster ranks ask more often) and renders bands
 * itself between the requests. Raw formats (.npy, .pgm, .ppm, .mha): every rank writes its
 * bands into one temporary file with MPI-IO at their offsets, and rank 0 renames it over the
 * target once every rank has finished without a failure. PNG and EXR: the bands are sent to
 * rank 0, which feeds them in order to its own file sink. The bands go through
 * clr_render_band(), the engine's own kernels and conversions, so the file is the one a
 * single process writes, byte for byte.
 *
 * --verify: each rank verifies its bands, rank 0 combines the totals and judges. --frames:
 * the units are whole frames, each rendered into its own file by the rank it goes to.
 * --timings and standard output are refused with a line that says so.
 */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "cli/sequence.h"
#include "output/file_pattern.h"
#include "util/clock.h"

#include <mpi.h>

#include <ctype.h>
#include <sched.h>
#include <math.h>
#include <signal.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Messages between rank 0 and the others. */
enum {
    TAG_REQUEST = 1,     /* a rank wants a band (no data) */
    TAG_ASSIGN = 2,      /* rank 0: render this band (3 uint64: frame, first row, rows) */
    TAG_STOP = 3,        /* rank 0: nothing more for you (no data) */
    TAG_FINISHED = 4,    /* a rank is done: its outcome (a finished_message) */
    TAG_RESULT = 5,      /* a gathered band: 4 uint64: frame, first row, rows, bytes */
    TAG_RESULT_ROWS = 6, /* right after it: the band's samples, as rendered */
};

/* Bands per rank in a render: enough for the faster ranks to take more, few enough that a
 * band's fixed costs (a launch, a write) stay small. */
#define BANDS_PER_RANK 8
/* What rank 0 may hold of bands gathered ahead of the file (PNG, EXR, standard output). */
#define GATHER_WINDOW_BYTES ((size_t)256 << 20)

typedef struct finished_message {
    int32_t status;
    char message[CLR_MESSAGE_SIZE];
} finished_message;

typedef struct job {
    int rank, size;
    char host[MPI_MAX_PROCESSOR_NAME];
    MPI_Comm host_ranks;  /* the ranks on this rank's host, by world rank */
    int local_rank;       /* this rank's place among them */
    MPI_Win ended_window; /* every rank's end mark, shared on its host (watch_host) */
    MPI_File file;
    bool file_open;
    size_t frames, height, band_rows, bands_per_frame, bands;
    size_t *bands_by_rank; /* rank 0: how many bands each rank was given */
    /* For tests: this rank kills itself (SIGKILL, as the OOM killer would) when its unit of
     * this number comes (the first is 1), mid-run; 0 never. CLRENDER_TEST_KILL_AFTER_BANDS. */
    unsigned long kill_after_bands;
    /* Formats without rows at fixed offsets (PNG, EXR) are gathered: rank 0 feeds its file
     * sink the bands in order, holding those that arrive early. */
    bool gather;
    clr_sink *gathered; /* rank 0's file sink */
    struct early_band {
        uint64_t frame, row, rows;
        size_t bytes;
        unsigned char *samples;
    } * early;
    size_t early_count, early_capacity;
    uint64_t early_rows, most_early_rows; /* rows held now, and at most, for the share line */
    int *unit_owner;                      /* rank 0: the rank each unit went to */
    /* How far past the next unit the file needs rank 0 hands units to the other ranks (its
     * own are never held back: it delivers the oldest itself); requests beyond wait in
     * `deferred` until the file catches up. Bounds the early bands' memory. */
    size_t window;
    int *deferred;
    int deferred_count;
    uint64_t next_frame, next_row; /* the next rows the file needs */
    /* --frames: the units are whole frames, each rendered into its own file by the rank
     * that renders it (sequence_render_frame, as one process would); rank 0 hands out the
     * indices in `units` (without those --resume skips). */
    bool frames_mode;
    size_t *units;
    const char *renderer;
    const render_options *options;
    console *out;
    /* Rank 0's progress bar over the whole job. A rank holds at most `in_flight` units
     * unfinished (a frame; or a band rendering and the next the engine has fetched): the
     * rest of those it was given are done, and all of them once it has said FINISHED. The
     * sessions' own bars (one band each) stay off. */
    console bar;
    size_t in_flight;
    bool *finished_by_rank;
    bool own_render_over; /* rank 0's own units are all delivered */
    double start_ms;
    /* Rank 0's hand-out: the next unit, the ranks that have said FINISHED, and the first
     * failure (its own or another rank's: failure and failed_rank) */
    size_t next_unit;
    int finished_ranks;
    bool failed;
    failure failure;
    int failed_rank;
    /* Every other rank: whether its request for a unit is open */
    bool request_open;
    /* --timings: time this rank spent waiting on MPI (for work, for rank 0 to take its rows,
     * or rank 0 idle between requests), and the units it rendered */
    double wait_ms, waiting_since_ms;
    size_t units_mine;
} job;

/* ---- Who ended the job ----------------------------------------------------------------- */

/* A rank killed with SIGKILL (by the out-of-memory killer, say) runs no code: mpirun stops the
 * others with SIGTERM, and rank 0's handler would only say "stopped by SIGTERM". So each rank
 * marks its end, in memory shared with the ranks of its host, when it handles a signal or
 * ends normally; rank 0, stopped, looks for a rank of its host that is gone without the mark.
 * (A rank on another host cannot be seen from here: mpirun's report names it.) */
enum { WATCHED_MAX = 256 };
static struct {
    int count;
    pid_t pid[WATCHED_MAX];
    volatile sig_atomic_t *ended[WATCHED_MAX];
    char name[WATCHED_MAX][MPI_MAX_PROCESSOR_NAME + 32]; /* "rank 2 (node17)" */
} watched;
static volatile sig_atomic_t ended_alone; /* the mark, before the shared one exists */

static void mark_end(void) {
    if (signals_stopping)
        *signals_stopping = 1;
}

/* Rank 0's signal handler asks this (async-signal-safe: kill, and text prepared beforehand). */
static size_t explain_stop(char *out, size_t size) {
    for (int i = 0; i < watched.count; ++i) {
        if (*watched.ended[i] || kill(watched.pid[i], 0) == 0 || errno != ESRCH)
            continue;
        const char *parts[2] = {watched.name[i],
                                " was killed (SIGKILL, perhaps by the out-of-memory killer), and "
                                "mpirun stopped the job"};
        size_t n = 0;
        for (int k = 0; k < 2; ++k)
            for (const char *c = parts[k]; *c && n + 1 < size; ++c)
                out[n++] = *c;
        out[n] = '\0';
        return n;
    }
    return 0;
}

/* A failed MPI call as a failure: the call and MPI's own words. */
static int mpi_fail(failure *f, const char *call, int code) {
    char text[MPI_MAX_ERROR_STRING] = "";
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", code);
    return failure_set(f, CLR_RUNTIME_ERROR, "%s failed: %s", call, text);
}

#define MPI_TRY(f, call, args)                                                                     \
    do {                                                                                           \
        int mpi_code_ = call args;                                                                 \
        if (mpi_code_ != MPI_SUCCESS)                                                              \
            return mpi_fail(f, #call, mpi_code_);                                                  \
    } while (0)

/* A message of the band protocol that cannot be sent or received leaves the ranks unable to
 * agree on anything more: the job ends here, with one line, and mpirun stops the others. */
static void protocol_call(const job *j, const char *call, int code) {
    if (code == MPI_SUCCESS)
        return;
    failure f;
    mpi_fail(&f, call, code);
    fprintf(stderr, "clrender: rank %d (%s): %s\n", j->rank, j->host, f.message);
    mark_end();
    MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
}
#define PROTOCOL(j, call, args) protocol_call(j, #call, call args)

/* Collective: every rank's end mark in a window shared on its host; rank 0 learns the process
 * ids of its host's other ranks and where their marks are. */
static int watch_host(job *j, failure *f) {
    signals_stopping = &ended_alone;
    volatile sig_atomic_t *mine = NULL;
    MPI_TRY(f, MPI_Win_allocate_shared,
            ((MPI_Aint)sizeof *mine, (int)sizeof *mine, MPI_INFO_NULL, j->host_ranks, (void *)&mine,
             &j->ended_window));
    *mine = 0;
    signals_stopping = mine;
    int local_size = 1;
    MPI_TRY(f, MPI_Comm_size, (j->host_ranks, &local_size));
    long me[2] = {j->rank, (long)getpid()}, *all = NULL;
    if (j->local_rank == 0 && !(all = calloc((size_t)local_size * 2, sizeof *all)))
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    int code = MPI_Gather(me, 2, MPI_LONG, all, 2, MPI_LONG, 0, j->host_ranks);
    if (code != MPI_SUCCESS) {
        free(all);
        return mpi_fail(f, "MPI_Gather", code);
    }
    MPI_Win_fence(0, j->ended_window); /* every mark is 0 before anyone looks */
    if (j->rank == 0) {
        for (int i = 1; i < local_size && watched.count < WATCHED_MAX; ++i) {
            MPI_Aint bytes;
            int unit;
            void *mark;
            if (MPI_Win_shared_query(j->ended_window, i, &bytes, &unit, &mark) != MPI_SUCCESS)
                continue;
            int k = watched.count++;
            watched.pid[k] = (pid_t)all[2 * i + 1];
            watched.ended[k] = mark;
            snprintf(watched.name[k], sizeof watched.name[k], "rank %ld (%s)", all[2 * i], j->host);
        }
        signals_explain_stop(explain_stop);
    }
    free(all);
    return 0;
}

/* The placed sink's writer: the bytes at their offset of the shared file. MPI counts in
 * int, so a band larger than 1 GiB goes in pieces. */
static int write_at(void *user, uint64_t offset, const void *bytes, size_t count, char *message) {
    job *j = user;
    const unsigned char *at = bytes;
    while (count > 0) {
        int piece = count > (1u << 30) ? 1 << 30 : (int)count;
        MPI_Status st;
        int code = MPI_File_write_at(j->file, (MPI_Offset)offset, at, piece, MPI_BYTE, &st);
        int written = 0;
        if (code == MPI_SUCCESS)
            code = MPI_Get_count(&st, MPI_BYTE, &written);
        if (code != MPI_SUCCESS || written != piece) {
            failure f;
            if (code != MPI_SUCCESS)
                mpi_fail(&f, "MPI_File_write_at", code);
            else
                failure_set(&f, CLR_RUNTIME_ERROR, "MPI_File_write_at wrote %d of %d bytes",
                            written, piece);
            snprintf(message, CLR_MESSAGE_SIZE, "%s", f.message);
            return -1;
        }
        at += piece, offset += (uint64_t)piece, count -= (size_t)piece;
    }
    return 0;
}

/* Rank 0: feeds the file every band that is next in order. */
static int feed_in_order(job *j, failure *f) {
    for (size_t i = 0; i < j->early_count;) {
        struct early_band *b = &j->early[i];
        if (b->frame != j->next_frame || b->row != j->next_row) {
            ++i;
            continue;
        }
        int status = clr_sink_feed(j->gathered, (size_t)b->frame, (size_t)b->row, (size_t)b->rows,
                                   b->samples, b->bytes, f);
        j->next_row += b->rows;
        j->early_rows -= b->rows;
        if (j->next_row == j->height)
            ++j->next_frame, j->next_row = 0;
        free(b->samples);
        *b = j->early[--j->early_count];
        if (status != 0)
            return status;
        i = 0; /* the one that follows may be anywhere */
    }
    return 0;
}

/* Rank 0: keeps a band (taking `samples`, malloc'ed) until the file needs it. */
static int keep_band(job *j, const uint64_t head[4], unsigned char *samples, failure *f) {
    if (j->early_count == j->early_capacity) {
        size_t capacity = j->early_capacity ? 2 * j->early_capacity : 16;
        struct early_band *more = realloc(j->early, capacity * sizeof *more);
        if (!more) {
            free(samples);
            return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for gathered bands");
        }
        j->early = more, j->early_capacity = capacity;
    }
    j->early[j->early_count++] =
        (struct early_band){head[0], head[1], head[2], (size_t)head[3], samples};
    j->early_rows += head[2];
    int status = feed_in_order(j, f);
    if (j->early_rows > j->most_early_rows)
        j->most_early_rows = j->early_rows;
    return status;
}

/* The rows sink's taker on rank 0: its own bands join the others'. */
static int keep_own_rows(void *user, size_t frame, size_t first_row, size_t rows,
                         const void *samples, size_t bytes, char *message) {
    job *j = user;
    unsigned char *copy = malloc(bytes ? bytes : 1);
    failure f;
    int status = copy ? 0 : failure_set(&f, CLR_RUNTIME_ERROR, "out of memory for a band");
    if (copy) {
        memcpy(copy, samples, bytes);
        const uint64_t head[4] = {frame, first_row, rows, bytes};
        status = keep_band(j, head, copy, &f);
    }
    if (status != 0)
        snprintf(message, CLR_MESSAGE_SIZE, "%s", f.message);
    return status;
}

/* The rows sink's taker on the other ranks: the band goes to rank 0. */
static int send_rows(void *user, size_t frame, size_t first_row, size_t rows, const void *samples,
                     size_t bytes, char *message) {
    job *j = user;
    if (bytes > INT_MAX) {
        snprintf(message, CLR_MESSAGE_SIZE,
                 "a band of %zu bytes is too large for one MPI message; use fewer columns", bytes);
        return -1;
    }
    const uint64_t head[4] = {frame, first_row, rows, bytes};
    double start = clock_ms();
    PROTOCOL(j, MPI_Send, (head, 4, MPI_UINT64_T, 0, TAG_RESULT, MPI_COMM_WORLD));
    PROTOCOL(j, MPI_Send,
             ((void *)samples, (int)bytes, MPI_BYTE, 0, TAG_RESULT_ROWS, MPI_COMM_WORLD));
    j->wait_ms += clock_ms() - start;
    return 0;
}

/* Band `index` of the render: frames one after another, each cut into bands_per_frame. */
static void band_of(const job *j, size_t index, uint64_t band[3]) {
    if (j->frames_mode) {
        band[0] = j->units[index], band[1] = 0, band[2] = j->height;
        return;
    }
    size_t frame = index / j->bands_per_frame, row = index % j->bands_per_frame * j->band_rows;
    band[0] = frame, band[1] = row;
    band[2] = j->height - row < j->band_rows ? j->height - row : j->band_rows;
}

/* Rank 0: the job's progress, in units (bands or frames) done of all. */
static void report_progress(job *j) {
    if (!j->bar.bar)
        return;
    size_t done = 0;
    for (int r = 0; r < j->size; ++r) {
        bool over = r == 0 ? j->own_render_over : j->finished_by_rank[r];
        size_t given = j->bands_by_rank[r];
        done += over ? given : given > j->in_flight ? given - j->in_flight : 0;
    }
    double elapsed = clock_ms() - j->start_ms, fraction = j->bands ? (double)done / j->bands : 1;
    clr_progress p = {.rows_done = done,
                      .rows_total = j->bands,
                      .bands_done = done,
                      .bands_estimated = j->bands,
                      .elapsed_ms = elapsed,
                      .remaining_ms = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0};
    console_progress(&j->bar, &p);
}

/* Rank 0: the first failure of the job stops the hand-out; it is kept with its rank. */
static void job_failed(job *j, const failure *f, int rank) {
    if (j->failed)
        return;
    j->failed = true;
    j->failure = *f;
    j->failed_rank = rank;
}

/* Rank 0: whether the next unit lies past the window of what the gathered file may hold. */
static size_t unit_needed(const job *j) {
    return (size_t)j->next_frame * j->bands_per_frame + (size_t)j->next_row / j->band_rows;
}

static bool beyond_window(const job *j) {
    if (!j->window || j->failed || j->next_unit >= j->bands)
        return false;
    return j->next_unit >= unit_needed(j) + j->window;
}

/* Rank 0: gives rank `to` the next unit, or STOP when none is left or the job failed. */
static void answer_request(job *j, int to) {
    if (j->next_unit < j->bands && !j->failed) {
        uint64_t band[3];
        j->unit_owner[j->next_unit] = to;
        band_of(j, j->next_unit++, band);
        ++j->bands_by_rank[to];
        PROTOCOL(j, MPI_Send, (band, 3, MPI_UINT64_T, to, TAG_ASSIGN, MPI_COMM_WORLD));
    } else {
        PROTOCOL(j, MPI_Send, (NULL, 0, MPI_BYTE, to, TAG_STOP, MPI_COMM_WORLD));
    }
    report_progress(j);
}

/* Rank 0: answers the deferred requests the window now allows, oldest first. */
static void answer_deferred(job *j) {
    int answered = 0;
    while (answered < j->deferred_count && !beyond_window(j))
        answer_request(j, j->deferred[answered++]);
    memmove(j->deferred, j->deferred + answered,
            (size_t)(j->deferred_count - answered) * sizeof *j->deferred);
    j->deferred_count -= answered;
}

/* Rank 0: answers every message waiting: requests (a unit, or STOP when none is left or the
 * job failed), gathered bands, and the ranks' outcomes. */
static void answer_waiting(job *j) {
    for (;;) {
        int waiting = 0;
        MPI_Status st;
        PROTOCOL(j, MPI_Iprobe, (MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &st));
        if (!waiting) {
            answer_deferred(j); /* the file may have moved on, or the job failed */
            return;
        }
        const int from = st.MPI_SOURCE;
        if (st.MPI_TAG == TAG_REQUEST) {
            PROTOCOL(j, MPI_Recv,
                     (NULL, 0, MPI_BYTE, from, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
            if (beyond_window(j))
                j->deferred[j->deferred_count++] = from; /* one request per rank is open */
            else
                answer_request(j, from);
        } else if (st.MPI_TAG == TAG_RESULT) {
            uint64_t head[4];
            PROTOCOL(j, MPI_Recv,
                     (head, 4, MPI_UINT64_T, from, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
            unsigned char *samples = malloc(head[3] ? (size_t)head[3] : 1);
            if (!samples) /* its rows still wait to be received: the job cannot go on */
                protocol_call(j, "malloc for a gathered band", MPI_ERR_NO_MEM);
            PROTOCOL(j, MPI_Recv,
                     (samples, (int)head[3], MPI_BYTE, from, TAG_RESULT_ROWS, MPI_COMM_WORLD,
                      MPI_STATUS_IGNORE));
            failure f;
            if (j->failed)
                free(samples);
            else if (keep_band(j, head, samples, &f) != 0)
                job_failed(j, &f, 0);
        } else if (st.MPI_TAG == TAG_FINISHED) {
            finished_message m;
            PROTOCOL(j, MPI_Recv,
                     (&m, (int)sizeof m, MPI_BYTE, from, TAG_FINISHED, MPI_COMM_WORLD,
                      MPI_STATUS_IGNORE));
            ++j->finished_ranks;
            j->finished_by_rank[from] = true;
            if (m.status != 0) {
                m.message[sizeof m.message - 1] = '\0';
                failure f;
                failure_set(&f, (clr_status)m.status, "%s", m.message); /* names its rank */
                job_failed(j, &f, from);
            }
            report_progress(j);
        } else {
            failure f;
            failure_set(&f, CLR_RUNTIME_ERROR, "internal error: rank %d sent message tag %d", from,
                        st.MPI_TAG);
            job_failed(j, &f, 0);
            return;
        }
    }
}

/* Rank 0's band source for its own render: the next unit, once the others are answered. */
static int own_next_band(void *user, size_t *frame, size_t *first_row, size_t *rows,
                         char *message) {
    job *j = user;
    answer_waiting(j);
    /* Past the window rank 0 waits too, for the unit the file needs, unless that unit is its
     * own (then the file moves on as soon as rank 0 delivers it). */
    if (beyond_window(j) && j->unit_owner[unit_needed(j)] != 0)
        return CLR_BAND_LATER;
    if (j->failed) {
        snprintf(message, CLR_MESSAGE_SIZE, "%s", j->failure.message);
        return -1;
    }
    if (j->next_unit >= j->bands)
        return 0;
    uint64_t band[3];
    j->unit_owner[j->next_unit] = 0;
    band_of(j, j->next_unit++, band);
    ++j->bands_by_rank[0], ++j->units_mine;
    *frame = (size_t)band[0], *first_row = (size_t)band[1], *rows = (size_t)band[2];
    report_progress(j);
    return CLR_BAND_GIVEN;
}

/* While rank 0's devices render, it answers the others (about every millisecond), so that no
 * rank waits for the end of one of rank 0's bands; a failure elsewhere stops its render. */
static int own_idle(void *user, char *message) {
    job *j = user;
    answer_waiting(j);
    if (!j->failed)
        return 0;
    snprintf(message, CLR_MESSAGE_SIZE, "%s", j->failure.message);
    return -1;
}

/* Every other rank's band source: the unit rank 0 assigned, asking for the next at once (the
 * engine fetches a band ahead, so a rank holds at most one rendering and one waiting). */
static int remote_next_band(void *user, size_t *frame, size_t *first_row, size_t *rows,
                            char *message) {
    job *j = user;
    (void)message;
    if (!j->request_open)
        return CLR_BAND_NONE;
    /* Not waiting for the answer: rank 0 may hold it back until the file has the bands this
     * rank rendered, which the engine delivers only while this returns. */
    int answered = 0;
    MPI_Status st;
    PROTOCOL(j, MPI_Iprobe, (0, MPI_ANY_TAG, MPI_COMM_WORLD, &answered, &st));
    if (!answered || (st.MPI_TAG != TAG_ASSIGN && st.MPI_TAG != TAG_STOP)) {
        if (!j->waiting_since_ms)
            j->waiting_since_ms = clock_ms();
        return CLR_BAND_LATER;
    }
    if (j->waiting_since_ms)
        j->wait_ms += clock_ms() - j->waiting_since_ms, j->waiting_since_ms = 0;
    uint64_t band[3];
    PROTOCOL(j, MPI_Recv, (band, 3, MPI_UINT64_T, 0, st.MPI_TAG, MPI_COMM_WORLD, &st));
    j->request_open = false;
    if (st.MPI_TAG != TAG_ASSIGN)
        return CLR_BAND_NONE;
    if (++j->units_mine == j->kill_after_bands)
        raise(SIGKILL);
    PROTOCOL(j, MPI_Send, (NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD));
    j->request_open = true;
    *frame = (size_t)band[0], *first_row = (size_t)band[1], *rows = (size_t)band[2];
    return CLR_BAND_GIVEN;
}

/* A frame of --frames into its own file, as one process renders it. */
static int render_frame(const job *j, clr_session *s, const uint64_t band[3], failure *f) {
    return sequence_render_frame(j->renderer, s, j->options, (size_t)band[0], "", j->out, f);
}

/* Rank 0: hands out units and renders its own; then waits for every rank's outcome. Bands
 * go through one clr_render_bands() (the engine's workers kept across them, the others
 * answered between launches); frames one at a time between answers. */
static int coordinate(job *j, clr_session *s, clr_sink *const sinks[2], failure *f,
                      int *failed_rank) {
    if (!j->frames_mode) {
        size_t first = sinks[0] ? 0 : 1;
        if (clr_render_bands(s, own_next_band, own_idle, j, sinks + first, 2 - first, f) != CLR_OK)
            job_failed(j, f, 0); /* keeps another rank's failure, when that stopped it */
    }
    j->own_render_over = true;
    while (j->finished_ranks < j->size - 1 || (j->next_unit < j->bands && !j->failed)) {
        answer_waiting(j);
        if (j->frames_mode && j->next_unit < j->bands && !j->failed) {
            uint64_t band[3];
            j->unit_owner[j->next_unit] = 0;
            band_of(j, j->next_unit++, band);
            ++j->bands_by_rank[0], ++j->units_mine;
            j->own_render_over = false;
            if (render_frame(j, s, band, f) != 0)
                job_failed(j, f, 0);
            j->own_render_over = true;
            report_progress(j);
        } else if (j->finished_ranks < j->size - 1) {
            /* Open MPI's blocking receive spins: a short sleep leaves the cores to the ranks
             * that render on this host. */
            double start = clock_ms();
            nanosleep(&(struct timespec){0, 200000}, NULL);
            j->wait_ms += clock_ms() - start;
        }
    }
    if (!j->failed)
        return 0;
    *f = j->failure;
    *failed_rank = j->failed_rank;
    return f->status;
}

/* Every other rank: renders what rank 0 assigns until it says stop, then reports. */
static int take_units(job *j, clr_session *s, clr_sink *const sinks[2], failure *f) {
    int status = 0;
    PROTOCOL(j, MPI_Send, (NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD));
    j->request_open = true;
    if (!j->frames_mode) {
        size_t first = sinks[0] ? 0 : 1;
        status = clr_render_bands(s, remote_next_band, NULL, j, sinks + first, 2 - first, f);
    }
    while (j->request_open) {
        uint64_t band[3];
        MPI_Status st;
        double start = clock_ms();
        PROTOCOL(j, MPI_Recv, (band, 3, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st));
        j->wait_ms += clock_ms() - start;
        j->request_open = false;
        if (st.MPI_TAG != TAG_ASSIGN || status != 0)
            continue; /* after a failure, a unit still assigned is dropped */
        if (j->units_mine + 1 == j->kill_after_bands)
            raise(SIGKILL);
        /* The next frame is asked for before this one renders: rank 0 answers between frames
         * of its own, and the answer waits here instead of this rank waiting for it. */
        PROTOCOL(j, MPI_Send, (NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD));
        j->request_open = true;
        status = render_frame(j, s, band, f);
        ++j->units_mine;
    }
    finished_message m = {.status = status};
    if (status)
        snprintf(m.message, sizeof m.message, "rank %d (%.200s): %.3800s", j->rank, j->host,
                 f->message);
    PROTOCOL(j, MPI_Send, (&m, (int)sizeof m, MPI_BYTE, 0, TAG_FINISHED, MPI_COMM_WORLD));
    return status;
}

/* Agrees on a step's outcome: every rank learns whether any failed, and rank 0 gets the
 * failure of the first rank that did (its message and its rank) into *f and *failed_rank. */
static int agree(const job *j, int status, failure *f, int *failed_rank) {
    int mine = status ? j->rank : j->size, first = j->size;
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS) {
        /* Without agreement the job cannot go on together. */
        fprintf(stderr, "clrender: rank %d (%s): MPI_Allreduce failed\n", j->rank, j->host);
        MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
    }
    if (first == j->size)
        return 0;
    if (first != 0 && j->rank == first) {
        finished_message m = {.status = f->status};
        snprintf(m.message, sizeof m.message, "rank %d (%.200s): %.3800s", j->rank, j->host,
                 f->message);
        if (MPI_Send(&m, (int)sizeof m, MPI_BYTE, 0, TAG_FINISHED, MPI_COMM_WORLD) != MPI_SUCCESS)
            MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
    } else if (first != 0 && j->rank == 0) {
        finished_message m;
        if (MPI_Recv(&m, (int)sizeof m, MPI_BYTE, first, TAG_FINISHED, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
        m.message[sizeof m.message - 1] = '\0';
        failure_set(f, (clr_status)m.status, "%s", m.message);
    }
    *failed_rank = first;
    return j->rank == 0 ? f->status : CLR_RUNTIME_ERROR;
}

static size_t lcm(size_t a, size_t b) {
    size_t x = a, y = b;
    while (y) {
        size_t t = x % y;
        x = y, y = t;
    }
    return a / x * b;
}

/* --verify over the ranks: every rank's totals gathered to rank 0, which combines them with
 * its own (whose unit and names they share), checks that every pixel was compared once, and
 * prints the verdict. Collective: every rank calls it, whatever its status. */
static int verify_together(job *j, const clr_sink *verifier, const render_options *o,
                           const clr_layout *layout, int status, failure *f) {
    clr_verify_result mine = {0};
    if (status == 0 && clr_sink_verify_result(verifier, &mine, f) != CLR_OK)
        status = f->status;
    enum { NUMBERS = 6 };
    double numbers[NUMBERS] = {(double)mine.compared,   (double)mine.differing,
                               mine.largest_difference, mine.mean_difference,
                               mine.largest_reference,  (double)mine.relative_to_largest};
    double *all = NULL;
    if (j->rank == 0 && !(all = calloc((size_t)j->size * NUMBERS, sizeof *all)))
        protocol_call(j, "calloc for the verify totals", MPI_ERR_NO_MEM);
    PROTOCOL(j, MPI_Gather,
             (numbers, NUMBERS, MPI_DOUBLE, all, NUMBERS, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    if (j->rank == 0 && status == 0) {
        clr_verify_result total = mine;
        for (int i = 1; i < j->size; ++i) {
            clr_verify_result part = mine;
            const double *n = all + NUMBERS * i;
            part.compared = (uint64_t)n[0], part.differing = (uint64_t)n[1];
            part.largest_difference = n[2], part.mean_difference = n[3];
            part.largest_reference = n[4], part.relative_to_largest = n[5] != 0;
            clr_verify_combine(&total, &part);
        }
        uint64_t pixels = (uint64_t)layout->frames * layout->height * layout->width;
        if (total.compared != pixels)
            status = failure_set(f, CLR_RUNTIME_ERROR,
                                 "internal error: the ranks verified %llu pixels of %llu",
                                 (unsigned long long)total.compared, (unsigned long long)pixels);
        else
            status = render_report_verify(&total, o->tolerance, "",
                                          strcmp(o->output, "-") ? stdout : stderr, f);
    }
    free(all);
    return status;
}

/* The format name of `path`'s extension, lower case ("npy"), for clr_sink_placed. */
static int format_of(const char *path, char *format, size_t size, failure *f) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash) || strlen(dot + 1) >= size)
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s': under mpirun the output is .npy, .pgm, .ppm or .mha", path);
    for (size_t i = 0; dot[1 + i]; ++i)
        format[i] = (char)tolower((unsigned char)dot[1 + i]);
    format[strlen(dot + 1)] = '\0';
    return 0;
}

/* --timings over the ranks: rank 0 prints a line for each rank (its phases, which add up to
 * its wall time as one process's do, and the time it waited for MPI) and one for the job.
 * Collective: every rank calls it, whatever its status. */
enum { TIMING_NUMBERS = 14 };
static void report_timings(job *j, clr_session *s, const render_options *o, int status) {
    clr_timings t;
    clr_session_timings(s, &t);
    const bool device = o->backend == 0, reference = o->backend == 1 || o->verify;
    const double setup = render_timings_setup_ms(&t), total = clock_ms() - clock_process_start_ms();
    double mine[TIMING_NUMBERS] = {setup,
                                   t.build_ms,
                                   t.upload_ms,
                                   t.kernel_ms,
                                   t.transfer_ms,
                                   t.reference_ms,
                                   t.convert_ms,
                                   t.write_ms,
                                   j->wait_ms,
                                   total,
                                   (double)t.bands,
                                   (double)t.launches,
                                   t.longest_launch_ms,
                                   (double)j->units_mine};
    double *all = j->rank == 0 ? calloc((size_t)j->size * TIMING_NUMBERS, sizeof *all) : NULL;
    if (j->rank == 0 && !all)
        protocol_call(j, "calloc for the timings", MPI_ERR_NO_MEM);
    PROTOCOL(
        j, MPI_Gather,
        (mine, TIMING_NUMBERS, MPI_DOUBLE, all, TIMING_NUMBERS, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    if (j->rank != 0 || (status != 0 && status != CLR_VERIFY_FAILED)) {
        free(all);
        return;
    }
    double sum[TIMING_NUMBERS] = {0};
    for (int r = 0; r < j->size; ++r) {
        const double *n = all + (size_t)r * TIMING_NUMBERS;
        double phases = n[0] + n[6] + n[7] + n[8];
        char line[512];
        int used = snprintf(line, sizeof line, "rank %d: setup %.1f", r, n[0]);
        if (device) {
            used += snprintf(line + used, sizeof line - (size_t)used,
                             ", build %.1f, upload %.1f, kernel %.1f, transfer %.1f", n[1], n[2],
                             n[3], n[4]);
            phases += n[1] + n[2] + n[3] + n[4];
        }
        if (reference) {
            used += snprintf(line + used, sizeof line - (size_t)used, ", reference %.1f", n[5]);
            phases += n[5];
        }
        snprintf(line + used, sizeof line - (size_t)used,
                 ", encode %.1f, write %.1f, mpi wait %.1f, other %.1f, total %.1f ms; %.0f %s",
                 n[6], n[7], n[8], n[9] - phases, n[9], n[13],
                 j->frames_mode || j->band_rows == j->height ? "frames" : "bands");
        fprintf(stderr, "%s\n", line);
        for (int k = 0; k < TIMING_NUMBERS; ++k)
            sum[k] = k == 12 ? fmax(sum[k], n[k]) : sum[k] + n[k];
    }
    fprintf(stderr,
            "all ranks: kernel %.1f ms, transfer %.1f ms, encode %.1f ms, write %.1f ms, "
            "mpi wait %.1f ms; %.0f launches in %.0f engine bands, the longest %.1f ms\n",
            sum[3], sum[4], sum[6], sum[7], sum[8], sum[11], sum[10], sum[12]);
    fprintf(stderr, "total: %.1f ms (rank 0's wall time)\n", all[9]);
    free(all);
}

/* A name for the shared temporary file beside the target, made on rank 0 and sent to all:
 * ".NAME.mpi-PID-TIME" (MPI_MODE_EXCL refuses one that exists). */
static int temp_name(const job *j, const char *path, char *temp, size_t size, failure *f) {
    if (j->rank == 0) {
        const char *slash = strrchr(path, '/');
        int dir = slash ? (int)(slash - path + 1) : 0;
        int n = snprintf(temp, size, "%.*s.%s.mpi-%ld-%ld", dir, path, path + dir, (long)getpid(),
                         (long)time(NULL));
        if (n < 0 || (size_t)n >= size)
            temp[0] = '\0';
    }
    MPI_TRY(f, MPI_Bcast, (temp, (int)size, MPI_CHAR, 0, MPI_COMM_WORLD));
    if (!temp[0])
        return failure_set(f, CLR_USAGE_ERROR, "'%s': the name is too long", path);
    return 0;
}

/* Rank 0's line of who took how much: faster ranks take more. */
static void log_share(const job *j, int status) {
    if (j->rank != 0 || status != 0 || j->out->quiet)
        return;
    char line[1024];
    int used = j->frames_mode || j->band_rows == j->height
                   ? snprintf(line, sizeof line, "%zu frames over %d rank%s:", j->bands, j->size,
                              j->size == 1 ? "" : "s")
                   : snprintf(line, sizeof line, "%zu bands of %zu rows over %d rank%s:", j->bands,
                              j->band_rows, j->size, j->size == 1 ? "" : "s");
    for (int i = 0; i < j->size && used > 0 && (size_t)used < sizeof line; ++i)
        used += snprintf(line + used, sizeof line - (size_t)used, "%s %zu", i ? "," : "",
                         j->bands_by_rank[i]);
    if (j->gather && used > 0 && (size_t)used < sizeof line)
        snprintf(line + used, sizeof line - (size_t)used,
                 "; rank 0 held at most %llu rows gathered ahead of the file",
                 (unsigned long long)j->most_early_rows);
    console_log(j->out, CLR_LOG_INFO, line);
}

/* Rank 0 knows the outcome of every rank once the work is done: it tells them (the job's
 * status), rather than each rank telling it. */
static int broadcast_outcome(const job *j, int status) {
    int outcome = status;
    PROTOCOL(j, MPI_Bcast, (&outcome, 1, MPI_INT, 0, MPI_COMM_WORLD));
    return outcome;
}

/* mpirun binds each rank to one core when it starts two or fewer (Open MPI's default), and a
 * CPU device's threads then share that core: the render takes the time of one core. Rank 0
 * says so, once, for the first rank with fewer cores than its share of its host. Collective. */
static void warn_if_bound(const job *j, bool cpu_device) {
    cpu_set_t set;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int local_size = 1;
    MPI_Comm_size(j->host_ranks, &local_size);
    int mine[3] = {sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)online,
                   online > local_size ? (int)(online / local_size) : 1, cpu_device};
    int *all = j->rank == 0 ? calloc((size_t)j->size * 3, sizeof *all) : NULL;
    if (j->rank == 0 && !all)
        protocol_call(j, "calloc for the ranks' cores", MPI_ERR_NO_MEM);
    PROTOCOL(j, MPI_Gather, (mine, 3, MPI_INT, all, 3, MPI_INT, 0, MPI_COMM_WORLD));
    for (int r = 0; j->rank == 0 && r < j->size; ++r) {
        const int *n = all + 3 * r;
        if (!n[2] || n[0] >= n[1])
            continue;
        char line[512];
        snprintf(line, sizeof line,
                 "rank %d's CPU device has %d of the %d cores that are its share of its host: "
                 "mpirun bound it (its default for 2 ranks or fewer is --bind-to core); "
                 "mpirun --bind-to none gives the ranks the host's cores",
                 r, n[0], n[1]);
        console_log(j->out, CLR_LOG_WARNING, line);
        break;
    }
    free(all);
}

/* Rank 0 names every rank's devices in one line: where the bands went. */
static int log_devices(const job *j, clr_session *s, failure *f) {
    char mine[256] = "";
    size_t used = 0;
    bool cpu_device = false;
    for (size_t i = 0; i < clr_session_device_count(s) && used < sizeof mine; ++i) {
        clr_device_info info;
        if (clr_session_device(s, i, &info, f) != CLR_OK)
            return f->status;
        used += (size_t)snprintf(mine + used, sizeof mine - used, "%s%u:%u", i ? "+" : "",
                                 info.platform_index, info.device_index);
        cpu_device |= info.type == CLR_DEVICE_CPU;
    }
    warn_if_bound(j, cpu_device);
    if (!mine[0])
        snprintf(mine, sizeof mine, "reference");
    char *all = j->rank == 0 ? calloc((size_t)j->size, sizeof mine) : NULL;
    if (j->rank == 0 && !all)
        protocol_call(j, "calloc for the device names", MPI_ERR_NO_MEM);
    PROTOCOL(
        j, MPI_Gather,
        (mine, (int)sizeof mine, MPI_CHAR, all, (int)sizeof mine, MPI_CHAR, 0, MPI_COMM_WORLD));
    if (j->rank == 0 && !j->out->quiet) {
        char line[2048];
        int n = snprintf(line, sizeof line, "devices by rank:");
        for (int r = 0; r < j->size && n > 0 && (size_t)n < sizeof line; ++r)
            n += snprintf(line + n, sizeof line - (size_t)n, "%s %.200s", r ? "," : "",
                          all + (size_t)r * sizeof mine);
        console_log(j->out, CLR_LOG_INFO, line);
    }
    free(all);
    return 0;
}

/* --frames: every frame a unit, rendered into its own file by the rank it goes to. */
static int run_frames(job *j, clr_session *s, failure *f, int *failed_rank) {
    const render_options *o = j->options;
    clr_layout layout;
    /* Every frame's values are checked before any device is opened, on every rank. */
    int status = sequence_check_frames(j->renderer, s, o, f);
    if (status == 0)
        status = clr_layout_get(s, &layout, f);
    if (status == 0) {
        j->frames_mode = true;
        j->in_flight = 2; /* the frame it renders, and the next, assigned */
        j->frames = (size_t)o->frames, j->height = layout.height;
    }
    if (status == 0 && j->rank == 0) {
        j->units = calloc(j->frames, sizeof *j->units);
        j->bands_by_rank = calloc((size_t)j->size, sizeof *j->bands_by_rank);
        j->finished_by_rank = calloc((size_t)j->size, sizeof *j->finished_by_rank);
        j->deferred = calloc((size_t)j->size, sizeof *j->deferred);
        j->unit_owner = calloc(j->frames ? j->frames : 1, sizeof *j->unit_owner);
        if (!j->units || !j->bands_by_rank || !j->finished_by_rank || !j->deferred ||
            !j->unit_owner)
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu frames", j->frames);
        for (size_t k = 0; status == 0 && k < j->frames; ++k)
            if (!(o->resume && sequence_frame_exists(o, k)))
                j->units[j->bands++] = k;
        if (status == 0 && o->resume) {
            char line[160];
            snprintf(line, sizeof line, "--resume: %zu of %zu frames exist already, %zu to render",
                     j->frames - j->bands, j->frames, j->bands);
            console_log(j->out, CLR_LOG_INFO, line);
        }
    }
    if (status == 0 && o->backend == 0)
        status = clr_session_prepare(s, f); /* opens the devices, for the line below */
    if ((status = agree(j, status, f, failed_rank)) != 0)
        return status;
    if ((status = agree(j, log_devices(j, s, f), f, failed_rank)) != 0)
        return status;
    if (o->backend == 0)
        signals_after_driver();
    signals_guard_path(NULL, "", j->rank != 0); /* each frame's file is guarded as it renders */
    clr_sink *const none[2] = {NULL, NULL};
    int rendered_by = 0;
    render_timings_mark();
    status = j->rank == 0 ? coordinate(j, s, none, f, &rendered_by) : take_units(j, s, none, f);
    if (j->rank == 0 && status != 0)
        *failed_rank = rendered_by;
    log_share(j, status);
    status = broadcast_outcome(j, status);
    if (o->timings)
        report_timings(j, s, o, status);
    return status;
}

static int run(job *j, int argc, char **argv, failure *f, int *failed_rank) {
    console out = {0};
    render_options o = {0};
    clr_session *s = NULL;
    clr_sink *sink = NULL, *verifier = NULL;
    char temp[4096] = "", format[16];
    int status = 0;
    const char *renderer = NULL;
    for (size_t i = 0; argc > 1 && clr_renderer_name(i); ++i)
        if (!strcmp(clr_renderer_name(i), argv[1]))
            renderer = clr_renderer_name(i);
    if (!renderer)
        status = failure_set(f, CLR_USAGE_ERROR,
                             "clrender-mpi runs a renderer's command ('clrender julia ...'); "
                             "'%s' is not one",
                             argc > 1 ? argv[1] : "");
    /* render_parse()'s steps, with the console set between them: progress, warnings and log
     * lines come from rank 0 only, as N ranks would say everything N times. */
    render_request request = {0};
    if (status == 0)
        status = render_request_read(renderer, argc, argv, 2, &o, &request, f);
    if (status == 0) {
        out.quiet = o.quiet || j->rank != 0;
        out.bar = false; /* a session's bar would show one band; rank 0 shows the job's */
        j->bar =
            (console){.bar = j->rank == 0 && (o.progress || (!o.quiet && isatty(STDERR_FILENO)))};
        if (!(s = render_open_session(renderer, &o, &out, f)))
            status = f->status;
    }
    if (status == 0)
        status = render_request_apply(renderer, s, &request, &o, f);
    render_request_free(&request);
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;
    j->renderer = renderer, j->options = &o, j->out = &out;
    j->in_flight = 2; /* a band rendering, the next fetched by the engine */
    j->start_ms = clock_ms();
    if (o.frames) {
        status = run_frames(j, s, f, failed_rank);
        goto done;
    }
    /* -o - (with --format): gathered to rank 0, whose standard output mpirun passes on. */
    const bool to_stdout = !strcmp(o.output, "-");
    char named[32]; /* a name whose extension says the format of -o - */
    if (to_stdout)
        snprintf(named, sizeof named, "-.%.16s", o.format ? o.format : "");
    if (status == 0)
        status = format_of(to_stdout ? named : o.output, format, sizeof format, f);
    /* Raw formats are written in place by every rank into one file; the others, one file per
     * frame of a stack (-o angle%03d.pgm) and standard output are gathered to rank 0. */
    output_pattern pattern = {0};
    if (status == 0)
        status = output_pattern_read(o.output, &pattern, f);
    j->gather = status == 0 && (to_stdout || pattern.numbered ||
                                (strcmp(format, "npy") && strcmp(format, "pgm") &&
                                 strcmp(format, "ppm") && strcmp(format, "mha")));
    uint64_t file_bytes = 0;
    if (status == 0 && !j->gather &&
        !(sink = clr_sink_placed(s, format, write_at, j, &file_bytes, f)))
        status = f->status;
    if (status == 0 && j->gather &&
        !(sink = clr_sink_rows(s, j->rank == 0 ? keep_own_rows : send_rows, j, f)))
        status = f->status;
    /* Rank 0's file checks the format, the directory and the room now, before any work. */
    if (status == 0 && o.verify && !(verifier = clr_sink_verify(s, f)))
        status = f->status;
    if (status == 0 && j->gather && j->rank == 0 &&
        (!(j->gathered = to_stdout ? clr_sink_stdout(s, o.format, render_compression(&o), f)
                                   : clr_sink_file(s, o.output, render_compression(&o), f)) ||
         render_record_command(j->gathered, f) != 0))
        status = f->status;
    size_t granule = 1;
    if (status == 0)
        status = clr_band_granule(s, &granule, f); /* opens the devices */
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;
    if ((status = agree(j, log_devices(j, s, f), f, failed_rank)) != 0)
        goto done;

    /* Bands start on every rank's granule: each rank's kernels may step by other rows. */
    unsigned long long mine = granule, *all = calloc((size_t)j->size, sizeof *all);
    if (!all) {
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    } else {
        int code = MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG,
                                 MPI_COMM_WORLD);
        if (code != MPI_SUCCESS)
            status = mpi_fail(f, "MPI_Allgather", code);
        for (int i = 0; status == 0 && i < j->size; ++i)
            granule = lcm(granule, (size_t)all[i]);
        free(all);
    }
    clr_layout layout;
    if (status == 0)
        status = clr_layout_get(s, &layout, f);
    /* A renderer that converts or verifies each frame as a whole (an X-ray window, a rule
     * relative to each projection's largest value) gets whole frames: a frame is rendered,
     * converted and verified on one rank, as in one process. */
    int whole_frames = 0;
    if (status == 0)
        status = clr_band_whole_frames(s, to_stdout ? named : o.output, o.verify, &whole_frames, f);
    if (status == 0) {
        j->frames = layout.frames, j->height = layout.height;
        /* BANDS_PER_RANK over the whole render: a stack of many frames is cut into whole
         * frames, not into as many bands per frame (a band never spans two frames). */
        uint64_t all_rows = (uint64_t)layout.frames * layout.height,
                 units = (uint64_t)j->size * BANDS_PER_RANK;
        size_t rows = (size_t)((all_rows + units - 1) / units);
        rows = (rows + granule - 1) / granule * granule;
        j->band_rows = whole_frames || rows >= layout.height ? layout.height : rows;
        j->bands_per_frame = (layout.height + j->band_rows - 1) / j->band_rows;
        j->bands = j->frames * j->bands_per_frame;
        if (!j->gather)
            status = temp_name(j, o.output, temp, sizeof temp, f);
    }
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;

    /* From here a signal (a rank killed makes mpirun send SIGTERM to the others; a signal to
     * mpirun is forwarded to every rank) removes the shared file, and rank 0 alone says so. */
    char what[4200];
    if (access(o.output, F_OK) == 0)
        snprintf(what, sizeof what, "'%.4000s' was left as it was", o.output);
    else
        snprintf(what, sizeof what, "no '%.4000s' was written", o.output);
    if (o.backend == 0)
        signals_after_driver();
    if (j->gather) {
        signals_guard_path(NULL, what, j->rank != 0);
        signals_guard(j->gathered, what); /* rank 0's file; NULL elsewhere */
    } else if (!signals_guard_path(temp, what, j->rank != 0)) {
        status = failure_set(f, CLR_USAGE_ERROR, "'%s': the name is too long", o.output);
    }
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;
    int code = 0;
    if (j->gather)
        goto open; /* no shared file */
    code = MPI_File_open(MPI_COMM_WORLD, temp, MPI_MODE_CREATE | MPI_MODE_EXCL | MPI_MODE_WRONLY,
                         MPI_INFO_NULL, &j->file);
    if (code == MPI_SUCCESS)
        j->file_open = true;
    else
        status = mpi_fail(f, "MPI_File_open", code);
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;
    code = MPI_File_set_size(j->file, (MPI_Offset)file_bytes);
    if (code != MPI_SUCCESS)
        status = mpi_fail(f, "MPI_File_set_size", code);
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;

open:
    if (j->rank == 0 &&
        (!(j->bands_by_rank = calloc((size_t)j->size, sizeof *j->bands_by_rank)) ||
         !(j->finished_by_rank = calloc((size_t)j->size, sizeof *j->finished_by_rank)) ||
         !(j->deferred = calloc((size_t)j->size, sizeof *j->deferred)) ||
         !(j->unit_owner = calloc(j->bands ? j->bands : 1, sizeof *j->unit_owner))))
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    if (j->rank == 0 && j->gather) {
        /* Early bands wait on rank 0 for the file: at most GATHER_WINDOW_BYTES of them, and
         * never fewer than two a rank (each holds one rendering and one fetched). */
        size_t band_bytes =
            j->band_rows * layout.width * layout.channels * clr_sample_size(layout.sample);
        size_t units = band_bytes ? GATHER_WINDOW_BYTES / band_bytes : j->bands;
        j->window = units > 2 * (size_t)j->size ? units : 2 * (size_t)j->size;
        const char *test_window = getenv("CLRENDER_TEST_GATHER_WINDOW");
        if (test_window && atoi(test_window) > 0)
            j->window = (size_t)atoi(test_window); /* for tests: a window to fill */
    }
    if ((status = agree(j, status, f, failed_rank)) != 0)
        goto done;
    int rendered_by = j->rank;
    clr_sink *const sinks[2] = {verifier, sink};
    render_timings_mark();
    status = j->rank == 0 ? coordinate(j, s, sinks, f, &rendered_by) : take_units(j, s, sinks, f);
    if (j->rank == 0 && status != 0 && rendered_by != 0) {
        /* Another rank's failure: rank 0 names it; the others' agree() below does not. */
        *failed_rank = rendered_by;
    }
    if (o.verify) {
        /* Each rank verified its bands; rank 0 adds the totals up and judges, as one process
         * would, before the file may replace its target. */
        status = verify_together(j, verifier, &o, &layout, status, f);
    }
    if (j->gather) {
        /* Every rank's bands have come (each sends its FINISHED after them): the file has
         * them all, or the render failed and the uncommitted sink leaves nothing. */
        if (j->rank == 0 && status == 0 && (j->next_frame != j->frames || j->early_count))
            status = failure_set(f, CLR_RUNTIME_ERROR,
                                 "internal error: %zu gathered bands were never written",
                                 j->early_count);
        if (j->rank == 0 && status == 0)
            status = clr_sink_commit(j->gathered, f);
    } else {
        /* The file is complete on disk only once every rank has closed it (collective). */
        code = MPI_File_close(&j->file);
        j->file_open = false;
        if (code != MPI_SUCCESS && status == 0)
            status = mpi_fail(f, "MPI_File_close", code);
        if (j->rank == 0 && status == 0 && rename(temp, o.output) != 0)
            status = failure_set(f, CLR_RUNTIME_ERROR, "cannot rename '%s' to '%s': %s", temp,
                                 o.output, strerror(errno));
        if (j->rank == 0 && status != 0)
            MPI_File_delete(temp, MPI_INFO_NULL); /* nothing is left of a failed render */
    }
    log_share(j, status);
    status = broadcast_outcome(j, status);
    if (o.timings)
        report_timings(j, s, &o, status);
done:
    signals_unguard();
    if (j->file_open) {
        MPI_File_close(&j->file);
        if (j->rank == 0)
            MPI_File_delete(temp, MPI_INFO_NULL);
    }
    free(j->bands_by_rank);
    j->bands_by_rank = NULL;
    free(j->units);
    j->units = NULL;
    free(j->finished_by_rank);
    j->finished_by_rank = NULL;
    free(j->deferred);
    j->deferred = NULL;
    free(j->unit_owner);
    j->unit_owner = NULL;
    for (size_t i = 0; i < j->early_count; ++i)
        free(j->early[i].samples);
    free(j->early);
    j->early = NULL, j->early_count = j->early_capacity = 0;
    clr_sink_free(j->gathered); /* uncommitted after a failure: no file */
    j->gathered = NULL;
    clr_sink_free(sink);
    clr_sink_free(verifier);
    clr_session_close(s);
    render_options_free(&o);
    return status;
}

/* Open MPI's default point-to-point layer on this Debian build is UCX, whose start-up costs
 * each rank about 0.2 s even when every rank shares one host, where the shared-memory
 * transport of ob1 is as fast and starts at once. Every rank of a job sees the same sizes, so
 * all choose alike; a user's own choice (mpirun --mca pml ..., OMPI_MCA_pml) stands. */
static void prefer_shared_memory_on_one_host(void) {
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (size && local && !strcmp(size, local) && !getenv("OMPI_MCA_pml"))
        setenv("OMPI_MCA_pml", "ob1", 0);
}

int main(int argc, char **argv) {
    clock_process_start_ms(); /* --timings counts from here, before MPI starts */
    prefer_shared_memory_on_one_host();
    int provided = 0;
    /* Only this thread calls MPI; the engine's device threads never do. */
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "clrender: MPI_Init_thread failed\n");
        return CLR_RUNTIME_ERROR;
    }
    job j = {0};
    int length = 0;
    if (MPI_Comm_rank(MPI_COMM_WORLD, &j.rank) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, &j.size) != MPI_SUCCESS ||
        MPI_Get_processor_name(j.host, &length) != MPI_SUCCESS ||
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN) != MPI_SUCCESS) {
        fprintf(stderr, "clrender: cannot learn this process's MPI rank\n");
        MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
    }
    failure f = {0};
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, j.rank, MPI_INFO_NULL,
                            &j.host_ranks) != MPI_SUCCESS ||
        MPI_Comm_rank(j.host_ranks, &j.local_rank) != MPI_SUCCESS || watch_host(&j, &f) != 0) {
        fprintf(stderr, "clrender: rank %d (%s): cannot learn the ranks of this host%s%s\n", j.rank,
                j.host, f.message[0] ? ": " : "", f.message);
        MPI_Abort(MPI_COMM_WORLD, CLR_RUNTIME_ERROR);
    }
    /* `--device local-rank` (gpu:local-rank, ...) picks by this rank's place on its host: MPI's
     * own count, which every launcher agrees with. */
    char local[16];
    snprintf(local, sizeof local, "%d", j.local_rank);
    setenv("CLRENDER_LOCAL_RANK", local, 1);
    char process[MPI_MAX_PROCESSOR_NAME + 32];
    snprintf(process, sizeof process, "rank %d (%s)", j.rank, j.host);
    signals_name_process(process);
    const char *kill_after = getenv("CLRENDER_TEST_KILL_AFTER_BANDS");
    j.kill_after_bands = kill_after ? strtoul(kill_after, NULL, 10) : 0;
    signals_install();
    cli_remember_command(argc, argv);
    int failed_rank = 0;
    int status = run(&j, argc, argv, &f, &failed_rank);
    if (status != 0 && j.rank == 0) {
        /* Another rank's message names it; a usage error is the same on every rank, and a
         * failed verification is the job's. */
        const char *newline = console_bar_open ? "\n" : ""; /* a bar waiting for its end */
        if (failed_rank != 0 || f.status != CLR_RUNTIME_ERROR)
            fprintf(stderr, "%sclrender: %s\n", newline, f.message);
        else
            fprintf(stderr, "%sclrender: rank 0 (%s): %s\n", newline, j.host, f.message);
    }
    mark_end();
    MPI_Win_free(&j.ended_window);
    MPI_Comm_free(&j.host_ranks);
    MPI_Finalize();
    /* Rank 0 has said what failed and gives the job's exit status: mpirun stops the whole job
     * at the first process that exits with another, which could cut rank 0's line off. */
    return j.rank == 0 ? status : 0;
}
