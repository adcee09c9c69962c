#pragma once

// The one way into a repository: every git operation a command runs opens its repository through
// an Opener, so a command's git access is a seam (Services::git) a test can replace.

#include <breeze/git/handle.hpp>

#include <filesystem>
#include <optional>

namespace breeze::git {

/// Opens repositories by path.
class Opener {
public:
  virtual ~Opener() = default;
  Opener() = default;
  Opener(const Opener&) = delete;
  Opener& operator=(const Opener&) = delete;

  /// The repository at exactly `path` (its work tree or .git; no searching upwards). not_found
  /// Error "not a git repository" when `path` holds none; any other Error when it cannot be opened.
  [[nodiscard]] virtual Expected<RepositoryPtr> open(const std::filesystem::path& path) = 0;
};

/// The real opener: libgit2 (open_repository()).
class Libgit2Opener final : public Opener {
public:
  [[nodiscard]] Expected<RepositoryPtr> open(const std::filesystem::path& path) override;
};

/// One process-wide Libgit2Opener (it holds no state).
[[nodiscard]] Opener& libgit2_opener();

/// The repository whose work tree is exactly `work_tree`, opened by `opener`; nullopt when it is
/// not a git work tree (the opener is not even asked for a folder without `.git`). Any other
/// Error the opener reports.
[[nodiscard]] Expected<std::optional<RepositoryPtr>>
open_work_tree(Opener& opener, const std::filesystem::path& work_tree);

} // namespace breeze::git
