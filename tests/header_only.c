/* The public header alone, compiled as C99 and as C++11 with every warning an error
 * (tests/CMakeLists.txt): it must need nothing else and use no extension. */
#include "edgetam.h"

int edgetam_header_only_check(void);
int edgetam_header_only_check(void)
{
    edgetam_frame frame = edgetam_frame_default();
    return (int)sizeof frame + EDGETAM_VERSION_NUMBER;
}
