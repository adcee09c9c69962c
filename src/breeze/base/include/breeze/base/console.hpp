#pragma once

#include <breeze/base/env.hpp>

#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::console {

/// Colours breeze uses; rendered only when colour is enabled.
enum class Colour { none, red, green, yellow, blue, bold };

/// What breeze knows of the terminal it runs in (a Services member: tests pass their own).
struct Terminal {
  bool stdout_tty = false; ///< stdout is a terminal
  bool stderr_tty = false; ///< stderr is a terminal
  std::size_t width = 0;   ///< stderr's columns; 0 when unknown
  std::size_t height = 0;  ///< the terminal's rows (stderr's, else stdout's); 0 when unknown
};

/// The real terminal facts of this process (main() only; everything else gets them injected).
[[nodiscard]] Terminal detect_terminal();

/// How every view draws (the live job view, progress bars, colours, prompts): the one decision,
/// made from the terminal facts and the environment by output_mode().
struct OutputMode {
  bool live = false;           ///< stderr may be redrawn in place (cursor movement, `\r` bars)
  bool colour = false;         ///< ANSI colours on stderr
  std::size_t width = 80;      ///< no line breeze draws is longer than this
  std::size_t height = 0;      ///< rows: LINES, else the terminal's; 0 when unknown
  bool github_actions = false; ///< GITHUB_ACTIONS=true: annotations, groups, the step summary
};

/// The width breeze draws at (every view and help): COLUMNS when it is a number of at least
/// `minimum` (and 1), else `terminal_width` when it is, else 80.
[[nodiscard]] std::size_t columns(const EnvLookup& env, std::size_t terminal_width,
                                  std::size_t minimum = 1);

/// The output mode for `terminal` and `env` (docs/terminal.md has the table):
/// live only on a stderr TTY with TERM not "dumb" and neither CI nor GITHUB_ACTIONS set;
/// colour as colour_enabled(stderr_tty); width as columns(); height from LINES, else the
/// terminal, else 0.
[[nodiscard]] OutputMode output_mode(const Terminal& terminal, const EnvLookup& env);

/// Whether a result of `lines` lines on stdout goes through a pager: stdout is a terminal, TERM
/// is not "dumb", neither CI nor GITHUB_ACTIONS is set, and the text is longer than the terminal's
/// height (LINES, else the terminal's; never when unknown).
[[nodiscard]] bool pager_wanted(const Terminal& terminal, const EnvLookup& env, std::size_t lines);

/// The pager's argv: $PAGER split into words (no shell: `less -R` is {"less", "-R"}), or
/// `less -FRX` when PAGER is unset or blank.
[[nodiscard]] std::vector<std::string> pager_argv(const EnvLookup& env);

/// `line` cut to `width - 1` columns, for a line redrawn in place: the last column would wrap on
/// some terminals, and a wrapped line leaves a trail when redrawn. Width 0 (unknown): unchanged.
[[nodiscard]] std::string fit_line(std::string line, std::size_t width);

/// One progress line that fits `width` columns: `what [####....] done/total`, the bar shrinking
/// (and going, then the label being cut) as the width does; never longer than width - 1, so the
/// terminal never wraps it.
[[nodiscard]] std::string progress_line(std::string_view what, std::size_t done, std::size_t total,
                                        std::size_t width);

/// True when `stream` is a terminal.
[[nodiscard]] bool is_terminal(std::FILE* stream);

/// Colour: never with NO_COLOR; forced by FORCE_COLOR or CLICOLOR_FORCE (set, not "0"); otherwise
/// when the stream is a terminal (`is_tty`) and TERM is not "dumb" in `env`.
[[nodiscard]] bool colour_enabled(bool is_tty, const EnvLookup& env);

/// True when running inside GitHub Actions (GITHUB_ACTIONS=true in `env`).
[[nodiscard]] bool github_actions(const EnvLookup& env);

/// `text` wrapped in ANSI colour codes when `enabled`, unchanged otherwise.
[[nodiscard]] std::string paint(std::string_view text, Colour colour, bool enabled);

/// A unified diff with removed lines red, added lines green and `@@` hunk headers blue when
/// `enabled` (file headers `---`/`+++` bold); unchanged otherwise.
[[nodiscard]] std::string colour_diff(std::string_view diff, bool enabled);

/// Prints one line of a child process's output (a build, a package build, a freeze) on stderr,
/// redacted (URL userinfo, registered secrets) and stripped of control characters: the line
/// comes from programs fetching from the network and skips the std::cerr filter.
void print_child_line(std::string_view line);

/// Sets up spdlog: diagnostics to stderr, debug level when `verbose`, ANSI colour when `colour`;
/// with `github_actions` warnings and errors are `::warning::` / `::error::` annotations.
void init_logging(bool verbose, bool colour = false, bool github_actions = false);

/// A folded section of output: `::group::TITLE` / `::endgroup::` when `active` (on GitHub
/// Actions), nothing otherwise.
class Group {
public:
  Group(std::ostream& out, std::string_view title, bool active);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

private:
  std::ostream& m_out;
  bool m_active;
};

} // namespace breeze::console
