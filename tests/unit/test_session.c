/* Unit tests of the engine through the public API, on the PoCL CPU device (two of them: the
 * test runs with POCL_DEVICES="pthread pthread").
 *
 * A test renderer, "ramp", writes float samples weights[col] * scale + row + 1000 * frame
 * (tests/unit/kernels/ramp.cl) from an input buffer, over several frames, with a chosen
 * number of rows per work-item: what the registry's renderers do not yet exercise (float
 * output, attached inputs, frames, granules). Julia is rendered through clr_ calls and
 * compared with the .npy the command line writes.
 */
#define _GNU_SOURCE /* mkstemps, memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/session.h"
#include "session_files.h"

#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- the ramp renderer -------------------------------------------------------------------- */

typedef struct ramp_params {
    image_size size;
    uint64_t frames, rows_per_item;
    double scale;
    int lie; /* describe one work-item row too few: a launch that does not cover the image */
    const attached_input *weights;
} ramp_params;

static const param_spec ramp_table[] = {
    PARAM_SIZE("size", ramp_params, size, "image size"),
    PARAM_UINT("frames", ramp_params, frames, 1, 16, "N", "frames"),
    PARAM_UINT("rows-per-item", ramp_params, rows_per_item, 1, 8, "N", "rows per work-item"),
    PARAM_REAL("scale", ramp_params, scale, -1e6, false, 1e6, NULL, "S", "scale"),
    PARAM_FLAG("lie", ramp_params, lie, "a wrong launch"),
};

static const input_spec ramp_inputs[] = {
    {"weights", "one float per column", 1, 1u << CLR_SAMPLE_F32},
};

static void ramp_init(void *params) {
    *(ramp_params *)params =
        (ramp_params){.size = {37, 29}, .frames = 1, .rows_per_item = 1, .scale = 0.25};
}

static int ramp_finish(void *params, const renderer_context *context, failure *f) {
    ramp_params *p = params;
    p->weights = &context->inputs[0];
    if (!p->weights->data)
        return failure_set(f, CLR_USAGE_ERROR, "ramp needs its weights");
    if (p->weights->dims[0] != p->size.width)
        return failure_set(f, CLR_USAGE_ERROR, "ramp needs one weight per column");
    return 0;
}

static void ramp_layout(const void *params, clr_layout *layout) {
    const ramp_params *p = params;
    *layout = (clr_layout){.frames = p->frames,
                           .height = p->size.height,
                           .width = p->size.width,
                           .channels = 1,
                           .sample = CLR_SAMPLE_F32};
}

static int ramp_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                       launch *l, failure *f) {
    (void)device, (void)pass, (void)f;
    const ramp_params *p = params;
    const cl_uint width = (cl_uint)p->size.width, height = (cl_uint)p->size.height;
    const cl_uint frame32 = (cl_uint)frame, rows = (cl_uint)p->rows_per_item;
    const cl_float scale = (cl_float)p->scale;
    l->program = "ramp";
    l->entry_point = "ramp";
    l->items_wide = width;
    l->rows_per_item = p->rows_per_item;
    l->items_high = (height + rows - 1) / rows - (p->lie ? 1 : 0);
    launch_add_value(l, &width, sizeof width);
    launch_add_value(l, &height, sizeof height);
    launch_add_value(l, &frame32, sizeof frame32);
    launch_add_value(l, &scale, sizeof scale);
    launch_add_input(l, "the weights", p->weights->data, width * sizeof(float),
                     p->weights->generation);
    launch_add_value(l, &rows, sizeof rows);
    return 0;
}

static float ramp_value(const ramp_params *p, size_t frame, size_t row, size_t col) {
    const float *weights = p->weights->data;
    return weights[col] * (float)p->scale + (float)row + 1000.0f * (float)frame;
}

static void ramp_reference(const void *params, size_t frame, image *rows, size_t first_row) {
    const ramp_params *p = params;
    float *out = rows->pixels;
    for (size_t r = 0; r < rows->height; ++r)
        for (size_t c = 0; c < p->size.width; ++c)
            out[r * p->size.width + c] = ramp_value(p, frame, first_row + r, c);
}

static const renderer ramp_renderer = {
    .name = "ramp",
    .summary = "a test pattern",
    .params = ramp_table,
    .param_count = sizeof ramp_table / sizeof ramp_table[0],
    .params_size = sizeof(ramp_params),
    .inputs = ramp_inputs,
    .input_count = 1,
    .verify = {.unit = "unit", .integer = false, .absolute = 1e-6, .relative = 1e-6},
    .init = ramp_init,
    .finish = ramp_finish,
    .layout = ramp_layout,
    .launch = ramp_launch,
    .reference = ramp_reference,
};

/* ---- helpers ----------------------------------------------------------------------------- */

static float weights[64];

static clr_session *open_ramp(clr_session_options options) {
    options.kernel_dir = TEST_KERNEL_DIR;
    if (!options.devices)
        options.devices = "cpu";
    failure f = {0};
    clr_session *s = session_open_renderer(&ramp_renderer, &options, &f);
    assert_non_null(s);
    for (size_t i = 0; i < 64; ++i)
        weights[i] = (float)i * 0.5f - 7.0f;
    const size_t dims[1] = {37};
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_F32, dims, 1, &f), CLR_OK);
    return s;
}

static float *render_ramp(clr_session *s, clr_layout *layout) {
    failure f = {0};
    assert_int_equal(clr_layout_get(s, layout, &f), CLR_OK);
    float *out = malloc(layout->bytes);
    assert_non_null(out);
    memset(out, 0xff, layout->bytes); /* NaN: a row never written shows */
    if (clr_render_memory(s, out, layout->bytes, &f) != CLR_OK)
        fail_msg("render failed: %s", f.message);
    return out;
}

