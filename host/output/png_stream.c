/* The PNG container is written here, not by libspng or libpng: both compress through their own
 * serial zlib stream and take no pre-compressed IDAT data, and a single zlib stream was slower
 * than the libdeflate encoder this replaced at every level (docs/BENCHMARKS.md, "Row-by-row
 * PNG"). Bands deflated in parallel need only the few chunks below: signature, IHDR, tEXt or
 * iTXt, IDAT and IEND, with zlib's crc32. The tests decode what is written here with libspng
 * and PIL, independent decoders. */
#define _POSIX_C_SOURCE 200809L /* fseeko */
#include "output/png_stream.h"

#include "util/threads.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

/* Filtered bytes per band: large enough that a sync flush (5 bytes) and a restarted block cost
 * nothing, small enough that a few bands are little memory beside the render's own. */
#define BAND_BYTES ((size_t)1 << 20)
/* The least a band of a small image holds: its sync flush and restarted block cost a few
 * bytes, well below 0.1 % of a band this size. */
#define MIN_BAND_BYTES ((size_t)32 << 10)
/* Bands per batch and worker: bands compress at uneven speeds (a fractal's detail is uneven),
 * so each worker takes the next band as it finishes one, from several per worker. */
#define BANDS_PER_WORKER 4
#define WINDOW           ((size_t)32768) /* deflate's window: the history that primes each band */
/* zlib counts in uInt: input and output are handed over in pieces of at most this. */
#define ZLIB_PIECE ((size_t)1 << 30)
#define CHUNK_MAX  ((size_t)0x7fffffff) /* PNG's limit on a chunk's length */

enum { FILTER_NONE = 0, FILTER_SUB = 1, FILTER_UP = 2 };

typedef struct band band;

/* A worker thread: takes bands from the batch until none is left. */
typedef struct worker {
    png_stream *stream;
    void (*work)(band *b, z_stream *z);
    z_stream z;
    bool z_ready;
} worker;

struct band {
    png_stream *stream;
    size_t first, rows;      /* rows of the batch */
    unsigned char *filtered; /* inside stream->filtered */
    size_t filtered_bytes;
    unsigned char *out; /* the band's deflate output (the zlib header first in the first band) */
    size_t out_capacity, out_bytes;
    uLong adler; /* of the filtered bytes */
    int flush;   /* Z_SYNC_FLUSH, or Z_FINISH for the image's last band */
    bool zlib_header, failed;
};

struct png_stream {
    FILE *file;
    char name[TEXT_SHOWN_SIZE];
    size_t width, height, channels, depth, pixel_bytes, row_bytes;
    int level, strategy, mem_level, filter;
    size_t rows_in;          /* rows received */
    size_t batch_rows;       /* rows held in `raw`, not yet compressed */
    size_t band_rows;        /* rows per band */
    size_t band_count;       /* bands per batch */
    size_t worker_count;     /* worker threads: one per core */
    unsigned char *raw;      /* 1 + band_count * band_rows rows: [0] is the row before the batch */
    unsigned char *filtered; /* WINDOW bytes of history, then the batch's filtered rows */
    size_t history;          /* valid history bytes just before filtered + WINDOW */
    band *bands;
    worker workers[THREADS_MAX];
    atomic_size_t next_band; /* the next band a worker takes */
    size_t batch_bands;      /* bands in the batch being compressed */
    uLong adler;
    bool started, finished;
};

/* ---- Chunks -------------------------------------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* crc32 over a size_t length, in pieces zlib's uInt can count. */
static uLong crc_of(uLong crc, const unsigned char *data, size_t length) {
    while (length > 0) {
        size_t piece = length < ZLIB_PIECE ? length : ZLIB_PIECE;
        crc = crc32(crc, data, (uInt)piece);
        data += piece;
        length -= piece;
    }
    return crc;
}

static int write_failed(png_stream *s, failure *f) {
    return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %s", s->name,
                       errno ? strerror(errno) : "write error");
}

