# INTERFACE targets every breeze library links: language settings and warnings.
add_library(breeze_settings INTERFACE)
target_compile_features(breeze_settings INTERFACE cxx_std_20)
target_compile_definitions(breeze_settings INTERFACE BREEZE_VERSION="${PROJECT_VERSION}")

add_library(breeze_warnings INTERFACE)
target_compile_options(breeze_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wno-missing-field-initializers) # aggregate init of specs with defaults is the idiom here
