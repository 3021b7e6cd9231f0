#include "util/json_check.h"

#include "util/failure.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct key {
    const char *text; /* decoded when `owned`, else the raw bytes between the quotes */
    size_t length;
    size_t line, column, order;
    int owned;
} key;

typedef struct frame {
    int is_object;
    size_t first_key; /* its keys are keys[first_key ..] */
    size_t index;     /* arrays: the element being read */
    char name[96];    /* how the parent calls it: "camera", "[2]" */
} frame;

typedef struct scanner {
    const char *text;
    size_t length, at, line, column;
    key *keys;
    size_t key_count, key_capacity;
    frame *frames;
    size_t depth, max_depth;
    json_problem problem;
} scanner;

static void advance(scanner *s) {
    if (s->text[s->at] == '\n')
        ++s->line, s->column = 1;
    else
        ++s->column;
    ++s->at;
}

/* Appends the UTF-8 of code point `c` to out; returns the bytes written. */
static size_t utf8(uint32_t c, char *out) {
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xc0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3f)), 2;
    if (c < 0x10000)
        return out[0] = (char)(0xe0 | c >> 12), out[1] = (char)(0x80 | ((c >> 6) & 0x3f)),
               out[2] = (char)(0x80 | (c & 0x3f)), 3;
    return out[0] = (char)(0xf0 | c >> 18), out[1] = (char)(0x80 | ((c >> 12) & 0x3f)),
           out[2] = (char)(0x80 | ((c >> 6) & 0x3f)), out[3] = (char)(0x80 | (c & 0x3f)), 4;
}

static uint32_t hex4(const char *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = p[i];
        v = v * 16 + (uint32_t)(c >= '0' && c <= '9'   ? c - '0'
                                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : 0);
    }
    return v;
}

/* The decoded form of raw[0..length) (a string's content with its escapes). */
static char *decode(const char *raw, size_t length, size_t *out_length) {
    char *out = malloc(length + 1);
    size_t n = 0;
    for (size_t i = 0; out && i < length; ++i) {
        if (raw[i] != '\\' || i + 1 >= length) {
            out[n++] = raw[i];
            continue;
        }
        char e = raw[++i];
        if (e == 'u' && i + 4 < length) {
            uint32_t c = hex4(raw + i + 1);
            i += 4;
            if (c >= 0xd800 && c < 0xdc00 && i + 6 < length && raw[i + 1] == '\\' &&
                raw[i + 2] == 'u') { /* a surrogate pair */
                uint32_t low = hex4(raw + i + 3);
                if (low >= 0xdc00 && low < 0xe000) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                    i += 6;
                }
            }
            n += utf8(c, out + n); /* never longer than the 6 bytes it replaces */
        } else {
            out[n++] = e == 'n'   ? '\n'
                       : e == 't' ? '\t'
                       : e == 'r' ? '\r'
                       : e == 'b' ? '\b'
                       : e == 'f' ? '\f'
                                  : e;
        }
    }
    if (out)
        out[n] = '\0';
    *out_length = n;
    return out;
}

static int compare_keys(const void *a, const void *b) {
    const key *x = a, *y = b;
    size_t n = x->length < y->length ? x->length : y->length;
    int c = memcmp(x->text, y->text, n);
    if (c == 0)
        c = (x->length > y->length) - (x->length < y->length);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void object_path(const scanner *s, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 2; i < s->depth && used < size; ++i) { /* below the top-level value */
        const char *name = s->frames[i].name;
        used += (size_t)snprintf(out + used, size - used, "%s%s", used && name[0] != '[' ? "." : "",
                                 name);
    }
}