/* One chunk whose data are the concatenation of `parts` (length <= CHUNK_MAX). */
static int write_chunk(png_stream *s, const char type[4], const unsigned char *const *parts,
                       const size_t *lengths, size_t count, failure *f) {
    size_t total = 0;
    for (size_t i = 0; i < count; ++i)
        total += lengths[i];
    unsigned char head[8], tail[4];
    put32(head, (uint32_t)total);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    errno = 0;
    if (fwrite(head, 1, 8, s->file) != 8)
        return write_failed(s, f);
    for (size_t i = 0; i < count; ++i) {
        crc = crc_of(crc, parts[i], lengths[i]);
        if (lengths[i] && fwrite(parts[i], 1, lengths[i], s->file) != lengths[i])
            return write_failed(s, f);
    }
    put32(tail, (uint32_t)crc);
    return fwrite(tail, 1, 4, s->file) == 4 ? 0 : write_failed(s, f);
}

static int write_simple_chunk(png_stream *s, const char type[4], const unsigned char *data,
                              size_t length, failure *f) {
    return write_chunk(s, type, &data, &length, 1, f);
}

/* IDAT data of any length, in chunks of at most 1 GiB. */
static int write_idat(png_stream *s, const unsigned char *data, size_t length, failure *f) {
    do {
        size_t piece = length < ZLIB_PIECE ? length : ZLIB_PIECE;
        if (write_simple_chunk(s, "IDAT", data, piece, f) != 0)
            return f->status;
        data += piece;
        length -= piece;
    } while (length > 0);
    return 0;
}

/* ---- Text ---------------------------------------------------------------------------------- */

static bool key_valid(const char *key) {
    size_t length = strlen(key);
    if (length < 1 || length > IMAGE_TEXT_KEY_MAX || key[0] == ' ' || key[length - 1] == ' ')
        return false;
    for (size_t i = 0; i < length; ++i) {
        unsigned char c = (unsigned char)key[i];
        if ((c < 32 || (c > 126 && c < 161)) || (c == ' ' && key[i + 1] == ' '))
            return false;
    }
    return true;
}

static bool ascii_only(const char *text) {
    for (; *text; ++text)
        if ((unsigned char)*text >= 0x80)
            return false;
    return true;
}

static bool utf8_valid(const unsigned char *p) {
    while (*p) {
        size_t extra = *p < 0x80             ? 0
                       : (*p & 0xe0) == 0xc0 ? 1
                       : (*p & 0xf0) == 0xe0 ? 2
                       : (*p & 0xf8) == 0xf0 ? 3
                                             : 4;
        if (extra == 4 || (extra == 1 && *p < 0xc2))
            return false;
        for (size_t i = 1; i <= extra; ++i)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += extra + 1;
    }
    return true;
}

/* tEXt for ASCII (Latin-1's subset, which every reader shows alike); iTXt, PNG's UTF-8 chunk,
 * for other valid UTF-8; bytes that are no UTF-8 go as tEXt's Latin-1, which takes any byte. */
static int write_text(png_stream *s, const image_text *t, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    if (!t->key || !t->value || !key_valid(t->key))
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s': PNG text key '%s' must be 1 to %d printable Latin-1 bytes "
                           "without leading, trailing or doubled spaces",
                           s->name, text_shown(t->key ? t->key : "(null)", shown),
                           IMAGE_TEXT_KEY_MAX);
    size_t key_length = strlen(t->key), value_length = strlen(t->value);
    const bool itxt = !ascii_only(t->value) && utf8_valid((const unsigned char *)t->value);
    /* iTXt: key NUL, not compressed, method 0, empty language NUL, empty translated key NUL */
    static const unsigned char itxt_fields[] = {0, 0, 0, 0, 0};
    static const unsigned char text_fields[] = {0};
    const unsigned char *parts[3] = {(const unsigned char *)t->key,
                                     itxt ? itxt_fields : text_fields,
                                     (const unsigned char *)t->value};
    size_t lengths[3] = {key_length, itxt ? sizeof itxt_fields : sizeof text_fields, value_length};
    if (value_length > CHUNK_MAX - key_length - 5)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': the PNG text '%s' is longer than 2 GiB",
                           s->name, text_shown(t->key, shown));
    return write_chunk(s, itxt ? "iTXt" : "tEXt", parts, lengths, 3, f);
}

/* ---- Bands --------------------------------------------------------------------------------- */

