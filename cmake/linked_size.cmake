# The size of what an application links to run the tracker (edgetam-bench prints it as
# linked_kb): BINARY, a whole tracker program linked against libedgetam as an app links it
# (examples/minimal.c), stripped, plus every shared library it loads beyond the C and C++
# runtimes (with libtorch: libtorch and what it needs; with ExecuTorch: Debian's XNNPACK,
# pthreadpool and cpuinfo; the ExecuTorch runtime and kernels are static, inside BINARY).
#   cmake -DBINARY=... -DSTRIP=... -DOUT=linked_size.txt -P cmake/linked_size.cmake
execute_process(COMMAND ${STRIP} -o ${OUT}.stripped ${BINARY} RESULT_VARIABLE _failed)
if(_failed)
  file(WRITE ${OUT} "linked_kb=unavailable\n")
  return()
endif()
file(SIZE ${OUT}.stripped _total)
file(REMOVE ${OUT}.stripped)
set(_detail "program=${_total}")
file(GET_RUNTIME_DEPENDENCIES EXECUTABLES ${BINARY}
  RESOLVED_DEPENDENCIES_VAR _libs
  PRE_EXCLUDE_REGEXES "^(libc|libm|libstdc\\+\\+|libgcc_s|ld-linux.*|libpthread|libdl|librt|linux-vdso)\\.so.*"
  POST_EXCLUDE_REGEXES "^/lib(64)?/ld-linux")
foreach(_lib IN LISTS _libs)
  get_filename_component(_real ${_lib} REALPATH)
  file(SIZE ${_real} _size)
  math(EXPR _total "${_total} + ${_size}")
  get_filename_component(_name ${_lib} NAME)
  string(APPEND _detail ",${_name}=${_size}")
endforeach()
math(EXPR _kb "${_total} / 1024")
file(WRITE ${OUT} "linked_kb=${_kb}\nlinked_bytes_detail=${_detail}\n")
