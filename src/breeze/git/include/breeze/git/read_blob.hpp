#pragma once

// A small read-only slice of libgit2 for reading constraints from a repository's object database
// without touching its work tree. (The fuller git module — writing, pushing — lives beside it.)

#include <breeze/base/expected.hpp>
#include <breeze/base/time.hpp>
#include <breeze/git/opener.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace breeze::git {

/// A file as stored at the tip of a branch.
struct BlobAtBranch {
  std::string content; ///< the blob's bytes
  std::string commit;  ///< hex id of the branch tip it was read from
  std::string ref;     ///< which it was: "apache/<branch>", "origin/<branch>", "local branch <b>"
};

/// Reads, from the repository `opener` opens at `repo`, `path` (relative to the repository root) at
/// the tip of `branch`: `<remote>/<branch>` (the remote-tracking branch), else `origin/<branch>`,
/// else the local branch, else any revision git understands. not_found Error (message starting "no
/// branch") when none exists, or ("no file") when the file does not; git Error for anything libgit2
/// reports.
[[nodiscard]] Expected<BlobAtBranch> read_blob(Opener& opener, const std::filesystem::path& repo,
                                               const std::string& branch, const std::string& path,
                                               const std::string& remote = "apache");

/// read_blob() for callers that treat a missing file as data: nullopt when the branch exists but
/// has no `path`. An Error of kind not_found then means exactly "no such repository or branch";
/// anything else libgit2 reports (a tree naming a missing blob included) is a git Error.
[[nodiscard]] Expected<std::optional<BlobAtBranch>>
read_blob_if_present(Opener& opener, const std::filesystem::path& repo, const std::string& branch,
                     const std::string& path, const std::string& remote = "apache");

/// Commit time of the last commit on `branch` (found as read_blob finds it) that changed `path`
/// (following first and merge parents, newest first).
[[nodiscard]] Expected<time::Instant>
last_commit_time(Opener& opener, const std::filesystem::path& repo, const std::string& branch,
                 const std::string& path, const std::string& remote = "apache");

} // namespace breeze::git