static void filter_band(band *b, z_stream *z) {
    (void)z;
    const png_stream *s = b->stream;
    const size_t n = s->row_bytes, bpp = s->pixel_bytes;
    for (size_t r = 0; r < b->rows; ++r) {
        const unsigned char *row = s->raw + (1 + b->first + r) * n, *prev = row - n;
        unsigned char *out = b->filtered + r * (n + 1);
        *out++ = (unsigned char)s->filter;
        switch (s->filter) {
        case FILTER_NONE:
            memcpy(out, row, n);
            break;
        case FILTER_SUB:
            memcpy(out, row, bpp < n ? bpp : n);
            for (size_t i = bpp; i < n; ++i)
                out[i] = (unsigned char)(row[i] - row[i - bpp]);
            break;
        case FILTER_UP:
            for (size_t i = 0; i < n; ++i)
                out[i] = (unsigned char)(row[i] - prev[i]);
            break;
        }
    }
    uLong adler = adler32(0, NULL, 0);
    for (size_t done = 0; done < b->filtered_bytes; done += ZLIB_PIECE) {
        size_t piece =
            b->filtered_bytes - done < ZLIB_PIECE ? b->filtered_bytes - done : ZLIB_PIECE;
        adler = adler32(adler, b->filtered + done, (uInt)piece);
    }
    b->adler = adler;
}

/* Room for `more` bytes after out_bytes in the band's output. */
static bool out_room(band *b, size_t more) {
    if (b->out_capacity - b->out_bytes >= more)
        return true;
    size_t capacity =
        b->out_capacity * 2 > b->out_bytes + more ? b->out_capacity * 2 : b->out_bytes + more;
    unsigned char *grown = realloc(b->out, capacity);
    if (!grown)
        return false;
    b->out = grown;
    b->out_capacity = capacity;
    return true;
}

static void deflate_band(band *b, z_stream *z) {
    png_stream *s = b->stream;
    b->out_bytes = 0;
    b->failed = deflateReset(z) != Z_OK ||
                !out_room(b, (size_t)deflateBound(z, (uLong)b->filtered_bytes) + 64);
    if (b->failed)
        return;
    if (b->zlib_header) {
        /* CMF: deflate, 32 KiB window; FLG: the level's class, and the check bits that make
         * CMF * 256 + FLG a multiple of 31. */
        int flevel = s->level <= 1 ? 0 : s->level < 6 ? 1 : s->level == 6 ? 2 : 3;
        unsigned header = 0x78u << 8 | (unsigned)flevel << 6;
        header += 31 - header % 31;
        b->out[0] = (unsigned char)(header >> 8);
        b->out[1] = (unsigned char)header;
        b->out_bytes = 2;
    }
    /* The 32 KiB before the band, as the decoder will have them: matches reach back into the
     * previous band as they would in one serial stream. */
    const unsigned char *batch = s->filtered + WINDOW;
    size_t behind = (size_t)(b->filtered - batch) + s->history;
    size_t dictionary = behind < WINDOW ? behind : WINDOW;
    if (dictionary > 0 &&
        deflateSetDictionary(z, b->filtered - dictionary, (uInt)dictionary) != Z_OK) {
        b->failed = true;
        return;
    }
    const unsigned char *in = b->filtered;
    size_t in_left = b->filtered_bytes;
    int status = Z_OK;
    do {
        size_t piece = in_left < ZLIB_PIECE ? in_left : ZLIB_PIECE;
        z->next_in = (Bytef *)in;
        z->avail_in = (uInt)piece;
        in += piece;
        in_left -= piece;
        const int flush = in_left ? Z_NO_FLUSH : b->flush;
        do {
            if (!out_room(b, 1)) {
                b->failed = true;
                return;
            }
            size_t room = b->out_capacity - b->out_bytes;
            uInt offered = (uInt)(room < ZLIB_PIECE ? room : ZLIB_PIECE);
            z->next_out = b->out + b->out_bytes;
            z->avail_out = offered;
            status = deflate(z, flush);
            b->out_bytes += offered - z->avail_out;
            if (status == Z_STREAM_ERROR) {
                b->failed = true;
                return;
            }
            /* Finished when deflate left output room: all input taken and the flush done. */
        } while (status != Z_STREAM_END && (z->avail_out == 0 || z->avail_in > 0));
    } while (in_left > 0);
    b->failed = b->flush == Z_FINISH && status != Z_STREAM_END;
}

