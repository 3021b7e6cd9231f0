/* The implementation of Debian's stb_image_write.h, compiled once for clrender,
 * with libdeflate as its zlib compressor. */
#include "output/png_deflate.h"

#define STBIW_ZLIB_COMPRESS png_deflate
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>