static void expect_ramp(const clr_session *s, const float *out, const clr_layout *l) {
    const ramp_params *p = s->params;
    for (size_t frame = 0; frame < l->frames; ++frame)
        for (size_t row = 0; row < l->height; ++row)
            for (size_t col = 0; col < l->width; ++col) {
                float want = ramp_value(p, frame, row, col);
                float got = out[(frame * l->height + row) * l->width + col];
                if (memcmp(&want, &got, sizeof want) != 0)
                    fail_msg("frame %zu row %zu col %zu: %g, expected %g", frame, row, col,
                             (double)got, (double)want);
            }
}

/* ---- tests ------------------------------------------------------------------------------ */

static void float_frames_render_into_memory_as_the_formula_says(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_int_equal(clr_set(s, "frames", "3", &f), CLR_OK);
    assert_int_equal(clr_set(s, "rows-per-item", "4", &f), CLR_OK);
    clr_layout l;
    float *out = render_ramp(s, &l);
    assert_int_equal(l.frames, 3);
    assert_int_equal(l.sample, CLR_SAMPLE_F32);
    assert_int_equal(l.bytes, 3 * 29 * 37 * sizeof(float));
    expect_ramp(s, out, &l);
    free(out);
    clr_session_close(s);
}

static void bands_of_any_height_give_the_same_floats(void **state) {
    (void)state;
    float *first = NULL;
    size_t bytes = 0;
    for (size_t rows = 1; rows <= 29; rows += 7) {
        clr_session *s = open_ramp((clr_session_options){.band_rows = rows});
        failure f = {0};
        assert_int_equal(clr_set(s, "frames", "2", &f), CLR_OK);
        assert_int_equal(clr_set(s, "rows-per-item", "3", &f), CLR_OK);
        clr_layout l;
        float *out = render_ramp(s, &l);
        expect_ramp(s, out, &l);
        clr_timings t;
        clr_session_timings(s, &t);
        /* bands of `rows` rounded down to the 3 rows of a work-item, at least one item */
        size_t band = rows < 3 ? 3 : rows - rows % 3;
        assert_int_equal(t.bands, 2 * ((29 + band - 1) / band));
        if (first)
            assert_memory_equal(first, out, bytes);
        else
            first = out, bytes = l.bytes;
        if (out != first)
            free(out);
        clr_session_close(s);
    }
    free(first);
}

static void the_verifier_finds_the_kernel_and_reference_agree(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    clr_sink *verify = clr_sink_verify(s, &f);
    assert_non_null(verify);
    assert_int_equal(clr_render(s, &verify, 1, &f), CLR_OK);
    clr_verify_result v;
    assert_int_equal(clr_sink_verify_result(verify, &v, &f), CLR_OK);
    assert_int_equal(v.compared, 37 * 29);
    assert_int_equal(v.differing, 0);
    assert_false(v.integer);
    assert_string_equal(v.unit, "unit");
    clr_sink_free(verify);
    clr_session_close(s);
}

static void a_changed_kernel_fails_verification_by_its_difference(void **state) {
    (void)state;
    /* ramp.cl with + 0.5f added to every sample, from a kernel directory of its own. */
    char dir[] = "/tmp/clrender-ramp-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/ramp.cl", dir);
    FILE *in = fopen(TEST_KERNEL_DIR "/ramp.cl", "r"), *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    while (fgets(line, sizeof line, in)) {
        char *at = strstr(line, "1000.0f * (float)frame;");
        if (at)
            strcpy(at, "1000.0f * (float)frame + 0.5f;\n");
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    clr_session_options options = {.kernel_dir = dir, .devices = "cpu"};
    failure f = {0};
    clr_session *s = session_open_renderer(&ramp_renderer, &options, &f);
    const size_t dims[1] = {37};
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_F32, dims, 1, &f), CLR_OK);
    clr_sink *verify = clr_sink_verify(s, &f);
    assert_non_null(verify);
    assert_int_equal(clr_render(s, &verify, 1, &f), CLR_OK);
    clr_verify_result v;
    assert_int_equal(clr_sink_verify_result(verify, &v, &f), CLR_OK);
    assert_int_equal(v.differing, 37 * 29);
    assert_true(fabs(v.largest_difference - 0.5) < 1e-3);
    clr_sink_free(verify);
    clr_session_close(s);
    unlink(path);
    rmdir(dir);
}

static void inputs_a_device_cannot_hold_are_refused_before_any_launch(void **state) {
    (void)state;
    /* 37 weights are 148 bytes; this device allocates 128 at once. */
    clr_session *s = open_ramp((clr_session_options){.test_max_allocation = 128});
    failure f = {0};
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    float *out = malloc(l.bytes);
    assert_int_equal(clr_render_memory(s, out, l.bytes, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "the weights take 0.0 MiB"));
    assert_non_null(strstr(f.message, "allocates at once"));
    clr_timings t;
    clr_session_timings(s, &t);
    assert_int_equal(t.launches, 0);
    free(out);
    clr_session_close(s);
}

static void a_launch_that_does_not_cover_the_image_is_an_error(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_int_equal(clr_set(s, "rows-per-item", "4", &f), CLR_OK);
    assert_int_equal(clr_set(s, "lie", NULL, &f), CLR_OK);
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    float *out = malloc(l.bytes);
    assert_int_equal(clr_render_memory(s, out, l.bytes, &f), CLR_RUNTIME_ERROR);
    assert_non_null(strstr(f.message, "does not cover the image's 29 rows"));
    free(out);
    clr_session_close(s);
}