static void work_bands(void *job) {
    worker *w = job;
    png_stream *s = w->stream;
    for (size_t i; (i = atomic_fetch_add(&s->next_band, 1)) < s->batch_bands;)
        w->work(&s->bands[i], &w->z);
}

static void run_workers(png_stream *s, void (*work)(band *, z_stream *), size_t count) {
    s->batch_bands = count;
    atomic_store(&s->next_band, 0);
    size_t workers = s->worker_count < count ? s->worker_count : count;
    for (size_t i = 0; i < workers; ++i)
        s->workers[i].work = work;
    threads_run(work_bands, s->workers, sizeof s->workers[0], workers);
}

/* Filters and deflates the rows held, in parallel bands, and writes them as IDAT chunks. */
static int compress_batch(png_stream *s, failure *f) {
    const bool last = s->rows_in == s->height;
    size_t count = (s->batch_rows + s->band_rows - 1) / s->band_rows;
    unsigned char *next = s->filtered + WINDOW;
    for (size_t i = 0; i < count; ++i) {
        band *b = &s->bands[i];
        b->first = i * s->band_rows;
        b->rows = s->batch_rows - b->first < s->band_rows ? s->batch_rows - b->first : s->band_rows;
        b->filtered = next;
        b->filtered_bytes = b->rows * (s->row_bytes + 1);
        next += b->filtered_bytes;
        b->flush = last && i + 1 == count ? Z_FINISH : Z_SYNC_FLUSH;
        b->zlib_header = !s->started && i == 0;
    }
    /* Filtering first: every band's dictionary is its predecessor's filtered tail. */
    run_workers(s, filter_band, count);
    run_workers(s, deflate_band, count);
    for (size_t i = 0; i < count; ++i) {
        band *b = &s->bands[i];
        if (b->failed) /* zlib fails only for want of memory, given valid arguments */
            return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': out of memory compressing",
                               s->name);
        s->adler = adler32_combine(s->adler, b->adler, (z_off_t)b->filtered_bytes);
        if (b->flush == Z_FINISH) {
            if (!out_room(b, 4))
                return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': out of memory",
                                   s->name);
            put32(b->out + b->out_bytes, (uint32_t)s->adler);
            b->out_bytes += 4;
        }
        if (write_idat(s, b->out, b->out_bytes, f) != 0)
            return f->status;
    }
    s->started = true;
    /* Keep what the next batch needs: the last raw row (for "up") and 32 KiB of history. */
    size_t filtered_total = (size_t)(next - (s->filtered + WINDOW));
    size_t keep = filtered_total < WINDOW ? filtered_total : WINDOW;
    size_t from_history = WINDOW - keep < s->history ? WINDOW - keep : s->history;
    memmove(s->filtered + WINDOW - keep - from_history, s->filtered + WINDOW - from_history,
            from_history);
    memmove(s->filtered + WINDOW - keep, next - keep, keep);
    s->history = keep + from_history;
    memcpy(s->raw, s->raw + s->batch_rows * s->row_bytes, s->row_bytes);
    s->batch_rows = 0;
    return 0;
}

/* ---- The stream ---------------------------------------------------------------------------- */

/* Measured on the 4000x4000 Julia set (gray) and sphere scenes (RGB, 160x90 to 4000x4000)
 * against the libdeflate levels this replaced (docs/BENCHMARKS.md): run-length matching after
 * "up" (gray) or "sub" (RGB) was faster and smaller than libdeflate 1; zlib 6 and 9 keep the
 * filters libdeflate 6 and 12 had (none for gray with its flat regions, sub for RGB with its
 * gradients), 2 % smaller at 6; zlib 9 is within 3 % (gray) and 15 % (RGB) of libdeflate 12's
 * optimal parsing at a twentieth of its time. */
static void choose_level(png_stream *s, png_compression compression) {
    s->mem_level = 8;
    s->strategy = Z_DEFAULT_STRATEGY;
    /* No filter at default and best: the escape-time pictures' flat runs of one colour (gray
     * or a palette's) deflate best as they are (a palette Julia set 30 % smaller than with
     * "sub"); smooth gradients (a small sphere) would favour "sub", as fast uses. */
    s->filter = FILTER_NONE;
    switch (compression) {
    case PNG_FAST:
        s->level = 1;
        s->strategy = Z_RLE;
        s->filter = s->channels == 1 ? FILTER_UP : FILTER_SUB;
        break;
    case PNG_DEFAULT:
        s->level = 6;
        break;
    case PNG_BEST:
        s->level = 9;
        s->mem_level = 9;
        break;
    }
}

