#pragma once

namespace breeze::interrupt {

/// Installs SIGINT/SIGTERM handlers that record the interrupt instead of killing breeze, so running
/// children (in their own process groups) can be stopped cleanly and breeze can exit 130.
void install_handlers();

/// True once Ctrl-C (SIGINT) or SIGTERM arrived.
[[nodiscard]] bool requested();

/// Records an interrupt (what the signal handler does; tests call it directly).
void request();

/// Clears the flag (tests; each in-process cli::run starts clean).
void reset();

/// A file descriptor that becomes readable when an interrupt is requested (self-pipe), for poll().
[[nodiscard]] int wake_fd();

} // namespace breeze::interrupt
