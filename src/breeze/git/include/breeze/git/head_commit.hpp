#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>
#include <breeze/git/opener.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace breeze::git {

/// The commit HEAD points at.
struct HeadCommit {
  std::string id;     ///< 40 hex digits
  time::Instant time; ///< committer time
};

/// HEAD of the repository (opened by `opener`) whose work tree is exactly `work_tree` (no searching
/// upwards); nullopt when it is not a git repository or HEAD has no commit yet. git Error for
/// anything else.
[[nodiscard]] Expected<std::optional<HeadCommit>>
head_commit(Opener& opener, const std::filesystem::path& work_tree);

} // namespace breeze::git
