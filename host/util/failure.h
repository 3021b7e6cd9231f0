/* fail.h — how every layer reports a problem.
 *
 * A function that can fail takes a `failure *` and returns 0 on success or one
 * of the exit codes below, after filling the failure with a one-line message.
 * Only main() prints it, so each run reports exactly one line per problem.
 */
#ifndef CLRENDER_FAIL_H
#define CLRENDER_FAIL_H

enum clr_exit {
    CLR_EXIT_OK = 0,
    CLR_EXIT_RUNTIME = 1, /* the input was fine but something at run time failed */
    CLR_EXIT_USAGE = 2,   /* the command line (or a file it names) is wrong */
    CLR_EXIT_VERIFY = 3,  /* --verify found more differing pixels than --tolerance */
};

typedef struct failure {
    int code;
    char message[1024];
} failure;

/* Fills `f` with a printf-style message and returns `code`. */
int failure_set(failure *f, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