int png_stream_open(png_stream **stream, FILE *file, const char *name, size_t width, size_t height,
                    unsigned channels, unsigned bit_depth, png_compression compression,
                    const image_text *text, size_t text_count, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    *stream = NULL;
    text_shown(name, shown);
    if (width < 1 || height < 1 || width > PNG_SIDE_MAX || height > PNG_SIDE_MAX)
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s': a PNG is 1 to %u pixels wide and high, not %zux%zu", shown,
                           PNG_SIDE_MAX, width, height);
    if ((channels != 1 && channels != 3) || (bit_depth != 8 && bit_depth != 16))
        return failure_set(f, CLR_USAGE_ERROR,
                           "'%s': PNG is written as 8- or 16-bit gray or RGB, not %u channels of "
                           "%u bits",
                           shown, channels, bit_depth);
    if (compression != PNG_FAST && compression != PNG_DEFAULT && compression != PNG_BEST)
        return failure_set(f, CLR_USAGE_ERROR, "'%s': unknown PNG compression %d", shown,
                           (int)compression);
    png_stream *s = calloc(1, sizeof *s);
    if (!s)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory writing '%s'", shown);
    memcpy(s->name, shown, sizeof shown);
    s->file = file;
    s->width = width;
    s->height = height;
    s->channels = channels;
    s->depth = bit_depth;
    s->pixel_bytes = channels * bit_depth / 8;
    s->row_bytes = width * s->pixel_bytes; /* < 2^31 * 6: no overflow in 64 bits */
    s->adler = adler32(0, NULL, 0);
    choose_level(s, compression);
    s->worker_count = threads_available();
    s->band_count = s->worker_count * BANDS_PER_WORKER;
    s->band_rows = BAND_BYTES / (s->row_bytes + 1);
    /* An image of a few bands is cut finer, so that every worker gets a share: one band of a
     * 640x360 picture, or a 1 MiB band beside a 0.4 MiB one, kept one core deflating while
     * the other waited. */
    size_t shared = (height + s->band_count - 1) / s->band_count;
    size_t least = MIN_BAND_BYTES / (s->row_bytes + 1);
    if (shared < least)
        shared = least;
    if (shared < s->band_rows)
        s->band_rows = shared;
    if (s->band_rows < 1)
        s->band_rows = 1;
    if (s->band_rows > height)
        s->band_rows = height;
    size_t batch_rows = s->band_count * s->band_rows;
    /* Rows fit in memory or the sizes fail here: both buffers' byte counts are checked. */
    bool fits = batch_rows + 1 <= SIZE_MAX / s->row_bytes &&
                batch_rows <= (SIZE_MAX - WINDOW) / (s->row_bytes + 1);
    s->raw = fits ? calloc(batch_rows + 1, s->row_bytes) : NULL;
    s->filtered = fits ? malloc(WINDOW + batch_rows * (s->row_bytes + 1)) : NULL;
    s->bands = calloc(s->band_count, sizeof *s->bands);
    bool ready = s->raw && s->filtered && s->bands;
    for (size_t i = 0; i < s->band_count && ready; ++i)
        s->bands[i].stream = s;
    for (size_t i = 0; i < s->worker_count && ready; ++i) {
        s->workers[i].stream = s;
        s->workers[i].z_ready = ready = deflateInit2(&s->workers[i].z, s->level, Z_DEFLATED, -15,
                                                     s->mem_level, s->strategy) == Z_OK;
    }
    if (!ready) {
        png_stream_free(s);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory writing '%s'", shown);
    }
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)width);
    put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = (unsigned char)bit_depth;
    ihdr[9] = channels == 1 ? 0 : 2;    /* colour type: gray, or RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering, no interlace */
    errno = 0;
    int status = fwrite(signature, 1, sizeof signature, file) == sizeof signature
                     ? write_simple_chunk(s, "IHDR", ihdr, sizeof ihdr, f)
                     : write_failed(s, f);
    for (size_t i = 0; i < text_count && status == 0; ++i)
        status = write_text(s, &text[i], f);
    if (status != 0) {
        png_stream_free(s);
        return status;
    }
    *stream = s;
    return 0;
}

