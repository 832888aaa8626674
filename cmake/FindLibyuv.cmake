# Finds libyuv by header and library (Debian's libyuv-dev ships neither a CMake nor a pkg-config
# file). Defines Libyuv::yuv.
find_path(LIBYUV_INCLUDE_DIR NAMES libyuv.h)
find_library(LIBYUV_LIBRARY NAMES yuv)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libyuv REQUIRED_VARS LIBYUV_LIBRARY LIBYUV_INCLUDE_DIR)
if(Libyuv_FOUND AND NOT TARGET Libyuv::yuv)
  add_library(Libyuv::yuv UNKNOWN IMPORTED)
  set_target_properties(Libyuv::yuv PROPERTIES
    IMPORTED_LOCATION "${LIBYUV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBYUV_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBYUV_INCLUDE_DIR LIBYUV_LIBRARY)
