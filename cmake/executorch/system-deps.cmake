# edgetam: stands in for the CMakeLists.txt of ExecuTorch v0.5.0's XNNPACK, cpuinfo, pthreadpool
# and FXdiv submodule slots (backends/xnnpack/third-party/<name>/, put there by
# assemble.sh --system-deps) and imports Debian 13's libraries instead of building them:
# libxnnpack-dev is v0.5.0's XNNPACK commit (0.0~git20241108.4ea82e5 = pin 4ea82e59) and links
# Debian's pthreadpool and cpuinfo, which ExecuTorch's threadpool must then use too (XNNPACK and
# ExecuTorch share one pthreadpool). v0.5.0 has no option for prebuilt libraries:
#   - the top CMakeLists.txt add_subdirectory()s the FXdiv slot, and the cpuinfo and pthreadpool
#     slots unless EXECUTORCH_BUILD_CPUINFO/PTHREADPOOL are off, which would also drop
#     extension/threadpool (that XNNPACK backend needs);
#   - backends/xnnpack/cmake/Dependencies.cmake always add_subdirectory()s the XNNPACK slot, links
#     the target XNNPACK and installs the target microkernels-prod.
# So each slot defines the names ExecuTorch uses from it. ExecuTorch's sources are unchanged.
cmake_minimum_required(VERSION 3.19)
get_filename_component(_edgetam_slot "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
project(edgetam_system_${_edgetam_slot} NONE)

# Debian ships XNNPACK, pthreadpool and cpuinfo as shared libraries only (libxnnpack-dev's
# libmicrokernels-prod.a is already inside libXNNPACK.so, not a static XNNPACK). libpthreadpool-dev
# and libcpuinfo-dev cannot be installed for two architectures at once, so a cross build links the
# target's lib*.so.0 (libpthreadpool0:arm64, libcpuinfo0:arm64) with the host -dev's headers, which
# are the same files for every architecture.
function(edgetam_import lib header)
  find_library(EDGETAM_SYSTEM_${lib} NAMES ${lib} lib${lib}.so.0 REQUIRED NO_CACHE)
  find_path(EDGETAM_SYSTEM_${lib}_INCLUDE NAMES ${header} REQUIRED NO_CACHE)
  # GLOBAL: used from sibling folders (backends/xnnpack, extension/threadpool)
  add_library(${lib} SHARED IMPORTED GLOBAL)
  set_target_properties(${lib} PROPERTIES IMPORTED_LOCATION "${EDGETAM_SYSTEM_${lib}}"
    INTERFACE_INCLUDE_DIRECTORIES "${EDGETAM_SYSTEM_${lib}_INCLUDE}")
  message(STATUS "edgetam: ${lib} is ${EDGETAM_SYSTEM_${lib}}")
endfunction()

if(_edgetam_slot STREQUAL "cpuinfo")
  edgetam_import(cpuinfo cpuinfo.h)
elseif(_edgetam_slot STREQUAL "pthreadpool")
  edgetam_import(pthreadpool pthreadpool.h)
elseif(_edgetam_slot STREQUAL "XNNPACK")
  edgetam_import(XNNPACK xnnpack.h)
  set_target_properties(XNNPACK PROPERTIES INTERFACE_LINK_LIBRARIES "pthreadpool;cpuinfo")
  # installed by Dependencies.cmake: an interface library installs no file
  add_library(microkernels-prod INTERFACE)
elseif(NOT _edgetam_slot STREQUAL "FXdiv") # FXdiv: header-only, used by XNNPACK's sources only
  message(FATAL_ERROR "system-deps.cmake: unexpected slot ${CMAKE_CURRENT_SOURCE_DIR}")
endif()
