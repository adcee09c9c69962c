#include <breeze/base/console.hpp>

#include <breeze/base/github_actions.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <sys/ioctl.h>
#include <unistd.h>

namespace breeze::console {

Terminal detect_terminal() {
  Terminal t;
  t.stdout_tty = ::isatty(STDOUT_FILENO) != 0;
  t.stderr_tty = ::isatty(STDERR_FILENO) != 0;
  if (winsize ws{}; ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    t.width = ws.ws_col;
  for (const int fd : {STDERR_FILENO, STDOUT_FILENO}) {
    if (winsize ws{}; ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
      t.height = ws.ws_row;
      break;
    }
  }
  return t;
}

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) != 0; }

namespace {
// A variable that is set to anything but "", "0" or "false".
bool truthy(const EnvLookup& env, const char* name) {
  auto v = env(name);
  return v && !v->empty() && *v != "0" && *v != "false";
}

// A variable holding a positive number (of columns or rows), if it does. Up to five digits:
// anything longer is not a terminal (and would overflow).
std::optional<std::size_t> positive(const EnvLookup& env, const char* name) {
  if (auto c = env(name); c && !c->empty() && c->size() < 6 &&
                          c->find_first_not_of("0123456789") == std::string::npos) {
    if (const auto n = std::stoul(*c); n > 0) return n;
  }
  return std::nullopt;
}

std::size_t rows(const Terminal& terminal, const EnvLookup& env) {
  if (auto n = positive(env, "LINES")) return *n;
  return terminal.height;
}

} // namespace

std::size_t columns(const EnvLookup& env, std::size_t terminal_width, std::size_t minimum) {
  // COLUMNS first, as Python's shutil and rich do: a user (or a test) can narrow the view.
  if (auto n = positive(env, "COLUMNS"); n && *n >= minimum) return *n;
  return terminal_width > 0 && terminal_width >= minimum ? terminal_width : 80;
}

bool colour_enabled(bool is_tty, const EnvLookup& env) {
  if (auto no = env("NO_COLOR"); no && !no->empty()) return false;
  if (truthy(env, "FORCE_COLOR") || truthy(env, "CLICOLOR_FORCE")) return true;
  if (auto term = env("TERM"); term && *term == "dumb") return false;
  return is_tty;
}

OutputMode output_mode(const Terminal& terminal, const EnvLookup& env) {
  OutputMode mode;
  mode.github_actions = github_actions(env);
  const bool dumb = env("TERM") == std::optional<std::string>("dumb");
  // CI on a TTY (a runner's pseudo-terminal, `docker run -t`) still gets plain lines: its log is
  // read later, where redraws turn into thousands of lines.
  mode.live = terminal.stderr_tty && !dumb && !truthy(env, "CI") && !mode.github_actions;
  mode.colour = colour_enabled(terminal.stderr_tty, env);
  mode.width = columns(env, terminal.width);
  mode.height = rows(terminal, env);
  return mode;
}

bool pager_wanted(const Terminal& terminal, const EnvLookup& env, std::size_t lines) {
  const bool dumb = env("TERM") == std::optional<std::string>("dumb");
  // A CI log is read later and has nobody to press a key: paging there would only hang.
  if (!terminal.stdout_tty || dumb || truthy(env, "CI") || github_actions(env)) return false;
  const auto height = rows(terminal, env);
  return height > 0 && lines > height;
}

std::vector<std::string> pager_argv(const EnvLookup& env) {
  if (auto pager = env("PAGER")) {
    auto words = strings::split_whitespace(*pager);
    if (!words.empty()) return words;
  }
  // -F quits when the text fits one screen, -R passes the diff's colours, -X leaves it on screen.
  return {"less", "-FRX"};
}

std::string fit_line(std::string line, std::size_t width) {
  if (width > 0 && line.size() > width - 1) line.resize(width - 1);
  return line;
}

std::string progress_line(std::string_view what, std::size_t done, std::size_t total,
                          std::size_t width) {
  constexpr std::size_t k_bar = 30;
  const auto counts = fmt::format("{}/{}", done, total);
  const std::size_t room =
      width > 1 ? width - 1 : 0; // the last column would wrap on some terminals
  const std::size_t fixed = what.size() + 4 + counts.size(); // "what [" + "] " + counts
  if (fixed + 5 <= room) {
    const auto bar = std::min(k_bar, room - fixed);
    const auto filled = total == 0 ? bar : std::min(bar, done * bar / total);
    return fmt::format("{} [{}{}] {}", what, std::string(filled, '#'),
                       std::string(bar - filled, '.'), counts);
  }
  auto line = fmt::format("{} {}", what, counts);
  if (line.size() > room) {
    auto label = what.substr(0, room > counts.size() + 1 ? room - counts.size() - 1 : 0);
    line = fmt::format("{} {}", strings::trim(label), counts);
  }
  if (line.size() > room) line.resize(room);
  return line;
}

