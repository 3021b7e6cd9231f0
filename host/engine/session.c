/* The public API's sessions: renderers and parameters, devices, inputs, timings. */
#define _POSIX_C_SOURCE 200809L
#include "engine/session.h"

#include "device/cl_status.h"
#include "device/program.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *clr_version(void) {
    return CLRENDER_VERSION;
}

void session_log(const clr_session *s, clr_log_level level, const char *format, ...) {
    if (!s->options.log)
        return;
    char message[CLR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    s->options.log(s->options.user, level, message);
}

void session_add_time(clr_session *s, double *field, double ms) {
    pthread_mutex_lock(&s->timings_lock);
    *field += ms;
    pthread_mutex_unlock(&s->timings_lock);
}

static void clear(failure *f) {
    f->status = CLR_OK;
    f->message[0] = '\0';
}

/* ---- Devices -------------------------------------------------------------------------- */

clr_status clr_list_devices(clr_device_info *devices, size_t capacity, size_t *count,
                            clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    device_list list;
    *count = 0;
    if (device_list_query(&list, 0, 0, f) != 0)
        return f->status;
    for (size_t i = 0; i < list.count && i < capacity; ++i)
        devices[i] = device_info(&list.items[i]);
    *count = list.count;
    device_list_free(&list);
    return CLR_OK;
}

/* ---- Renderers ------------------------------------------------------------------------- */

const char *clr_renderer_name(size_t index) {
    for (size_t i = 0; renderer_registry[i]; ++i)
        if (i == index)
            return renderer_registry[i]->name;
    return NULL;
}

const char *clr_renderer_summary(const char *name) {
    const renderer *r = renderer_find(name);
    return r ? r->summary : NULL;
}

const char *clr_renderer_notes(const char *name) {
    const renderer *r = renderer_find(name);
    return r ? r->notes : NULL;
}

static int unknown_renderer(const char *name, failure *f) {
    char known[256] = "";
    size_t used = 0;
    for (size_t i = 0; renderer_registry[i] && used < sizeof known; ++i)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 renderer_registry[i]->name);
    return failure_set(f, CLR_USAGE_ERROR, "unknown renderer '%s' (known: %s)", name ? name : "",
                       known);
}

size_t clr_renderer_param_count(const char *name) {
    const renderer *r = name ? renderer_find(name) : NULL;
    return r ? r->param_count : 0;
}

clr_status clr_renderer_param(const char *name, size_t index, clr_param_info *info,
                              clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    const renderer *r = name ? renderer_find(name) : NULL;
    if (!r)
        return unknown_renderer(name, f);
    if (index >= r->param_count)
        return failure_set(f, CLR_USAGE_ERROR, "%s has %zu parameters, not %zu", name,
                           r->param_count, index + 1);
    *info = param_info(&r->params[index]);
    return CLR_OK;
}

/* ---- Opening and closing ---------------------------------------------------------------- */

static char *copy_or_null(const char *text, bool *failed) {
    if (!text || !*text)
        return NULL;
    char *copy = strdup(text);
    *failed |= !copy;
    return copy;
}

clr_session *clr_session_open(const char *name, const clr_session_options *options,
                              clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    const renderer *r = name ? renderer_find(name) : NULL;
    if (!r) {
        unknown_renderer(name, f);
        return NULL;
    }
    return session_open_renderer(r, options, f);
}

clr_session *session_open_renderer(const renderer *r, const clr_session_options *options,
                                   failure *f) {
    clr_session *s = calloc(1, sizeof *s);
    bool failed = !s;
    if (s) {
        s->r = r;
        s->params = calloc(1, r->params_size);
        s->was_set = calloc(r->param_count ? r->param_count : 1, sizeof *s->was_set);
        s->inputs = calloc(r->input_count ? r->input_count : 1, sizeof *s->inputs);
        failed |= !s->params || !s->was_set || !s->inputs;
        if (options)
            s->options = *options;
        s->devices_spec = copy_or_null(s->options.devices, &failed);
        s->devices_origin = copy_or_null(s->options.devices_origin, &failed);
        s->kernel_dir = copy_or_null(s->options.kernel_dir, &failed);
        s->cache_dir = copy_or_null(s->options.cache_dir, &failed);
        s->options.devices = s->devices_spec;
        s->options.devices_origin = s->devices_origin;
        s->options.kernel_dir = s->kernel_dir;
        s->options.cache_dir = s->cache_dir;
        s->fake_failures_left = s->options.test_fail_launches;
        s->dirty = true;
        pthread_mutex_init(&s->timings_lock, NULL);
    }
    if (failed) {
        if (s) {
            free(s->params), free(s->was_set), free(s->inputs);
            free(s->devices_spec), free(s->devices_origin), free(s->kernel_dir);
            free(s->cache_dir);
            pthread_mutex_destroy(&s->timings_lock);
        }
        free(s);
        failure_set(f, CLR_RUNTIME_ERROR, "out of memory opening a session");
        return NULL;
    }
    r->init(s->params);
    return s;
}

