/* `clrender batch [options] FILE|-`: many unrelated renders in one process.
 *
 * FILE (standard input for "-") holds JSON Lines, one render per line:
 *     {"renderer": "julia", "output": "a.png", "c": "-0.4,0.6", "size": "640x360"}
 * "renderer" and "output" are required; every other key is an option of that renderer's
 * command line without its dashes, with a string (as typed on a command line), a number,
 * true for a flag (false leaves it off) or an array of strings and numbers (joined with
 * commas). Blank lines are skipped; line numbers count every line.
 *
 * The whole input is read and every line checked (JSON, renderer, option names, the values
 * of the common options) before the first render, so a typo on line 900 costs no render.
 * The lines are then rendered in order through the same code as `clrender RENDERER`. A
 * session stays open for each renderer, device list, backend and band size that lines use
 * (a few at once), and the next line of the same kind reuses it after clr_reset(): its
 * devices are opened and its kernels built once. A line that fails when its turn comes (a
 * value the renderer refuses, an output that cannot be written) stops the batch with its
 * line number and writes nothing for that line; the files of the lines before it stay,
 * each complete.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "util/clock.h"
#include "util/json_check.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH_MAX_BYTES    (64u << 20)
#define BATCH_MAX_LINES    1000000u
#define BATCH_MAX_NESTING  4 /* an object holding arrays of values */
#define BATCH_MAX_SESSIONS 4

typedef struct batch_options {
    char *device_spec;
    int resume, timings, progress, quiet;
} batch_options;

static const param_spec batch_rows[] = {
    PARAM_TEXT("device", batch_options, device_spec, "SPEC",
               "the devices of lines that name none (default $CLRENDER_DEVICE, else the first "
               "GPU, else the first CPU)"),
    PARAM_FLAG("resume", batch_options, resume,
               "skip the renders (and frames) whose files all exist"),
    PARAM_FLAG("timings", batch_options, timings,
               "print the time of each phase, summed over the batch, on stderr"),
    PARAM_FLAG("progress", batch_options, progress,
               "one progress bar for the whole batch even when stderr is not a terminal"),
    PARAM_FLAG("quiet", batch_options, quiet, "print nothing but errors (and --verify lines)"),
};
#define BATCH_ROW_COUNT (sizeof batch_rows / sizeof batch_rows[0])

void batch_print_help(const char *name, FILE *out) {
    fprintf(out,
            "usage: clrender %s [options] FILE|-\n\n"
            "Renders every line of FILE (standard input for -), a JSON object each:\n"
            "  {\"renderer\": \"julia\", \"output\": \"a.png\", \"c\": \"-0.4,0.6\", \"size\": "
            "\"640x360\"}\n"
            "\"renderer\" and \"output\" are required; the other keys are the renderer's options "
            "without\n"
            "dashes (see 'clrender RENDERER --help'), with strings as typed, numbers, true for a "
            "flag,\n"
            "or arrays (joined with commas). Every line is checked before the first render. A "
            "session\n"
            "is kept for each renderer and device list: devices are opened and kernels built "
            "once.\n"
            "A line that fails stops the batch (its line number in the message); the files of "
            "the\n"
            "lines before it stay, each complete.\n\noptions:\n",
            name);
    cli_print_rows(out, batch_rows, BATCH_ROW_COUNT);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
    fprintf(out, "\nExit status: 0 done, 1 runtime failure, 2 usage error (a bad line), 3 "
                 "--verify mismatch.\n");
}

/* ---- Reading the file ------------------------------------------------------------------ */

