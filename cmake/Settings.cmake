# INTERFACE targets every breeze library links: language settings and warnings.
add_library(breeze_settings INTERFACE)
target_compile_features(breeze_settings INTERFACE cxx_std_20)
target_compile_definitions(breeze_settings INTERFACE BREEZE_VERSION="${PROJECT_VERSION}")

add_library(breeze_warnings INTERFACE)
target_compile_options(breeze_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wno-missing-field-initializers) # aggregate init of specs with defaults is the idiom here

# GCC 12's -Wrestrict misfires on std::string copies inlined from char_traits::copy, in code that
# is correct ("accessing 9223372036854775810 or more bytes ... may overlap": base/files.cpp
# write_atomic, docker/build_command.cpp and two tests):
# https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329 and 105651, fixed in GCC 13. The `ci`
# preset makes warnings errors, so it is off for GCC 12 only. ASan in scripts/test.sh checks
# memory accesses for real.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(breeze_warnings INTERFACE -Wno-restrict)
endif()