static void a_session_builds_and_uploads_once_for_many_renders(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    clr_layout l;
    float *out = render_ramp(s, &l);
    clr_timings first;
    clr_session_timings(s, &first);
    assert_true(first.build_ms > 0);
    assert_true(first.setup_ms > 0);
    failure f = {0};
    /* Another scale: the same kernel and weights, so no build and no upload again. */
    assert_int_equal(clr_set_real(s, "scale", 3.0, &f), CLR_OK);
    clr_timings_reset(s);
    assert_int_equal(clr_render_memory(s, out, l.bytes, &f), CLR_OK);
    expect_ramp(s, out, &l);
    clr_timings again;
    clr_session_timings(s, &again);
    assert_true(again.build_ms == 0);
    assert_true(again.upload_ms == 0);
    assert_true(again.setup_ms == 0);
    assert_true(again.kernel_ms > 0);
    /* New weights: uploaded again. */
    weights[0] = 100.0f;
    const size_t dims[1] = {37};
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_F32, dims, 1, &f), CLR_OK);
    assert_int_equal(clr_render_memory(s, out, l.bytes, &f), CLR_OK);
    expect_ramp(s, out, &l);
    clr_session_timings(s, &again);
    assert_true(again.upload_ms > 0);
    free(out);
    clr_session_close(s);
}

static void two_devices_share_the_bands_and_give_the_same_bytes(void **state) {
    (void)state;
    clr_session *one = open_ramp((clr_session_options){.band_rows = 4});
    clr_session *two = open_ramp((clr_session_options){.band_rows = 4, .devices = "all"});
    failure f = {0};
    for (int i = 0; i < 2; ++i) {
        clr_session *s = i ? two : one;
        assert_int_equal(clr_set(s, "frames", "4", &f), CLR_OK);
    }
    clr_layout l;
    float *a = render_ramp(one, &l), *b = render_ramp(two, &l);
    assert_int_equal(clr_session_device_count(two), 2);
    assert_memory_equal(a, b, l.bytes);
    uint64_t rows = 0;
    for (size_t d = 0; d < 2; ++d) {
        clr_device_share share;
        assert_int_equal(clr_session_device_share(two, d, &share, &f), CLR_OK);
        assert_true(share.bands > 0); /* both devices rendered */
        rows += share.rows;
    }
    assert_int_equal(rows, 4 * 29);
    free(a);
    free(b);
    clr_session_close(one);
    clr_session_close(two);
}

typedef struct seen {
    uint64_t last_rows, total;
    int calls, decreasing;
    char info[256];
} seen;

static void count_progress(void *user, const clr_progress *p) {
    seen *s = user;
    s->decreasing |= p->rows_done < s->last_rows;
    s->last_rows = p->rows_done;
    s->total = p->rows_total;
    ++s->calls;
}

static void remember_info(void *user, clr_log_level level, const char *message) {
    if (level == CLR_LOG_INFO)
        snprintf(((seen *)user)->info, sizeof((seen *)user)->info, "%s", message);
}

static void progress_and_log_reach_the_caller(void **state) {
    (void)state;
    seen s = {0};
    clr_session *session = open_ramp((clr_session_options){
        .band_rows = 5, .progress = count_progress, .log = remember_info, .user = &s});
    clr_layout l;
    float *out = render_ramp(session, &l);
    assert_int_equal(s.calls, 6); /* bands of 5 rows of 29 */
    assert_int_equal(s.decreasing, 0);
    assert_int_equal(s.last_rows, 29);
    assert_int_equal(s.total, 29);
    assert_non_null(strstr(s.info, "rendering on 0:0 CPU"));
    free(out);
    clr_session_close(session);
}

static void parameters_are_checked_as_they_are_set(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_int_equal(clr_set(s, "nope", "1", &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "unknown parameter 'nope'"));
    assert_int_equal(clr_set_uint(s, "frames", 17, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "--frames '17': '17' is out of range (1 to 16)"));
    assert_int_equal(clr_set_real(s, "frames", 2.5, &f), CLR_USAGE_ERROR);
    assert_int_equal(clr_set_real(s, "scale", NAN, &f), CLR_USAGE_ERROR);
    assert_int_equal(clr_set_reals(s, "size", (double[]){40, 0}, 2, &f), CLR_USAGE_ERROR);
    assert_int_equal(clr_set_reals(s, "size", (double[]){40, 2}, 2, &f), CLR_OK);
    /* the weights no longer match the width: refused when the parameters meet */
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "one weight per column"));
    const size_t dims[2] = {40, 1};
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_U8, dims, 1, &f),
                     CLR_USAGE_ERROR);
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_F32, dims, 2, &f),
                     CLR_USAGE_ERROR);
    assert_int_equal(clr_set_input(s, "other", weights, CLR_SAMPLE_F32, dims, 1, &f),
                     CLR_USAGE_ERROR);
    assert_int_equal(clr_set_input(s, "weights", weights, CLR_SAMPLE_F32, dims, 1, &f), CLR_OK);
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    assert_int_equal(l.width, 40);
    clr_session_close(s);
}

static void file_sinks_refuse_formats_that_cannot_hold_floats(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_null(clr_sink_file(s, "/tmp/ramp.png", 0, &f));
    assert_int_equal(f.status, CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "16-bit samples, not floats"));
    assert_int_equal(clr_set(s, "frames", "2", &f), CLR_OK);
    char header[128];
    assert_int_equal(render_to_file(s, "npy", header, sizeof header), sizeof header);
    assert_non_null(memmem(header, sizeof header, "'<f4'", 5));
    assert_non_null(memmem(header, sizeof header, "(2, 29, 37)", 11));
    clr_session_close(s);
}

/* ---- julia through the API against the command line ------------------------------------- */

