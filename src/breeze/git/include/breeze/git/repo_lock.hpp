#pragma once

// One breeze run at a time per repository: the commands that move constraints branches and tags
// (update-constraints, publish-constraints, restore-constraints-tags) hold this lock for their
// whole run, dry runs included, so two runs on one clone can never mix their objects and tags.

#include <breeze/base/expected.hpp>

#include <filesystem>
#include <string>

namespace breeze::git {

/// `<git common dir>/breeze-constraints.lock`, holding the pid of the run that owns it.
class RepoLock {
public:
  /// The lock file's name inside the git directory.
  static constexpr const char* k_file_name = "breeze-constraints.lock";

  /// Takes the lock in `git_dir` (created atomically: written beside it, then hard-linked into
  /// place, so it is never seen empty). A live holder is a failure Error naming its pid and the
  /// file; a holder whose pid is dead is a failure Error saying the lock is stale and how to
  /// remove it — it is never taken over silently (the dead run's state may need looking at).
  [[nodiscard]] static Expected<RepoLock> acquire(const std::filesystem::path& git_dir);

  RepoLock(RepoLock&& other) noexcept;
  RepoLock& operator=(RepoLock&&) = delete;
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;
  /// Removes the file if it still names this process.
  ~RepoLock();

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  explicit RepoLock(std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path; ///< empty once moved from
};

} // namespace breeze::git
