/* clrender.h — render images with OpenCL kernels, proved against scalar C.
 *
 * clrender renders per-pixel images (Julia sets, ray-traced spheres, ...) with
 * OpenCL kernels on a GPU or on any CPU (through PoCL), and can check every
 * pixel against a plain scalar C implementation of the same maths. This header
 * is its whole public API; the `clrender` command line program is built on it.
 *
 * BUILDING
 *     cc app.c $(pkg-config --cflags --libs clrender)
 * or, in CMake:
 *     find_package(clrender REQUIRED)
 *     target_link_libraries(app PRIVATE clrender::clrender)
 * The library brings its kernels with it; at run time it needs an OpenCL
 * driver (an ICD such as Debian's pocl-opencl-icd, or a GPU vendor's).
 *
 * USE
 *     clr_error err;
 *     clr_session *s = clr_session_open("julia", NULL, &err);  // default device
 *     if (!s) { fprintf(stderr, "%s\n", err.message); return 1; }
 *     clr_set(s, "preset", "blog-overview", &err);            // text, as on a command line
 *     clr_set_real(s, "threshold", 2.5, &err);                // or typed
 *     clr_layout layout;
 *     clr_layout_get(s, &layout, &err);                       // 625 x 1000 uint32 counts
 *     uint32_t *counts = malloc(layout.bytes);
 *     if (clr_render_memory(s, counts, layout.bytes, &err) != CLR_OK) ...
 *     clr_session_close(s);
 * A session opens its devices once; the kernels it needs are built at the
 * first render that needs them and the input buffers are uploaded once per
 * device, so rendering again with changed parameters (an animation, a sweep)
 * costs only the launches. Besides memory, a render can feed sinks: a file
 * (written beside its target and renamed into place only when committed), and
 * a verifier that compares every row with the scalar reference.
 *
 * PARAMETERS
 * Each renderer has named parameters; `clrender NAME --help` and
 * clr_renderer_params() list them. Their names are those of the command line
 * options without the dashes ("size" for --size). clr_set() takes the text a
 * user would type; the typed setters take numbers. A preset ("preset") sets
 * several parameters at once: set it before the ones it should not override.
 * Parameters are checked as they are set (range, form) and again, together,
 * when a render begins (combinations; files such as a scene are read then).
 *
 * ERRORS
 * Every call that can fail returns a clr_status and fills the caller's
 * clr_error (when not NULL) with the same status and a one-line message that
 * names the problem and, where there is one, what to do about it: "--size
 * '0x5': width: '0' is out of range (1 to 2147483647)". An error about a
 * parameter starts with its option name. Statuses: CLR_USAGE_ERROR for bad
 * parameters, names or files given by the caller; CLR_RUNTIME_ERROR for what
 * went wrong while running (no device, a kernel that fails to build, out of
 * memory, a file that cannot be written). Functions that return a pointer
 * return NULL on failure. Nothing is ever printed: warnings, build logs and
 * progress reach the caller through the callbacks of clr_session_options.
 *
 * THREADS
 * The library holds no global state and reads no environment variable.
 * Different sessions may be used from different threads at the same time; one
 * session (with its sinks) must be used by one thread at a time. Callbacks
 * run on the thread that called clr_render*(). A render uses one worker
 * thread per device of its session.
 */
#ifndef CLRENDER_CLRENDER_H
#define CLRENDER_CLRENDER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(CLRENDER_BUILDING_LIBRARY)
#define CLR_API __attribute__((visibility("default")))
#else
#define CLR_API
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
CLR_API const char *clr_version(void);

/* ---- Errors ---------------------------------------------------------------------------- */

typedef enum clr_status {
    CLR_OK = 0,
    CLR_RUNTIME_ERROR = 1, /* the request was fine, running it failed */
    CLR_USAGE_ERROR = 2,   /* a parameter, name or file given by the caller is wrong */
    CLR_VERIFY_FAILED = 3, /* used by callers (the CLI) for a failed verification */
} clr_status;

#define CLR_MESSAGE_SIZE 4096

typedef struct clr_error {
    clr_status status;
    char message[CLR_MESSAGE_SIZE]; /* one line, no trailing newline */
    /* The OpenCL status behind a runtime error (CL_BUILD_PROGRAM_FAILURE, -1001 when
     * no platform was found, CL_DEVICE_NOT_FOUND when platforms had no device), else 0:
     * a caller that can look at the driver's environment may explain it further. */
    int opencl_status;
} clr_error;

