/* Volume files: NumPy .npy, MetaImage .mha/.mhd (ITK) and NRRD .nrrd, read
 * into float μ. Everything a header says is checked against the file before
 * the voxels are read: a truncated file, a header that lies about its size,
 * a shape that overflows or does not fit in memory are refused with what is
 * wrong, and so are voxels that are not finite numbers. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE */
#include "renderers/xray/xray.h"
#include "util/threads.h"
#include "util/values.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_LIMIT (1u << 16) /* a header longer than 64 KiB is not a header */
#define MAX_SIDE     (1u << 20)

typedef enum element_type {
    ELEMENT_F32,
    ELEMENT_F64,
    ELEMENT_I8,
    ELEMENT_U8,
    ELEMENT_I16,
    ELEMENT_U16,
    ELEMENT_I32,
    ELEMENT_U32,
} element_type;

static const struct {
    const char *name;
    size_t size;
} elements[] = {{"float32", 4}, {"float64", 8}, {"int8", 1},  {"uint8", 1},
                {"int16", 2},   {"uint16", 2},  {"int32", 4}, {"uint32", 4}};

typedef enum encoding { ENCODING_RAW, ENCODING_ZLIB, ENCODING_GZIP } encoding;

/* What a header says about the voxels that follow it (or another file). */
typedef struct volume_header {
    size_t dims[3];
    element_type element;
    bool big_endian;
    encoding coding;
    bool has_spacing, has_position;
    double spacing[3], origin[3]; /* origin: the centre of voxel 0 */
    off_t data_offset;            /* -1: the data end the file (MetaImage HeaderSize = -1) */
    char data_file[4096];         /* another file holds the data (.mhd), or "" */
} volume_header;

/* ---- Reading ---------------------------------------------------------------------------- */

typedef struct source {
    const char *path;
    char shown[TEXT_SHOWN_SIZE];
    int fd;
    off_t size;
} source;

static int open_source(const char *path, source *src, failure *f) {
    src->path = path;
    text_shown(path, src->shown);
    /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
    src->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (src->fd < 0)
        return failure_set(f, errno == ENOENT ? CLR_USAGE_ERROR : CLR_RUNTIME_ERROR,
                           "volume '%s': %s", src->shown, strerror(errno));
    struct stat st;
    if (fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int directory = S_ISDIR(st.st_mode);
        close(src->fd);
        src->fd = -1;
        return failure_set(f, CLR_USAGE_ERROR, "volume '%s' is %s; name a volume file", src->shown,
                           directory ? "a directory" : "not a regular file");
    }
    src->size = st.st_size;
    return 0;
}

static void close_source(source *src) {
    if (src->fd >= 0)
        close(src->fd);
    src->fd = -1;
}

