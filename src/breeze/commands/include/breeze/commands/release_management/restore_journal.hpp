#pragma once

#include <breeze/base/expected.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace breeze::commands::release_management {

/// One tag update-constraints moved (or was about to move).
struct JournalEntry {
  std::string version;
  std::string tag;        ///< constraints-<version>
  std::string old_target; ///< the tag object (or commit) the tag pointed at before
  std::string old_commit; ///< the commit it peeled to
  std::string new_target; ///< the new tag object (empty until created)
  std::string new_commit; ///< the new commit (empty until created)
  std::string status;     ///< pending / pushed / failed / tag-not-pushed
};

/// The restore file update-constraints writes into the repository's .git folder.
struct Journal {
  std::string repo;    ///< the constraints repository
  std::string remote;  ///< the remote the tags were pushed to
  std::string created; ///< UTC time
  std::vector<JournalEntry> entries;
};

/// Creates a new journal file in `dir` under a name no other run can get
/// (breeze-constraints-restore-<journal.created without ':' and '-'>[-N].json, claimed with
/// O_CREAT|O_EXCL), writes
/// `journal` into it and returns its path.
[[nodiscard]] Expected<std::filesystem::path> create_journal(const std::filesystem::path& dir,
                                                             const Journal& journal);

/// Writes `journal` as JSON atomically.
[[nodiscard]] Expected<void> write_journal(const std::filesystem::path& path,
                                           const Journal& journal);

/// Reads a journal; a missing file is not_found, bad JSON or missing fields a usage Error naming
/// the file.
[[nodiscard]] Expected<Journal> read_journal(const std::filesystem::path& path);

} // namespace breeze::commands::release_management
