/* Rendering a session's frames in bands of rows on one or more devices.
 *
 * Each device has a worker thread and two slots (a device buffer and the host
 * memory its rows are read back into), so it renders the next band while the
 * last one is being delivered. The work is a queue of bands, each some rows of
 * one frame: every frame whole for clr_render(), the caller's bands for
 * clr_render_bands(), one band for clr_render_band(). Workers take rows from the
 * queue's head band, top to bottom; a faster device simply comes back for more.
 * The caller's thread fills the queue (a caller's source is only ever asked
 * there) and delivers the finished rows to the sinks strictly in the queue's
 * order (verifying, converting and writing them), so files are streamed and
 * the output is the same bit for bit whatever the devices and band sizes.
 *
 * Band sizes follow time, not pixel counts. A device's first band is one
 * granule (the least common multiple of every device's rows per work-item): a
 * probe whose kernel time gives the cost of a row. Later bands take as many
 * rows as fit half the launch budget at that cost (more if the cost was rising:
 * the rise is expected to go on), growing at most 4x per band unless the band
 * is predicted to take under a quarter of the budget, so a probe that happened
 * to land on cheap rows cannot push a launch far past it. Expensive bands are
 * sized one at a time, each from the last one's time. A launch that runs out
 * of resources is queued again in halves.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine/sinks.h"

#include "device/cl_status.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

/* Memory for the bands a render holds at once (every device's two slots, the
 * reference's band for verification, the band converted for a file). Small
 * enough to keep any render far below a gigabyte, large enough for few launches. */
#define DEFAULT_HOST_BUDGET (192u << 20)
/* The time one launch should take: short enough for a GPU watchdog (a few
 * seconds) and a lively progress bar, long enough to make launching cheap. */
#define DEFAULT_LAUNCH_BUDGET_MS 500.0
#define SLOTS                    ENGINE_SLOTS
#define MAX_RETRIES              256
#define MAX_SMALLEST_RETRIES     3

typedef struct band {
    size_t frame, row, rows;
    size_t seq; /* which band of the queue its rows belong to, counted from 0 in fetch order */
} band;

/* A band of the queue and how far it got: rows handed out to workers, rows delivered. */
typedef struct queued_band {
    band b;
    size_t handed, delivered;
} queued_band;

/* Where a render's bands come from (see clr_render_bands). */
typedef struct band_feed {
    clr_band_source next;
    clr_band_idle idle;
    void *user;
    /* Bands fetched ahead beyond the one being handed out: 1 for a caller's source, whose
     * bands may be handed out dynamically among processes; all of them for the engine's own
     * (every frame of clr_render), which are known at once. */
    size_t lookahead;
} band_feed;

typedef enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_DONE } slot_state;

typedef struct slot {
    slot_state state;
    band b;
    size_t order; /* when it was queued, among its worker's slots */
    cl_mem buffer;
    image host; /* where the rows are read back: owned, or a view of the caller's memory */
    bool host_owned;
    cl_event kernel_started, kernel_done, read_done; /* first and last pass, read-back */
    double kernel_ms; /* from the first pass's start to the last's end */
} slot;

typedef struct run run;

typedef struct worker {
    run *run;
    size_t index;
    engine_device *dev;
    size_t frame;       /* the frame the kernels' arguments are set for */
    size_t pass_count;  /* that frame's passes */
    cl_kernel *kernels; /* one per pass */
    launch *descs;      /* each pass's launch */
    size_t local[2];    /* the work-group size of its launches, or {0, 0} for the driver's */
    size_t max_rows;    /* the largest band its buffers hold, a multiple of the granule */
    slot slots[SLOTS];
    size_t queued;     /* bands queued so far */
    double ms_per_row; /* kernel time per row of its last band; 0 before the probe returns */
    double previous_ms_per_row; /* of the band before */
    size_t last_rows;
    unsigned smallest_failures; /* launches of one granule that ran short, in a row */
    band first;                 /* handed out before the threads start */
    bool has_first;
    pthread_t thread;
    bool started, finished;
} worker;

struct run {
    clr_session *s;
    clr_sink *const *sinks;
    size_t sink_count;
    unsigned char *direct; /* a memory sink's buffer: bands are read straight into it */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t frames, height, row_bytes, granule, max_rows, fixed_rows;
    band_feed feed;
    /* The bands fetched and not yet delivered: queue[delivering] is being delivered,
     * queue[handing] handed out to workers, those past it wait; all before `count`. */
    queued_band *queue;
    size_t delivering, handing, count, capacity;
    size_t fetched;      /* bands fetched so far: the next one's seq */
    bool source_done;    /* the source said there are no more */
    double ask_again_ms; /* the source said LATER: when to ask again (0: whenever) */
    /* The rows of the bands fetched so far: the whole render's for clr_render(), which
     * fetches every frame at once; for a caller's source it grows as bands come. */
    uint64_t total_rows;
    double budget_ms;
    double last_idle_ms;     /* when feed.idle was last called */
    band retry[MAX_RETRIES]; /* bands to render again, after a device ran short */
    size_t retry_count;
    worker *workers;
    size_t worker_count, live_workers;
    bool failed;
    failure first_failure;
    double start_ms, longest_ms;
    size_t bands_done, launches;
    uint64_t rows_done;
};

static void clear(failure *f) {
    f->status = CLR_OK;
    f->message[0] = '\0';
}

/* Records the render's first failure and stops every worker. Call with the lock held. */
static void fail_run(run *r, const failure *f) {
    if (!r->failed) {
        r->failed = true;
        r->first_failure = *f;
    }
    pthread_cond_broadcast(&r->changed);
}

static bool short_of_resources(cl_int why) {
    return why == CL_OUT_OF_RESOURCES || why == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
           why == CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
}

static size_t round_down(size_t rows, size_t granule) {
    rows -= rows % granule;
    return rows < granule ? granule : rows;
}

