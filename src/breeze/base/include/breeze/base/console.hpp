#pragma once

#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

namespace breeze::console {

/// Colours breeze uses; rendered only when colour is enabled.
enum class Colour { none, red, green, yellow, blue, bold };

/// True when `stream` (stdout/stderr) is a terminal, NO_COLOR is unset and TERM is not "dumb".
[[nodiscard]] bool colour_enabled(std::FILE* stream);

/// True when running inside GitHub Actions (GITHUB_ACTIONS=true).
[[nodiscard]] bool github_actions();

/// `text` wrapped in ANSI colour codes when `enabled`, unchanged otherwise.
[[nodiscard]] std::string paint(std::string_view text, Colour colour, bool enabled);

/// Prints one line of a child process's output (a build, a package build, a freeze) on stderr,
/// redacted (URL userinfo, registered secrets) and stripped of control characters: the line
/// comes from programs fetching from the network and skips the std::cerr filter.
void print_child_line(std::string_view line);

/// Sets up spdlog: diagnostics to stderr, debug level when `verbose`, colour per colour_enabled.
void init_logging(bool verbose);

/// A folded section of output: `::group::TITLE` / `::endgroup::` on GitHub Actions, nothing
/// otherwise.
class Group {
public:
  Group(std::ostream& out, std::string_view title);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

private:
  std::ostream& m_out;
  bool m_active;
};

} // namespace breeze::console
