#pragma once

// A small read-only slice of libgit2 for reading constraints from a repository's object database
// without touching its work tree. (The fuller git module — writing, pushing — lives beside it.)

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>

#include <filesystem>
#include <string>

namespace breeze::git {

/// A file as stored at the tip of a branch.
struct BlobAtBranch {
  std::string content; ///< the blob's bytes
  std::string commit;  ///< hex id of the branch tip it was read from
};

/// Reads `path` (relative to the repository root) at the tip of `branch`: a local branch, else
/// `origin/<branch>`, else any revision git understands. not_found Error when the branch or the
/// file does not exist; git Error for anything libgit2 reports. git_libgit2_init must have run.
[[nodiscard]] Expected<BlobAtBranch> read_blob(const std::filesystem::path& repo,
                                               const std::string& branch, const std::string& path);

/// Commit time of the last commit on `branch` that changed `path` (following first and merge
/// parents, newest first).
[[nodiscard]] Expected<time::Instant> last_commit_time(const std::filesystem::path& repo,
                                                       const std::string& branch,
                                                       const std::string& path);

} // namespace breeze::git
