#include <breeze/process/terminal_prompter.hpp>

#include <breeze/base/interrupt.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <optional>
#include <poll.h>
#include <string>

namespace breeze::process {

namespace {

enum class ReadEnd { line, eof, interrupted };

// Reads one line, waking up on Ctrl-C: the signal handler uses SA_RESTART, so a plain blocking read
// would keep waiting for Enter after the user pressed Ctrl-C.
ReadEnd read_line(int fd, std::string& line) {
  line.clear();
  while (true) {
    if (interrupt::requested()) return ReadEnd::interrupted;
    pollfd fds[2] = {{fd, POLLIN, 0}, {interrupt::wake_fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ReadEnd::eof;
    }
    if (fds[1].revents & POLLIN) return ReadEnd::interrupted;
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line.empty() ? ReadEnd::eof : ReadEnd::line;
    if (c == '\n') return ReadEnd::line;
    line.push_back(c);
  }
}

const char* choices(prompt::Answer default_answer) {
  switch (default_answer) {
  case prompt::Answer::yes:
    return "Y/n/q";
  case prompt::Answer::no:
    return "y/N/q";
  case prompt::Answer::quit:
    return "y/n/Q";
  }
  return "y/n/q";
}

} // namespace

Expected<prompt::Answer> TerminalPrompter::confirm(const std::string& question,
                                                   prompt::Answer default_answer) {
  if (::isatty(m_input_fd) == 0) {
    return usage_error(fmt::format("'{}' needs an answer, but there is no terminal to ask on: pass "
                                   "--answer yes (or no/quit), or set ANSWER",
                                   question));
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    m_err << question << " [" << choices(default_answer) << "] " << std::flush;
    std::string line;
    switch (read_line(m_input_fd, line)) {
    case ReadEnd::interrupted:
      m_err << "\n" << std::flush;
      return Error{ErrorKind::interrupted, "interrupted", {}};
    case ReadEnd::eof:
      m_err << "\n" << std::flush;
      return prompt::Answer::quit;
    case ReadEnd::line:
      break;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return default_answer;
    if (auto a = prompt::parse_answer(line)) return *a;
    m_err << "Please answer y (yes), n (no) or q (quit).\n";
  }
  return prompt::Answer::quit;
}

} // namespace breeze::process
