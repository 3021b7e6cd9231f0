/* image_text.h — text a file carries about how it was made (PNG tEXt, EXR attributes). */
#ifndef CLRENDER_IMAGE_TEXT_H
#define CLRENDER_IMAGE_TEXT_H
typedef struct image_text {
    const char *key, *value;
} image_text;
#endif