static void close_devices(clr_session *s) {
    for (size_t i = 0; i < s->device_count; ++i) {
        engine_device *d = &s->devices[i];
        for (size_t a = 0; a < d->input_count; ++a)
            clReleaseMemObject(d->inputs[a].buffer);
        for (int b = 0; b < ENGINE_SLOTS; ++b)
            if (d->band_buffers[b])
                clReleaseMemObject(d->band_buffers[b]);
        for (size_t p = 0; p < d->program_count; ++p)
            clReleaseProgram(d->programs[p].object);
        if (d->open)
            device_close(&d->ctx);
    }
    free(s->devices);
    s->devices = NULL;
    s->device_count = 0;
    device_list_free(&s->list);
    s->devices_open = false;
}

void clr_session_close(clr_session *s) {
    if (!s)
        return;
    close_devices(s);
    if (s->r->release)
        s->r->release(s->params);
    param_table_release(s->r->params, s->r->param_count, s->params);
    pthread_mutex_destroy(&s->timings_lock);
    free(s->params), free(s->was_set), free(s->inputs);
    free(s->devices_spec), free(s->devices_origin), free(s->kernel_dir);
    free(s->cache_dir);
    free(s);
}

/* ---- Parameters ------------------------------------------------------------------------ */

static int find_param(clr_session *s, const char *name, const param_spec **p, failure *f) {
    *p = name ? param_find(s->r->params, s->r->param_count, name) : NULL;
    if (*p)
        return 0;
    return failure_set(f, CLR_USAGE_ERROR,
                       "unknown parameter '%s' of %s (see 'clrender %s --help')", name ? name : "",
                       s->r->name, s->r->name);
}

/* Records a set parameter, or turns a reason into the failure "--NAME 'VALUE': REASON". */
static clr_status after_set(clr_session *s, const param_spec *p, const char *shown, int result,
                            const char *why, failure *f) {
    if (result != 0) {
        if (shown)
            return failure_set(f, CLR_USAGE_ERROR, "--%s '%s': %s", p->name, shown, why);
        return failure_set(f, CLR_USAGE_ERROR, "--%s: %s", p->name, why);
    }
    s->was_set[p - s->r->params] = true;
    s->dirty = true;
    return CLR_OK;
}

/* A value for a parameter: text, or typed. */
typedef struct param_value {
    enum { VALUE_TEXT, VALUE_UINT, VALUE_REAL, VALUE_REALS } kind;
    const char *text;
    uint64_t whole;
    const double *reals;
    size_t count;
} param_value;

static clr_status set_param(clr_session *s, const char *name, param_value v, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    const param_spec *p;
    if (find_param(s, name, &p, f) != 0)
        return f->status;
    char why[512] = "", shown[256] = "";
    int result = -1;
    switch (v.kind) {
    case VALUE_TEXT:
        result = param_set_text(p, s->params, v.text, why, sizeof why);
        break;
    case VALUE_UINT:
        snprintf(shown, sizeof shown, "%llu", (unsigned long long)v.whole);
        result = param_set_uint(p, s->params, v.whole, why, sizeof why);
        break;
    case VALUE_REAL:
        snprintf(shown, sizeof shown, "%.17g", v.reals[0]);
        result = param_set_real(p, s->params, v.reals[0], why, sizeof why);
        break;
    case VALUE_REALS:
        if (!v.reals && v.count)
            return failure_set(f, CLR_USAGE_ERROR, "--%s: no values given", p->name);
        for (size_t i = 0, used = 0; i < v.count && used < sizeof shown; ++i)
            used += (size_t)snprintf(shown + used, sizeof shown - used, "%s%.17g", i ? "," : "",
                                     v.reals[i]);
        result = param_set_reals(p, s->params, v.reals, v.count, why, sizeof why);
        break;
    }
    return after_set(s, p, v.kind == VALUE_TEXT ? v.text : shown, result, why, f);
}

