/* image_text.h — key/value text embedded in an image file (PNG tEXt/iTXt chunks, the
 * string attributes of an EXR header), such as the software and the command line that made the
 * image. */
#ifndef CLRENDER_IMAGE_TEXT_H
#define CLRENDER_IMAGE_TEXT_H

#include <stddef.h>

/* `key`: 1 to 79 bytes of printable Latin-1 (PNG's rule for keywords, which is the strictest
 * of the formats), no leading, trailing or doubled space. `value`: any NUL-terminated text,
 * UTF-8 where it is not plain ASCII. */
typedef struct image_text {
    const char *key, *value;
} image_text;

/* The longest key PNG allows. */
#define IMAGE_TEXT_KEY_MAX 79

#endif
