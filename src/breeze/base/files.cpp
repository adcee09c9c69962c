#include <breeze/base/files.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::files {

namespace fs = std::filesystem;

namespace {
// What a non-regular file is, for the one-line error.
const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}
} // namespace

Expected<std::string> read(const fs::path& path) {
  // stat before open: opening a FIFO for reading blocks until a writer appears, and /dev/zero
  // never ends. Only regular files are read; the fstat after the (non-blocking) open closes the
  // race with a file swapped in between.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return Error{ErrorKind::not_found, "no such file", path.string()};
    return Error{ErrorKind::io, std::string("cannot read file: ") + std::strerror(err),
                 path.string()};
  }
  if (!S_ISREG(st.st_mode))
    return Error{ErrorKind::io,
                 fmt::format("is {}, not a regular file", file_type_name(st.st_mode)),
                 path.string()};
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return Error{ErrorKind::io, std::string("cannot read file: ") + std::strerror(errno),
                 path.string()};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{ErrorKind::io, "is not a regular file", path.string()};
  }
  std::string out;
  if (st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Error{ErrorKind::io, std::string("error while reading: ") + std::strerror(err),
                   path.string()};
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Expected<void> write_atomic(const fs::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return Error{ErrorKind::io, "cannot create directory: " + ec.message(),
                   path.parent_path().string()};
  }
  std::string tmpl =
      (path.parent_path() / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return Error{ErrorKind::io,
                 std::string("cannot create temporary file: ") + std::strerror(errno),
                 path.string()};
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

Expected<TempDir> TempDir::create(std::string_view prefix, const fs::path& parent) {
  std::error_code ec;
  auto base = parent.empty() ? fs::temp_directory_path(ec) : parent;
  if (base.empty()) base = "/tmp";
  std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return Error{ErrorKind::io,
                 fmt::format("cannot create a temporary directory: {}", std::strerror(errno)),
                 tmpl};
  return TempDir(Made{}, tmpl);
}

TempDir::TempDir(std::string_view prefix) {
  auto made = create(prefix);
  if (!made) throw std::runtime_error(made.error().what());
  m_path = std::move(*made).release();
}

fs::path TempDir::release() && {
  auto path = std::move(m_path);
  m_path.clear();
  return path;
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)) {
  other.m_path.clear();
}

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
}

fs::path cache_dir(const EnvLookup& env) {
  if (auto xdg = env("XDG_CACHE_HOME"); xdg && !xdg->empty()) return fs::path(*xdg) / "breeze";
  if (auto home = env("HOME"); home && !home->empty()) return fs::path(*home) / ".cache" / "breeze";
  // No home: a per-user name under the temp dir. It is shared with other users, so whoever opens
  // it must check who owns it (http::DiskCache::open does).
  std::error_code ec;
  auto tmp = fs::temp_directory_path(ec);
  if (ec || tmp.empty()) tmp = "/tmp";
  return tmp / fmt::format("breeze-cache-{}", ::geteuid());
}

} // namespace breeze::files