static void julia_through_the_api_equals_the_command_lines_npy(void **state) {
    (void)state;
    char path[] = "/tmp/clrender-julia-XXXXXX.npy";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    char *argv[] = {CLRENDER_CLI, "julia",  "--quiet", "--size", "203x101", "--c",
                    "0.285,0.01", "--iter", "0:300",   "-o",     path,      NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, CLRENDER_CLI, NULL, NULL, argv, environ), 0);
    int wstatus;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);

    failure f = {0};
    clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set_reals(s, "size", (double[]){203, 101}, 2, &f), CLR_OK);
    assert_int_equal(clr_set_reals(s, "c", (double[]){0.285, 0.01}, 2, &f), CLR_OK);
    assert_int_equal(clr_set(s, "iter", "0:300", &f), CLR_OK);
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    uint32_t *counts = malloc(l.bytes);
    assert_int_equal(clr_render_memory(s, counts, l.bytes, &f), CLR_OK);
    assert_true(clr_render_iterations(s, counts, l.bytes) > 203 * 101);

    /* The .npy holds the counts as uint16 after its header. */
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    unsigned char header[10];
    assert_int_equal(fread(header, 1, 10, in), 10);
    size_t header_length = 10 + (size_t)(header[8] | header[9] << 8);
    fseek(in, (long)header_length, SEEK_SET);
    uint16_t *stored = malloc(203 * 101 * sizeof *stored);
    assert_int_equal(fread(stored, sizeof *stored, 203 * 101, in), 203 * 101);
    fclose(in);
    unlink(path);
    size_t differing = 0;
    for (size_t i = 0; i < 203 * 101; ++i)
        differing += stored[i] != counts[i];
    assert_int_equal(differing, 0);
    free(stored);
    free(counts);
    clr_session_close(s);
}

/* ---- bands placed by their offsets (clrender-mpi's path) ------------------------------------ */

/* Bands rendered bottom first, of uneven heights, and placed at their offsets make the file
 * clr_sink_file writes, byte for byte: Julia's gray levels in .pgm, its counts in .npy. */
static void bands_placed_in_any_order_make_the_file_sinks_bytes(void **state) {
    (void)state;
    static const char *const formats[] = {"pgm", "npy", "mha"};
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; ++k) {
        failure f = {0};
        clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
        assert_non_null(s);
        assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
        unsigned char *whole = malloc(1 << 20);
        size_t whole_size = render_to_file(s, formats[k], whole, 1 << 20);

        uint64_t size = 0;
        placed_file placed = {0};
        clr_sink *sink = clr_sink_placed(s, formats[k], place_in_memory, &placed, &size, &f);
        assert_non_null(sink);
        assert_int_equal(size, whole_size);
        placed.size = (size_t)size;
        placed.bytes = calloc(1, placed.size);
        size_t granule = 0;
        assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
        assert_true(granule >= 1);
        size_t band = 7 * granule, end = 101;
        while (end > 0) { /* the last band first; the first one short */
            size_t first = end > band ? (end - band) / granule * granule : 0;
            assert_int_equal(clr_render_band(s, 0, first, end - first, &sink, 1, &f), CLR_OK);
            end = first;
            band = band == 7 * granule ? 3 * granule : 7 * granule;
        }
        assert_memory_equal(placed.bytes, whole, whole_size);
        clr_sink_free(sink);
        free(placed.bytes);
        free(whole);
        clr_session_close(s);
    }
}

/* What a band cannot be: outside the frame, into a sink that expects every band (memory), or
 * in place in a format whose rows have no fixed offsets. */
static void bands_and_placed_sinks_refuse_what_they_cannot_do(void **state) {
    (void)state;
    failure f = {0};
    clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set(s, "size", "64x48", &f), CLR_OK);
    placed_file placed = {0};
    assert_null(clr_sink_placed(s, "png", place_in_memory, &placed, NULL, &f));
    assert_int_equal(f.status, CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "cannot be written in place"));
    clr_sink *sink = clr_sink_placed(s, "npy", place_in_memory, &placed, NULL, &f);
    assert_non_null(sink);
    assert_int_equal(clr_render_band(s, 0, 40, 9, &sink, 1, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "outside the render's 1 frames of 48 rows"));
    assert_int_equal(clr_render_band(s, 1, 0, 8, &sink, 1, &f), CLR_USAGE_ERROR);
    unsigned char buffer[64 * 48 * 4];
    clr_sink *memory = clr_sink_memory(s, buffer, sizeof buffer, &f);
    assert_non_null(memory);
    assert_int_equal(clr_render_band(s, 0, 0, 8, &memory, 1, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "placed, rows and verify sinks only"));
    clr_sink_free(memory);
    clr_sink_free(sink);
    clr_session_close(s);
}

/* ---- many bands through one render (clr_render_bands) ------------------------------------- */

#define MAX_LISTED_BANDS 256

/* A caller's bands for clr_render_bands, and what the engine asked of it. */
typedef struct band_list {
    size_t bands[MAX_LISTED_BANDS][3]; /* frame, first row, rows */
    size_t count, given;
    size_t calls;        /* of the source, its final 0 included */
    size_t fail_at;      /* the source fails at this call (the first is 1); 0: never */
    size_t idle_calls;   /* of the idle callback */
    size_t idle_fail_at; /* it fails at this call; 0: never */
    const placed_file *placed;
    size_t writes_at_call[MAX_LISTED_BANDS + 2]; /* the placed sink's writes when each call came */
} band_list;

static int next_listed(void *user, size_t *frame, size_t *first_row, size_t *rows, char *message) {
    band_list *list = user;
    ++list->calls;
    if (list->placed && list->calls <= MAX_LISTED_BANDS + 2)
        list->writes_at_call[list->calls - 1] = list->placed->writes;
    if (list->calls == list->fail_at) {
        snprintf(message, CLR_MESSAGE_SIZE, "rank 0 stopped answering");
        return -1;
    }
    if (list->given == list->count)
        return 0;
    const size_t *band = list->bands[list->given++];
    *frame = band[0], *first_row = band[1], *rows = band[2];
    return 1;
}

static int idle_listed(void *user, char *message) {
    band_list *list = user;
    if (++list->idle_calls == list->idle_fail_at) {
        snprintf(message, CLR_MESSAGE_SIZE, "rank 3 failed: disk full");
        return 1;
    }
    return 0;
}

static void add_band(band_list *list, size_t frame, size_t first_row, size_t rows) {
    assert_true(list->count < MAX_LISTED_BANDS);
    size_t *band = list->bands[list->count++];
    band[0] = frame, band[1] = first_row, band[2] = rows;
}

