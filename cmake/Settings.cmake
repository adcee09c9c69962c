# INTERFACE targets every breeze library links: language settings and warnings.
add_library(breeze_settings INTERFACE)
target_compile_features(breeze_settings INTERFACE cxx_std_20)
target_compile_definitions(breeze_settings INTERFACE BREEZE_VERSION="${PROJECT_VERSION}")

add_library(breeze_warnings INTERFACE)
target_compile_options(breeze_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wno-missing-field-initializers) # aggregate init of specs with defaults is the idiom here

# GCC 12's access warnings misfire on std::string copies inlined from char_traits::copy, in code
# that is correct ("accessing 9223372036854775810 or more bytes ... may overlap", "forming offset
# [32, 48] is out of the bounds [0, 32]", "reading 33 bytes from a region of size 16"):
# https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329 and 105651, fixed in GCC 13. The `ci`
# preset makes warnings errors, so for GCC 12 only:
#  - -Wrestrict is off everywhere (base/files.cpp write_atomic, docker/build_command.cpp and two
#    tests trip it);
#  - in the tests (breeze_test_warnings), -Warray-bounds, -Wstringop-overflow and
#    -Wstringop-overread, the same bug reworded, are off when the tests use precompiled headers
#    (BREEZE_PCH): only then does GCC 12 report these from libstdc++ (not one without them).
# ASan in scripts/test.sh checks bounds for real.
add_library(breeze_test_warnings INTERFACE)
target_link_libraries(breeze_test_warnings INTERFACE breeze_warnings)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(breeze_warnings INTERFACE -Wno-restrict)
  if(BREEZE_PCH)
    target_compile_options(breeze_test_warnings INTERFACE -Wno-array-bounds -Wno-stringop-overflow
                                                          -Wno-stringop-overread)
  endif()
endif()