/* Sorts the keys of the object that ends and records a duplicate, if it holds one. */
static void close_object(scanner *s) {
    frame *fr = &s->frames[s->depth - 1];
    size_t count = s->key_count - fr->first_key;
    if (count == 0)
        return; /* an empty object (and perhaps no key stored yet at all) */
    key *keys = s->keys + fr->first_key;
    if (s->problem.kind == JSON_FINE && count > 1) {
        qsort(keys, count, sizeof *keys, compare_keys);
        for (size_t i = 1; i < count; ++i)
            if (keys[i].length == keys[i - 1].length &&
                !memcmp(keys[i].text, keys[i - 1].text, keys[i].length)) {
                json_problem *p = &s->problem;
                p->kind = JSON_DUPLICATE_KEY;
                p->first_line = keys[i - 1].line, p->first_column = keys[i - 1].column;
                p->line = keys[i].line, p->column = keys[i].column;
                char raw[TEXT_SHOWN_SIZE], shown[TEXT_SHOWN_SIZE];
                size_t n = keys[i].length < sizeof raw - 1 ? keys[i].length : sizeof raw - 1;
                memcpy(raw, keys[i].text, n);
                raw[n] = '\0';
                snprintf(p->key, sizeof p->key, "%s", text_shown(raw, shown));
                object_path(s, p->path, sizeof p->path);
                break;
            }
    }
    for (size_t i = 0; i < count; ++i)
        if (keys[i].owned)
            free((char *)keys[i].text);
    s->key_count = fr->first_key;
}

static int add_key(scanner *s, const char *raw, size_t length, int escaped, size_t line,
                   size_t column) {
    if (s->key_count == s->key_capacity) {
        size_t capacity = s->key_capacity ? 2 * s->key_capacity : 64;
        key *grown = realloc(s->keys, capacity * sizeof *grown);
        if (!grown)
            return -1;
        s->keys = grown, s->key_capacity = capacity;
    }
    key *k = &s->keys[s->key_count];
    *k = (key){raw, length, line, column, s->key_count, 0};
    if (escaped) {
        k->text = decode(raw, length, &k->length);
        if (!k->text)
            return -1;
        k->owned = 1;
    }
    ++s->key_count;
    return 0;
}

json_problem json_check(const char *text, size_t length, size_t max_depth) {
    scanner s = {.text = text, .length = length, .line = 1, .column = 1, .max_depth = max_depth};
    s.frames = calloc(max_depth + 2, sizeof *s.frames);
    if (!s.frames) {
        s.problem.kind = JSON_OUT_OF_MEMORY;
        return s.problem;
    }
    s.depth = 1; /* frames[0]: the top level, no object */
    int expect_key = 0;
    while (s.at < length && s.problem.kind == JSON_FINE) {
        char c = text[s.at];
        frame *top = &s.frames[s.depth - 1];
        if (c == '"') {
            size_t line = s.line, column = s.column, start = s.at + 1;
            int escaped = 0;
            advance(&s);
            while (s.at < length && text[s.at] != '"') {
                if (text[s.at] == '\\') {
                    escaped = 1;
                    advance(&s);
                    if (s.at >= length)
                        break;
                }
                advance(&s);
            }
            size_t end = s.at;
            if (s.at < length)
                advance(&s);
            if (top->is_object && expect_key) {
                if (add_key(&s, text + start, end - start, escaped, line, column) != 0) {
                    s.problem.kind = JSON_OUT_OF_MEMORY;
                    break;
                }
                /* The name the next nested value will be known by. */
                char raw[80];
                size_t n = end - start < sizeof raw - 1 ? end - start : sizeof raw - 1;
                memcpy(raw, text + start, n);
                raw[n] = '\0';
                snprintf(s.frames[s.depth].name, sizeof s.frames[s.depth].name, "%s", raw);
                expect_key = 0;
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (s.depth > s.max_depth) {
                s.problem.kind = JSON_TOO_DEEP;
                s.problem.line = s.line, s.problem.column = s.column;
                break;
            }
            frame *child = &s.frames[s.depth];
            if (!top->is_object) /* an element of an array, or the top level */
                snprintf(child->name, sizeof child->name, "[%zu]", top->index);
            child->is_object = c == '{';
            child->first_key = s.key_count;
            child->index = 0;
            ++s.depth;
            expect_key = c == '{';
        } else if ((c == '}' || c == ']') && s.depth > 1) {
            if (s.frames[s.depth - 1].is_object)
                close_object(&s);
            --s.depth;
            expect_key = 0;
        } else if (c == ',') {
            if (top->is_object)
                expect_key = 1;
            else
                ++top->index;
        }
        advance(&s);
    }
    /* Keys of objects still open (a text that ended early, or a problem found): freed here;
     * their duplicates do not matter, the parser refuses such a text anyway. */
    for (size_t i = 0; i < s.key_count; ++i)
        if (s.keys[i].owned)
            free((char *)s.keys[i].text);
    free(s.keys);
    free(s.frames);
    return s.problem;
}
