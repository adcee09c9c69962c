#pragma once

#include <string>

namespace breeze {

/// What went wrong, coarse enough to choose an exit code and a message prefix.
enum class ErrorKind {
  usage,       ///< the user asked for something impossible (exit 2)
  failure,     ///< the request was fine but the work failed (exit 1)
  not_found,   ///< a file, ref, package or URL that does not exist (exit 1)
  io,          ///< reading or writing a local file failed (exit 1)
  network,     ///< a transport failure talking to a server (exit 1)
  git,         ///< libgit2 reported an error (exit 1)
  process,     ///< a child process could not be started or was killed (exit 1)
  interrupted, ///< Ctrl-C (exit 130)
};

/// Process exit codes pinned by the e2e tests.
enum class ExitCode : int { ok = 0, failure = 1, usage = 2, interrupted = 130 };

/// The single error type every library layer returns inside Expected<T>.
struct Error {
  ErrorKind kind = ErrorKind::failure;
  std::string message; ///< one line, says what is wrong and, when known, what to do
  std::string context; ///< optional: where (file:line, URL, ref) — printed before the message

  /// "context: message" or just "message".
  [[nodiscard]] std::string what() const {
    return context.empty() ? message : context + ": " + message;
  }
};

/// Exit code that an error of this kind ends the program with.
[[nodiscard]] constexpr ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::usage:
    return ExitCode::usage;
  case ErrorKind::interrupted:
    return ExitCode::interrupted;
  default:
    return ExitCode::failure;
  }
}

/// Convenience constructors.
inline Error usage_error(std::string message, std::string context = {}) {
  return {ErrorKind::usage, std::move(message), std::move(context)};
}
inline Error failure(std::string message, std::string context = {}) {
  return {ErrorKind::failure, std::move(message), std::move(context)};
}

} // namespace breeze