clr_status clr_set(clr_session *s, const char *name, const char *value, clr_error *error) {
    return set_param(s, name, (param_value){.kind = VALUE_TEXT, .text = value}, error);
}

clr_status clr_set_uint(clr_session *s, const char *name, uint64_t value, clr_error *error) {
    return set_param(s, name, (param_value){.kind = VALUE_UINT, .whole = value}, error);
}

clr_status clr_set_real(clr_session *s, const char *name, double value, clr_error *error) {
    return set_param(s, name, (param_value){.kind = VALUE_REAL, .reals = &value}, error);
}

clr_status clr_set_reals(clr_session *s, const char *name, const double *values, size_t count,
                         clr_error *error) {
    return set_param(s, name, (param_value){.kind = VALUE_REALS, .reals = values, .count = count},
                     error);
}

clr_status clr_reset(clr_session *s, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (s->r->release)
        s->r->release(s->params);
    param_table_release(s->r->params, s->r->param_count, s->params);
    s->r->init(s->params);
    memset(s->was_set, 0, s->r->param_count * sizeof *s->was_set);
    s->dirty = true;
    return CLR_OK;
}

/* ---- Inputs and layout ---------------------------------------------------------------- */

clr_status clr_set_input(clr_session *s, const char *name, const void *samples, clr_sample sample,
                         const size_t *dims, size_t dim_count, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    const input_spec *spec = NULL;
    size_t index = 0;
    for (; name && index < s->r->input_count; ++index)
        if (!strcmp(s->r->inputs[index].name, name)) {
            spec = &s->r->inputs[index];
            break;
        }
    if (!spec)
        return failure_set(f, CLR_USAGE_ERROR, "%s takes no input named '%s'", s->r->name,
                           name ? name : "");
    if (!samples)
        return failure_set(f, CLR_USAGE_ERROR, "input '%s': no data", name);
    if ((unsigned)sample > CLR_SAMPLE_F32 || !(spec->sample_mask & (1u << sample)))
        return failure_set(f, CLR_USAGE_ERROR, "input '%s': this sample type is not accepted",
                           name);
    if (dim_count != spec->dims || dim_count > 4)
        return failure_set(f, CLR_USAGE_ERROR, "input '%s' has %u dimensions, not %zu", name,
                           spec->dims, dim_count);
    attached_input *in = &s->inputs[index];
    for (size_t i = 0; i < dim_count; ++i) {
        if (dims[i] == 0)
            return failure_set(f, CLR_USAGE_ERROR, "input '%s': dimension %zu is 0", name, i);
        in->dims[i] = dims[i];
    }
    in->data = samples;
    in->sample = sample;
    ++in->generation;
    s->dirty = true;
    return CLR_OK;
}

static void warn_from_renderer(void *user, const char *message) {
    session_log(user, CLR_LOG_WARNING, "%s", message);
}

int session_finish(clr_session *s, failure *f) {
    if (!s->dirty)
        return 0;
    const renderer_context context = {s->was_set, s->inputs, warn_from_renderer, s};
    if (s->r->finish && s->r->finish(s->params, &context, f) != 0)
        return f->status;
    clr_layout l;
    s->r->layout(s->params, &l);
    size_t frame_bytes = image_bytes(l.width, l.height, (unsigned)l.channels, l.sample);
    if (frame_bytes == 0 || __builtin_mul_overflow(frame_bytes, l.frames, &l.bytes))
        return failure_set(f, CLR_USAGE_ERROR,
                           "%zu frames of %zux%zu pixels are too many to address", l.frames,
                           l.width, l.height);
    s->layout = l;
    s->dirty = false;
    return 0;
}

clr_status clr_layout_get(clr_session *s, clr_layout *layout, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (session_finish(s, f) != 0)
        return f->status;
    *layout = s->layout;
    return CLR_OK;
}

