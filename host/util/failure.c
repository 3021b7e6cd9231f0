#include "util/failure.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int failure_set(failure *f, clr_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(f->message, sizeof f->message, format, args);
    va_end(args);
    /* The one-line rule holds even where a message forgot to show its text escaped. */
    for (char *c = f->message; *c; ++c)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    f->status = status;
    f->opencl_status = 0;
    return (int)status;
}

/* The escaped form of byte c into out (room for 5); returns its length. */
static size_t escape(unsigned char c, char *out) {
    static const char named[] = {'\n', 'n', '\t', 't', '\r', 'r', '\\', '\\'};
    for (size_t i = 0; i < sizeof named; i += 2)
        if (c == (unsigned char)named[i]) {
            out[0] = '\\', out[1] = named[i + 1];
            return 2;
        }
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(out, 5, "\\x%02x", c);
    out[0] = (char)c;
    return 1;
}

const char *text_shown(const char *text, char out[TEXT_SHOWN_SIZE]) {
    char escaped[4 * TEXT_SHOWN_SIZE];
    size_t length = 0, total = 0;
    /* The escaped length of the whole text, and its head as far as the buffer goes. */
    for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
        char piece[5];
        size_t n = escape(*c, piece);
        if (length + n < sizeof escaped) {
            memcpy(escaped + length, piece, n);
            length += n;
        }
        total += n;
    }
    escaped[length] = '\0';
    if (total < TEXT_SHOWN_SIZE) {
        memcpy(out, escaped, length + 1);
        return out;
    }
    /* Too long: the first half and the last part, escaped, around "...". */
    const size_t room = TEXT_SHOWN_SIZE - 4, head = room / 2, tail = room - head;
    size_t used = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
        char piece[5];
        size_t n = escape(*c, piece);
        if (used + n > head)
            break;
        memcpy(out + used, piece, n);
        used += n;
    }
    memcpy(out + used, "...", 3);
    used += 3;
    /* Walk back from the end for at most `tail` escaped bytes. */
    size_t end = strlen(text), start = end, tail_bytes = 0;
    while (start > 0) {
        char piece[5];
        size_t n = escape((unsigned char)text[start - 1], piece);
        if (tail_bytes + n > tail)
            break;
        tail_bytes += n;
        --start;
    }
    for (size_t i = start; i < end; ++i)
        used += escape((unsigned char)text[i], out + used);
    out[used] = '\0';
    return out;
}