static size_t gcd(size_t a, size_t b) {
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ---- Handing out work (lock held) -------------------------------------------------------- */

/* Whether rows are left to hand out, now or once the coordinator has fetched more. */
static bool work_left(const run *r) {
    return r->retry_count > 0 || r->handing < r->count || !r->source_done;
}

/* The next band for a worker that wants `rows` rows: a band to redo first (the earliest, so
 * that delivery in order can go on), else the next rows of the queue's band being handed out.
 * False when neither has any (the coordinator may still fetch more). */
static bool take_band(run *r, size_t rows, band *b) {
    if (r->retry_count) {
        size_t first = 0;
        for (size_t i = 1; i < r->retry_count; ++i)
            if (r->retry[i].seq < r->retry[first].seq ||
                (r->retry[i].seq == r->retry[first].seq && r->retry[i].row < r->retry[first].row))
                first = i;
        *b = r->retry[first];
        if (b->rows > rows) { /* leave the rest for later */
            r->retry[first].row += rows;
            r->retry[first].rows -= rows;
            b->rows = rows;
        } else {
            r->retry[first] = r->retry[--r->retry_count];
        }
        return true;
    }
    if (r->handing == r->count)
        return false;
    queued_band *q = &r->queue[r->handing];
    size_t left = q->b.rows - q->handed;
    *b = (band){q->b.frame, q->b.row + q->handed, rows < left ? rows : left, q->b.seq};
    q->handed += b->rows;
    if (q->handed == q->b.rows) {
        ++r->handing;
        pthread_cond_broadcast(&r->changed); /* the coordinator fetches the next one */
    }
    return true;
}

static bool push_retry(run *r, band b) {
    if (r->retry_count == MAX_RETRIES)
        return false;
    r->retry[r->retry_count++] = b;
    return true;
}

/* Rows the worker's next band should have; `behind` when it is queued behind one still running,
 * whose time is not known yet. */
static size_t band_rows(const worker *w, bool behind) {
    const run *r = w->run;
    if (r->fixed_rows)
        return round_down(r->fixed_rows < w->max_rows ? r->fixed_rows : w->max_rows, r->granule);
    if (w->ms_per_row <= 0)
        return r->granule; /* the probe */
    /* Rows grow costlier towards a horizon, a crowd of spheres: when the last band cost more
     * per row than the one before, expect the rise to go on once more (at most 4x). */
    double rise = w->previous_ms_per_row > 0 ? w->ms_per_row / w->previous_ms_per_row : 1;
    double cost = w->ms_per_row * (rise < 1 ? 1 : rise > 4 ? 4 : rise);
    /* Aim at half the budget: the budget is a limit, and a band's rows may cost twice what
     * the last band's did (noise, a sharper rise) and still end within it. Behind a running
     * band the last measurement is one band old: aim at an eighth. */
    double by_budget = r->budget_ms / (behind ? 8 : 2) / cost;
    double growth = 4.0 * (double)w->last_rows, small = r->budget_ms / 4 / cost;
    double cap = growth > small ? growth : small;
    double rows = by_budget < cap ? by_budget : cap;
    if (rows > (double)w->max_rows)
        rows = (double)w->max_rows;
    return round_down((size_t)rows, r->granule);
}

/* ---- One device's launches (no lock held) ------------------------------------------------ */

/* Checks that a launch covers the frame's rows exactly in its rows per work-item: a kernel
 * whose declared rows per item disagree with its work size would silently shift the bands. */
static int check_launch(const run *r, const launch *l, failure *f) {
    size_t step = l->rows_per_item ? l->rows_per_item : 1;
    if (l->items_high == 0 || l->items_wide == 0 || l->items_high * step < r->height ||
        (l->items_high - 1) * step >= r->height)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "internal error: %s's launch of %zu work-item rows of %zu image rows "
                           "each does not cover the image's %zu rows",
                           l->entry_point, l->items_high, step, r->height);
    return 0;
}

static void release_kernels(worker *w) {
    for (size_t p = 0; p < w->pass_count; ++p)
        if (w->kernels[p])
            clReleaseKernel(w->kernels[p]);
    free(w->kernels);
    free(w->descs);
    w->kernels = NULL, w->descs = NULL, w->pass_count = 0;
}

/* Describes and prepares one pass of `frame` on the worker's device. */
static int prepare_pass(worker *w, size_t frame, size_t pass, launch *l, cl_kernel *kernel,
                        failure *f) {
    run *r = w->run;
    clr_session *s = r->s;
    memset(l, 0, sizeof *l);
    if (s->r->launch(s->params, w->dev->entry, frame, pass, l, f) != 0 ||
        check_launch(r, l, f) != 0)
        return f->status;
    size_t step = l->rows_per_item ? l->rows_per_item : 1;
    if (r->granule % step)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "internal error: frame %zu of %s covers %zu rows per work-item, which "
                           "bands of %zu rows cannot follow",
                           frame, l->entry_point, step, r->granule);
    return session_prepare_launch(s, w->dev, l, kernel, f);
}

/* Sets the worker's kernels up for `frame`, one per pass. */
static int set_frame(worker *w, size_t frame, failure *f) {
    launch first;
    cl_kernel kernel = NULL;
    if (prepare_pass(w, frame, 0, &first, &kernel, f) != 0)
        return f->status;
    release_kernels(w);
    size_t passes = first.pass_count ? first.pass_count : 1;
    w->kernels = calloc(passes, sizeof *w->kernels);
    w->descs = calloc(passes, sizeof *w->descs);
    if (!w->kernels || !w->descs) {
        clReleaseKernel(kernel);
        free(w->kernels), free(w->descs);
        w->kernels = NULL, w->descs = NULL;
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory preparing %zu passes", passes);
    }
    w->pass_count = passes;
    w->kernels[0] = kernel;
    w->descs[0] = first;
    for (size_t p = 1; p < passes; ++p)
        if (prepare_pass(w, frame, p, &w->descs[p], &w->kernels[p], f) != 0) {
            w->frame = (size_t)-1;
            return f->status;
        }
    w->frame = frame;
    const launch *l = &w->descs[0];
    w->local[0] = w->local[1] = 0;
    if (w->dev->entry->type & CL_DEVICE_TYPE_CPU) {
        /* PoCL compiles a work-group function for each work-group size, which it derives from
         * the global size when given none: bands of different heights were each compiled
         * (7 objects and 2.2 s more for a cold render of 16 bands). One size per launch width,
         * one row high, serves every band; kernel times did not change measurably. */
        size_t wide = 64;
        while (wide > 1 && l->items_wide % wide)
            --wide;
        w->local[0] = wide, w->local[1] = 1;
    }
    return 0;
}

