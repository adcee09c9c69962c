#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>

#include <map>
#include <optional>
#include <string>

#include <chrono>
#include <sys/stat.h>

using namespace breeze;

TEST_CASE("files: read gives a regular file's bytes", "[unit][base]") {
  files::TempDir dir;
  test::write_file(dir.path() / "a.txt", std::string("x\0y\n", 4));
  auto r = files::read(dir.path() / "a.txt");
  REQUIRE(r.has_value());
  CHECK(*r == std::string("x\0y\n", 4));
  auto missing = files::read(dir.path() / "nope");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::not_found);
  CHECK(missing.error().what() == (dir.path() / "nope").string() + ": no such file");
}

TEST_CASE(
    "files: read refuses a directory, a FIFO and a device with one line, without opening them",
    "[unit][base]") {
  files::TempDir dir;
  auto dir_r = files::read(dir.path());
  REQUIRE_FALSE(dir_r.has_value());
  CHECK(dir_r.error().what() == dir.path().string() + ": is a directory, not a regular file");

  // Opening a FIFO for reading blocks until a writer comes: read must answer at once.
  const auto fifo = dir.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto fifo_r = files::read(fifo);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  REQUIRE_FALSE(fifo_r.has_value());
  CHECK(fifo_r.error().what() == fifo.string() + ": is a FIFO, not a regular file");

  // /dev/zero never ends: reading it would fill memory.
  auto zero = files::read("/dev/zero");
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().kind == ErrorKind::io);
  CHECK(zero.error().message == "is a character device, not a regular file");
}

TEST_CASE("files: cache_dir follows XDG_CACHE_HOME, then HOME, and never throws", "[unit][base]") {
  const auto env_of = [](std::map<std::string, std::string> vars) -> EnvLookup {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
      if (auto it = vars.find(name); it != vars.end()) return it->second;
      return std::nullopt;
    };
  };
  CHECK(files::cache_dir(env_of({{"XDG_CACHE_HOME", "/x/cache"}, {"HOME", "/home/me"}})) ==
        std::filesystem::path("/x/cache/breeze"));
  CHECK(files::cache_dir(env_of({{"HOME", "/home/me"}})) ==
        std::filesystem::path("/home/me/.cache/breeze"));
  // The real environment is not consulted: a real XDG_CACHE_HOME does not leak in.
  test::ScopedEnv real_xdg("XDG_CACHE_HOME", "/real/cache");
  CHECK(files::cache_dir(env_of({{"HOME", "/home/me"}})) ==
        std::filesystem::path("/home/me/.cache/breeze"));
  // No HOME and a TMPDIR that does not exist: temp_directory_path() (which reads the real TMPDIR)
  // would throw.
  test::ScopedEnv tmp("TMPDIR", "/nonexistent/tmp");
  std::filesystem::path p;
  CHECK_NOTHROW(p = files::cache_dir(env_of({})));
  CHECK_THAT(p.filename().string(), Catch::StartsWith("breeze-cache-")); // per user, checked on use
}

TEST_CASE("files: TempDir::create makes a private directory, removed unless released",
          "[unit][base]") {
  files::TempDir parent;
  std::filesystem::path removed;
  {
    auto made = files::TempDir::create("breeze-test", parent.path());
    REQUIRE(made.has_value());
    removed = made->path();
    CHECK(removed.parent_path() == parent.path());
    CHECK(removed.filename().string().starts_with("breeze-test-"));
    struct stat st {};
    REQUIRE(::stat(removed.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 0777) == 0700);
    test::write_file(removed / "x.log", "x");
  }
  CHECK_FALSE(std::filesystem::exists(removed));

  std::filesystem::path kept;
  {
    auto made = files::TempDir::create("breeze-kept", parent.path());
    REQUIRE(made.has_value());
    kept = std::move(*made).release();
  }
  CHECK(std::filesystem::is_directory(kept));

  const auto missing = files::TempDir::create("x", parent.path() / "no" / "such");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::io);
  CHECK_THAT(missing.error().what(), Catch::Contains("cannot create a temporary directory"));
}
