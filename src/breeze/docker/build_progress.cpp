#include <breeze/docker/build_progress.hpp>

#include <breeze/base/strings.hpp>

#include <regex>

namespace breeze::docker {

namespace {
constexpr std::size_t k_step_limit = 100; // a summary cell, not the whole RUN line
std::string cut(std::string text) {
  text = strings::strip_control(text);
  if (text.size() > k_step_limit) text = text.substr(0, k_step_limit - 3) + "...";
  return text;
}
} // namespace

void BuildProgress::feed(std::string_view line) {
  // `#5 [ 2/10] RUN ...` / `#5 [stage-1 2/10] COPY ...` / `#1 [internal] load build definition`.
  static const std::regex step(R"(^#(\d+) (\[[^\]]+\].*)$)");
  static const std::regex error(R"(^#(\d+) ERROR\b)");
  static const std::regex classic(R"(^(Step \d+/\d+ : .*)$)");
  const std::string text(strings::trim(line));
  std::smatch m;
  if (std::regex_match(text, m, step)) {
    m_steps[m[1].str()] = cut(m[2].str());
    m_last = cut(m[2].str());
  } else if (std::regex_search(text, m, error)) {
    if (m_failed) return;
    const auto it = m_steps.find(m[1].str());
    m_failed = it != m_steps.end() ? std::optional(it->second) : m_last;
  } else if (std::regex_match(text, m, classic)) {
    m_last = cut(m[1].str());
  }
}

std::optional<std::string> BuildProgress::last_step() const { return m_last; }

std::optional<std::string> BuildProgress::failed_step() const { return m_failed; }

} // namespace breeze::docker
