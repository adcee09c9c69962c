#pragma once

#include <breeze/base/expected.hpp>
#include <breeze/git/opener.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace breeze::git {

/// What git tracks in a work tree, as paths relative to it.
struct TrackedPaths {
  std::vector<std::string> files; ///< every index entry (`git ls-files`), in index order
  std::vector<std::string> dirs;  ///< every folder holding one, the work tree itself excluded
};

/// The tracked files (read from the index with libgit2, no `git` process) and their folders of
/// the repository whose work tree is exactly `work_tree`; nullopt when it is not a git work tree.
/// git Error when the index cannot be read.
[[nodiscard]] Expected<std::optional<TrackedPaths>>
tracked_paths(Opener& opener, const std::filesystem::path& work_tree);

} // namespace breeze::git
