#include <breeze/git/repo_lock.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

namespace breeze::git {

namespace {

std::optional<long> read_pid(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  char buf[64] = {};
  const auto n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  if (end == buf || pid <= 0) return std::nullopt;
  return pid;
}

bool alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

Error io_error(const std::string& what, const std::filesystem::path& path) {
  return Error{ErrorKind::io, fmt::format("{}: {}", what, std::strerror(errno)), path.string()};
}

} // namespace

Expected<RepoLock> RepoLock::acquire(const std::filesystem::path& git_dir) {
  const auto path = git_dir / k_file_name;
  // Write the pid to a private file first and link it into place: link() fails with EEXIST
  // atomically like O_CREAT|O_EXCL, and the lock is never visible without its pid.
  std::string tmpl = (git_dir / "breeze-constraints.lock.XXXXXX").string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return io_error("cannot create a lock file in the git directory", git_dir);
  const std::string content = fmt::format("{}\n", ::getpid());
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!written) {
    ::unlink(tmpl.c_str());
    return io_error("cannot write the lock file", tmpl);
  }
  const int rc = ::link(tmpl.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmpl.c_str());
  if (rc == 0) return RepoLock(path);
  if (link_errno != EEXIST) {
    errno = link_errno;
    return io_error("cannot create the lock file", path);
  }
  const auto pid = read_pid(path);
  const std::string quoted = strings::shell_quote(path.string());
  if (pid && alive(*pid))
    return failure(
        fmt::format("another breeze run (pid {}) is working on this repository (lock file {}); "
                    "wait for it to finish",
                    *pid, path.string()));
  return failure(fmt::format(
      "stale lock file {}: {} is no longer running (killed?); check the repository, "
      "then remove it: rm {}",
      path.string(), pid ? fmt::format("pid {}", *pid) : std::string("its breeze run"), quoted));
}

RepoLock::RepoLock(RepoLock&& other) noexcept : m_path(std::move(other.m_path)) {
  other.m_path.clear();
}

RepoLock::~RepoLock() {
  if (m_path.empty()) return;
  // Someone may have removed a lock they thought stale and another run taken it: only ours goes.
  if (read_pid(m_path) == static_cast<long>(::getpid())) ::unlink(m_path.c_str());
}

} // namespace breeze::git
