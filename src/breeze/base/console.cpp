#include <breeze/base/console.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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
  return t;
}

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) != 0; }

bool colour_enabled(bool is_tty, const EnvLookup& env) {
  if (auto no = env("NO_COLOR"); no && !no->empty()) return false;
  if (auto term = env("TERM"); term && *term == "dumb") return false;
  return is_tty;
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

void print_child_line(std::string_view line) {
  auto text = strings::strip_control(redact::text(line));
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

namespace {
// "%*" renders as nothing for info, "warning: " / "error: " / "debug: " otherwise, so plain
// progress reads like a CLI and problems stand out.
class LevelPrefix final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
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
    return std::make_unique<LevelPrefix>();
  }
};
// Every log line passes through redact::text before any sink sees it: messages quote URLs, git
// errors and child output, and none of them may show a credential.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit RedactingSink(spdlog::sink_ptr inner) : m_inner(std::move(inner)) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string clean =
        redact::text(std::string_view(msg.payload.data(), msg.payload.size()));
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
};
} // namespace

void init_logging(bool verbose, bool colour) {
  spdlog::drop("breeze"); // init_logging may run once per in-process cli::run (tests)
  spdlog::sink_ptr inner;
  if (colour)
    inner = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    inner = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("breeze", std::make_shared<RedactingSink>(inner));
  spdlog::register_logger(logger);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelPrefix>('*').set_pattern("%^%*%$%v");
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