static void release_events(slot *sl) {
    if (sl->read_done)
        clReleaseEvent(sl->read_done);
    if (sl->kernel_done)
        clReleaseEvent(sl->kernel_done);
    if (sl->kernel_started)
        clReleaseEvent(sl->kernel_started);
    sl->read_done = sl->kernel_done = sl->kernel_started = NULL;
}

static int enqueue(worker *w, slot *sl, cl_int *why, failure *f) {
    run *r = w->run;
    const device_context *ctx = &w->dev->ctx;
    *why = CL_SUCCESS;
    if (sl->b.frame != w->frame && set_frame(w, sl->b.frame, f) != 0)
        return f->status;
    const launch *l = &w->descs[0];
    const size_t step = l->rows_per_item ? l->rows_per_item : 1;
    const size_t first_item = sl->b.row / step;
    size_t items = (sl->b.rows + step - 1) / step;
    if (first_item + items > l->items_high)
        items = l->items_high - first_item;
    const size_t offset[2] = {0, first_item}, global[2] = {l->items_wide, items};
    if (r->direct) {
        sl->host.pixels = r->direct + (sl->b.frame * r->height + sl->b.row) * r->row_bytes;
        sl->host.height = sl->b.rows;
    }
    cl_int status = CL_SUCCESS;
    for (size_t p = 0; p < w->pass_count; ++p) {
        cl_kernel kernel = w->kernels[p];
        /* Another pass may have dropped this one's inputs to make room. */
        if (w->pass_count > 1 && session_bind_inputs(r->s, w->dev, &w->descs[p], kernel, f) != 0)
            goto failed;
        status = clSetKernelArg(kernel, 0, sizeof sl->buffer, &sl->buffer);
        *why = status;
        CL_CHECK_STATUS(f, failed, "clSetKernelArg", status);
        pthread_mutex_lock(&r->s->timings_lock);
        bool fake = r->s->fake_failures_left > 0; /* the test hook */
        r->s->fake_failures_left -= fake;
        pthread_mutex_unlock(&r->s->timings_lock);
        pthread_mutex_lock(&r->lock);
        ++r->launches;
        pthread_mutex_unlock(&r->lock);
        cl_event done = NULL;
        status = fake ? CL_OUT_OF_RESOURCES
                      : clEnqueueNDRangeKernel(ctx->queue, kernel, 2, offset, global,
                                               w->local[0] ? w->local : NULL, 0, NULL, &done);
        *why = status;
        CL_CHECK_STATUS(f, failed, "clEnqueueNDRangeKernel", status);
        if (sl->kernel_done && sl->kernel_started)
            clReleaseEvent(sl->kernel_done); /* a middle pass */
        else if (sl->kernel_done)
            sl->kernel_started = sl->kernel_done;
        sl->kernel_done = done;
    }
    status = clEnqueueReadBuffer(ctx->queue, sl->buffer, CL_FALSE, 0, sl->b.rows * r->row_bytes,
                                 sl->host.pixels, 1, &sl->kernel_done, &sl->read_done);
    *why = status;
    CL_CHECK_STATUS(f, failed, "clEnqueueReadBuffer", status);
    /* Start now: the host goes on with the previous band meanwhile. */
    status = clFlush(ctx->queue);
    *why = status;
    CL_CHECK_STATUS(f, failed, "clFlush", status);
    return 0;
failed:
    release_events(sl);
    return f->status;
}

static double event_ms(cl_event event, int *failed) {
    cl_ulong start = 0, end = 0;
    if (clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) !=
            CL_SUCCESS ||
        clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) !=
            CL_SUCCESS) {
        *failed = 1;
        return 0;
    }
    return (double)(end - start) * 1e-6;
}

static int wait_band(worker *w, slot *sl, cl_int *why, failure *f) {
    cl_int status = clWaitForEvents(1, &sl->read_done);
    *why = status;
    if (status != CL_SUCCESS) {
        /* A failed launch fails its read-back's wait: report what the launch said. */
        cl_int launch_status = CL_SUCCESS;
        if (clGetEventInfo(sl->kernel_done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof launch_status,
                           &launch_status, NULL) == CL_SUCCESS &&
            launch_status < 0)
            *why = status = launch_status;
        release_events(sl);
        return cl_fail(f, "clWaitForEvents", status);
    }
    int failed = 0;
    if (sl->kernel_started) { /* several passes: from the first's start to the last's end */
        cl_ulong start = 0, end = 0;
        failed = clGetEventProfilingInfo(sl->kernel_started, CL_PROFILING_COMMAND_START,
                                         sizeof start, &start, NULL) != CL_SUCCESS ||
                 clGetEventProfilingInfo(sl->kernel_done, CL_PROFILING_COMMAND_END, sizeof end,
                                         &end, NULL) != CL_SUCCESS;
        sl->kernel_ms = end > start ? (double)(end - start) * 1e-6 : 0;
    } else {
        sl->kernel_ms = event_ms(sl->kernel_done, &failed);
    }
    double transfer_ms = event_ms(sl->read_done, &failed);
    release_events(sl);
    if (failed)
        return cl_fail(f, "clGetEventProfilingInfo", CL_PROFILING_INFO_NOT_AVAILABLE);
    clr_session *s = w->run->s;
    pthread_mutex_lock(&s->timings_lock);
    s->timings.kernel_ms += sl->kernel_ms;
    s->timings.transfer_ms += transfer_ms;
    w->dev->share.kernel_ms += sl->kernel_ms;
    w->dev->share.bands += 1;
    w->dev->share.rows += sl->b.rows;
    pthread_mutex_unlock(&s->timings_lock);
    return 0;
}