/* Cuts every frame into bands of 2 and 1 granules in turn (each frame's last one shorter) and
 * shuffles them with a fixed seed: frames and rows out of order. */
static void cut_and_shuffle(band_list *list, size_t frames, size_t height, size_t granule) {
    *list = (band_list){0};
    for (size_t frame = 0; frame < frames; ++frame)
        for (size_t row = 0, k = 0; row < height; ++k) {
            size_t rows = (k % 2 ? 1 : 2) * granule;
            rows = rows < height - row ? rows : height - row;
            add_band(list, frame, row, rows);
            row += rows;
        }
    uint32_t seed = 20240611;
    for (size_t i = list->count; i > 1; --i) {
        seed = seed * 1664525u + 1013904223u;
        size_t j = (seed >> 8) % i, swap[3];
        memcpy(swap, list->bands[i - 1], sizeof swap);
        memcpy(list->bands[i - 1], list->bands[j], sizeof swap);
        memcpy(list->bands[j], swap, sizeof swap);
    }
    size_t backwards = 0; /* pairs of bands in the wrong order */
    for (size_t i = 1; i < list->count; ++i)
        backwards += list->bands[i][0] * height + list->bands[i][1] <
                     list->bands[i - 1][0] * height + list->bands[i - 1][1];
    assert_true(backwards >= list->count / 3);
}

/* Where a rows sink's bands should come from: the list's bands in its order, each top to
 * bottom; `wrong` counts the bands that came otherwise. */
typedef struct list_order {
    const band_list *list;
    size_t band, row, wrong;
} list_order;

static int follow_list(void *user, size_t frame, size_t first_row, size_t rows, const void *samples,
                       size_t bytes, char *message) {
    (void)samples, (void)bytes, (void)message;
    list_order *order = user;
    const size_t *band = order->band < order->list->count ? order->list->bands[order->band] : NULL;
    if (!band || frame != band[0] || first_row != band[1] + order->row ||
        rows > band[2] - order->row) {
        ++order->wrong;
        return 0;
    }
    order->row += rows;
    if (order->row == band[2])
        ++order->band, order->row = 0;
    return 0;
}

/* Renders `list`'s bands through one clr_render_bands into a placed sink of `format` and
 * compares with the file clr_render writes: each band asked for once, then the final 0; a rows
 * sink beside it sees the bands in the list's order, each top to bottom; with devices, the
 * second band is asked for before the first is written (fetched ahead). */
static void expect_bands_make_the_file(clr_session *s, const char *format, band_list *list,
                                       bool ahead) {
    failure f = {0};
    unsigned char *whole = malloc(1 << 20);
    size_t whole_size = render_to_file(s, format, whole, 1 << 20);
    uint64_t size = 0;
    placed_file placed = {0};
    clr_sink *sink = clr_sink_placed(s, format, place_in_memory, &placed, &size, &f);
    assert_non_null(sink);
    assert_int_equal(size, whole_size);
    placed.size = (size_t)size;
    placed.bytes = calloc(1, placed.size);
    list->placed = &placed;
    list->given = list->calls = 0;
    list_order order = {list, 0, 0, 0};
    clr_sink *sinks[2] = {sink, clr_sink_rows(s, follow_list, &order, &f)};
    assert_non_null(sinks[1]);
    if (clr_render_bands(s, next_listed, idle_listed, list, sinks, 2, &f) != CLR_OK)
        fail_msg("clr_render_bands: %s", f.message);
    assert_int_equal(list->calls, list->count + 1);
    assert_int_equal(order.wrong, 0);
    assert_int_equal(order.band, list->count);
    assert_int_equal(placed.writes >= list->count, true);
    if (ahead)
        assert_int_equal(list->writes_at_call[1], 0);
    else
        assert_true(list->writes_at_call[1] > 0);
    assert_memory_equal(placed.bytes, whole, whole_size);
    list->placed = NULL;
    clr_sink_free(sinks[1]);
    clr_sink_free(sink);
    free(placed.bytes);
    free(whole);
}

/* A source that gives the next band only once every row given before has been delivered,
 * saying LATER meanwhile (as rank 0 does when its gathered file waits for this rank's bands):
 * a source that blocked instead would wait forever for rows the engine delivers only when it
 * returns. */
typedef struct held_back {
    band_list list;
    uint64_t rows_given, rows_delivered;
    size_t later; /* LATERs said */
} held_back;

static int next_when_delivered(void *user, size_t *frame, size_t *first_row, size_t *rows,
                               char *message) {
    held_back *h = user;
    if (h->rows_delivered < h->rows_given || h->later < 2) { /* the first two: nothing yet */
        ++h->later;
        return CLR_BAND_LATER;
    }
    int got = next_listed(&h->list, frame, first_row, rows, message);
    if (got == CLR_BAND_GIVEN)
        h->rows_given += *rows;
    return got;
}

static int count_delivered(void *user, size_t frame, size_t first_row, size_t rows,
                           const void *samples, size_t bytes, char *message) {
    (void)frame, (void)first_row, (void)samples, (void)bytes, (void)message;
    ((held_back *)user)->rows_delivered += rows;
    return 0;
}