/* ---- Devices --------------------------------------------------------------------------- */

typedef enum clr_device_type {
    CLR_DEVICE_GPU,
    CLR_DEVICE_CPU,
    CLR_DEVICE_ACCELERATOR,
    CLR_DEVICE_OTHER,
} clr_device_type;

typedef struct clr_device_info {
    unsigned platform_index, device_index; /* "P:D" in clrender's numbering */
    clr_device_type type;
    char type_name[16]; /* "GPU", "CPU", "ACCELERATOR", "OTHER" */
    char name[256];
    char platform_name[256];
    char version[128];        /* CL_DEVICE_VERSION */
    char driver_version[128]; /* CL_DRIVER_VERSION */
    unsigned compute_units;
    uint64_t global_memory;  /* bytes */
    uint64_t max_allocation; /* bytes one buffer may hold */
    int fp64;                /* double precision */
} clr_device_info;

/* Lists every OpenCL device, in the order clrender numbers them: up to
 * `capacity` into `devices` (which may be NULL when capacity is 0), and the
 * total into *count. No OpenCL platform at all is a runtime error with a hint. */
CLR_API clr_status clr_list_devices(clr_device_info *devices, size_t capacity, size_t *count,
                                    clr_error *error);

/* ---- Renderers and their parameters ---------------------------------------------------- */

/* The renderers, by index (NULL past the last): "julia", "sphere", ... */
CLR_API const char *clr_renderer_name(size_t index);
/* One line that says what it renders, and paragraphs for its help (NULL for an unknown name). */
CLR_API const char *clr_renderer_summary(const char *renderer);
CLR_API const char *clr_renderer_notes(const char *renderer);

typedef enum clr_param_type {
    CLR_PARAM_FLAG,   /* on when set; clr_set(s, name, NULL) */
    CLR_PARAM_UINT,   /* a whole number in a range */
    CLR_PARAM_REAL,   /* a finite number in a range */
    CLR_PARAM_REALS,  /* `count` finite numbers: "RE,IM" */
    CLR_PARAM_SIZE,   /* "WIDTHxHEIGHT" */
    CLR_PARAM_CHOICE, /* one of `choices` */
    CLR_PARAM_TEXT,   /* a string, e.g. a file name */
    CLR_PARAM_OTHER,  /* its own syntax, given as text (presets, "MIN:MAX") */
} clr_param_type;

typedef struct clr_param_info {
    const char *name;    /* "size"; on the command line --size */
    const char *metavar; /* "WxH"; NULL for a flag */
    const char *help;    /* one line */
    clr_param_type type;
    size_t count;                /* CLR_PARAM_REALS: how many numbers */
    const char *const *choices;  /* CLR_PARAM_CHOICE: the names, NULL-terminated */
    uint64_t uint_min, uint_max; /* CLR_PARAM_UINT */
    int early;                   /* a preset: a command line applies it before the others */
} clr_param_info;

/* How many parameters `renderer` has (0 for an unknown name), and the one at
 * `index`, in the order of its help. */
CLR_API size_t clr_renderer_param_count(const char *renderer);
CLR_API clr_status clr_renderer_param(const char *renderer, size_t index, clr_param_info *info,
                                      clr_error *error);

/* ---- Sessions ---------------------------------------------------------------------------- */

typedef struct clr_session clr_session;

typedef enum clr_log_level {
    CLR_LOG_INFO,      /* "rendering on 0:0 CPU ..." */
    CLR_LOG_WARNING,   /* something ignored: an unknown field of a scene */
    CLR_LOG_BUILD_LOG, /* a kernel's build log, several lines, before its build error */
} clr_log_level;

typedef struct clr_progress {
    /* Over all frames; for clr_render_band(s), over the bands given so far (rows_total grows
     * as a source gives more: the rest is not known). */
    uint64_t rows_done, rows_total;
    size_t bands_done;
    size_t bands_estimated; /* bands done plus those the rest is expected to take */
    double elapsed_ms;
    double remaining_ms;      /* estimated */
    double last_launch_ms;    /* kernel time of the band just finished */
    double longest_launch_ms; /* of this render so far */
    size_t device;            /* which of the session's devices rendered it */
} clr_progress;