static int read_input(const char *path, char **text, size_t *length, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    const bool from_stdin = !strcmp(path, "-");
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (!in)
        return failure_set(f, CLR_USAGE_ERROR, "batch: cannot open '%s': %s", shown,
                           strerror(errno));
    struct stat info;
    if (fstat(fileno(in), &info) == 0 && S_ISDIR(info.st_mode)) {
        if (!from_stdin)
            fclose(in);
        return failure_set(f, CLR_USAGE_ERROR, "batch: '%s' is a directory, not a file", shown);
    }
    size_t capacity = 1 << 16, used = 0;
    char *buffer = malloc(capacity + 1);
    int status = buffer ? 0 : failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    while (status == 0) {
        if (used == capacity) {
            if (capacity >= BATCH_MAX_BYTES) {
                status = failure_set(f, CLR_USAGE_ERROR, "batch: '%s' is larger than %u MiB", shown,
                                     BATCH_MAX_BYTES >> 20);
                break;
            }
            char *larger = realloc(buffer, 2 * capacity + 1);
            if (!larger) {
                status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading '%s'", shown);
                break;
            }
            buffer = larger, capacity *= 2;
        }
        size_t got = fread(buffer + used, 1, capacity - used, in);
        used += got;
        if (got == 0) {
            if (ferror(in))
                status = failure_set(f, CLR_RUNTIME_ERROR, "batch: cannot read '%s': %s", shown,
                                     strerror(errno));
            break;
        }
    }
    if (!from_stdin)
        fclose(in);
    if (status != 0) {
        free(buffer);
        return status;
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return 0;
}

/* ---- A line as a command line -------------------------------------------------------------- */

typedef struct batch_line {
    size_t number;        /* in the file, from 1 */
    const char *renderer; /* the library's name */
    int argc;             /* argv: "clrender", the renderer, then --KEY=VALUE or --KEY */
    char **argv;
    size_t renders; /* what the line adds to the run: its --frames, else 1 */
} batch_line;

static void line_free(batch_line *line) {
    for (int i = 2; i < line->argc; ++i)
        free(line->argv[i]);
    free(line->argv);
    memset(line, 0, sizeof *line);
}

static const param_spec *find_row(const param_spec *rows, size_t count, const char *name) {
    for (size_t i = 0; i < count; ++i)
        if (!strcmp(rows[i].name, name))
            return &rows[i];
    return NULL;
}

/* A number as its text: 17 significant digits read back as the same double. */
static void number_text(double value, char *out, size_t size) {
    snprintf(out, size, "%.17g", value);
}

/* The text of a value (a string, a number, or an array of them joined with commas), or NULL
 * with the reason in `why`. */
static char *value_text(const cJSON *item, char *why, size_t why_len) {
    char number[32];
    if (cJSON_IsString(item))
        return strdup(item->valuestring);
    if (cJSON_IsNumber(item)) {
        number_text(item->valuedouble, number, sizeof number);
        return strdup(number);
    }
    if (!cJSON_IsArray(item) || !item->child) {
        snprintf(why, why_len,
                 "must be a string, a number, true/false (flags) or an array of strings and "
                 "numbers");
        return NULL;
    }
    size_t size = 1;
    for (const cJSON *e = item->child; e; e = e->next) {
        if (!cJSON_IsString(e) && !cJSON_IsNumber(e)) {
            snprintf(why, why_len, "an array holds strings and numbers only");
            return NULL;
        }
        size += (cJSON_IsString(e) ? strlen(e->valuestring) : sizeof number) + 1;
    }
    char *text = malloc(size), *o = text;
    if (!text) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    for (const cJSON *e = item->child; e; e = e->next) {
        if (e != item->child)
            *o++ = ',';
        number_text(cJSON_IsNumber(e) ? e->valuedouble : 0, number, sizeof number);
        const char *part = cJSON_IsString(e) ? e->valuestring : number;
        size_t n = strlen(part);
        memcpy(o, part, n);
        o += n;
    }
    *o = '\0';
    return text;
}

/* The common options that a batch takes as a whole, not per line. */
static bool whole_batch_option(const char *name) {
    return !strcmp(name, "progress") || !strcmp(name, "quiet") || !strcmp(name, "timings") ||
           !strcmp(name, "resume");
}

/* Turns the object of one line into a command line of its renderer. */
static int line_arguments(const cJSON *root, batch_line *line, failure *f) {
    const size_t n = line->number;
    const cJSON *renderer = cJSON_GetObjectItemCaseSensitive(root, "renderer");
    if (!renderer)
        return failure_set(f, CLR_USAGE_ERROR, "batch: line %zu: \"renderer\" is missing", n);
    for (size_t i = 0; cJSON_IsString(renderer) && clr_renderer_name(i); ++i)
        if (!strcmp(clr_renderer_name(i), renderer->valuestring))
            line->renderer = clr_renderer_name(i);
    if (!line->renderer) {
        char known[256] = "", shown[TEXT_SHOWN_SIZE];
        for (size_t i = 0, used = 0; clr_renderer_name(i) && used < sizeof known; ++i)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                     clr_renderer_name(i));
        return failure_set(f, CLR_USAGE_ERROR,
                           "batch: line %zu: \"renderer\" %s%s%s is not a renderer (known: %s)", n,
                           cJSON_IsString(renderer) ? "'" : "",
                           cJSON_IsString(renderer) ? text_shown(renderer->valuestring, shown)
                                                    : "(not a string)",
                           cJSON_IsString(renderer) ? "'" : "", known);
    }
    if (!cJSON_GetObjectItemCaseSensitive(root, "output"))
        return failure_set(f, CLR_USAGE_ERROR, "batch: line %zu: \"output\" is missing", n);
    size_t common_count, param_count;
    const param_spec *common = render_common_rows(&common_count);
    param_spec *params = cli_renderer_rows(line->renderer, &param_count);
    size_t keys = 0;
    for (const cJSON *item = root->child; item; item = item->next)
        ++keys;
    line->argv = calloc(keys + 2, sizeof *line->argv);
    if (!params || !line->argv) {
        free(params);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    }
    line->argv[0] = "clrender";
    line->argv[1] = (char *)line->renderer;
    line->argc = 2;
    int status = 0;
    for (const cJSON *item = root->child; item && status == 0; item = item->next) {
        const char *key = item->string;
        char shown[TEXT_SHOWN_SIZE], why[256] = "";
        if (!strcmp(key, "renderer"))
            continue;
        const param_spec *row = find_row(common, common_count, key);
        if (!row)
            row = find_row(params, param_count, key);
        if (!row) {
            status = failure_set(f, CLR_USAGE_ERROR,
                                 "batch: line %zu: %s has no option \"%s\" (see 'clrender %s "
                                 "--help')",
                                 n, line->renderer, text_shown(key, shown), line->renderer);
            break;
        }
        if (whole_batch_option(key)) {
            status = failure_set(f, CLR_USAGE_ERROR,
                                 "batch: line %zu: \"%s\" applies to the whole batch: clrender "
                                 "batch --%s FILE",
                                 n, key, key);
            break;
        }
        const bool flag = row->metavar == NULL;
        char *argument = NULL;
        if (cJSON_IsBool(item)) {
            if (!flag) {
                status = failure_set(f, CLR_USAGE_ERROR,
                                     "batch: line %zu: \"%s\" takes a value %s, not true or false",
                                     n, key, row->metavar);
                break;
            }
            if (cJSON_IsFalse(item))
                continue;
            argument = malloc(strlen(key) + 3);
            if (argument)
                sprintf(argument, "--%s", key);
        } else if (flag) {
            status =
                failure_set(f, CLR_USAGE_ERROR,
                            "batch: line %zu: \"%s\" is a flag: give it true or false", n, key);
            break;
        } else {
            char *value = value_text(item, why, sizeof why);
            if (!value) {
                status =
                    failure_set(f, CLR_USAGE_ERROR, "batch: line %zu: \"%s\": %s", n, key, why);
                break;
            }
            /* --KEY=VALUE: a value that starts with a dash stays a value. */
            argument = malloc(strlen(key) + strlen(value) + 4);
            if (argument)
                sprintf(argument, "--%s=%s", key, value);
            free(value);
        }
        if (!argument)
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        else
            line->argv[line->argc++] = argument;
    }
    free(params);
    return status;
}

