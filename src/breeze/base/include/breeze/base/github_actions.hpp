#pragma once

#include <breeze/base/env.hpp>
#include <breeze/base/expected.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::github {

/// A workflow command's message with `%`, CR and LF escaped as GitHub reads them.
[[nodiscard]] std::string escape_data(std::string_view text);

/// A workflow command's property value (`title=`): escape_data plus `:` and `,`.
[[nodiscard]] std::string escape_property(std::string_view text);

/// `::error title=TITLE::MESSAGE\n` (no `title=` when `title` is empty): an error annotation.
[[nodiscard]] std::string error_annotation(std::string_view title, std::string_view message);

/// `::warning::MESSAGE\n`: a warning annotation.
[[nodiscard]] std::string warning_annotation(std::string_view message);

/// A Markdown table: the first row is the header; `|` in cells is escaped, newlines become spaces.
[[nodiscard]] std::string markdown_table(const std::vector<std::vector<std::string>>& rows);

/// The job summary file: `$GITHUB_STEP_SUMMARY` when GITHUB_ACTIONS=true and it is set in `env`.
[[nodiscard]] std::optional<std::filesystem::path> step_summary_file(const EnvLookup& env);

/// Appends `markdown` (and a blank line) to the job summary file `file`; an io Error when it
/// cannot be written.
[[nodiscard]] Expected<void> append_step_summary(const std::filesystem::path& file,
                                                 std::string_view markdown);

} // namespace breeze::github