static void a_source_that_says_later_is_asked_again(void **state) {
    (void)state;
    for (int with_idle = 0; with_idle < 2; ++with_idle) {
        failure f = {0};
        clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
        assert_non_null(s);
        assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
        size_t granule = 0;
        assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
        unsigned char *whole = malloc(1 << 20);
        size_t whole_size = render_to_file(s, "npy", whole, 1 << 20);
        held_back h = {0};
        cut_and_shuffle(&h.list, 1, 101, granule);
        uint64_t size = 0;
        placed_file placed = {0};
        clr_sink *sinks[2] = {clr_sink_placed(s, "npy", place_in_memory, &placed, &size, &f),
                              clr_sink_rows(s, count_delivered, &h, &f)};
        assert_non_null(sinks[0]);
        assert_non_null(sinks[1]);
        placed.size = (size_t)size;
        placed.bytes = calloc(1, placed.size);
        if (clr_render_bands(s, next_when_delivered, with_idle ? idle_listed : NULL, &h, sinks, 2,
                             &f) != CLR_OK)
            fail_msg("clr_render_bands: %s", f.message);
        assert_true(h.later > h.list.count); /* once at least after every band but the last */
        assert_int_equal(h.rows_delivered, 101);
        assert_int_equal(h.list.calls, h.list.count + 1);
        assert_memory_equal(placed.bytes, whole, whole_size);
        clr_sink_free(sinks[1]);
        clr_sink_free(sinks[0]);
        free(placed.bytes);
        free(whole);
        clr_session_close(s);
    }
}

/* Julia's bands, shuffled, through one render on one device and on two: the bytes of the
 * file clr_render writes, in .pgm (gray levels) and .npy (counts). */
static void julia_bands_in_any_order_through_one_render_make_the_file(void **state) {
    (void)state;
    static const char *const devices[] = {"cpu", "all"};
    static const char *const formats[] = {"pgm", "npy"};
    for (size_t d = 0; d < 2; ++d) {
        failure f = {0};
        clr_session *s =
            clr_session_open("julia", &(clr_session_options){.devices = devices[d]}, &f);
        assert_non_null(s);
        assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
        assert_int_equal(clr_set(s, "iter", "0:500", &f), CLR_OK);
        size_t granule = 0;
        assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
        band_list list;
        cut_and_shuffle(&list, 1, 101, granule);
        for (size_t k = 0; k < 2; ++k)
            expect_bands_make_the_file(s, formats[k], &list, true);
        clr_session_close(s);
    }
}

/* A stack of X-ray projections (three frames of floats), its bands shuffled across frames:
 * the .npy clr_render writes; and the same through the analytic reference, which is the
 * render itself when nothing verifies. */
static void xray_bands_of_several_frames_in_any_order_make_the_file(void **state) {
    (void)state;
    failure f = {0};
    clr_session *s = clr_session_open("xray", &(clr_session_options){.devices = "cpu"}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set(s, "voxels", "32", &f), CLR_OK);
    assert_int_equal(clr_set(s, "detector", "48,40", &f), CLR_OK);
    assert_int_equal(clr_set(s, "angles", "3", &f), CLR_OK);
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    assert_int_equal(l.frames, 3);
    size_t granule = 0;
    assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
    band_list list;
    cut_and_shuffle(&list, l.frames, l.height, granule);
    expect_bands_make_the_file(s, "npy", &list, true);
    assert_int_equal(clr_set(s, "reference", "analytic", &f), CLR_OK);
    expect_bands_make_the_file(s, "npy", &list, false);
    clr_session_close(s);
}

/* A --backend reference session renders the bands with the scalar reference, one after
 * another: the bytes of its own clr_render. */