/* Where byte `offset` of a line is, for messages: a 1-based column. */
static size_t column_of(size_t offset) {
    return offset + 1;
}

/* Reads line `number` (`length` bytes at `text`, NUL-terminated there) into `line`, checking
 * what can be checked without a session: the JSON, the renderer, the option names, the
 * values of the common options. */
static int read_line(char *text, size_t length, size_t number, batch_line *line, failure *f) {
    memset(line, 0, sizeof *line);
    line->number = number;
    for (size_t i = 0; i < length; ++i) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return failure_set(f, CLR_USAGE_ERROR,
                               "batch: line %zu, column %zu: control byte 0x%02x, so not JSON "
                               "text (a binary file?)",
                               number, column_of(i), (unsigned)c);
    }
    json_problem problem = json_check(text, length, BATCH_MAX_NESTING);
    if (problem.kind == JSON_OUT_OF_MEMORY)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    if (problem.kind == JSON_TOO_DEEP)
        return failure_set(f, CLR_USAGE_ERROR,
                           "batch: line %zu, column %zu: nested deeper than a line can be (an "
                           "object of values and arrays)",
                           number, problem.column);
    /* cJSON keeps its error position in a global: the command line parses on one thread. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, length, &end, false);
    if (!root) {
        size_t offset = end && end >= text ? (size_t)(end - text) : 0;
        return failure_set(f, CLR_USAGE_ERROR,
                           "batch: line %zu, column %zu: not valid JSON here (one object per "
                           "line)",
                           number, column_of(offset < length ? offset : length));
    }
    size_t rest = end ? (size_t)(end - text) : length;
    while (rest < length && (text[rest] == ' ' || text[rest] == '\t'))
        ++rest;
    int status = 0;
    if (rest < length)
        status = failure_set(f, CLR_USAGE_ERROR,
                             "batch: line %zu, column %zu: text after the JSON object (one "
                             "object per line)",
                             number, column_of(rest));
    else if (!cJSON_IsObject(root))
        status = failure_set(f, CLR_USAGE_ERROR,
                             "batch: line %zu: expected a JSON object {\"renderer\": ..., "
                             "\"output\": ..., ...}",
                             number);
    else if (problem.kind == JSON_DUPLICATE_KEY)
        status = failure_set(f, CLR_USAGE_ERROR,
                             "batch: line %zu, column %zu: key \"%s\" appears twice (first at "
                             "column %zu)",
                             number, problem.column, problem.key, problem.first_column);
    else
        status = line_arguments(root, line, f);
    cJSON_Delete(root);
    if (status == 0) {
        /* The options as the render will read them: names, and the common options' values. */
        render_options o;
        render_request request;
        status = render_request_read(line->renderer, line->argc, line->argv, 2, &o, &request, f);
        if (status != 0) {
            char message[CLR_MESSAGE_SIZE];
            snprintf(message, sizeof message, "%s", f->message);
            failure_set(f, status, "batch: line %zu: %s", number, message);
        }
        line->renders = o.frames ? (size_t)o.frames : 1;
        render_request_free(&request);
        render_options_free(&o);
    }
    if (status != 0)
        line_free(line);
    return status;
}