int png_stream_rows(png_stream *s, const void *rows, size_t count, size_t stride, failure *f) {
    if (s->finished || count > s->height - s->rows_in)
        return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %zu rows more than its %zu",
                           s->name, s->rows_in + count - s->height, s->height);
    const size_t batch_capacity = s->band_count * s->band_rows;
    const unsigned char *in = rows;
    for (size_t r = 0; r < count; ++r, in += stride) {
        unsigned char *row = s->raw + (1 + s->batch_rows) * s->row_bytes;
        if (s->depth == 8) {
            memcpy(row, in, s->row_bytes);
        } else { /* PNG's samples are big-endian */
            const size_t samples = s->width * s->channels;
            for (size_t i = 0; i < samples; ++i) {
                uint16_t v;
                memcpy(&v, in + 2 * i, 2);
                row[2 * i] = (unsigned char)(v >> 8);
                row[2 * i + 1] = (unsigned char)v;
            }
        }
        ++s->batch_rows;
        ++s->rows_in;
        if ((s->batch_rows == batch_capacity || s->rows_in == s->height) &&
            compress_batch(s, f) != 0)
            return f->status;
    }
    return 0;
}

int png_stream_finish(png_stream *s, failure *f) {
    if (s->rows_in != s->height)
        return failure_set(f, CLR_RUNTIME_ERROR, "cannot write '%s': %zu of %zu rows arrived",
                           s->name, s->rows_in, s->height);
    if (s->finished)
        return 0;
    if (write_simple_chunk(s, "IEND", NULL, 0, f) != 0)
        return f->status;
    s->finished = true;
    return 0;
}

void png_stream_free(png_stream *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->worker_count; ++i)
        if (s->workers[i].z_ready)
            deflateEnd(&s->workers[i].z);
    for (size_t i = 0; s->bands && i < s->band_count; ++i)
        free(s->bands[i].out);
    free(s->bands);
    free(s->raw);
    free(s->filtered);
    free(s);
}

/* ---- Reading text -------------------------------------------------------------------------- */

/* Text longer than this in a compressed chunk is refused: a few bytes can inflate to gigabytes. */
#define TEXT_INFLATED_MAX ((size_t)64 << 20)

static int read_failure(const char *shown, const char *why, failure *f) {
    return failure_set(f, CLR_USAGE_ERROR, "'%s': %s", shown, why);
}

/* Inflates a zlib stream into a NUL-terminated malloc'ed text; NULL when damaged or too long. */
static char *inflate_text(const unsigned char *data, size_t length) {
    z_stream z = {0};
    if (inflateInit(&z) != Z_OK)
        return NULL;
    size_t capacity = 4096, used = 0;
    char *out = malloc(capacity);
    int status = Z_OK;
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)length; /* a chunk is < 2^31 bytes */
    while (out && status == Z_OK) {
        if (capacity - used < 2) {
            char *grown = capacity < TEXT_INFLATED_MAX ? realloc(out, capacity * 2) : NULL;
            if (!grown)
                break;
            out = grown;
            capacity *= 2;
        }
        z.next_out = (Bytef *)out + used;
        z.avail_out = (uInt)(capacity - used - 1);
        status = inflate(&z, Z_NO_FLUSH);
        used = capacity - 1 - z.avail_out;
        if (status == Z_BUF_ERROR && z.avail_out > 0)
            break; /* input ended early */
        if (status == Z_BUF_ERROR)
            status = Z_OK;
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END || !out || memchr(out, 0, used)) {
        free(out);
        return NULL;
    }
    out[used] = '\0';
    return out;
}

/* Latin-1 to UTF-8 (at most twice as long). */
static char *latin1_to_utf8(const unsigned char *text, size_t length) {
    char *out = malloc(2 * length + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < length; ++i) {
        if (text[i] < 0x80) {
            *p++ = (char)text[i];
        } else {
            *p++ = (char)(0xc0 | text[i] >> 6);
            *p++ = (char)(0x80 | (text[i] & 0x3f));
        }
    }
    *p = '\0';
    return out;
}

/* Decodes one text chunk (data NUL-terminated by the caller) and hands it to `each`. Returns 0,
 * 1 when `each` asked to stop, -1 for a damaged chunk. */