/* After a launch ran short of resources: every band this worker has queued goes back to be
 * rendered again, the failed one in halves, and its bands stay at most half as tall. False
 * when the band cannot be split any more (or too much is waiting): the render fails. */
static bool requeue_smaller(worker *w, slot *failed_slot, cl_int why) {
    run *r = w->run;
    /* A band that cannot be split is tried again a few times: a device busy with other work
     * may free resources. */
    bool smallest = failed_slot->b.rows <= r->granule;
    if (!short_of_resources(why) || (smallest && ++w->smallest_failures > MAX_SMALLEST_RETRIES))
        return false;
    pthread_mutex_unlock(&r->lock);
    clFinish(w->dev->ctx.queue);
    pthread_mutex_lock(&r->lock);
    size_t half = smallest ? failed_slot->b.rows : round_down(failed_slot->b.rows / 2, r->granule);
    band first = failed_slot->b, second = failed_slot->b;
    first.rows = half;
    second.row += half, second.rows -= half;
    bool ok = push_retry(r, first) && (second.rows == 0 || push_retry(r, second));
    failed_slot->state = SLOT_FREE;
    for (int i = 0; i < SLOTS; ++i) {
        slot *sl = &w->slots[i];
        if (sl->state != SLOT_QUEUED)
            continue;
        release_events(sl);
        ok = ok && push_retry(r, sl->b);
        sl->state = SLOT_FREE;
    }
    if (!smallest && half < w->max_rows)
        w->max_rows = half; /* what ran short stays out of reach */
    pthread_cond_broadcast(&r->changed);
    return ok;
}

static slot *slot_in(worker *w, slot_state state) {
    slot *found = NULL;
    for (int i = 0; i < SLOTS; ++i)
        if (w->slots[i].state == state && (!found || w->slots[i].order < found->order))
            found = &w->slots[i];
    return found;
}