/* ---- Devices of a session ------------------------------------------------------------- */

int session_open_devices(clr_session *s, failure *f) {
    if (s->devices_open || s->options.reference)
        return 0;
    double start = clock_ms();
    if (device_list_query(&s->list, s->options.test_max_allocation, s->options.test_device_memory,
                          f) != 0)
        return f->status;
    size_t *chosen = calloc(s->list.count ? s->list.count : 1, sizeof *chosen);
    size_t count = 0;
    int status = chosen ? device_choose(s->list.items, s->list.count, s->devices_spec,
                                        s->devices_origin, chosen, &count, f)
                        : failure_set(f, CLR_RUNTIME_ERROR, "out of memory choosing devices");
    if (status == 0 && !(s->devices = calloc(count, sizeof *s->devices)))
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory opening devices");
    for (size_t i = 0; status == 0 && i < count; ++i) {
        engine_device *d = &s->devices[i];
        d->entry = &s->list.items[chosen[i]];
        s->device_count = i + 1;
        status = device_open(d->entry, &d->ctx, f);
        d->open = status == 0;
        if (status == 0)
            session_log(s, CLR_LOG_INFO, "rendering on %u:%u %s %s", d->entry->platform_index,
                        d->entry->device_index, device_type_name(d->entry->type), d->entry->name);
    }
    free(chosen);
    if (status != 0) {
        close_devices(s);
        return status;
    }
    s->devices_open = true;
    s->timings.setup_ms += clock_ms() - start;
    return 0;
}

static void build_log(void *user, const char *log) {
    session_log(user, CLR_LOG_BUILD_LOG, "%s", log);
}

/* The cache's trouble is said once a session: every program after the first would repeat it. */
static void cache_warning(void *user, const char *message) {
    clr_session *s = user;
    if (s->cache_warned)
        return;
    s->cache_warned = true;
    session_log(s, CLR_LOG_WARNING, "%s", message);
}

static int program_for(clr_session *s, engine_device *d, const launch *l, cl_program *program,
                       failure *f) {
    for (size_t i = 0; i < d->program_count; ++i)
        if (!strcmp(d->programs[i].program, l->program) &&
            !strcmp(d->programs[i].options, l->build_options)) {
            *program = d->programs[i].object;
            return 0;
        }
    if (d->program_count == SESSION_MAX_PROGRAMS)
        return failure_set(f, CLR_RUNTIME_ERROR, "too many kernel variants in one session");
    double start = clock_ms();
    const program_request request = {
        s->kernel_dir, l->program, l->build_options, s->cache_dir, build_log, cache_warning, s};
    bool cached;
    if (program_build(&d->ctx, &request, program, &cached, f) != 0)
        return f->status;
    pthread_mutex_lock(&s->timings_lock);
    s->timings.build_ms += clock_ms() - start;
    ++*(cached ? &s->timings.programs_cached : &s->timings.programs_built);
    pthread_mutex_unlock(&s->timings_lock);
    built_program *b = &d->programs[d->program_count++];
    snprintf(b->program, sizeof b->program, "%s", l->program);
    snprintf(b->options, sizeof b->options, "%s", l->build_options);
    b->object = *program;
    return 0;
}

static double mib(uint64_t bytes) {
    return (double)bytes / 1048576.0;
}

uint64_t session_input_budget(const engine_device *d) {
    return d->entry->global_memory / 4 * 3;
}

/* Refuses inputs the device cannot hold, before any work, naming the sizes and the limit. */
static int check_inputs(const engine_device *d, const launch *l, failure *f) {
    uint64_t total = 0;
    for (size_t i = 0; i < l->arg_count; ++i) {
        const launch_arg *a = &l->args[i];
        if (a->kind != LAUNCH_ARG_INPUT)
            continue;
        total += a->size;
        if (a->size > d->entry->max_allocation)
            return failure_set(f, CLR_RUNTIME_ERROR,
                               "%s take %.1f MiB, more than %s allocates at once (%.1f MiB); "
                               "make them smaller or choose another --device",
                               a->name, mib(a->size), d->entry->name,
                               mib(d->entry->max_allocation));
    }
    if (total > session_input_budget(d))
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "the inputs of one launch take %.1f MiB, more than the %.1f MiB that "
                           "%s keeps for inputs (3/4 of its memory); make them smaller or choose "
                           "another --device",
                           mib(total), mib(session_input_budget(d)), d->entry->name);
    return 0;
}

