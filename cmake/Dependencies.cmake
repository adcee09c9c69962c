# Every dependency comes from Debian's packages (scripts/bootstrap.sh installs them).
# Only find_package / pkg-config: nothing is downloaded at configure time.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CURL REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
if(BREEZE_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
