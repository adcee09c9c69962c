#pragma once

// A folder that refuses new entries even to root: tests run as root, and chmod 0555 does not stop
// root, so the folder is made immutable (`chattr +i`, refused by the kernel for every user). The
// attribute is removed on destruction so the test's TempDir can clean up.

#include <breeze/process/posix_runner.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace breeze::test {

/// Sets (`on`) or clears the immutable attribute of `path`; false when chattr failed.
inline bool set_immutable(const std::filesystem::path& path, bool on) {
  process::PosixRunner runner;
  process::ProcessSpec spec;
  spec.argv = {"chattr", on ? "+i" : "-i", path.string()};
  auto r = runner.run(spec);
  return r && r->ok();
}

/// Clears the immutable attribute of `path` when it goes out of scope (a child process may have
/// set it during the test).
struct ClearImmutableAtExit {
  std::filesystem::path path;
  ~ClearImmutableAtExit() { (void)set_immutable(path, false); }
};

class ImmutableDir {
public:
  /// Makes `dir` immutable; available() says whether that really stops root from creating a file
  /// in it (chattr missing, or a filesystem without the attribute, e.g. tmpfs or overlayfs).
  explicit ImmutableDir(std::filesystem::path dir) : m_dir(std::move(dir)) {
    if (!chattr("+i")) return;
    std::string probe = (m_dir / "probe-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd >= 0) { // the attribute did not stop us: not usable here
      ::close(fd);
      ::unlink(probe.c_str());
      (void)chattr("-i");
      return;
    }
    m_active = true;
  }
  ~ImmutableDir() {
    if (m_active) (void)chattr("-i");
  }
  ImmutableDir(const ImmutableDir&) = delete;
  ImmutableDir& operator=(const ImmutableDir&) = delete;

  [[nodiscard]] bool available() const { return m_active; }

  /// Lifts the attribute early (before checking files in the folder, say).
  void release() {
    if (m_active) (void)chattr("-i");
    m_active = false;
  }

private:
  bool chattr(const char* flag) const { return set_immutable(m_dir, flag[0] == '+'); }
  std::filesystem::path m_dir;
  bool m_active = false;
};

/// The message a test prints when the mechanism is missing (and then returns without failing).
inline const char* k_no_immutable =
    "chattr +i is not available here (no chattr, or a filesystem without the immutable attribute): "
    "the read-only-target test is skipped";

} // namespace breeze::test