static void *worker_main(void *argument) {
    worker *w = argument;
    run *r = w->run;
    failure f;
    clear(&f);
    pthread_mutex_lock(&r->lock);
    while (!r->failed) {
        slot *free_slot = slot_in(w, SLOT_FREE), *oldest = slot_in(w, SLOT_QUEUED);
        /* The probe goes alone: its time sizes the next band. So do all but short bands: a band
         * queued behind a running one is sized before that one's time is known (a crowd of
         * spheres at the horizon made one cost six times the last), and where launches take
         * long the host's work between them is too short to be worth hiding. */
        bool probing = w->ms_per_row <= 0 && !r->fixed_rows;
        bool expensive = !r->fixed_rows && w->ms_per_row * (double)w->last_rows > r->budget_ms / 8;
        band b;
        bool got = false;
        if (free_slot && !((probing || expensive) && oldest)) {
            got = w->has_first || take_band(r, band_rows(w, oldest != NULL), &b);
            if (w->has_first)
                b = w->first, w->has_first = false;
        }
        if (got) {
            free_slot->state = SLOT_QUEUED;
            free_slot->b = b;
            free_slot->order = w->queued++;
            pthread_mutex_unlock(&r->lock);
            cl_int why;
            int status = enqueue(w, free_slot, &why, &f);
            pthread_mutex_lock(&r->lock);
            if (status != 0 && !requeue_smaller(w, free_slot, why))
                fail_run(r, &f);
            continue;
        }
        if (!oldest) {
            if (!work_left(r))
                break;
            pthread_cond_wait(&r->changed, &r->lock); /* for a slot to be delivered */
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        cl_int why;
        int status = wait_band(w, oldest, &why, &f);
        pthread_mutex_lock(&r->lock);
        if (status != 0) {
            if (!requeue_smaller(w, oldest, why))
                fail_run(r, &f);
            continue;
        }
        if (oldest->kernel_ms > r->longest_ms)
            r->longest_ms = oldest->kernel_ms;
        /* Launches cost a little even when empty: never count a row as free. */
        w->previous_ms_per_row = w->ms_per_row;
        w->ms_per_row = oldest->kernel_ms > 1e-3 ? oldest->kernel_ms / (double)oldest->b.rows
                                                 : 1e-3 / (double)oldest->b.rows;
        w->last_rows = oldest->b.rows;
        w->smallest_failures = 0;
        oldest->state = SLOT_DONE;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    clFinish(w->dev->ctx.queue); /* nothing may still write into the slots */
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < SLOTS; ++i)
        if (w->slots[i].state == SLOT_QUEUED) {
            release_events(&w->slots[i]);
            w->slots[i].state = SLOT_FREE;
        }
    w->finished = true;
    --r->live_workers;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* ---- Setting a render up and taking it down ------------------------------------------------ */

static int setup_host_slots(run *r, worker *w, failure *f);

/* Releases the band buffers a device keeps between renders (see engine_device). */
static void forget_band_buffers(engine_device *d) {
    for (int i = 0; i < SLOTS; ++i) {
        if (d->band_buffers[i])
            clReleaseMemObject(d->band_buffers[i]);
        d->band_buffers[i] = NULL;
    }
    d->band_buffer_bytes = 0;
}

static int setup_worker(run *r, worker *w, failure *f) {
    cl_int status = CL_SUCCESS;
    w->frame = (size_t)-1;
    if (set_frame(w, 0, f) != 0)
        return f->status;
    /* A band's buffer must fit the device's largest allocation. */
    size_t fit = w->dev->entry->max_allocation / r->row_bytes;
    w->max_rows = r->max_rows < fit ? r->max_rows : fit;
    if (w->max_rows < r->height)
        w->max_rows -= w->max_rows % r->granule;
    if (w->max_rows == 0)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "%s cannot allocate even %zu rows of this image (%zu bytes each); use "
                           "a smaller width",
                           w->dev->entry->name, r->granule, r->row_bytes);
    engine_device *d = w->dev;
    if (d->band_buffers[0] && d->band_buffer_bytes >= w->max_rows * r->row_bytes) {
        for (int i = 0; i < SLOTS; ++i) {
            status = clRetainMemObject(d->band_buffers[i]);
            CL_CHECK_STATUS(f, failed, "clRetainMemObject", status);
            w->slots[i].buffer = d->band_buffers[i];
        }
        return setup_host_slots(r, w, f);
    }
    forget_band_buffers(d); /* too small: give their memory back before asking for more */
    /* Drivers may refuse an allocation below their stated maximum: try smaller bands. */
    for (;;) {
        for (int i = 0; i < SLOTS && status == CL_SUCCESS; ++i)
            w->slots[i].buffer = clCreateBuffer(w->dev->ctx.context, CL_MEM_WRITE_ONLY,
                                                w->max_rows * r->row_bytes, NULL, &status);
        if (status == CL_SUCCESS || w->max_rows <= r->granule ||
            (status != CL_MEM_OBJECT_ALLOCATION_FAILURE && status != CL_OUT_OF_RESOURCES &&
             status != CL_OUT_OF_HOST_MEMORY && status != CL_INVALID_BUFFER_SIZE))
            break;
        for (int i = 0; i < SLOTS; ++i)
            if (w->slots[i].buffer)
                clReleaseMemObject(w->slots[i].buffer);
        w->slots[0].buffer = w->slots[1].buffer = NULL;
        status = CL_SUCCESS;
        w->max_rows = round_down(w->max_rows / 2, r->granule);
    }
    CL_CHECK_STATUS(f, failed, "clCreateBuffer", status);
    for (int i = 0; i < SLOTS; ++i) {
        status = clRetainMemObject(w->slots[i].buffer);
        CL_CHECK_STATUS(f, failed, "clRetainMemObject", status);
        d->band_buffers[i] = w->slots[i].buffer;
    }
    d->band_buffer_bytes = w->max_rows * r->row_bytes;
    return setup_host_slots(r, w, f);
failed:
    return f->status;
}

static int setup_host_slots(run *r, worker *w, failure *f) {
    const clr_layout *l = &r->s->layout;
    for (int i = 0; i < SLOTS; ++i) {
        slot *sl = &w->slots[i];
        if (r->direct) {
            sl->host = (image){l->width, 0, (unsigned)l->channels, l->sample, r->direct};
        } else {
            if (image_alloc(&sl->host, l->width, w->max_rows, (unsigned)l->channels, l->sample,
                            f) != 0)
                return f->status;
            sl->host_owned = true;
        }
    }
    return 0;
}

static void teardown_worker(worker *w) {
    for (int i = 0; i < SLOTS; ++i) {
        release_events(&w->slots[i]);
        if (w->slots[i].buffer)
            clReleaseMemObject(w->slots[i].buffer);
        if (w->slots[i].host_owned)
            image_free(&w->slots[i].host);
    }
    release_kernels(w);
}

/* Rows per band at most: within the memory budget (or --tile-rows), on the granule. */
static size_t band_limit(const run *r, size_t slots_in_use) {
    const clr_session *s = r->s;
    size_t budget =
        s->options.host_budget_bytes ? s->options.host_budget_bytes : DEFAULT_HOST_BUDGET;
    /* every device's slots, the reference's band for --verify, the band converted for a file */
    size_t per_row = r->row_bytes * (slots_in_use + 2);
    size_t rows = per_row ? budget / per_row : r->height;
    if (rows > r->height)
        rows = r->height;
    if (rows < r->height)
        rows = round_down(rows, r->granule);
    return rows;
}

static void report_progress(run *r, double last_launch_ms, size_t device) {
    clr_session *s = r->s;
    if (!s->options.progress)
        return;
    uint64_t total = r->total_rows;
    double elapsed = clock_ms() - r->start_ms;
    double fraction = total ? (double)r->rows_done / (double)total : 1;
    double rows_per_band = r->bands_done ? (double)r->rows_done / (double)r->bands_done : 1;
    clr_progress p = {
        .rows_done = r->rows_done,
        .rows_total = total,
        .bands_done = r->bands_done,
        .bands_estimated =
            r->bands_done + (size_t)((double)(total - r->rows_done) / rows_per_band + 0.999),
        .elapsed_ms = elapsed,
        .remaining_ms = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0,
        .last_launch_ms = last_launch_ms,
        .longest_launch_ms = r->longest_ms,
        .device = device,
    };
    s->options.progress(s->options.user, &p);
}

static int deliver(run *r, band b, const image *rows, failure *f) {
    for (size_t i = 0; i < r->sink_count; ++i)
        if (sink_rows(r->sinks[i], b.frame, b.row, rows, f) != 0)
            return f->status;
    r->rows_done += b.rows;
    ++r->bands_done;
    return 0;
}

/* ---- The queue of bands (the caller's thread) ----------------------------------------------- */

/* Whether the render can take a band: within a frame, starting where a work-item's rows
 * start. Every band is checked here, whichever call brought it. */
static int check_band(const run *r, size_t frame, size_t first_row, size_t rows, failure *f) {
    if (frame >= r->frames || rows == 0 || first_row >= r->height || rows > r->height - first_row)
        return failure_set(f, CLR_USAGE_ERROR,
                           "band of rows %zu to %zu of frame %zu is outside the render's %zu "
                           "frames of %zu rows",
                           first_row, first_row + rows, frame, r->frames, r->height);
    if (first_row % r->granule)
        return failure_set(f, CLR_USAGE_ERROR,
                           "band of rows %zu to %zu of frame %zu: bands start on multiples of "
                           "%zu rows (clr_band_granule)",
                           first_row, first_row + rows, frame, r->granule);
    return sinks_accept_band(r->s, r->sinks, r->sink_count, frame, first_row, rows, f);
}

/* Asks the source for its next band: 1 with *b filled and checked, 0 when there are no more,
 * CLR_BAND_LATER when it has none yet, -1 when the source failed or gave a band the render
 * cannot take (the reason in `f`). On the caller's thread without the lock: the source may
 * block. */
static int next_band(run *r, band *b, failure *f) {
    char message[CLR_MESSAGE_SIZE] = "";
    size_t frame = 0, row = 0, rows = 0;
    int got = r->feed.next(r->feed.user, &frame, &row, &rows, message);
    message[CLR_MESSAGE_SIZE - 1] = '\0';
    if (got == CLR_BAND_NONE || got == CLR_BAND_LATER)
        return got;
    if (got < 0 || got != CLR_BAND_GIVEN) {
        failure_set(f, CLR_RUNTIME_ERROR, "%s", message[0] ? message : "the band source failed");
        return -1;
    }
    if (check_band(r, frame, row, rows, f) != 0)
        return -1;
    *b = (band){frame, row, rows, r->fetched++};
    return 1;
}

/* Whether to fetch another band now: the queue keeps the band being handed out and
 * `lookahead` more, so that a worker finishing one band finds the next at once, while this
 * thread may be busy delivering, and never waits for the source. */
static bool wants_band(const run *r) {
    return !r->source_done && r->count - r->handing <= r->feed.lookahead &&
           (r->ask_again_ms == 0 || clock_ms() >= r->ask_again_ms);
}

/* Fetches one band into the queue (lock held; released while the source runs). */
static int fetch_band(run *r, failure *f) {
    pthread_mutex_unlock(&r->lock);
    band b;
    int got = next_band(r, &b, f);
    pthread_mutex_lock(&r->lock);
    if (got < 0)
        return f->status;
    r->ask_again_ms = got == CLR_BAND_LATER ? clock_ms() + 1.0 : 0;
    if (got == CLR_BAND_LATER)
        return 0;
    if (got == 0) {
        r->source_done = true;
    } else {
        if (r->count == r->capacity && r->delivering > 0) { /* the delivered bands make room */
            memmove(r->queue, r->queue + r->delivering,
                    (r->count - r->delivering) * sizeof *r->queue);
            r->handing -= r->delivering, r->count -= r->delivering, r->delivering = 0;
        } else if (r->count == r->capacity) {
            size_t capacity = r->capacity ? 2 * r->capacity : 8;
            queued_band *grown = realloc(r->queue, capacity * sizeof *grown);
            if (!grown)
                return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu bands", capacity);
            r->queue = grown, r->capacity = capacity;
        }
        r->queue[r->count++] = (queued_band){b, 0, 0};
        r->total_rows += b.rows;
    }
    pthread_cond_broadcast(&r->changed); /* workers waiting for rows, or for the end */
    return 0;
}

/* Calls the feed's idle callback if a millisecond has passed since the last call. */
static int call_idle(run *r, failure *f) {
    double now = clock_ms();
    if (!r->feed.idle || now - r->last_idle_ms < 1.0)
        return 0;
    r->last_idle_ms = now;
    char message[CLR_MESSAGE_SIZE] = "";
    int status = r->feed.idle(r->feed.user, message);
    message[CLR_MESSAGE_SIZE - 1] = '\0';
    if (status != 0)
        return failure_set(f, CLR_RUNTIME_ERROR, "%s",
                           message[0] ? message : "the idle callback failed");
    return 0;
}

/* Waits for news from the workers (lock held). With an idle callback the wait is cut into
 * milliseconds and the callback called between them, without the lock: a caller coordinating
 * other processes answers them meanwhile. */
static int wait_for_workers(run *r, failure *f) {
    if (!r->feed.idle && r->ask_again_ms == 0) {
        pthread_cond_wait(&r->changed, &r->lock);
        return 0;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until); /* the condition variable's clock */
    until.tv_nsec += 1000000;
    if (until.tv_nsec >= 1000000000)
        until.tv_sec += 1, until.tv_nsec -= 1000000000;
    pthread_cond_timedwait(&r->changed, &r->lock, &until);
    pthread_mutex_unlock(&r->lock);
    int status = call_idle(r, f);
    pthread_mutex_lock(&r->lock);
    return status;
}

/* ---- Rendering the queue ------------------------------------------------------------------ */

/* Without devices: the scalar reference renders the bands, one after another. */
static int render_reference(run *r, failure *f) {
    const clr_layout *l = &r->s->layout;
    r->granule = 1;
    r->max_rows =
        r->fixed_rows ? (r->fixed_rows < r->height ? r->fixed_rows : r->height) : band_limit(r, 1);
    image rows = {0};
    if (!r->direct &&
        image_alloc(&rows, l->width, r->max_rows, (unsigned)l->channels, l->sample, f) != 0)
        return f->status;
    int status = 0;
    for (size_t i = 0; status == 0 && i < r->sink_count; ++i)
        status = sink_begin(r->sinks[i], r->max_rows, f);
    band whole;
    int got = 0;
    while (status == 0 && (got = next_band(r, &whole, f)) > 0) {
        if (got == CLR_BAND_LATER) { /* nothing to deliver meanwhile: a millisecond's pause */
            nanosleep(&(struct timespec){0, 1000000}, NULL);
            status = call_idle(r, f);
            continue;
        }
        r->total_rows += whole.rows;
        const size_t end = whole.row + whole.rows;
        for (size_t row = whole.row; status == 0 && row < end; row += r->max_rows) {
            band b = {whole.frame, row, end - row < r->max_rows ? end - row : r->max_rows,
                      whole.seq};
            image view = rows;
            if (r->direct)
                view = (image){l->width, b.rows, (unsigned)l->channels, l->sample,
                               r->direct + (b.frame * r->height + row) * r->row_bytes};
            view.height = b.rows;
            double start = clock_ms();
            r->s->r->reference(r->s->params, b.frame, &view, row);
            session_add_time(r->s, &r->s->timings.reference_ms, clock_ms() - start);
            status = deliver(r, b, &view, f);
            report_progress(r, 0, 0);
            /* No devices to wait for: a caller coordinating others answers them between bands. */
            if (status == 0)
                status = call_idle(r, f);
        }
    }
    if (status == 0 && got < 0)
        status = f->status;
    image_free(&rows);
    return status;
}

/* The caller's thread: fetches bands ahead of the workers and delivers the finished ones in
 * the queue's order. */
static void coordinate(run *r, failure *f) {
    pthread_mutex_lock(&r->lock);
    while (!r->failed) {
        if (wants_band(r)) {
            if (fetch_band(r, f) != 0) {
                fail_run(r, f);
                break;
            }
            continue;
        }
        if (r->delivering == r->count && r->source_done)
            break;                       /* the source has no more and all are delivered */
        if (r->delivering == r->count) { /* the source said LATER: ask it again soon */
            if (wait_for_workers(r, f) != 0) {
                fail_run(r, f);
                break;
            }
            continue;
        }
        const queued_band *q = &r->queue[r->delivering];
        const size_t seq = q->b.seq, frame = q->b.frame, row = q->b.row + q->delivered;
        worker *owner = NULL;
        slot *next = NULL;
        for (size_t i = 0; i < r->worker_count && !next; ++i)
            for (int k = 0; k < SLOTS && !next; ++k) {
                slot *sl = &r->workers[i].slots[k];
                if (sl->state == SLOT_DONE && sl->b.seq == seq && sl->b.row == row)
                    next = sl, owner = &r->workers[i];
            }
        if (!next) {
            if (r->live_workers == 0) {
                failure_set(f, CLR_RUNTIME_ERROR,
                            "internal error: the devices stopped before rows %zu of frame %zu "
                            "were rendered",
                            row, frame);
                fail_run(r, f);
                break;
            }
            if (wait_for_workers(r, f) != 0) {
                fail_run(r, f);
                break;
            }
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        image rows = image_rows(&next->host, 0, next->b.rows);
        int status = deliver(r, next->b, &rows, f);
        pthread_mutex_lock(&r->lock);
        if (status != 0) {
            fail_run(r, f);
            break;
        }
        queued_band *delivered = &r->queue[r->delivering]; /* only this thread moves the queue */
        delivered->delivered += next->b.rows;
        if (delivered->delivered == delivered->b.rows)
            ++r->delivering;
        next->state = SLOT_FREE;
        pthread_cond_broadcast(&r->changed);
        double launch_ms = next->kernel_ms;
        pthread_mutex_unlock(&r->lock);
        report_progress(r, launch_ms, owner->index);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
}

/* The rows every band starts on: the least common multiple of every device's rows per
 * work-item in its launch of the first frame (checked on this thread, where build logs
 * reach the caller). */
static int find_granule(run *r, failure *f) {
    clr_session *s = r->s;
    if (session_open_devices(s, f) != 0)
        return f->status;
    r->granule = 1;
    for (size_t i = 0; i < s->device_count; ++i) {
        launch l;
        memset(&l, 0, sizeof l);
        if (s->r->launch(s->params, s->devices[i].entry, 0, 0, &l, f) != 0 ||
            check_launch(r, &l, f) != 0)
            return f->status;
        size_t step = l.rows_per_item ? l.rows_per_item : 1;
        r->granule = r->granule / gcd(r->granule, step) * step;
    }
    return 0;
}

static int render_devices(run *r, failure *f) {
    clr_session *s = r->s;
    if (find_granule(r, f) != 0)
        return f->status;
    /* The first bands before anything is set up: a band the render cannot take fails it
     * before any allocation, and when they are all the bands there are they size the slots. */
    int status = 0;
    pthread_mutex_lock(&r->lock);
    while (status == 0 && wants_band(r))
        status = fetch_band(r, f);
    pthread_mutex_unlock(&r->lock);
    if (status != 0)
        return status;
    r->worker_count = s->device_count;
    r->workers = calloc(r->worker_count, sizeof *r->workers);
    if (!r->workers)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    for (size_t i = 0; i < r->worker_count; ++i) {
        worker *w = &r->workers[i];
        w->run = r, w->index = i, w->dev = &s->devices[i];
    }
    /* Slots are allocated once per render, by the budget: a caller's source may yet bring any
     * band. When every band is known already (clr_render_band's one), no taller than the
     * tallest, not the whole image's budget allocated again for every call. (A band's first
     * launch stays a probe: it may belong to a frame whose rows cost far more than the last.) */
    r->max_rows = band_limit(r, r->direct ? 0 : SLOTS * r->worker_count);
    if (r->source_done) {
        size_t tallest = r->granule;
        for (size_t i = 0; i < r->count; ++i) {
            size_t span = (r->queue[i].b.rows + r->granule - 1) / r->granule * r->granule;
            if (span > tallest)
                tallest = span;
        }
        if (tallest < r->max_rows)
            r->max_rows = tallest;
    }
    for (size_t i = 0; status == 0 && i < r->worker_count; ++i)
        status = setup_worker(r, &r->workers[i], f);
    size_t largest = 0;
    for (size_t i = 0; status == 0 && i < r->worker_count; ++i)
        if (r->workers[i].max_rows > largest)
            largest = r->workers[i].max_rows;
    for (size_t i = 0; status == 0 && i < r->sink_count; ++i)
        status = sink_begin(r->sinks[i], largest, f);
    if (status != 0)
        return status;

    /* Every device's first band (its probe) is handed out now, in turn: each device renders
     * and measures its cost, however late its thread starts. */
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->worker_count; ++i)
        r->workers[i].has_first =
            take_band(r, band_rows(&r->workers[i], false), &r->workers[i].first);
    r->live_workers = r->worker_count;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < r->worker_count; ++i) {
        worker *w = &r->workers[i];
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            pthread_mutex_lock(&r->lock);
            r->live_workers -= r->worker_count - i;
            failure_set(f, CLR_RUNTIME_ERROR, "cannot start a thread for %s", w->dev->entry->name);
            fail_run(r, f);
            pthread_mutex_unlock(&r->lock);
            break;
        }
        w->started = true;
    }
    coordinate(r, f);
    pthread_mutex_lock(&r->lock);
    pthread_cond_broadcast(&r->changed); /* idle workers see that nothing is left */
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < r->worker_count; ++i)
        if (r->workers[i].started)
            pthread_join(r->workers[i].thread, NULL);
    if (r->failed) {
        *f = r->first_failure;
        return f->status;
    }
    return 0;
}