static void drop_input(engine_device *d, size_t index) {
    clReleaseMemObject(d->inputs[index].buffer); /* freed once the launches using it end */
    d->input_bytes -= d->inputs[index].size;
    d->inputs[index] = d->inputs[--d->input_count];
}

/* Whether input `index` of the device is one that `l` needs. */
static bool needed_by(const engine_device *d, size_t index, const launch *l) {
    const uploaded_input *u = &d->inputs[index];
    for (size_t i = 0; i < l->arg_count; ++i) {
        const launch_arg *a = &l->args[i];
        if (a->kind == LAUNCH_ARG_INPUT && u->data == a->data && u->size == a->size &&
            u->generation == a->generation)
            return true;
    }
    return false;
}

/* The device's buffer holding `a`, uploaded now if it has none. */
static int input_buffer(clr_session *s, engine_device *d, const launch *l, const launch_arg *a,
                        cl_mem *buffer, failure *f) {
    for (size_t i = 0; i < d->input_count; ++i) {
        uploaded_input *u = &d->inputs[i];
        if (u->data == a->data && u->size == a->size && u->generation == a->generation) {
            u->last_used = d->uses;
            *buffer = u->buffer;
            return 0;
        }
    }
    /* An older version of the same data is stale: its host memory changed since. */
    for (size_t i = 0; i < d->input_count;)
        if (d->inputs[i].data == a->data && !needed_by(d, i, l))
            drop_input(d, i);
        else
            ++i;
    /* Room: the least recently used inputs this launch does not need go first. */
    while (d->input_count == SESSION_MAX_INPUTS ||
           (d->input_count && d->input_bytes + a->size > session_input_budget(d))) {
        size_t oldest = SIZE_MAX;
        for (size_t i = 0; i < d->input_count; ++i)
            if (!needed_by(d, i, l) &&
                (oldest == SIZE_MAX || d->inputs[i].last_used < d->inputs[oldest].last_used))
                oldest = i;
        if (oldest == SIZE_MAX)
            break; /* check_inputs() made sure that this launch's inputs fit together */
        drop_input(d, oldest);
    }
    double start = clock_ms();
    cl_int status;
    /* A CPU device reads aligned host memory in place (inputs stay valid and unchanged while
     * the session may use them: clr_set_input's rule); anything else is copied. */
    const size_t align = d->entry->host_alignment;
    const bool in_place = align && (uintptr_t)a->data % align == 0;
    cl_mem made = clCreateBuffer(
        d->ctx.context, CL_MEM_READ_ONLY | (in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR),
        a->size, (void *)a->data, &status);
    if (status != CL_SUCCESS)
        return cl_fail(f, "clCreateBuffer", status);
    d->inputs[d->input_count++] = (uploaded_input){a->data, a->size, a->generation, made, d->uses};
    d->input_bytes += a->size;
    session_add_time(s, &s->timings.upload_ms, clock_ms() - start);
    *buffer = made;
    return 0;
}

int session_bind_inputs(clr_session *s, engine_device *d, const launch *l, cl_kernel kernel,
                        failure *f) {
    ++d->uses;
    for (size_t i = 0; i < l->arg_count; ++i) {
        const launch_arg *a = &l->args[i];
        cl_mem buffer;
        if (a->kind != LAUNCH_ARG_INPUT)
            continue;
        if (input_buffer(s, d, l, a, &buffer, f) != 0)
            return f->status;
        CL_CHECK(f, failed, clSetKernelArg, (kernel, (cl_uint)(i + 1), sizeof buffer, &buffer));
    }
    return 0;
failed:
    return f->status;
}