bool github_actions(const EnvLookup& env) {
  return env("GITHUB_ACTIONS") == std::optional<std::string>("true");
}

std::string paint(std::string_view text, Colour colour, bool enabled) {
  if (!enabled || colour == Colour::none) return std::string(text);
  const char* code = "";
  switch (colour) {
  case Colour::red:
    code = "\033[31m";
    break;
  case Colour::green:
    code = "\033[32m";
    break;
  case Colour::yellow:
    code = "\033[33m";
    break;
  case Colour::blue:
    code = "\033[34m";
    break;
  case Colour::bold:
    code = "\033[1m";
    break;
  case Colour::none:
    break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

std::string colour_diff(std::string_view diff, bool enabled) {
  if (!enabled) return std::string(diff);
  std::string out;
  while (!diff.empty()) {
    const auto nl = diff.find('\n');
    const auto line = diff.substr(0, nl);
    diff = nl == std::string_view::npos ? std::string_view() : diff.substr(nl + 1);
    const auto colour = line.starts_with("+++") || line.starts_with("---") ? Colour::bold
                        : line.starts_with("+")                            ? Colour::green
                        : line.starts_with("-")                            ? Colour::red
                        : line.starts_with("@@")                           ? Colour::blue
                                                                           : Colour::none;
    out += paint(line, colour, true);
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

void print_child_line(std::string_view line) {
  auto text = strings::strip_control(redact::text(line));
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

namespace {
// "%*" renders as nothing for info, "warning: " / "error: " / "debug: " otherwise, so plain
// progress reads like a CLI and problems stand out.
bool annotated(spdlog::level::level_enum level) {
  return level == spdlog::level::warn || level == spdlog::level::err ||
         level == spdlog::level::critical;
}

class LevelPrefix final : public spdlog::custom_flag_formatter {
public:
  explicit LevelPrefix(bool github) : m_github(github) {}
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (m_github && annotated(msg.level)) return; // the sink made it a workflow command
    std::string_view prefix;
    switch (msg.level) {
    case spdlog::level::trace:
      prefix = "trace: ";
      break;
    case spdlog::level::debug:
      prefix = "debug: ";
      break;
    case spdlog::level::warn:
      prefix = "warning: ";
      break;
    case spdlog::level::err:
      prefix = "error: ";
      break;
    case spdlog::level::critical:
      prefix = "error: ";
      break;
    default:
      break;
    }
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelPrefix>(m_github);
  }

private:
  bool m_github;
};
// Every log line passes through redact::text before any sink sees it: messages quote URLs, git
// errors and child output, and none of them may show a credential.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  RedactingSink(spdlog::sink_ptr inner, bool github)
      : m_inner(std::move(inner)), m_github(github) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string clean = redact::text(std::string_view(msg.payload.data(), msg.payload.size()));
    // On GitHub Actions warnings and errors become annotations on the run's page.
    if (m_github && annotated(msg.level)) {
      clean = msg.level == spdlog::level::warn ? github::warning_annotation(clean)
                                               : github::error_annotation({}, clean);
      clean.pop_back(); // the sink ends the line
    }
    spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, clean);
    m_inner->log(copy);
  }
  void flush_() override { m_inner->flush(); }
  void set_pattern_(const std::string& pattern) override { m_inner->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> f) override {
    m_inner->set_formatter(std::move(f));
  }

private:
  spdlog::sink_ptr m_inner;
  bool m_github;
};
} // namespace

void init_logging(bool verbose, bool colour, bool github_actions) {
  spdlog::drop("breeze"); // init_logging may run once per in-process cli::run (tests)
  spdlog::sink_ptr inner;
  if (colour)
    inner = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(
      "breeze", std::make_shared<RedactingSink>(inner, github_actions));
  spdlog::register_logger(logger);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelPrefix>('*', github_actions).set_pattern("%^%*%$%v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

Group::Group(std::ostream& out, std::string_view title, bool active)
    : m_out(out), m_active(active) {
  if (m_active) m_out << "::group::" << title << "\n" << std::flush;
}

Group::~Group() {
  if (m_active) m_out << "::endgroup::\n" << std::flush;
}

} // namespace breeze::console
