#pragma once

#include <breeze/base/prompt.hpp>

#include <cstdio>

namespace breeze::process {

/// Asks on the controlling terminal (question on stderr, answer from stdin). Without a TTY on stdin
/// it returns a usage error telling the user to pass --answer, instead of hanging.
class TerminalPrompter final : public prompt::Prompter {
public:
  [[nodiscard]] Expected<prompt::Answer> confirm(const std::string& question,
                                                 prompt::Answer default_answer) override;
};

} // namespace breeze::process