typedef struct clr_session_options {
    /* Devices: NULL or "" for the default (the first GPU, else the first CPU);
     * a spec ("gpu", "cpu", "accelerator", "P:D", an index, "name:TEXT" or text
     * that is part of a device name), several separated by commas, or "all".
     * With several devices, bands of rows are handed to whichever is free. */
    const char *devices;
    /* Where the device spec came from, named in errors about it ("CLRENDER_DEVICE"). */
    const char *devices_origin;
    int reference;            /* render with the scalar C reference; no OpenCL at all */
    const char *kernel_dir;   /* read NAME.cl and its headers here instead of the built-in ones */
    double launch_budget_ms;  /* the time one launch should take; 0: 500 ms */
    size_t band_rows;         /* rows per band; 0: chosen for memory and the launch budget */
    size_t host_budget_bytes; /* memory for bands in flight; 0: 192 MiB */
    void (*log)(void *user, clr_log_level level, const char *message);
    void (*progress)(void *user, const clr_progress *progress);
    void *user; /* passed to the callbacks */
    /* For tests: pretend each device allocates at most this many bytes at once
     * (0: as it says), and make the first N launches fail as a device that is
     * out of resources would. */
    uint64_t test_max_allocation;
    unsigned test_fail_launches;
    /* For tests: write files through named temporary files even where the file
     * system offers unnamed ones (the fallback of file systems without O_TMPFILE). */
    int test_named_temp_files;
    /* For tests: pretend each device has at most this many bytes of memory (0:
     * as it says), so that inputs that do not fit together are dropped and
     * uploaded again. */
    uint64_t test_device_memory;
    /* Where compiled kernels are kept between processes (created when missing), so that
     * a session loads the driver's binary instead of building from source; NULL or "":
     * built in every session. The command line passes $CLRENDER_CACHE_DIR, else
     * $XDG_CACHE_HOME/clrender, else ~/.cache/clrender. A directory that cannot be
     * written is said once as a warning and the render goes on. */
    const char *cache_dir;
} clr_session_options;

/* Opens a session of `renderer` on the devices `options` names (NULL: all
 * defaults). Parameters start at the renderer's defaults. */
CLR_API clr_session *clr_session_open(const char *renderer, const clr_session_options *options,
                                      clr_error *error);
CLR_API void clr_session_close(clr_session *session);

/* Opens the devices (if not yet open) and builds the kernels the current
 * parameters need, uploading their inputs: the first render then costs only
 * rendering. A render does this itself when needed. */
CLR_API clr_status clr_session_prepare(clr_session *session, clr_error *error);

/* The session's devices, once opened (none when it renders with the reference). */
CLR_API size_t clr_session_device_count(const clr_session *session);
CLR_API clr_status clr_session_device(const clr_session *session, size_t index,
                                      clr_device_info *info, clr_error *error);

/* Sets a parameter from text, as typed on a command line (NULL for a flag). */
CLR_API clr_status clr_set(clr_session *session, const char *name, const char *value,
                           clr_error *error);
/* Typed setters: a CLR_PARAM_UINT or FLAG (0/1); a REAL; a REALS or SIZE (2 values). */
CLR_API clr_status clr_set_uint(clr_session *session, const char *name, uint64_t value,
                                clr_error *error);
CLR_API clr_status clr_set_real(clr_session *session, const char *name, double value,
                                clr_error *error);
CLR_API clr_status clr_set_reals(clr_session *session, const char *name, const double *values,
                                 size_t count, clr_error *error);
/* Every parameter back to the renderer's default. */
CLR_API clr_status clr_reset(clr_session *session, clr_error *error);

/* ---- Samples, layouts and input data ----------------------------------------------------- */

typedef enum clr_sample {
    CLR_SAMPLE_U8,
    CLR_SAMPLE_U16,
    CLR_SAMPLE_U32,
    CLR_SAMPLE_F32,
} clr_sample;

/* Bytes of one sample: 1, 2, 4 or 4. */
CLR_API size_t clr_sample_size(clr_sample sample);

/* What a render produces: `frames` images of height x width pixels of
 * `channels` samples, row-major, channels interleaved, native byte order. */
typedef struct clr_layout {
    size_t frames, height, width, channels;
    clr_sample sample;
    size_t bytes; /* of the whole render */
} clr_layout;

/* Checks the parameters together (reading the files they name) and gives the layout. */
CLR_API clr_status clr_layout_get(clr_session *session, clr_layout *layout, clr_error *error);