static int text_chunk(const char type[4], unsigned char *data, size_t length,
                      int (*each)(void *, const char *, const char *), void *context) {
    unsigned char *nul = memchr(data, 0, length);
    if (!nul || nul == data || nul - data > IMAGE_TEXT_KEY_MAX)
        return -1;
    char *key = latin1_to_utf8(data, (size_t)(nul - data)), *value = NULL;
    const unsigned char *rest = nul + 1, *end = data + length;
    if (!memcmp(type, "tEXt", 4)) {
        value = memchr(rest, 0, (size_t)(end - rest)) ? NULL
                                                      : latin1_to_utf8(rest, (size_t)(end - rest));
    } else if (!memcmp(type, "zTXt", 4)) {
        char *inflated = end - rest >= 1 && rest[0] == 0
                             ? inflate_text(rest + 1, (size_t)(end - rest - 1))
                             : NULL;
        value = inflated ? latin1_to_utf8((unsigned char *)inflated, strlen(inflated)) : NULL;
        free(inflated);
    } else { /* iTXt: flag, method, language NUL, translated key NUL, text */
        const unsigned char *language = end - rest >= 2 ? rest + 2 : NULL;
        const unsigned char *l_end =
            language ? memchr(language, 0, (size_t)(end - language)) : NULL;
        const unsigned char *t_end = l_end ? memchr(l_end + 1, 0, (size_t)(end - l_end - 1)) : NULL;
        const unsigned char *text = t_end ? t_end + 1 : NULL;
        if (text && rest[0] == 1 && rest[1] == 0) {
            value = inflate_text(text, (size_t)(end - text));
        } else if (text && rest[0] == 0 && !memchr(text, 0, (size_t)(end - text))) {
            value = malloc((size_t)(end - text) + 1);
            if (value) {
                memcpy(value, text, (size_t)(end - text));
                value[end - text] = '\0';
            }
        }
    }
    int result = key && value ? (each(context, key, value) != 0) : -1;
    free(key);
    free(value);
    return result;
}

int png_read_text(const char *path, int (*each)(void *context, const char *key, const char *value),
                  void *context, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    FILE *in = fopen(path, "rb");
    if (!in)
        return failure_set(f, CLR_RUNTIME_ERROR, "cannot read '%s': %s", shown, strerror(errno));
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    int status = 0;
    if (fread(head, 1, 8, in) != 8 || memcmp(head, signature, 8) != 0) {
        status = read_failure(shown, "not a PNG file (no PNG signature)", f);
        goto done;
    }
    for (bool first = true;; first = false) {
        if (fread(head, 1, 8, in) != 8) {
            status = read_failure(shown, "truncated: the file ends before its IEND chunk", f);
            break;
        }
        uint32_t length = get32(head);
        const char *type = (const char *)head + 4;
        if (length > CHUNK_MAX || (first && memcmp(type, "IHDR", 4) != 0)) {
            status = read_failure(shown, "damaged: not a valid PNG chunk sequence", f);
            break;
        }
        const bool text =
            !memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4) || !memcmp(type, "iTXt", 4);
        const bool iend = !memcmp(type, "IEND", 4);
        if (!text && !iend) { /* skipped unread: a truncation shows at the next header */
            if (fseeko(in, (off_t)length + 4, SEEK_CUR) != 0) {
                status = read_failure(shown, "truncated: the file ends inside a chunk", f);
                break;
            }
            continue;
        }
        unsigned char *data = malloc((size_t)length + 1), crc[4];
        if (!data) {
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading '%s'", shown);
            break;
        }
        if (fread(data, 1, length, in) != length || fread(crc, 1, 4, in) != 4) {
            free(data);
            status = read_failure(shown, "truncated: the file ends inside a chunk", f);
            break;
        }
        uLong sum = crc_of(crc32(0, head + 4, 4), data, length);
        int result = 0;
        if (sum != get32(crc))
            result = -2;
        else if (text)
            result = text_chunk(type, data, length, each, context);
        free(data);
        if (result == -2 || result == -1) {
            char why[96];
            snprintf(why, sizeof why, "damaged: its %.4s chunk %s", type,
                     result == -2 ? "fails its CRC check" : "is malformed");
            status = read_failure(shown, why, f);
            break;
        }
        if (iend || result == 1)
            break;
    }
done:
    fclose(in);
    return status;
}