/* Renders the bands `feed` brings into the sinks, with one set-up for all of them. */
static int render_feed(clr_session *s, const band_feed *feed, clr_sink *const *sinks,
                       size_t sink_count, failure *f) {
    double start = clock_ms();
    if (session_finish(s, f) != 0)
        return f->status;
    for (size_t i = 0; i < sink_count; ++i)
        if (!sinks[i] || sinks[i]->session != s)
            return failure_set(f, CLR_USAGE_ERROR, "sink %zu does not belong to this session", i);
    const clr_layout *l = &s->layout;
    run r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.sinks = sinks;
    r.sink_count = sink_count;
    r.frames = l->frames;
    r.height = l->height;
    r.feed = *feed;
    r.row_bytes = l->width * l->channels * clr_sample_size(l->sample);
    r.fixed_rows = s->options.band_rows;
    r.budget_ms =
        s->options.launch_budget_ms > 0 ? s->options.launch_budget_ms : DEFAULT_LAUNCH_BUDGET_MS;
    r.start_ms = start;
    r.last_idle_ms = start;
    for (size_t i = 0; i < sink_count && !r.direct; ++i)
        if (sinks[i]->kind == SINK_MEMORY)
            r.direct = sinks[i]->buffer;
    pthread_mutex_init(&r.lock, NULL);
    /* Timed waits (for the idle callback) count on the clock that clock_ms() reads. */
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&r.changed, &monotonic);
    pthread_condattr_destroy(&monotonic);

    /* A reference that is the exact solution (not the kernels' maths) is the render itself
     * unless it is there to be compared with. */
    bool by_reference =
        s->options.reference || (renderer_verify_rule(s->r, s->params).reference_is_truth &&
                                 !sinks_verify(sinks, sink_count));
    int status = by_reference ? render_reference(&r, f) : render_devices(&r, f);
    for (size_t i = 0; i < r.worker_count; ++i)
        teardown_worker(&r.workers[i]);
    free(r.workers);
    free(r.queue);
    pthread_cond_destroy(&r.changed);
    pthread_mutex_destroy(&r.lock);
    for (size_t i = 0; status == 0 && i < sink_count; ++i)
        status = sink_end(sinks[i], f);
    if (status != 0)
        for (size_t i = 0; i < sink_count; ++i)
            sink_abort(sinks[i]);

    pthread_mutex_lock(&s->timings_lock);
    s->timings.render_ms += clock_ms() - start;
    s->timings.launches += r.launches;
    s->timings.bands += r.bands_done;
    if (r.longest_ms > s->timings.longest_launch_ms)
        s->timings.longest_launch_ms = r.longest_ms;
    pthread_mutex_unlock(&s->timings_lock);
    return status;
}