/* Reads exactly `length` bytes at `offset`. */
static int read_at(const source *src, void *out, size_t length, off_t offset, failure *f) {
    unsigned char *p = out;
    while (length) {
        size_t chunk = length < (1u << 26) ? length : (1u << 26);
        ssize_t got = pread(src->fd, p, chunk, offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return failure_set(f, CLR_RUNTIME_ERROR, "volume '%s': %s", src->shown,
                               got < 0 ? strerror(errno) : "the file ended early");
        p += got, length -= (size_t)got, offset += got;
    }
    return 0;
}

/* The first bytes of the file, up to HEADER_LIMIT, NUL-terminated. */
static int read_head(const source *src, char **head, size_t *length, failure *f) {
    size_t want = src->size < (off_t)HEADER_LIMIT ? (size_t)src->size : HEADER_LIMIT;
    *head = malloc(want + 1);
    if (!*head)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    if (read_at(src, *head, want, 0, f) != 0) {
        free(*head);
        *head = NULL;
        return f->status;
    }
    (*head)[want] = '\0';
    *length = want;
    return 0;
}

static int bad(const source *src, failure *f, const char *why) {
    return failure_set(f, CLR_USAGE_ERROR, "volume '%s': %s", src->shown, why);
}

/* ---- NumPy .npy --------------------------------------------------------------------------- */

/* The value text after 'key': in a Python dict literal, or NULL. */
static const char *dict_value(const char *dict, const char *key) {
    char quoted[32];
    snprintf(quoted, sizeof quoted, "'%s'", key);
    const char *at = strstr(dict, quoted);
    if (!at) {
        snprintf(quoted, sizeof quoted, "\"%s\"", key);
        at = strstr(dict, quoted);
    }
    if (!at)
        return NULL;
    at += strlen(quoted);
    while (*at == ' ')
        ++at;
    if (*at != ':')
        return NULL;
    ++at;
    while (*at == ' ')
        ++at;
    return at;
}

static int parse_npy(const source *src, const char *head, size_t length, volume_header *h,
                     failure *f) {
    if (length < 10 || memcmp(head, "\x93NUMPY", 6) != 0)
        return bad(src, f, "not a NumPy .npy file (no \\x93NUMPY signature)");
    const unsigned char major = (unsigned char)head[6];
    size_t header_length, start;
    if (major == 1) {
        header_length = (unsigned char)head[8] | (size_t)(unsigned char)head[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (length < 12)
            return bad(src, f, "the .npy header is cut short");
        header_length = (unsigned char)head[8] | (size_t)(unsigned char)head[9] << 8 |
                        (size_t)(unsigned char)head[10] << 16 |
                        (size_t)(unsigned char)head[11] << 24;
        start = 12;
    } else {
        return bad(src, f, "an .npy format version this reader does not know (1 to 3)");
    }
    if (start + header_length > length)
        return bad(src, f, "the .npy header is longer than the file or than 64 KiB");
    char dict[HEADER_LIMIT + 1];
    memcpy(dict, head + start, header_length);
    dict[header_length] = '\0';
    const char *descr = dict_value(dict, "descr"), *order = dict_value(dict, "fortran_order"),
               *shape = dict_value(dict, "shape");
    if (!descr || !order || !shape)
        return bad(src, f, "the .npy header lacks 'descr', 'fortran_order' or 'shape'");
    if (strncmp(order, "False", 5) != 0)
        return bad(src, f,
                   "the array is in Fortran order; save it in C order "
                   "(numpy.ascontiguousarray)");
    static const struct {
        const char *code;
        element_type element;
    } codes[] = {{"f4", ELEMENT_F32}, {"f8", ELEMENT_F64}, {"i1", ELEMENT_I8},
                 {"u1", ELEMENT_U8},  {"i2", ELEMENT_I16}, {"u2", ELEMENT_U16},
                 {"i4", ELEMENT_I32}, {"u4", ELEMENT_U32}};
    char quote = descr[0];
    bool known = false;
    if ((quote == '\'' || quote == '"') && strlen(descr) >= 5 && descr[4] == quote)
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i)
            if (!strncmp(descr + 2, codes[i].code, 2) &&
                (descr[1] == '<' || descr[1] == '>' || descr[1] == '|' || descr[1] == '=')) {
                h->element = codes[i].element;
                h->big_endian = descr[1] == '>';
                known = true;
            }
    if (!known)
        return bad(src, f,
                   "the array's dtype is not float32, float64, int8/16/32 or "
                   "uint8/16/32");
    /* shape: (NZ, NY, NX) */
    if (*shape != '(')
        return bad(src, f, "the .npy 'shape' is not a tuple");
    size_t values[4], count = 0;
    const char *c = shape + 1;
    for (;;) {
        while (*c == ' ')
            ++c;
        if (*c == ')')
            break;
        if (count == 4 || *c < '0' || *c > '9')
            return bad(src, f, "the .npy 'shape' is not a tuple of 3 sizes (NZ, NY, NX)");
        char *end;
        errno = 0;
        unsigned long long v = strtoull(c, &end, 10);
        if (errno || v > MAX_SIDE)
            return bad(src, f, "a size in the .npy 'shape' is larger than 1048576");
        values[count++] = (size_t)v;
        c = end;
        while (*c == ' ')
            ++c;
        if (*c == ',')
            ++c;
        else if (*c != ')')
            return bad(src, f, "the .npy 'shape' is not a tuple of 3 sizes (NZ, NY, NX)");
    }
    if (count != 3)
        return failure_set(f, CLR_USAGE_ERROR,
                           "volume '%s': the array has %zu dimensions; a volume has 3 (NZ, NY, NX)",
                           src->shown, count);
    h->dims[0] = values[2], h->dims[1] = values[1], h->dims[2] = values[0];
    h->data_offset = (off_t)(start + header_length);
    return 0;
}

/* ---- MetaImage .mha / .mhd --------------------------------------------------------------- */

/* Up to `count` numbers in `text`; how many were read, or -1 for something else there. */
static int parse_numbers(const char *text, double *out, int count) {
    int found = 0;
    while (*text) {
        while (*text == ' ' || *text == '\t')
            ++text;
        if (!*text)
            break;
        if (found == count)
            return -1;
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (end == text || errno == ERANGE || !isfinite(v))
            return -1;
        out[found++] = v;
        text = end;
    }
    return found;
}

static bool text_is_true(const char *value) {
    return text_equal_nocase(value, "True") || text_equal_nocase(value, "1");
}

/* A directory's path joined to a name relative to it, into `out`. */
static void beside(const char *header_path, const char *name, char *out, size_t size) {
    const char *slash = strrchr(header_path, '/');
    if (name[0] == '/' || !slash)
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%.*s/%s", (int)(slash - header_path), header_path, name);
}

static int parse_metaimage(const source *src, const char *head, size_t length, volume_header *h,
                           failure *f) {
    char message[512];
    bool have_dims = false, have_type = false, have_file = false, have_ndims = false;
    h->data_offset = 0;
    double header_size = 0;
    bool header_size_given = false;
    const char *line = head;
    while (line < head + length && !have_file) {
        const char *end = memchr(line, '\n', (size_t)(head + length - line));
        if (!end)
            return bad(src, f,
                       "the MetaImage header has no ElementDataFile line (or is longer "
                       "than 64 KiB)");
        char text[1024];
        size_t n = (size_t)(end - line);
        if (n >= sizeof text)
            return bad(src, f, "a MetaImage header line is longer than 1023 bytes");
        memcpy(text, line, n);
        text[n] = '\0';
        if (n && text[n - 1] == '\r')
            text[--n] = '\0';
        const char *next_line = end + 1;
        char *equals = strchr(text, '=');
        if (!equals) {
            if (strspn(text, " \t") != n)
                return bad(src, f, "a MetaImage header line is not 'Key = Value'");
            line = next_line;
            continue;
        }
        char *key_end = equals;
        while (key_end > text && (key_end[-1] == ' ' || key_end[-1] == '\t'))
            --key_end;
        *key_end = '\0';
        char *value = equals + 1;
        while (*value == ' ' || *value == '\t')
            ++value;
        for (char *v = value + strlen(value); v > value && (v[-1] == ' ' || v[-1] == '\t');)
            *--v = '\0';
        const char *key = text;
        double numbers[9];
        if (text_equal_nocase(key, "NDims")) {
            if (parse_numbers(value, numbers, 1) != 1 || numbers[0] != 3) {
                snprintf(message, sizeof message, "NDims = %s: a volume has 3 dimensions", value);
                return bad(src, f, message);
            }
            have_ndims = true;
        } else if (text_equal_nocase(key, "DimSize")) {
            if (parse_numbers(value, numbers, 3) != 3)
                return bad(src, f, "DimSize must be three sizes NX NY NZ");
            for (int a = 0; a < 3; ++a) {
                if (numbers[a] != floor(numbers[a]) || numbers[a] < 0 || numbers[a] > MAX_SIDE)
                    return bad(src, f, "DimSize must be three whole sizes up to 1048576");
                h->dims[a] = (size_t)numbers[a];
            }
            have_dims = true;
        } else if (text_equal_nocase(key, "ElementSpacing") ||
                   text_equal_nocase(key, "ElementSize")) {
            if (parse_numbers(value, numbers, 3) != 3)
                return bad(src, f, "ElementSpacing must be three lengths in mm");
            for (int a = 0; a < 3; ++a) {
                if (!(numbers[a] > 0) || numbers[a] > 1e6)
                    return bad(src, f, "ElementSpacing must be above 0 and at most 1e6 mm");
                h->spacing[a] = numbers[a];
            }
            h->has_spacing = true;
        } else if (text_equal_nocase(key, "Offset") || text_equal_nocase(key, "Origin") ||
                   text_equal_nocase(key, "Position")) {
            if (parse_numbers(value, numbers, 3) != 3)
                return bad(src, f, "Offset must be three coordinates in mm");
            for (int a = 0; a < 3; ++a) {
                if (fabs(numbers[a]) > 1e9)
                    return bad(src, f, "Offset must lie within 1e9 mm of the origin");
                h->origin[a] = numbers[a];
            }
            h->has_position = true;
        } else if (text_equal_nocase(key, "TransformMatrix") ||
                   text_equal_nocase(key, "Rotation") || text_equal_nocase(key, "Orientation")) {
            if (parse_numbers(value, numbers, 9) != 9)
                return bad(src, f, "TransformMatrix must be nine numbers");
            for (int i = 0; i < 9; ++i)
                if (fabs(numbers[i] - (i % 4 == 0 ? 1.0 : 0.0)) > 1e-9)
                    return bad(src, f,
                               "the volume is rotated (TransformMatrix is not the "
                               "identity); resample it onto an axis-aligned grid");
        } else if (text_equal_nocase(key, "ElementNumberOfChannels")) {
            if (parse_numbers(value, numbers, 1) != 1 || numbers[0] != 1)
                return bad(src, f, "the volume has several channels per voxel; it needs one");
        } else if (text_equal_nocase(key, "BinaryDataByteOrderMSB") ||
                   text_equal_nocase(key, "ElementByteOrderMSB")) {
            h->big_endian = text_is_true(value);
        } else if (text_equal_nocase(key, "CompressedData")) {
            h->coding = text_is_true(value) ? ENCODING_ZLIB : ENCODING_RAW;
        } else if (text_equal_nocase(key, "HeaderSize")) {
            if (parse_numbers(value, numbers, 1) != 1 ||
                (numbers[0] != -1 && (numbers[0] < 0 || numbers[0] != floor(numbers[0]))))
                return bad(src, f, "HeaderSize must be -1 or a number of bytes");
            header_size = numbers[0];
            header_size_given = true;
        } else if (text_equal_nocase(key, "ElementType")) {
            static const struct {
                const char *name;
                element_type element;
            } types[] = {{"MET_FLOAT", ELEMENT_F32}, {"MET_DOUBLE", ELEMENT_F64},
                         {"MET_CHAR", ELEMENT_I8},   {"MET_UCHAR", ELEMENT_U8},
                         {"MET_SHORT", ELEMENT_I16}, {"MET_USHORT", ELEMENT_U16},
                         {"MET_INT", ELEMENT_I32},   {"MET_UINT", ELEMENT_U32}};
            for (size_t i = 0; i < sizeof types / sizeof types[0] && !have_type; ++i)
                if (text_equal_nocase(value, types[i].name)) {
                    h->element = types[i].element;
                    have_type = true;
                }
            if (!have_type) {
                char shown[TEXT_SHOWN_SIZE];
                snprintf(message, sizeof message,
                         "ElementType %s is not one of MET_FLOAT, MET_DOUBLE, MET_(U)CHAR, "
                         "MET_(U)SHORT, MET_(U)INT",
                         text_shown(value, shown));
                return bad(src, f, message);
            }
        } else if (text_equal_nocase(key, "ElementDataFile")) {
            have_file = true;
            if (text_equal_nocase(value, "LOCAL")) {
                h->data_offset = (off_t)(next_line - head);
            } else if (text_equal_nocase(value, "LIST") || strchr(value, '%') ||
                       strchr(value, ' ')) {
                return bad(src, f, "data in a list of files is not supported; write one file");
            } else {
                beside(src->path, value, h->data_file, sizeof h->data_file);
                h->data_offset = 0;
            }
        }
        /* Other keys (ObjectType, AnatomicalOrientation, CenterOfRotation, ...) change nothing. */
        line = next_line;
    }
    if (!have_file)
        return bad(src, f, "the MetaImage header has no ElementDataFile line");
    if (!have_ndims || !have_dims || !have_type)
        return bad(src, f, "the MetaImage header lacks NDims = 3, DimSize or ElementType");
    if (header_size_given)
        h->data_offset = header_size < 0 ? -1 : h->data_offset + (off_t)header_size;
    /* ITK: Offset is the centre of voxel 0 */
    return 0;
}

/* ---- NRRD -------------------------------------------------------------------------------- */

static int parse_nrrd(const source *src, const char *head, size_t length, volume_header *h,
                      failure *f) {
    if (length < 8 || strncmp(head, "NRRD000", 7) != 0)
        return bad(src, f, "not an NRRD file (no NRRD000X magic)");
    bool have_type = false, have_sizes = false, have_encoding = false, have_dimension = false;
    const char *line = strchr(head, '\n');
    if (!line)
        return bad(src, f, "the NRRD header has no end");
    ++line;
    for (;;) {
        const char *end = memchr(line, '\n', (size_t)(head + length - line));
        if (!end)
            return bad(src, f,
                       "the NRRD header has no blank line before the data (or is "
                       "longer than 64 KiB)");
        char text[1024];
        size_t n = (size_t)(end - line);
        if (n >= sizeof text)
            return bad(src, f, "an NRRD header line is longer than 1023 bytes");
        memcpy(text, line, n);
        text[n] = '\0';
        if (n && text[n - 1] == '\r')
            text[--n] = '\0';
        line = end + 1;
        if (n == 0)
            break; /* the data follow */
        if (text[0] == '#')
            continue;
        char *colon = strstr(text, ":=");
        if (colon)
            continue; /* key/value pairs: nothing we need */
        colon = strchr(text, ':');
        if (!colon)
            return bad(src, f, "an NRRD header line is not 'field: value'");
        *colon = '\0';
        const char *key = text;
        char *value = colon + 1;
        while (*value == ' ')
            ++value;
        if (!strcmp(key, "type")) {
            static const struct {
                const char *name;
                element_type element;
            } types[] = {{"float", ELEMENT_F32},        {"double", ELEMENT_F64},
                         {"signed char", ELEMENT_I8},   {"int8", ELEMENT_I8},
                         {"int8_t", ELEMENT_I8},        {"uchar", ELEMENT_U8},
                         {"unsigned char", ELEMENT_U8}, {"uint8", ELEMENT_U8},
                         {"uint8_t", ELEMENT_U8},       {"short", ELEMENT_I16},
                         {"short int", ELEMENT_I16},    {"signed short", ELEMENT_I16},
                         {"int16", ELEMENT_I16},        {"int16_t", ELEMENT_I16},
                         {"ushort", ELEMENT_U16},       {"unsigned short", ELEMENT_U16},
                         {"uint16", ELEMENT_U16},       {"uint16_t", ELEMENT_U16},
                         {"int", ELEMENT_I32},          {"signed int", ELEMENT_I32},
                         {"int32", ELEMENT_I32},        {"int32_t", ELEMENT_I32},
                         {"uint", ELEMENT_U32},         {"unsigned int", ELEMENT_U32},
                         {"uint32", ELEMENT_U32},       {"uint32_t", ELEMENT_U32}};
            for (size_t i = 0; i < sizeof types / sizeof types[0] && !have_type; ++i)
                if (!strcmp(value, types[i].name)) {
                    h->element = types[i].element;
                    have_type = true;
                }
            if (!have_type)
                return bad(src, f,
                           "the NRRD type is not float, double or an 8, 16 or 32-bit "
                           "integer");
        } else if (!strcmp(key, "dimension")) {
            if (strcmp(value, "3") != 0)
                return bad(src, f, "the NRRD dimension is not 3; a volume has 3");
            have_dimension = true;
        } else if (!strcmp(key, "sizes")) {
            double numbers[3];
            if (parse_numbers(value, numbers, 3) != 3)
                return bad(src, f, "the NRRD sizes are not three sizes");
            for (int a = 0; a < 3; ++a) {
                if (numbers[a] != floor(numbers[a]) || numbers[a] < 0 || numbers[a] > MAX_SIDE)
                    return bad(src, f, "the NRRD sizes must be whole sizes up to 1048576");
                h->dims[a] = (size_t)numbers[a];
            }
            have_sizes = true;
        } else if (!strcmp(key, "encoding")) {
            if (!strcmp(value, "raw"))
                h->coding = ENCODING_RAW;
            else if (!strcmp(value, "gzip") || !strcmp(value, "gz"))
                h->coding = ENCODING_GZIP;
            else
                return bad(src, f, "the NRRD encoding is not raw or gzip");
            have_encoding = true;
        } else if (!strcmp(key, "endian")) {
            h->big_endian = !strcmp(value, "big");
        } else if (!strcmp(key, "space directions")) {
            double d[3][3];
            const char *c = value;
            for (int a = 0; a < 3; ++a) {
                while (*c == ' ')
                    ++c;
                const char *close = strchr(c, ')');
                if (sscanf(c, "(%lf,%lf,%lf)", &d[a][0], &d[a][1], &d[a][2]) != 3 || !close)
                    return bad(src, f, "the NRRD space directions are not three vectors (x,y,z)");
                c = close + 1;
                for (int b = 0; b < 3; ++b)
                    if (!isfinite(d[a][b]) || (a != b && fabs(d[a][b]) > 1e-9 * fabs(d[a][a])))
                        return bad(src, f,
                                   "the volume is rotated (its space directions are not "
                                   "along the axes); resample it onto an axis-aligned "
                                   "grid");
                if (!(d[a][a] > 0) || d[a][a] > 1e6)
                    return bad(src, f,
                               "the NRRD space directions must point along +x, +y, +z "
                               "with lengths up to 1e6 mm");
                h->spacing[a] = d[a][a];
            }
            h->has_spacing = true;
        } else if (!strcmp(key, "spacings")) {
            double numbers[3];
            if (parse_numbers(value, numbers, 3) != 3)
                return bad(src, f, "the NRRD spacings are not three lengths");
            for (int a = 0; a < 3; ++a) {
                if (!(numbers[a] > 0) || numbers[a] > 1e6)
                    return bad(src, f, "the NRRD spacings must be above 0 and at most 1e6 mm");
                h->spacing[a] = numbers[a];
            }
            h->has_spacing = true;
        } else if (!strcmp(key, "space origin")) {
            if (sscanf(value, "(%lf,%lf,%lf)", &h->origin[0], &h->origin[1], &h->origin[2]) != 3 ||
                !isfinite(h->origin[0]) || !isfinite(h->origin[1]) || !isfinite(h->origin[2]) ||
                fabs(h->origin[0]) > 1e9 || fabs(h->origin[1]) > 1e9 || fabs(h->origin[2]) > 1e9)
                return bad(src, f, "the NRRD space origin is not (x,y,z) within 1e9 mm");
            h->has_position = true;
        } else if (!strcmp(key, "data file") || !strcmp(key, "datafile")) {
            return bad(src, f, "the NRRD data are in another file; write an attached .nrrd");
        } else if (!strcmp(key, "byte skip") || !strcmp(key, "byteskip") ||
                   !strcmp(key, "line skip") || !strcmp(key, "lineskip")) {
            if (strcmp(value, "0") != 0)
                return bad(src, f, "NRRD byte or line skips are not supported");
        }
    }
    if (!have_type || !have_sizes || !have_encoding || !have_dimension)
        return bad(src, f, "the NRRD header lacks type, dimension, sizes or encoding");
    h->data_offset = (off_t)(line - head);
    return 0;
}

/* ---- Voxels ---------------------------------------------------------------------------- */

static bool host_is_big_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 0;
}

