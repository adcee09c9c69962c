#include <breeze/base/paths.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>

namespace breeze::paths {

std::filesystem::path absolute(const std::filesystem::path& path,
                               const std::filesystem::path& cwd) {
  if (path.empty()) return path;
  auto out = (path.is_absolute() ? path : cwd / path).lexically_normal();
  if (!out.has_filename() && out.has_relative_path()) out = out.parent_path(); // "dir/" -> "dir"
  return out;
}

namespace fs = std::filesystem;

Expected<void> check_writable_dir(const fs::path& dir) {
  std::error_code ec;
  // A missing folder is fine when the nearest folder that exists takes new entries.
  auto existing = dir.empty() ? fs::path(".") : dir;
  while (!fs::exists(fs::symlink_status(existing, ec))) {
    if (!existing.has_parent_path() || existing.parent_path() == existing) {
      if (existing.is_relative()) existing = ".";
      break;
    }
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec))
    return Error{ErrorKind::io,
                 existing == dir
                     ? std::string("not a folder")
                     : fmt::format("cannot be created: {} is not a folder", existing.string()),
                 dir.string()};
  // access(W_OK) says yes to root on a read-only bind mount's folder and on an immutable one;
  // only creating a file answers truthfully.
  std::string probe = (existing / ".breeze-write-check-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    return Error{ErrorKind::io,
                 existing == dir ? std::string("cannot write in it: ") + std::strerror(errno)
                                 : fmt::format("cannot be created in {}: {}", existing.string(),
                                               std::strerror(errno)),
                 dir.string()};
  ::close(fd);
  if (::unlink(probe.c_str()) != 0)
    return Error{ErrorKind::io,
                 std::string("cannot remove a file from it: ") + std::strerror(errno),
                 existing.string()};
  return {};
}

Expected<void> check_replaceable(const fs::path& file) {
  const auto dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  return check_writable_dir(dir);
}

} // namespace breeze::paths