/* Splits `text` into lines and reads each; blank lines are skipped. */
static int read_lines(char *text, size_t length, batch_line **lines, size_t *count, failure *f) {
    size_t capacity = 64, number = 0;
    *count = 0;
    *lines = malloc(capacity * sizeof **lines);
    if (!*lines)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    for (char *start = text; start < text + length;) {
        char *newline = memchr(start, '\n', (size_t)(text + length - start));
        char *stop = newline ? newline : text + length;
        ++number;
        size_t n = (size_t)(stop - start);
        if (n && start[n - 1] == '\r')
            --n;
        start[n] = '\0';
        size_t blank = strspn(start, " \t");
        if (blank < n) {
            if (number > BATCH_MAX_LINES)
                return failure_set(f, CLR_USAGE_ERROR, "batch: more than %u lines",
                                   BATCH_MAX_LINES);
            if (*count == capacity) {
                batch_line *larger = realloc(*lines, 2 * capacity * sizeof **lines);
                if (!larger)
                    return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
                *lines = larger, capacity *= 2;
            }
            if (read_line(start, n, number, &(*lines)[*count], f) != 0)
                return f->status;
            ++*count;
        }
        start = stop + 1;
    }
    return 0;
}

int batch_check(char *text, size_t length, size_t *renders, failure *f) {
    batch_line *lines = NULL;
    size_t count = 0;
    int status = read_lines(text, length, &lines, &count, f);
    *renders = 0;
    for (size_t i = 0; i < count; ++i) {
        *renders += lines[i].renders;
        line_free(&lines[i]);
    }
    free(lines);
    return status;
}

/* ---- Sessions kept open ------------------------------------------------------------------ */

typedef struct kept_session {
    char *key; /* renderer, devices, backend, band rows */
    clr_session *session;
    uint64_t last_used;
} kept_session;

typedef struct session_pool {
    kept_session kept[BATCH_MAX_SESSIONS];
    uint64_t uses;
    clr_timings totals; /* of the sessions closed so far */
} session_pool;

static void pool_close(session_pool *pool, kept_session *k) {
    if (!k->session)
        return;
    clr_timings t;
    clr_session_timings(k->session, &t);
    timings_add(&pool->totals, &t);
    clr_session_close(k->session);
    free(k->key);
    memset(k, 0, sizeof *k);
}

/* A session for `renderer` on the devices `o` names, its parameters at their defaults: one
 * kept from an earlier line of the same kind (reset), or a new one in the place of the least
 * recently used. */
static clr_session *pool_session(session_pool *pool, const char *renderer, const render_options *o,
                                 console *out, failure *f) {
    char key[1024];
    snprintf(key, sizeof key, "%s\n%s\n%d\n%llu", renderer, o->device_spec ? o->device_spec : "",
             o->backend, (unsigned long long)o->tile_rows);
    kept_session *slot = &pool->kept[0];
    for (size_t i = 0; i < BATCH_MAX_SESSIONS; ++i) {
        kept_session *k = &pool->kept[i];
        if (k->session && !strcmp(k->key, key)) {
            k->last_used = ++pool->uses;
            return clr_reset(k->session, f) == CLR_OK ? k->session : NULL;
        }
        if (!k->session || (slot->session && k->last_used < slot->last_used))
            slot = k;
    }
    pool_close(pool, slot);
    if (!(slot->key = strdup(key))) {
        failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        return NULL;
    }
    if (!(slot->session = render_open_session(renderer, o, out, f))) {
        free(slot->key);
        slot->key = NULL;
        return NULL;
    }
    slot->last_used = ++pool->uses;
    return slot->session;
}