/* Attaches input data that the renderer declares by `name` (an X-ray volume,
 * say): `dims` sizes, the slowest-varying first, of C-ordered `samples`. The
 * memory is not copied: it must stay valid and unchanged until the session
 * closes or the input is set again (which uploads it again). */
CLR_API clr_status clr_set_input(clr_session *session, const char *name, const void *samples,
                                 clr_sample sample, const size_t *dims, size_t dim_count,
                                 clr_error *error);

/* ---- Rendering --------------------------------------------------------------------------- */

typedef struct clr_sink clr_sink;

/* A sink that writes `path` in the format its extension names (.png, .pgm,
 * .ppm, .npy, .mha), converting the renderer's samples as that format needs.
 * .npy and .mha stack several frames; a name with a %d (or %0Nd; %% for a
 * percent sign) writes one file per frame, numbered from 0. What can be
 * checked is checked now: the format takes this layout, the directory exists
 * and is writable, the files fit. Files are written beside their targets
 * while rendering and renamed over them by clr_sink_commit(); a sink freed
 * uncommitted leaves no file and any existing target untouched. `compression`
 * is for PNG: 0 default, 1 fast, 2 best (smallest, slow). */
CLR_API clr_sink *clr_sink_file(clr_session *session, const char *path, int compression,
                                clr_error *error);
CLR_API clr_status clr_sink_commit(clr_sink *sink, clr_error *error);

/* A sink that writes to standard output in `format` (png, pgm, ppm, npy or mha), as the
 * rows come; clr_sink_commit() flushes it. A failed render leaves what was written. */
CLR_API clr_sink *clr_sink_stdout(clr_session *session, const char *format, int compression,
                                  clr_error *error);

/* Text a file sink's PNG (tEXt/iTXt chunks) and EXR (string attributes) files carry:
 * `count` keys (1 to 79 printable Latin-1 bytes) and values (UTF-8), replacing any set
 * before; before the render. Other formats ignore it; `clrender info FILE` prints it. */
CLR_API clr_status clr_sink_set_text(clr_sink *sink, const char *const *keys,
                                     const char *const *values, size_t count, clr_error *error);

/* The files a file sink writes (one, or one per frame), and the path of file
 * `index` (NULL past the last, or for another kind of sink). */
CLR_API size_t clr_sink_file_count(const clr_sink *sink);
CLR_API const char *clr_sink_file_path(const clr_sink *sink, size_t index);

/* Removes the file sink's temporary file where it has a name on disk, and does
 * nothing else: async-signal-safe, for a signal handler of a process that is
 * about to end (the sink must then only be freed, or not at all). An unnamed
 * temporary file (O_TMPFILE) vanishes with the process by itself. */
CLR_API void clr_sink_discard(clr_sink *sink);

/* A sink that stores the render in the caller's memory (`bytes` must hold clr_layout.bytes). */
CLR_API clr_sink *clr_sink_memory(clr_session *session, void *buffer, size_t bytes,
                                  clr_error *error);

/* A sink that renders every row again with the scalar C reference and
 * compares, sample by sample, with the renderer's tolerance. */
CLR_API clr_sink *clr_sink_verify(clr_session *session, clr_error *error);

typedef struct clr_verify_result {
    uint64_t compared;         /* pixels */
    uint64_t differing;        /* pixels with a sample beyond the tolerance */
    double largest_difference; /* over all samples, in `unit` */
    const char *unit;          /* "count", "channel level", "of the largest p", ... */
    int integer;               /* the samples are integers (levels), not reals */
    double mean_difference;    /* over all samples, in `unit` */
    double largest_reference;  /* the largest |sample| of the reference */
    /* How to judge: 0, fail when more than a tolerance's fraction of pixels differ;
     * 1, fail when mean_difference exceeds the tolerance (a comparison with an exact
     * solution, which a discretisation approaches but never meets). */
    int judged_by_mean;
    double default_tolerance;   /* the renderer's tolerance when the caller gives none */
    const char *reference_name; /* "the reference", "the analytic projection" */
    /* mean_difference (and, judged by mean, largest_difference) are fractions of
     * largest_reference: clr_verify_combine() scales parts by it */
    int relative_to_largest;
} clr_verify_result;

CLR_API clr_status clr_sink_verify_result(const clr_sink *sink, clr_verify_result *result,
                                          clr_error *error);

