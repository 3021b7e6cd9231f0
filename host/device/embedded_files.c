#include "device/embedded_files.h"

#include <string.h>

const struct embedded_file *embedded_file_find(const struct embedded_file *table,
                                               const char *name) {
    for (const struct embedded_file *entry = table; entry->name; ++entry)
        if (!strcmp(entry->name, name))
            return entry;
    return NULL;
}
