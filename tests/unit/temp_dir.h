/* temp_dir.h — a scratch directory for one test program's group of tests, made before the
 * group and removed with its contents after. Define TEMP_DIR_TEMPLATE (a mkdtemp template)
 * before including; the directory's name is then `dir`, and `make_dir` and `remove_dir` are the
 * group's setup and teardown for cmocka_run_group_tests(). */
#ifndef CLRENDER_TEST_TEMP_DIR_H
#define CLRENDER_TEST_TEMP_DIR_H

#include <stdio.h>
#include <stdlib.h>

static char dir[] = TEMP_DIR_TEMPLATE;

static int make_dir(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    (void)state;
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command);
}

#endif