static void the_reference_renders_bands_in_any_order_to_the_same_bytes(void **state) {
    (void)state;
    failure f = {0};
    clr_session *s = clr_session_open("julia", &(clr_session_options){.reference = 1}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
    size_t granule = 0;
    assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
    assert_int_equal(granule, 1);
    band_list list;
    cut_and_shuffle(&list, 1, 101, granule);
    expect_bands_make_the_file(s, "npy", &list, false);
    expect_bands_make_the_file(s, "pgm", &list, false);
    clr_session_close(s);
}

/* A verifier fed by bands of three frames in any order compares every pixel once. */
static void a_verifier_over_bands_in_any_order_counts_every_pixel_once(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_int_equal(clr_set(s, "frames", "3", &f), CLR_OK);
    assert_int_equal(clr_set(s, "rows-per-item", "3", &f), CLR_OK);
    size_t granule = 0;
    assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
    assert_int_equal(granule, 3);
    band_list list;
    cut_and_shuffle(&list, 3, 29, granule);
    clr_sink *verify = clr_sink_verify(s, &f);
    assert_non_null(verify);
    if (clr_render_bands(s, next_listed, NULL, &list, &verify, 1, &f) != CLR_OK)
        fail_msg("clr_render_bands: %s", f.message);
    assert_int_equal(list.calls, list.count + 1);
    clr_verify_result v;
    assert_int_equal(clr_sink_verify_result(verify, &v, &f), CLR_OK);
    assert_int_equal(v.compared, 3 * 29 * 37);
    assert_int_equal(v.differing, 0);
    clr_sink_free(verify);
    clr_session_close(s);
}

/* The source failing, or the idle callback: the render stops with its message, the source is
 * not asked again, and the session renders again afterwards. */
static void a_failing_source_or_idle_callback_stops_the_render_with_its_message(void **state) {
    (void)state;
    failure f = {0};
    clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
    /* The unit disk never escapes: launches of milliseconds, which the coordinator waits for. */
    assert_int_equal(clr_set(s, "c", "0,0", &f), CLR_OK);
    assert_int_equal(clr_set(s, "iter", "0:30000", &f), CLR_OK);
    size_t granule = 0;
    assert_int_equal(clr_band_granule(s, &granule, &f), CLR_OK);
    band_list list;
    cut_and_shuffle(&list, 1, 101, granule);
    assert_true(list.count > 5);
    placed_file placed = {0};
    uint64_t size = 0;
    clr_sink *sink = clr_sink_placed(s, "npy", place_in_memory, &placed, &size, &f);
    assert_non_null(sink);
    placed.size = (size_t)size;
    placed.bytes = calloc(1, placed.size);

    list.fail_at = 5; /* mid-render: fetched by the coordinator while the devices work */
    assert_int_equal(clr_render_bands(s, next_listed, idle_listed, &list, &sink, 1, &f),
                     CLR_RUNTIME_ERROR);
    assert_string_equal(f.message, "rank 0 stopped answering");
    assert_int_equal(list.calls, 5);

    list.fail_at = 0, list.calls = list.given = 0, list.idle_calls = 0, list.idle_fail_at = 2;
    assert_int_equal(clr_render_bands(s, next_listed, idle_listed, &list, &sink, 1, &f),
                     CLR_RUNTIME_ERROR);
    assert_string_equal(f.message, "rank 3 failed: disk full");
    assert_int_equal(list.idle_calls, 2);
    assert_true(list.calls <= list.count); /* stopped before the last band was asked for */

    list.idle_fail_at = 0, list.idle_calls = 0, list.calls = list.given = 0;
    if (clr_render_bands(s, next_listed, idle_listed, &list, &sink, 1, &f) != CLR_OK)
        fail_msg("after the failures: %s", f.message);
    assert_int_equal(list.calls, list.count + 1);
    assert_true(list.idle_calls > 0); /* the coordinator waited for the devices */
    clr_sink_free(sink);
    free(placed.bytes);
    clr_session_close(s);
}

/* Bands the render cannot take, first or later, and sinks that cannot take bands: usage errors
 * that name the band. */
static void bands_the_render_cannot_take_are_usage_errors(void **state) {
    (void)state;
    clr_session *s = open_ramp((clr_session_options){0});
    failure f = {0};
    assert_int_equal(clr_set(s, "frames", "2", &f), CLR_OK);
    assert_int_equal(clr_set(s, "rows-per-item", "3", &f), CLR_OK);
    placed_file placed = {0};
    uint64_t size = 0;
    clr_sink *sink = clr_sink_placed(s, "npy", place_in_memory, &placed, &size, &f);
    assert_non_null(sink);
    placed.size = (size_t)size;
    placed.bytes = calloc(1, placed.size);
    static const struct {
        size_t band[3];
        const char *message;
    } wrong[] = {
        {{1, 4, 3}, "band of rows 4 to 7 of frame 1: bands start on multiples of 3 rows"},
        {{2, 0, 3}, "band of rows 0 to 3 of frame 2 is outside the render's 2 frames of 29 rows"},
        {{0, 27, 3}, "band of rows 27 to 30 of frame 0 is outside"},
        {{0, 3, 0}, "band of rows 3 to 3 of frame 0 is outside"},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; ++i)
        for (size_t good = 0; good <= 6; good += 6) { /* the first band, or a later one */
            band_list list = {0};
            for (size_t k = 0; k < good; ++k)
                add_band(&list, k % 2, 3 * k, 3);
            add_band(&list, wrong[i].band[0], wrong[i].band[1], wrong[i].band[2]);
            add_band(&list, 0, 0, 3);
            assert_int_equal(clr_render_bands(s, next_listed, NULL, &list, &sink, 1, &f),
                             CLR_USAGE_ERROR);
            if (!strstr(f.message, wrong[i].message))
                fail_msg("band %zu after %zu: '%s'", i, good, f.message);
            assert_int_equal(list.calls, good + 1); /* nothing asked for after it */
        }
    band_list list = {0};
    add_band(&list, 0, 0, 3);
    assert_int_equal(clr_render_bands(s, NULL, NULL, &list, &sink, 1, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "needs a band source"));
    clr_layout l;
    assert_int_equal(clr_layout_get(s, &l, &f), CLR_OK);
    float *buffer = malloc(l.bytes);
    clr_sink *memory = clr_sink_memory(s, buffer, l.bytes, &f);
    assert_non_null(memory);
    assert_int_equal(clr_render_bands(s, next_listed, NULL, &list, &memory, 1, &f),
                     CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "placed, rows and verify sinks only"));
    assert_int_equal(list.calls, 0);
    clr_sink_free(memory);
    free(buffer);
    clr_sink_free(sink);
    free(placed.bytes);
    clr_session_close(s);
}

static int feed_file(void *user, size_t frame, size_t first_row, size_t rows, const void *samples,
                     size_t bytes, char *message) {
    clr_error err;
    if (clr_sink_feed(user, frame, first_row, rows, samples, bytes, &err) == CLR_OK)
        return 0;
    snprintf(message, CLR_MESSAGE_SIZE, "%s", err.message);
    return -1;
}

static unsigned char *read_whole(const char *path, size_t *size) {
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    unsigned char *bytes = malloc(1 << 20);
    *size = fread(bytes, 1, 1 << 20, in);
    fclose(in);
    return bytes;
}

/* A rows sink hands the rendered bands to the caller, who feeds them to a PNG file sink (as
 * rank 0 of clrender-mpi does with every rank's bands): the file clr_render writes itself. Rows
 * fed out of order are refused. */
static void rows_fed_to_a_file_sink_make_the_file_it_renders(void **state) {
    (void)state;
    failure f = {0};
    clr_session *s = clr_session_open("julia", &(clr_session_options){.devices = "cpu"}, &f);
    assert_non_null(s);
    assert_int_equal(clr_set(s, "size", "203x101", &f), CLR_OK);
    unsigned char *direct = malloc(1 << 20);
    assert_non_null(direct);
    size_t direct_size = render_to_file(s, "png", direct, 1 << 20);
    char fed[] = "/tmp/clrender-fed-XXXXXX.png";
    int fd = mkstemps(fed, 4);
    assert_true(fd >= 0);
    close(fd);
    clr_sink *file = clr_sink_file(s, fed, 0, &f);
    assert_non_null(file);
    uint32_t row[203] = {0};
    assert_int_equal(clr_sink_feed(file, 0, 1, 1, row, sizeof row, &f), CLR_USAGE_ERROR);
    assert_non_null(strstr(f.message, "the file needs rows from 0 of frame 0 next"));
    clr_sink *rows = clr_sink_rows(s, feed_file, file, &f);
    assert_non_null(rows);
    assert_int_equal(clr_render(s, &rows, 1, &f), CLR_OK);
    assert_int_equal(clr_sink_commit(file, &f), CLR_OK);
    clr_sink_free(rows);
    clr_sink_free(file);
    size_t fed_size;
    unsigned char *b = read_whole(fed, &fed_size);
    assert_int_equal(direct_size, fed_size);
    assert_memory_equal(direct, b, direct_size);
    free(direct), free(b);
    unlink(fed);
    clr_session_close(s);
}

