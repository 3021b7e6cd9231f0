/* The implementation of Debian's stb_image_write.h, compiled once for clrender. */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>