/* ---- The run ------------------------------------------------------------------------------ */

/* Renders line `line`: its options read again (they were checked), a session, its
 * parameters, the render. */
static int render_line(const batch_line *line, const batch_options *b, session_pool *pool,
                       console *out, bool *used_device, bool *used_reference, failure *f) {
    render_options o;
    render_request request;
    console_hold(out); /* this line's warnings: shown when its render starts */
    int status = render_request_read(line->renderer, line->argc, line->argv, 2, &o, &request, f);
    if (status == 0 && !o.device_spec && b->device_spec &&
        !(o.device_spec = strdup(b->device_spec)))
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    clr_session *s = NULL;
    if (status == 0 && !(s = pool_session(pool, line->renderer, &o, out, f)))
        status = f->status;
    if (status == 0)
        status = render_request_apply(line->renderer, s, &request, &o, f);
    if (status == 0) {
        char label[64];
        snprintf(label, sizeof label, "line %zu: ", line->number);
        o.resume = b->resume; /* after the checks: it is the batch's, not the line's */
        *used_device |= o.backend == 0;
        *used_reference |= o.backend == 1 || o.verify;
        status = render_run(line->renderer, s, &o, label, out, f);
    }
    if (status != 0) {
        char message[CLR_MESSAGE_SIZE];
        snprintf(message, sizeof message, "%s", f->message);
        failure_set(f, status, "batch: line %zu: %s", line->number, message);
    }
    render_request_free(&request);
    render_options_free(&o);
    return status;
}

int batch_command(const char *name, int argc, char **argv, int first, failure *f) {
    batch_options b = {0};
    cli_table table = {batch_rows, BATCH_ROW_COUNT, &b};
    cli_command_line command = {0};
    char *text = NULL;
    size_t length = 0, line_count = 0;
    batch_line *lines = NULL;
    int status = cli_read(name, argc, argv, first, &table, 1, 1, &command, f);
    if (status == 0 && command.operand_count != 1)
        status = failure_set(f, CLR_USAGE_ERROR,
                             "%s: name one file of JSON lines, or - for standard input (see "
                             "'clrender %s --help')",
                             name, name);
    if (status == 0 && b.quiet && b.progress)
        status = failure_set(f, CLR_USAGE_ERROR, "%s: --quiet and --progress contradict each other",
                             name);
    if (status == 0)
        status = read_input(command.operands[0], &text, &length, f);
    if (status == 0)
        status = read_lines(text, length, &lines, &line_count, f);

    console out = {.quiet = b.quiet, .bar = b.progress || (!b.quiet && isatty(STDERR_FILENO))};
    session_pool pool = {0};
    bool used_device = false, used_reference = false;
    if (status == 0) {
        size_t renders = 0;
        for (size_t i = 0; i < line_count; ++i)
            renders += lines[i].renders;
        console_run_begin(&out, "render", renders);
        for (size_t i = 0; i < line_count && status == 0; ++i)
            status = render_line(&lines[i], &b, &pool, &out, &used_device, &used_reference, f);
        if (b.resume && out.run_skipped) {
            char message[128];
            snprintf(message, sizeof message, "--resume: skipped %zu render%s whose files exist",
                     out.run_skipped, out.run_skipped == 1 ? "" : "s");
            console_log(&out, CLR_LOG_INFO, message);
        }
    }
    for (size_t i = 0; i < BATCH_MAX_SESSIONS; ++i)
        pool_close(&pool, &pool.kept[i]);
    if (b.timings && (status == 0 || status == CLR_VERIFY_FAILED)) {
        render_print_timings(&pool.totals, used_device, used_reference, NULL);
        double total_ms = clock_ms() - clock_process_start_ms();
        fprintf(stderr, "renders: %zu done, %zu skipped, %.2f ms each\n", out.run_done,
                out.run_skipped, out.run_done ? total_ms / (double)out.run_done : 0.0);
    }
    for (size_t i = 0; lines && i < line_count; ++i)
        line_free(&lines[i]);
    free(lines);
    free(text);
    cli_command_line_free(&command);
    free(b.device_spec);
    return status;
}
