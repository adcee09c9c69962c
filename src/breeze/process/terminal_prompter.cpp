#include <breeze/process/terminal_prompter.hpp>

#include <breeze/base/interrupt.hpp>

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <unistd.h>

namespace breeze::process {

Expected<prompt::Answer> TerminalPrompter::confirm(const std::string& question, prompt::Answer default_answer) {
  if (::isatty(STDIN_FILENO) == 0) {
    return usage_error(fmt::format("'{}' needs an answer, but there is no terminal to ask on: pass "
                                   "--answer yes (or no/quit), or set ANSWER",
                                   question));
  }
  const char* choices = default_answer == prompt::Answer::yes  ? "Y/n/q"
                        : default_answer == prompt::Answer::no ? "y/N/q"
                                                               : "y/n/Q";
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::cerr << question << " [" << choices << "] " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) {
      if (interrupt::requested()) return Error{ErrorKind::interrupted, "interrupted", {}};
      return prompt::Answer::quit; // end of input: treat as quit, never as consent
    }
    if (line.empty()) return default_answer;
    if (auto a = prompt::parse_answer(line)) return *a;
    std::cerr << "Please answer y (yes), n (no) or q (quit).\n";
  }
  return prompt::Answer::quit;
}

} // namespace breeze::process