int session_prepare_launch(clr_session *s, engine_device *d, const launch *l, cl_kernel *kernel,
                           failure *f) {
    *kernel = NULL;
    if (l->needs_fp64 && !d->entry->fp64) {
        if (l->fp64_hint)
            return failure_set(f, CLR_RUNTIME_ERROR,
                               "%s has no double-precision (fp64) support; %s", d->entry->name,
                               l->fp64_hint);
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "%s has no double-precision (fp64) support, which %s needs; choose "
                           "another device with --device",
                           d->entry->name, s->r->name);
    }
    cl_program program;
    cl_int status;
    if (check_inputs(d, l, f) != 0 || program_for(s, d, l, &program, f) != 0)
        return f->status;
    *kernel = clCreateKernel(program, l->entry_point, &status);
    CL_CHECK_STATUS(f, failed, "clCreateKernel", status);
    for (size_t i = 0; i < l->arg_count; ++i) {
        const launch_arg *a = &l->args[i];
        if (a->kind == LAUNCH_ARG_VALUE)
            CL_CHECK(f, failed, clSetKernelArg, (*kernel, (cl_uint)(i + 1), a->size, a->bytes));
    }
    if (session_bind_inputs(s, d, l, *kernel, f) != 0)
        goto failed;
    return 0;
failed:
    if (*kernel)
        clReleaseKernel(*kernel);
    *kernel = NULL;
    return f->status;
}

clr_status clr_session_prepare(clr_session *s, clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    clear(f);
    if (session_finish(s, f) != 0 || session_open_devices(s, f) != 0)
        return f->status;
    for (size_t i = 0; i < s->device_count; ++i)
        for (size_t pass = 0, passes = 1; pass < passes; ++pass) {
            launch l;
            memset(&l, 0, sizeof l);
            cl_kernel kernel;
            if (s->r->launch(s->params, s->devices[i].entry, 0, pass, &l, f) != 0 ||
                session_prepare_launch(s, &s->devices[i], &l, &kernel, f) != 0)
                return f->status;
            clReleaseKernel(kernel);
            if (pass == 0 && l.pass_count > 1)
                passes = l.pass_count;
        }
    return CLR_OK;
}

static int check_device_index(const clr_session *s, size_t index, failure *f) {
    clear(f);
    if (index >= s->device_count)
        return failure_set(f, CLR_USAGE_ERROR, "the session has %zu devices, not %zu",
                           s->device_count, index + 1);
    return 0;
}

size_t clr_session_device_count(const clr_session *s) {
    return s->device_count;
}

clr_status clr_session_device(const clr_session *s, size_t index, clr_device_info *info,
                              clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    if (check_device_index(s, index, f) != 0)
        return f->status;
    *info = device_info(s->devices[index].entry);
    return CLR_OK;
}

double clr_render_iterations(clr_session *s, const void *buffer, size_t bytes) {
    failure f;
    if (!s->r->iterations || !buffer || session_finish(s, &f) != 0 || bytes < s->layout.bytes)
        return 0;
    const clr_layout *l = &s->layout;
    size_t frame_bytes = l->bytes / l->frames;
    double total = 0;
    for (size_t i = 0; i < l->frames; ++i) {
        image frame = {l->width, l->height, (unsigned)l->channels, l->sample,
                       (unsigned char *)buffer + i * frame_bytes};
        total += s->r->iterations(s->params, i, &frame);
    }
    return total;
}

/* ---- Timings ----------------------------------------------------------------------------- */

void clr_session_timings(const clr_session *s, clr_timings *timings) {
    pthread_mutex_lock((pthread_mutex_t *)&s->timings_lock);
    *timings = s->timings;
    pthread_mutex_unlock((pthread_mutex_t *)&s->timings_lock);
}

void clr_timings_reset(clr_session *s) {
    pthread_mutex_lock(&s->timings_lock);
    memset(&s->timings, 0, sizeof s->timings);
    for (size_t i = 0; i < s->device_count; ++i)
        memset(&s->devices[i].share, 0, sizeof s->devices[i].share);
    pthread_mutex_unlock(&s->timings_lock);
}

clr_status clr_session_device_share(const clr_session *s, size_t index, clr_device_share *share,
                                    clr_error *error) {
    failure scratch, *f = API_FAILURE(error, scratch);
    if (check_device_index(s, index, f) != 0)
        return f->status;
    pthread_mutex_lock((pthread_mutex_t *)&s->timings_lock);
    *share = s->devices[index].share;
    pthread_mutex_unlock((pthread_mutex_t *)&s->timings_lock);
    return CLR_OK;
}
