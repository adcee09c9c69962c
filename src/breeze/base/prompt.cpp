#include <breeze/base/prompt.hpp>

#include <breeze/base/strings.hpp>

namespace breeze::prompt {

std::optional<Answer> parse_answer(const std::string& text) {
  const auto t = strings::to_lower(strings::trim(text));
  if (t == "y" || t == "yes") return Answer::yes;
  if (t == "n" || t == "no") return Answer::no;
  if (t == "q" || t == "quit") return Answer::quit;
  return std::nullopt;
}

} // namespace breeze::prompt