/* clr_render's source: every frame whole, in order. */
typedef struct every_frame {
    const clr_session *s;
    size_t next;
} every_frame;

static int next_frame(void *user, size_t *frame, size_t *first_row, size_t *rows, char *message) {
    (void)message;
    every_frame *e = user;
    if (e->next == e->s->layout.frames)
        return 0;
    *frame = e->next++, *first_row = 0, *rows = e->s->layout.height;
    return 1;
}

int scheduler_render(clr_session *s, clr_sink *const *sinks, size_t sink_count, failure *f) {
    every_frame frames = {s, 0};
    const band_feed feed = {next_frame, NULL, &frames, SIZE_MAX};
    return render_feed(s, &feed, sinks, sink_count, f);
}

clr_status clr_band_granule(clr_session *s, size_t *granule, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    *granule = 1;
    if (session_finish(s, f) != 0)
        return f->status;
    if (s->options.reference)
        return CLR_OK;
    run r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.height = s->layout.height;
    if (find_granule(&r, f) != 0)
        return f->status;
    *granule = r.granule;
    return CLR_OK;
}

/* Whether a render of chosen bands can feed these sinks (and makes its verifiers add up every
 * band they see). */
static int check_band_sinks(clr_sink *const *sinks, size_t sink_count, failure *f) {
    /* Other sinks assume they see every band from the first (a memory sink's offsets, the
     * verifier's totals, a file's stream). */
    for (size_t i = 0; i < sink_count; ++i)
        if (!sinks[i] || (sinks[i]->kind != SINK_PLACED && sinks[i]->kind != SINK_ROWS &&
                          sinks[i]->kind != SINK_VERIFY))
            return failure_set(f, CLR_USAGE_ERROR,
                               "a band renders into placed, rows and verify sinks only");
    /* (Sinks that need whole frames are checked band by band: check_band.) */
    for (size_t i = 0; i < sink_count; ++i)
        if (sinks[i]->kind == SINK_VERIFY)
            sinks[i]->accumulate = true;
    return 0;
}

