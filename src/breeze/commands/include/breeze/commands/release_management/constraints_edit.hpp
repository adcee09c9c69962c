#pragma once

// Pure decisions of `update-constraints`: parsing what the user asked for, choosing versions and
// computing the exact new bytes of each constraints file. No git, no output.

#include <breeze/base/expected.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::commands::release_management {

/// One `--updated-constraint NAME==VERSION`.
struct ConstraintUpdate {
  std::string name;    ///< as the user spelled it
  std::string version; ///< as the user wrote it
};

/// Parses `NAME==VERSION` (a valid project name and a PEP 440 version); usage Error otherwise.
[[nodiscard]] Expected<ConstraintUpdate> parse_updated_constraint(std::string_view text);

/// Checks `--comment-file` text before it goes into constraints files: every line must be empty
/// or start with `#` (a comment for pip), with no control character but tab (a trailing `\r` is
/// allowed: insertion drops it). Anything else would become a pin or an option line, so it is a
/// one-line usage Error naming the first offending line; nothing is ever rewritten.
[[nodiscard]] Expected<void> check_comment(std::string_view text);

/// Expands `--airflow-versions`: a comma list of versions and inclusive ranges `A..B`, resolved
/// against `known` (the versions that have a constraints-* tag). Keeps the user's order, drops
/// duplicates. A version (or range end) without a tag is a not_found Error naming the closest tag.
[[nodiscard]] Expected<std::vector<std::string>>
expand_versions(std::string_view spec, const std::vector<std::string>& known);

/// True when a top-level file name is a constraints file of one of `modes` (`constraints-3.8.txt`
/// for mode `constraints`); with no modes every `constraints*.txt` is selected.
[[nodiscard]] bool selects_file(const std::string& name, const std::vector<std::string>& modes);

/// One file whose bytes change.
struct FileChange {
  std::string name;
  std::string before;
  std::string after;
};

/// What applying the updates to one version's files would do.
struct VersionEdit {
  std::vector<FileChange> changes;         ///< files whose bytes change (empty: nothing to do)
  std::vector<std::string> absent;         ///< requested names found in none of the files
  std::vector<std::string> spelling_notes; ///< "PyMSSQL is spelled pymssql in the files"
  std::map<std::string, std::vector<std::string>>
      old_versions; ///< name -> distinct versions replaced
};

/// Applies `updates` (pins matched by PEP 503 name, file's spelling and every other byte kept) and
/// `comment` (inserted once before the first pin of each changed file, unless already there; when
/// no updates are given, of every file) to `files`. A name absent from every file leaves the
/// version unchanged unless `add_missing` (then it is appended to every file).
[[nodiscard]] VersionEdit edit_files(const std::map<std::string, std::string>& files,
                                     const std::vector<ConstraintUpdate>& updates,
                                     const std::string& comment, bool add_missing);

/// One row of the summary table.
struct SummaryRow {
  std::string version;
  std::string old_commit;
  std::string new_commit;
  std::size_t files_changed = 0;
  std::string status; ///< "pushed", "already up to date", "failed: ...", "would push", ...
};

/// The summary as an aligned text table (short hashes).
[[nodiscard]] std::string render_summary(const std::vector<SummaryRow>& rows);

/// The same summary as Markdown under `### update-constraints`, for $GITHUB_STEP_SUMMARY.
[[nodiscard]] std::string render_summary_markdown(const std::vector<SummaryRow>& rows);

} // namespace breeze::commands::release_management