/* clrender-mpi adds up the ranks' verifications: counts summed, the larger of the largest,
 * the mean weighted by pixels: (100 x 0.5 + 300 x 0.1) / 400 = 0.2. */
static void verify_results_combine_by_pixels(void **state) {
    (void)state;
    clr_verify_result total = {.compared = 100,
                               .differing = 2,
                               .largest_difference = 1,
                               .mean_difference = 0.5,
                               .largest_reference = 10,
                               .unit = "count"};
    const clr_verify_result part = {.compared = 300,
                                    .differing = 1,
                                    .largest_difference = 3,
                                    .mean_difference = 0.1,
                                    .largest_reference = 20};
    clr_verify_combine(&total, &part);
    assert_int_equal(total.compared, 400);
    assert_int_equal(total.differing, 3);
    assert_true(total.largest_difference == 3);
    assert_true(fabs(total.mean_difference - 0.2) < 1e-15);
    assert_true(total.largest_reference == 20);
    assert_string_equal(total.unit, "count");
}

/* ---- sessions in threads ------------------------------------------------------------------ */

typedef struct threaded {
    const char *renderer, *size, *path;
    int status;
    char message[CLR_MESSAGE_SIZE];
} threaded;

/* One whole session on its own thread: open, set, render a PNG (stb's encoder), commit. */
static void *render_png(void *argument) {
    threaded *t = argument;
    clr_error err = {0};
    clr_session *s = clr_session_open(t->renderer, &(clr_session_options){.devices = "cpu"}, &err);
    clr_sink *file = NULL;
    t->status = !s || clr_set(s, "size", t->size, &err) != CLR_OK ||
                !(file = clr_sink_file(s, t->path, 0, &err)) ||
                clr_render(s, &file, 1, &err) != CLR_OK || clr_sink_commit(file, &err) != CLR_OK;
    snprintf(t->message, sizeof t->message, "%s", err.message);
    clr_sink_free(file);
    clr_session_close(s);
    return NULL;
}

static int same_file(const char *a, const char *b) {
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    int same = x && y;
    while (same) {
        int c = fgetc(x), d = fgetc(y);
        same = c == d;
        if (c == EOF)
            break;
    }
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return same;
}

static void sessions_render_in_separate_threads_at_once(void **state) {
    (void)state;
    /* Four renders at once (two renderers, PNG for all), then the same one after another:
     * the files must be the same. */
    threaded jobs[4] = {
        {.renderer = "julia", .size = "301x203", .path = "/tmp/clrender-thread-0.png"},
        {.renderer = "sphere", .size = "120x80", .path = "/tmp/clrender-thread-1.png"},
        {.renderer = "julia", .size = "200x100", .path = "/tmp/clrender-thread-2.png"},
        {.renderer = "sphere", .size = "64x48", .path = "/tmp/clrender-thread-3.png"}};
    pthread_t threads[4];
    for (int i = 0; i < 4; ++i)
        assert_int_equal(pthread_create(&threads[i], NULL, render_png, &jobs[i]), 0);
    for (int i = 0; i < 4; ++i)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 4; ++i) {
        if (jobs[i].status)
            fail_msg("thread %d: %s", i, jobs[i].message);
        char alone[64];
        snprintf(alone, sizeof alone, "/tmp/clrender-alone-%d.png", i);
        threaded one = jobs[i];
        one.path = alone;
        render_png(&one);
        assert_int_equal(one.status, 0);
        assert_true(same_file(jobs[i].path, alone));
        unlink(alone);
        unlink(jobs[i].path);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(float_frames_render_into_memory_as_the_formula_says),
        cmocka_unit_test(bands_of_any_height_give_the_same_floats),
        cmocka_unit_test(the_verifier_finds_the_kernel_and_reference_agree),
        cmocka_unit_test(a_changed_kernel_fails_verification_by_its_difference),
        cmocka_unit_test(inputs_a_device_cannot_hold_are_refused_before_any_launch),
        cmocka_unit_test(a_launch_that_does_not_cover_the_image_is_an_error),
        cmocka_unit_test(a_session_builds_and_uploads_once_for_many_renders),
        cmocka_unit_test(two_devices_share_the_bands_and_give_the_same_bytes),
        cmocka_unit_test(progress_and_log_reach_the_caller),
        cmocka_unit_test(parameters_are_checked_as_they_are_set),
        cmocka_unit_test(file_sinks_refuse_formats_that_cannot_hold_floats),
        cmocka_unit_test(julia_through_the_api_equals_the_command_lines_npy),
        cmocka_unit_test(sessions_render_in_separate_threads_at_once),
        cmocka_unit_test(bands_placed_in_any_order_make_the_file_sinks_bytes),
        cmocka_unit_test(bands_and_placed_sinks_refuse_what_they_cannot_do),
        cmocka_unit_test(julia_bands_in_any_order_through_one_render_make_the_file),
        cmocka_unit_test(xray_bands_of_several_frames_in_any_order_make_the_file),
        cmocka_unit_test(the_reference_renders_bands_in_any_order_to_the_same_bytes),
        cmocka_unit_test(a_verifier_over_bands_in_any_order_counts_every_pixel_once),
        cmocka_unit_test(a_failing_source_or_idle_callback_stops_the_render_with_its_message),
        cmocka_unit_test(bands_the_render_cannot_take_are_usage_errors),
        cmocka_unit_test(a_source_that_says_later_is_asked_again),
        cmocka_unit_test(rows_fed_to_a_file_sink_make_the_file_it_renders),
        cmocka_unit_test(verify_results_combine_by_pixels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