/* Adds the result of another part of the same render (the bands another process verified) to
 * `total`: pixels compared and differing summed, largest differences and references the
 * larger, the mean weighted by pixels; differences relative to a part's largest reference
 * are rescaled to the larger of both, so the sum is the whole render's verdict. The parts
 * must come from sinks of the same render; `total` keeps its own unit, names and tolerance. */
CLR_API void clr_verify_combine(clr_verify_result *total, const clr_verify_result *part);

CLR_API void clr_sink_free(clr_sink *sink);

/* Renders every frame into each of `sinks`. */
CLR_API clr_status clr_render(clr_session *session, clr_sink *const *sinks, size_t sink_count,
                              clr_error *error);
/* Renders into `buffer`, which holds `bytes` (at least clr_layout.bytes). */
CLR_API clr_status clr_render_memory(clr_session *session, void *buffer, size_t bytes,
                                     clr_error *error);

/* The iterations the samples in `buffer` (a render of this session's current
 * layout) took, where the renderer counts such work (Julia: a count n below
 * MAX took n + 1 iterations, MAX took MAX), for throughput figures; else 0. */
CLR_API double clr_render_iterations(clr_session *session, const void *buffer, size_t bytes);

/* ---- Bands, for a render spread over processes ------------------------------------------ */

/* clrender-mpi (docs/CLUSTER.md) hands the bands of a render to many processes, each with
 * its own session on the same parameters; these calls let one process render any band and
 * place its rows in a shared file, with the same kernels and bits as clr_render(). */

/* The rows a band must start on (a multiple of this): the least common multiple of the
 * rows per work-item of every device's launch. Opens the devices; 1 for a reference session. */
CLR_API clr_status clr_band_granule(clr_session *session, size_t *granule, clr_error *error);

/* Whether the bands of this render must be whole frames (*whole nonzero): when the format of
 * `output` (a file name, whose extension names it; NULL for none) converts whole frames (an
 * X-ray window fitted to each projection) or, with `verify`, when the renderer judges each
 * frame against its own largest value. */
CLR_API clr_status clr_band_whole_frames(clr_session *session, const char *output, int verify,
                                         int *whole, clr_error *error);

/* Renders rows [first_row, first_row + rows) of frame `frame` into each of `sinks`, which
 * must be placed, rows or verify sinks: first_row a multiple of clr_band_granule(), the rows
 * within the frame (the whole frame where clr_band_whole_frames() says so). Band after band,
 * a process may render any subset of the image. A verify sink's totals then run over every
 * band it sees. Each call sets a render up and takes it down again (threads, kernels, a probe
 * launch): for many bands, clr_render_bands(). */
CLR_API clr_status clr_render_band(clr_session *session, size_t frame, size_t first_row,
                                   size_t rows, clr_sink *const *sinks, size_t sink_count,
                                   clr_error *error);

/* Where clr_render_bands() gets its bands: fills *frame, *first_row and *rows with the next
 * band and returns CLR_BAND_GIVEN (1), returns CLR_BAND_NONE (0) when there are no more,
 * CLR_BAND_LATER (2) when it has none yet (the engine goes on delivering what it rendered and
 * asks again about a millisecond later), or a negative value with a one-line reason in
 * `message` (CLR_MESSAGE_SIZE bytes) to fail the render. Called on the thread that called
 * clr_render_bands(), whenever the engine wants more work. It may block, but then the bands
 * rendered wait with it: a source that waits for another process which waits for those bands
 * must say LATER instead. The engine asks for a band as soon as the one before it has been
 * handed out to the devices (not delivered), and holds at most one band it has not begun
 * beyond the one it is rendering. */
enum { CLR_BAND_NONE = 0, CLR_BAND_GIVEN = 1, CLR_BAND_LATER = 2 };
typedef int (*clr_band_source)(void *user, size_t *frame, size_t *first_row, size_t *rows,
                               char *message);

/* Called on that thread about every millisecond while the engine waits for its devices (and
 * between bands of a reference render, which has none): a caller that coordinates other
 * processes answers them there. Nonzero, with a one-line reason in `message`, fails the
 * render. */
typedef int (*clr_band_idle)(void *user, char *message);

