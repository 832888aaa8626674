/* Under CMake's Xcode generator (cmake/build_xcframework.sh) a library made only of object files
 * may come out empty: CMake's add_library documentation asks for at least one real source in any
 * target that uses $<TARGET_OBJECTS:...>. This is libedgetam's, compiled for Xcode only. */
typedef int edgetam_xcode_anchor; /* ISO C wants a translation unit to declare something */
