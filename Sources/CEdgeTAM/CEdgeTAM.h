// The C API as the Swift layer sees it: edgetam.h everywhere, the CoreVideo glue on Apple.
#include <edgetam.h>
#if defined(__APPLE__)
#include <edgetam_apple.h>
#endif
