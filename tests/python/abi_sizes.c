/* Prints the sizes and offsets of the public structs the Python package declares with
 * ctypes (python/clrender/_native.py), for tests/python/test_native.py to compare. */
#include "clrender/clrender.h"

#include <stddef.h>
#include <stdio.h>

#define SIZE(type)          printf("%s %zu\n", #type, sizeof(type))
#define OFFSET(type, field) printf("%s.%s %zu\n", #type, #field, offsetof(type, field))

int main(void) {
    SIZE(clr_error);
    SIZE(clr_device_info);
    SIZE(clr_param_info);
    SIZE(clr_session_options);
    SIZE(clr_layout);
    SIZE(clr_verify_result);
    SIZE(clr_timings);
    OFFSET(clr_error, opencl_status);
    OFFSET(clr_device_info, fp64);
    OFFSET(clr_param_info, early);
    OFFSET(clr_session_options, test_device_memory);
    OFFSET(clr_session_options, cache_dir);
    OFFSET(clr_verify_result, reference_name);
    OFFSET(clr_verify_result, relative_to_largest);
    OFFSET(clr_timings, bands);
    OFFSET(clr_timings, programs_built);
    return 0;
}