/* Renders the bands `next` gives, one after another, into each of `sinks`, as clr_render_band()
 * would render each (the same rules: placed, rows or verify sinks; bands on the granule,
 * within a frame; any frame, any order; a band that breaks them fails the render with a usage
 * error naming it), with one set-up for all: the devices go on from band to band while the
 * sinks convert and write. Each band's rows reach the sinks top to bottom, the bands in the
 * order `next` gave them. `user` goes to `next` and to `idle`, which may be NULL. A failure of
 * `next`, `idle`, a device or a sink stops the render and returns its message. */
CLR_API clr_status clr_render_bands(clr_session *session, clr_band_source next, clr_band_idle idle,
                                    void *user, clr_sink *const *sinks, size_t sink_count,
                                    clr_error *error);

/* Where a placed sink puts bytes: `count` bytes at `offset` of the file; 0 when written, else
 * nonzero with a one-line reason in `message` (of CLR_MESSAGE_SIZE bytes). */
typedef int (*clr_write_at)(void *user, uint64_t offset, const void *bytes, size_t count,
                            char *message);

/* A sink that converts each band as a file of `format` (npy, pgm, ppm or mha: the raw
 * formats, whose rows have fixed offsets) stores it and hands the bytes to `write_at` at their
 * offsets in that file; the band with row 0 of frame 0 also brings the header. Writes from
 * every band of every frame make the file clr_sink_file() would write, byte for byte.
 * *file_bytes (when not NULL) is the whole file's size. */
CLR_API clr_sink *clr_sink_placed(clr_session *session, const char *format, clr_write_at write_at,
                                  void *user, uint64_t *file_bytes, clr_error *error);

/* Where a rows sink hands each band: `rows` rows of frame `frame` from `first_row`, as
 * rendered (the layout's samples, `bytes` of them); 0 when taken, else nonzero with a
 * one-line reason in `message` (of CLR_MESSAGE_SIZE bytes). */
typedef int (*clr_rows_fn)(void *user, size_t frame, size_t first_row, size_t rows,
                           const void *samples, size_t bytes, char *message);

/* A sink that hands every band, as rendered, to `rows`, on the thread that called
 * clr_render() or clr_render_band(s): in order within one render. */
CLR_API clr_sink *clr_sink_rows(clr_session *session, clr_rows_fn rows, void *user,
                                clr_error *error);

/* Feeds a file sink rows rendered elsewhere (by another process: clrender-mpi gathers PNG
 * rows this way), as a render would: `rows` rows of `frame` from `first_row`, as rendered
 * (`bytes` of the layout's samples), every row of every frame in order. The last row
 * finishes the file; clr_sink_commit() then puts it in place. */
CLR_API clr_status clr_sink_feed(clr_sink *sink, size_t frame, size_t first_row, size_t rows,
                                 const void *samples, size_t bytes, clr_error *error);

/* ---- Timings ----------------------------------------------------------------------------- */

typedef struct clr_timings {
    double setup_ms;          /* opening the devices (at the first render or prepare) */
    double build_ms;          /* loading or building kernels (once per session and kernel) */
    double upload_ms;         /* copying input data to the devices */
    double kernel_ms;         /* kernel execution (OpenCL profiling), all devices */
    double transfer_ms;       /* reading results back (OpenCL profiling) */
    double reference_ms;      /* the scalar reference (a reference session, or verification) */
    double convert_ms;        /* converting samples and encoding (PNG) for files */
    double write_ms;          /* creating, writing and renaming files */
    double render_ms;         /* wall clock of the renders, from start to the last sink */
    double longest_launch_ms; /* the longest single kernel launch */
    size_t launches;          /* kernel launches, retries included */
    size_t bands;             /* bands delivered */
    size_t programs_cached;   /* programs loaded from the cache (clr_session_options.cache_dir) */
    size_t programs_built;    /* programs built from source */
} clr_timings;

/* What the session's renders took since it opened (or since clr_timings_reset). */
CLR_API void clr_session_timings(const clr_session *session, clr_timings *timings);
CLR_API void clr_timings_reset(clr_session *session);

/* Bands and rows one device rendered, and its kernel time, since the last reset. */
typedef struct clr_device_share {
    size_t bands;
    uint64_t rows;
    double kernel_ms;
} clr_device_share;
CLR_API clr_status clr_session_device_share(const clr_session *session, size_t index,
                                            clr_device_share *share, clr_error *error);

#ifdef __cplusplus
}
#endif

#endif
