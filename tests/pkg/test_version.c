/* tests/pkg/test_version.c: gs_version() of the library actually linked agrees with the
 * GOSYNC_VERSION_* macros of the header compiled against, and with the CMake project version
 * (GOSYNC_PROJECT_VERSION, passed by the build). Linked against the shared library. */
#include <gosync.h>

#include <stdio.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

int main(void) {
    const char *want =
        STR(GOSYNC_VERSION_MAJOR) "." STR(GOSYNC_VERSION_MINOR) "." STR(GOSYNC_VERSION_PATCH);
    const char *got = gs_version();
    int failed = 0;
    if (got == NULL || strcmp(got, want) != 0) {
        fprintf(stderr, "FAIL gs_version() = \"%s\", headers say \"%s\"\n", got ? got : "(null)",
                want);
        failed = 1;
    }
    if (strcmp(want, GOSYNC_PROJECT_VERSION) != 0) {
        fprintf(stderr, "FAIL headers say %s, CMakeLists.txt project() says %s\n", want,
                GOSYNC_PROJECT_VERSION);
        failed = 1;
    }
    if (!failed)
        printf("ok   gs_version %s\n", got);
    return failed;
}