clr_status clr_render_bands(clr_session *s, clr_band_source next, clr_band_idle idle, void *user,
                            clr_sink *const *sinks, size_t sink_count, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (!next)
        return failure_set(f, CLR_USAGE_ERROR, "clr_render_bands needs a band source");
    if (session_finish(s, f) != 0 || check_band_sinks(sinks, sink_count, f) != 0)
        return f->status;
    const band_feed feed = {next, idle, user, 1};
    return render_feed(s, &feed, sinks, sink_count, f);
}

/* clr_render_band's source: its one band. */
typedef struct one_band {
    size_t frame, first_row, rows;
    bool given;
} one_band;

static int next_of_one(void *user, size_t *frame, size_t *first_row, size_t *rows, char *message) {
    (void)message;
    one_band *only = user;
    if (only->given)
        return 0;
    only->given = true;
    *frame = only->frame, *first_row = only->first_row, *rows = only->rows;
    return 1;
}

clr_status clr_render_band(clr_session *s, size_t frame, size_t first_row, size_t rows,
                           clr_sink *const *sinks, size_t sink_count, clr_error *error) {
    one_band only = {frame, first_row, rows, false};
    return clr_render_bands(s, next_of_one, NULL, &only, sinks, sink_count, error);
}

clr_status clr_render(clr_session *s, clr_sink *const *sinks, size_t sink_count, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    return scheduler_render(s, sinks, sink_count, f);
}

clr_status clr_render_memory(clr_session *s, void *buffer, size_t bytes, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    clr_sink *sink = clr_sink_memory(s, buffer, bytes, f);
    if (!sink)
        return f->status;
    int status = scheduler_render(s, &sink, 1, f);
    clr_sink_free(sink);
    return status;
}
