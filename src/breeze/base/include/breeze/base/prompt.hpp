#pragma once

#include <breeze/base/expected.hpp>

#include <optional>
#include <string>

namespace breeze::prompt {

/// Breeze's answers to a confirmation: y/N/q.
enum class Answer { yes, no, quit };

/// Parses `y`, `yes`, `n`, `no`, `q`, `quit` (any case); nullopt otherwise.
[[nodiscard]] std::optional<Answer> parse_answer(const std::string& text);

/// Asks the user to confirm. Implementations: a terminal one, and fakes in tests.
class Prompter {
public:
  virtual ~Prompter() = default;
  /// Asks `question`; `default_answer` is what Enter means (shown in capitals).
  /// With a forced answer (--answer / ANSWER) it says so and returns it without reading input.
  /// Without a TTY and without a forced answer it returns a usage Error telling the user to pass
  /// --answer — it never hangs.
  [[nodiscard]] virtual Expected<Answer> confirm(const std::string& question,
                                                 Answer default_answer) = 0;
};

} // namespace breeze::prompt
