#include <breeze/base/files.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace breeze::files {

namespace fs = std::filesystem;

Expected<std::string> read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const auto kind = fs::exists(path) ? ErrorKind::io : ErrorKind::not_found;
    return Error{kind, fs::exists(path) ? "cannot read file" : "no such file", path.string()};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{ErrorKind::io, "error while reading", path.string()};
  return ss.str();
}

Expected<void> write_atomic(const fs::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Error{ErrorKind::io, "cannot create directory: " + ec.message(), path.parent_path().string()};
  }
  std::string tmpl = (path.parent_path() / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return Error{ErrorKind::io, std::string("cannot create temporary file: ") + std::strerror(errno), path.string()};
  std::size_t written = 0;
  while (written < content.size()) {
    auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto msg = std::string("write failed: ") + std::strerror(errno);
      ::close(fd);
      ::unlink(tmpl.c_str());
      return Error{ErrorKind::io, msg, path.string()};
    }
    written += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    return Error{ErrorKind::io, "cannot flush file", path.string()};
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    auto msg = std::string("cannot rename into place: ") + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return Error{ErrorKind::io, msg, path.string()};
  }
  return {};
}

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(fmt::format("cannot create temporary directory {}: {}", tmpl, std::strerror(errno)));
  m_path = tmpl;
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
}

fs::path cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "breeze";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "breeze";
  return fs::temp_directory_path() / "breeze-cache";
}

} // namespace breeze::files
