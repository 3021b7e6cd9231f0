#include "util/failure.h"

#include <stdarg.h>
#include <stdio.h>

int failure_set(failure *f, clr_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(f->message, sizeof f->message, format, args);
    va_end(args);
    f->status = status;
    return (int)status;
}
