#include <breeze/base/github_actions.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace breeze::github {

namespace {
// `text` with each character `replace` names a replacement for (nullptr: kept) replaced.
template <typename Replace> std::string replaced(std::string_view text, Replace replace) {
  std::string out;
  for (const char c : text) {
    if (const char* with = replace(c))
      out += with;
    else
      out += c;
  }
  return out;
}
} // namespace

std::string escape_data(std::string_view text) {
  return replaced(text, [](char c) -> const char* {
    return c == '%' ? "%25" : c == '\r' ? "%0D" : c == '\n' ? "%0A" : nullptr;
  });
}

std::string escape_property(std::string_view text) {
  return replaced(escape_data(text), [](char c) -> const char* {
    return c == ':' ? "%3A" : c == ',' ? "%2C" : nullptr;
  });
}

std::string error_annotation(std::string_view title, std::string_view message) {
  // Control characters from a child's output must not end the command early or start another.
  const auto clean = strings::strip_control(std::string(message), true);
  if (title.empty()) return fmt::format("::error::{}\n", escape_data(clean));
  return fmt::format("::error title={}::{}\n",
                     escape_property(strings::strip_control(std::string(title))),
                     escape_data(clean));
}

std::string warning_annotation(std::string_view message) {
  return fmt::format("::warning::{}\n",
                     escape_data(strings::strip_control(std::string(message), true)));
}

std::string markdown_table(const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  const auto cell = [](const std::string& value) {
    return replaced(strings::strip_control(value, true), [](char c) -> const char* {
      return c == '|' ? "\\|" : c == '\n' ? " " : nullptr;
    });
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    text += "|";
    for (const auto& value : rows[r])
      text += " " + cell(value) + " |";
    text += "\n";
    if (r == 0) {
      text += "|";
      for (std::size_t c = 0; c < rows[0].size(); ++c)
        text += " --- |";
      text += "\n";
    }
  }
  return text;
}

std::optional<std::filesystem::path> step_summary_file(const EnvLookup& env) {
  if (env("GITHUB_ACTIONS") != std::optional<std::string>("true")) return std::nullopt;
  auto file = env("GITHUB_STEP_SUMMARY");
  if (!file || file->empty()) return std::nullopt;
  return std::filesystem::path(*file);
}

Expected<void> append_step_summary(const std::filesystem::path& file, std::string_view markdown) {
  std::ofstream out(file, std::ios::app | std::ios::binary);
  if (out) out << markdown << "\n" << std::flush;
  if (!out)
    return Error{ErrorKind::io,
                 fmt::format("cannot append to the job summary: {}", std::strerror(errno)),
                 file.string()};
  return {};
}

} // namespace breeze::github