/* Reverses the bytes of each of `count` elements of `size` bytes, in place. */
static void swap_bytes(unsigned char *raw, size_t size, size_t count) {
    for (size_t i = 0; i < count; ++i, raw += size)
        for (size_t a = 0, b = size - 1; a < b; ++a, --b) {
            const unsigned char t = raw[a];
            raw[a] = raw[b];
            raw[b] = t;
        }
}

/* One loop per element type, the switch outside it, so that each loop vectorises. */
#define CONVERT(TYPE)                                                                              \
    for (size_t i = 0; i < count; ++i) {                                                           \
        TYPE x;                                                                                    \
        memcpy(&x, raw + i * sizeof x, sizeof x);                                                  \
        out[i] = (float)x;                                                                         \
    }

/* Turns `count` host-order elements in `raw` into floats (`out` may be `raw` itself for
 * float32); false when a value is no finite float, the first one's index in *where. */
static bool convert(const unsigned char *raw, element_type element, size_t count, float *out,
                    size_t *where) {
    switch (element) {
    case ELEMENT_F32:
        if ((const void *)raw != (const void *)out)
            memcpy(out, raw, count * sizeof(float));
        break;
    case ELEMENT_F64:
        CONVERT(double);
        break;
    case ELEMENT_I8:
        CONVERT(int8_t);
        break;
    case ELEMENT_U8:
        CONVERT(uint8_t);
        break;
    case ELEMENT_I16:
        CONVERT(int16_t);
        break;
    case ELEMENT_U16:
        CONVERT(uint16_t);
        break;
    case ELEMENT_I32:
        CONVERT(int32_t);
        break;
    default:
        CONVERT(uint32_t);
        break;
    }
    /* a float is not finite when its exponent bits are all ones; no early exit, so that the
     * scan vectorises, and the rare failure looks again for where */
    uint32_t not_finite = 0;
    for (size_t i = 0; i < count; ++i) {
        uint32_t bits;
        memcpy(&bits, out + i, sizeof bits);
        not_finite |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    if (not_finite)
        for (size_t i = 0; i < count; ++i)
            if (!isfinite(out[i])) {
                *where = i;
                return false;
            }
    return true;
}
#undef CONVERT

static int not_finite(const source *src, const volume_header *h, size_t index, failure *f) {
    size_t i = index % h->dims[0], j = index / h->dims[0] % h->dims[1],
           k = index / h->dims[0] / h->dims[1];
    return failure_set(f, CLR_USAGE_ERROR,
                       "volume '%s': voxel (x %zu, y %zu, z %zu) is not a finite number%s; "
                       "mu must be finite",
                       src->shown, i, j, k, h->element == ELEMENT_F64 ? " as a float32" : "");
}

/* Voxels [first, first + count) of an uncompressed volume, read and converted by one thread. */
typedef struct {
    const source *data;
    const volume_header *h;
    off_t offset; /* of voxel 0 in the file */
    bool swap;
    size_t first, count;
    float *out;
    int status; /* 0, READ_NOT_FINITE (at voxel `where`), or `failed`'s */
    size_t where;
    failure failed;
} read_job;
#define READ_NOT_FINITE (-1)

static void read_range(void *argument) {
    read_job *job = argument;
    const size_t size = elements[job->h->element].size;
    /* In chunks: converted floats overwrite nothing still unread. */
    const size_t chunk_voxels = (size_t)1 << 22;
    unsigned char *buffer = NULL;
    job->status = 0;
    if (job->h->element != ELEMENT_F32 || job->swap) {
        buffer = malloc(chunk_voxels * size);
        if (!buffer) {
            job->status =
                failure_set(&job->failed, CLR_RUNTIME_ERROR, "out of memory reading the volume");
            return;
        }
    }
    for (size_t done = job->first, end = job->first + job->count; done < end;
         done += chunk_voxels) {
        const size_t count = end - done < chunk_voxels ? end - done : chunk_voxels;
        unsigned char *target = buffer ? buffer : (unsigned char *)(job->out + done);
        size_t where;
        job->status = read_at(job->data, target, count * size, job->offset + (off_t)(done * size),
                              &job->failed);
        if (job->status != 0)
            break;
        if (job->swap)
            swap_bytes(target, size, count);
        if (!convert(target, job->h->element, count, job->out + done, &where)) {
            job->status = READ_NOT_FINITE;
            job->where = done + where;
            break;
        }
    }
    free(buffer);
}

/* Reads the voxels a header describes from `data` (the header's file, or the .mhd's data
 * file), into `out`. */
static int read_voxels(const source *data, const volume_header *h, size_t voxels, float *out,
                       failure *f) {
    const size_t size = elements[h->element].size;
    const uint64_t raw_bytes = (uint64_t)voxels * size;
    const bool swap = size > 1 && h->big_endian != host_is_big_endian();
    char message[512];
    if (h->coding == ENCODING_RAW) {
        off_t offset = h->data_offset < 0 ? data->size - (off_t)raw_bytes : h->data_offset;
        uint64_t present = data->size > offset && offset >= 0 ? (uint64_t)(data->size - offset) : 0;
        if (present < raw_bytes) {
            snprintf(message, sizeof message,
                     "the file is cut short: %llu bytes of voxel data for the %zux%zux%zu %s "
                     "voxels (%llu bytes) its header describes",
                     (unsigned long long)present, h->dims[0], h->dims[1], h->dims[2],
                     elements[h->element].name, (unsigned long long)raw_bytes);
            return bad(data, f, message);
        }
        if (present > raw_bytes) {
            snprintf(message, sizeof message,
                     "%llu bytes follow the %llu bytes of the %zux%zux%zu %s voxels its header "
                     "describes; the header does not match the data",
                     (unsigned long long)(present - raw_bytes), (unsigned long long)raw_bytes,
                     h->dims[0], h->dims[1], h->dims[2], elements[h->element].name);
            return bad(data, f, message);
        }
        /* Both halves (or more) of the file at once: copying from the page cache, and the
         * kernel clearing the pages it copies into, keep a core busy each. */
        size_t threads = threads_available();
        const size_t least = (size_t)4 << 20; /* voxels per thread worth one */
        if (threads > voxels / least)
            threads = voxels / least ? voxels / least : 1;
        read_job jobs[THREADS_MAX];
        for (size_t t = 0, next = 0; t < threads; ++t) {
            const size_t count = voxels / threads + (t < voxels % threads);
            jobs[t] = (read_job){.data = data,
                                 .h = h,
                                 .offset = offset,
                                 .swap = swap,
                                 .first = next,
                                 .count = count,
                                 .out = out};
            next += count;
        }
        threads_run(read_range, jobs, sizeof jobs[0], threads);
        for (size_t t = 0; t < threads; ++t) /* the first voxel that failed tells */
            if (jobs[t].status != 0) {
                if (jobs[t].status == READ_NOT_FINITE)
                    return not_finite(data, h, jobs[t].where, f);
                *f = jobs[t].failed;
                return f->status;
            }
        return 0;
    }
    /* Compressed: the whole stream, then the whole volume. */
    off_t offset = h->data_offset < 0 ? 0 : h->data_offset;
    if (data->size <= offset)
        return bad(data, f, "the file ends before its compressed voxel data");
    size_t packed_bytes = (size_t)(data->size - offset);
    unsigned char *packed = malloc(packed_bytes), *raw = malloc(raw_bytes ? raw_bytes : 1);
    int status = 0;
    if (!packed || !raw)
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading the volume");
    if (status == 0)
        status = read_at(data, packed, packed_bytes, offset, f);
    if (status == 0) {
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        size_t got = 0;
        enum libdeflate_result result =
            !d ? LIBDEFLATE_INSUFFICIENT_SPACE
            : h->coding == ENCODING_GZIP
                ? libdeflate_gzip_decompress(d, packed, packed_bytes, raw, raw_bytes, &got)
                : libdeflate_zlib_decompress(d, packed, packed_bytes, raw, raw_bytes, &got);
        libdeflate_free_decompressor(d);
        if (!d)
            status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory reading the volume");
        else if (result == LIBDEFLATE_INSUFFICIENT_SPACE)
            status = bad(data, f,
                         "the compressed data hold more than the voxels its header "
                         "describes");
        else if (result != LIBDEFLATE_SUCCESS)
            status =
                bad(data, f,
                    h->coding == ENCODING_GZIP ? "the gzip data are damaged or not gzip"
                                               : "the compressed data are damaged or not zlib");
        else if (got != raw_bytes) {
            snprintf(message, sizeof message,
                     "the compressed data hold %zu bytes, not the %llu of the %zux%zux%zu %s "
                     "voxels its header describes",
                     got, (unsigned long long)raw_bytes, h->dims[0], h->dims[1], h->dims[2],
                     elements[h->element].name);
            status = bad(data, f, message);
        }
    }
    size_t where;
    if (status == 0 && swap)
        swap_bytes(raw, size, voxels);
    if (status == 0 && !convert(raw, h->element, voxels, out, &where))
        status = not_finite(data, h, where, f);
    free(packed), free(raw);
    return status;
}

float *volume_alloc(size_t count) {
    /* 2 MiB pages where the system grants them: a ray along z visits a new slice, often a new
     * 4 KiB page, at every step, and the walk would wait on the TLB */
    const size_t page = (size_t)2 << 20;
    if (count > (SIZE_MAX - page) / sizeof(float))
        return NULL;
    const size_t bytes = (count * sizeof(float) + page - 1) / page * page;
    float *voxels = aligned_alloc(page, bytes);
#ifdef MADV_HUGEPAGE
    if (voxels)
        madvise(voxels, bytes, MADV_HUGEPAGE); /* a hint: refused, it changes nothing */
#endif
    return voxels;
}

int volume_file_read(const char *path, uint64_t host_limit, volume_file *volume, failure *f) {
    memset(volume, 0, sizeof *volume);
    source src = {.fd = -1}, data_src = {.fd = -1};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (slash && dot && dot < slash)
        dot = NULL;
    char shown[TEXT_SHOWN_SIZE];
    enum { NPY, METAIMAGE, NRRD } kind;
    if (dot && text_equal_nocase(dot, ".npy"))
        kind = NPY;
    else if (dot && (text_equal_nocase(dot, ".mha") || text_equal_nocase(dot, ".mhd")))
        kind = METAIMAGE;
    else if (dot && text_equal_nocase(dot, ".nrrd"))
        kind = NRRD;
    else
        return failure_set(f, CLR_USAGE_ERROR,
                           "volume '%s': unknown file type; use .npy, .mha, .mhd or .nrrd",
                           text_shown(path, shown));
    if (open_source(path, &src, f) != 0)
        return f->status;
    char *head = NULL;
    size_t length = 0;
    volume_header h;
    memset(&h, 0, sizeof h);
    int status = read_head(&src, &head, &length, f);
    if (status == 0)
        status = kind == NPY         ? parse_npy(&src, head, length, &h, f)
                 : kind == METAIMAGE ? parse_metaimage(&src, head, length, &h, f)
                                     : parse_nrrd(&src, head, length, &h, f);
    free(head);
    size_t voxels = 0;
    if (status == 0) {
        if (h.dims[0] == 0 || h.dims[1] == 0 || h.dims[2] == 0)
            status =
                failure_set(f, CLR_USAGE_ERROR, "volume '%s' has a side of 0 voxels (%zux%zux%zu)",
                            src.shown, h.dims[0], h.dims[1], h.dims[2]);
        else
            voxels = h.dims[0] * h.dims[1] * h.dims[2]; /* each side <= 2^20: no overflow */
    }
    /* The floats, and the file's own copy while it is decompressed. */
    const double needed =
        (double)voxels *
        (4.0 + (h.coding == ENCODING_RAW ? 0.0 : (double)elements[h.element].size));
    if (status == 0 && needed > (double)host_limit)
        status = failure_set(f, CLR_RUNTIME_ERROR,
                             "volume '%s' of %zux%zux%zu voxels needs %.1f GiB to read as float32, "
                             "more than this machine's %.1f GiB of memory",
                             src.shown, h.dims[0], h.dims[1], h.dims[2], needed / 1073741824.0,
                             (double)host_limit / 1073741824.0);
    const source *data = &src;
    if (status == 0 && h.data_file[0]) {
        status = open_source(h.data_file, &data_src, f);
        data = &data_src;
    }
    if (status == 0 && !(volume->voxels = volume_alloc(voxels)))
        status = failure_set(f, CLR_RUNTIME_ERROR,
                             "out of memory for the %zux%zux%zu voxels of volume '%s'", h.dims[0],
                             h.dims[1], h.dims[2], src.shown);
    if (status == 0)
        status = read_voxels(data, &h, voxels, volume->voxels, f);
    close_source(&src);
    close_source(&data_src);
    if (status != 0) {
        volume_file_free(volume);
        return status;
    }
    for (int a = 0; a < 3; ++a) {
        volume->grid.dims[a] = h.dims[a];
        volume->grid.spacing[a] = h.has_spacing ? h.spacing[a] : 1;
        /* the position of voxel 0's centre gives the grid's corner */
        volume->grid.corner[a] = h.has_position ? h.origin[a] - volume->grid.spacing[a] / 2 : 0;
    }
    volume->has_spacing = h.has_spacing;
    volume->has_position = h.has_position;
    snprintf(volume->element, sizeof volume->element, "%s", elements[h.element].name);
    return 0;
}

void volume_file_free(volume_file *volume) {
    free(volume->voxels);
    volume->voxels = NULL;
}
