#pragma once

#include <breeze/base/prompt.hpp>

#include <iostream>
#include <ostream>
#include <unistd.h>

namespace breeze::process {

/// Asks on the controlling terminal (question on `err`, answer read from `input_fd`). Without a TTY
/// on `input_fd` it returns a usage error telling the user to pass --answer, instead of hanging.
/// Ctrl-C while it waits is an interrupted Error; end of input counts as quit, never as consent.
class TerminalPrompter final : public prompt::Prompter {
public:
  explicit TerminalPrompter(int input_fd = STDIN_FILENO, std::ostream& err = std::cerr)
      : m_input_fd(input_fd), m_err(err) {}
  [[nodiscard]] Expected<prompt::Answer> confirm(const std::string& question,
                                                 prompt::Answer default_answer) override;

private:
  int m_input_fd;
  std::ostream& m_err;
};

} // namespace breeze::process
