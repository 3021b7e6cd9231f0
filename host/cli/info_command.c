/* `clrender info FILE...`: what a PNG or OpenEXR file says about how it was made (the
 * command and version clrender embeds in every one it writes), and its size. */
#include "cli/cli.h"
#include "output/exr.h"
#include "output/png_stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void info_print_help(const char *name, FILE *out) {
    fprintf(out,
            "usage: clrender %s FILE...\n\n"
            "Prints the text a PNG (tEXt, zTXt, iTXt chunks) or OpenEXR file (string\n"
            "attributes) carries, one 'key: value' line each. clrender writes two into every\n"
            "PNG and EXR: Software (its version) and clrender.command (the command that made\n"
            "the picture, quoted for a POSIX shell: run it again to reproduce the file).\n\n"
            "options:\n",
            name);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
}

/* A value as one line: control characters escaped, as messages show text. */
static void print_entry(const char *key, const char *value) {
    char shown_key[TEXT_SHOWN_SIZE];
    text_shown(key, shown_key);
    printf("%s: ", shown_key);
    for (const unsigned char *c = (const unsigned char *)value; *c; ++c) {
        if (*c == '\n')
            fputs("\\n", stdout);
        else if (*c == '\t')
            fputs("\\t", stdout);
        else if (*c < 0x20 || *c == 0x7f)
            printf("\\x%02x", *c);
        else
            putchar(*c);
    }
    putchar('\n');
}

static int each_png(void *context, const char *key, const char *value) {
    (void)context;
    print_entry(key, value);
    return 0;
}

static void each_exr(void *context, const char *key, const char *value) {
    (void)context;
    print_entry(key, value);
}

/* The file's first bytes: PNG's signature, or EXR's magic number 20000630. */
static int kind_of_file(const char *path, int *is_png, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    FILE *file = fopen(path, "rb");
    if (!file)
        return failure_set(f, CLR_RUNTIME_ERROR, "info: cannot read '%s': %s", shown,
                           strerror(errno));
    unsigned char head[8] = {0};
    size_t got = fread(head, 1, sizeof head, file);
    fclose(file);
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char exr[4] = {0x76, 0x2f, 0x31, 0x01};
    if (got == 8 && !memcmp(head, png, 8))
        *is_png = 1;
    else if (got >= 4 && !memcmp(head, exr, 4))
        *is_png = 0;
    else
        return failure_set(f, CLR_USAGE_ERROR,
                           "info: '%s' is neither a PNG nor an OpenEXR file (the formats that "
                           "carry text; .npy, .pgm, .ppm and .mha do not)",
                           shown);
    return 0;
}

int info_command(const char *name, int argc, char **argv, int first, failure *f) {
    cli_command_line line;
    if (cli_read(name, argc, argv, first, NULL, 0, 1, &line, f) != 0)
        return f->status;
    if (line.operand_count == 0) {
        cli_command_line_free(&line);
        return failure_set(f, CLR_USAGE_ERROR, "info: name a PNG or OpenEXR file");
    }
    int status = 0;
    for (size_t i = 0; i < line.operand_count && status == 0; ++i) {
        const char *path = line.operands[i];
        int is_png = 0;
        if ((status = kind_of_file(path, &is_png, f)) != 0)
            break;
        if (line.operand_count > 1) {
            char shown[TEXT_SHOWN_SIZE];
            printf("%s%s:\n", i ? "\n" : "", text_shown(path, shown));
        }
        if (is_png) {
            status = png_read_text(path, each_png, NULL, f);
        } else {
            exr_summary summary;
            status = exr_file_read_text(path, &summary, each_exr, NULL, f);
            if (status == 0)
                printf("size: %zux%zu, channels %s, float, %s compression\n", summary.width,
                       summary.height, summary.channel_names, summary.compression);
        }
    }
    cli_command_line_free(&line);
    return status;
}
