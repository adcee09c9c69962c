#include <breeze/base/interrupt.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace breeze::interrupt {

namespace {
std::atomic<bool> g_requested{false};
int g_pipe[2] = {-1, -1};
std::once_flag g_pipe_once;

void make_pipe() {
  std::call_once(g_pipe_once, [] {
    // Non-blocking: a full pipe (many signals) must not block the handler; one byte is enough.
    [[maybe_unused]] int rc = ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK);
  });
}

extern "C" void on_signal(int) {
  // Only async-signal-safe work here: an atomic store and a write(). errno is saved because the
  // interrupted code may be about to read it.
  const int saved_errno = errno;
  g_requested.store(true);
  if (g_pipe[1] >= 0) {
    char c = 1;
    [[maybe_unused]] auto n = ::write(g_pipe[1], &c, 1);
  }
  errno = saved_errno;
}
} // namespace

void install_handlers() {
  make_pipe();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool requested() { return g_requested.load(); }

void request() {
  make_pipe();
  on_signal(SIGINT);
}

void reset() {
  make_pipe();
  g_requested.store(false);
  char buf[64];
  while (::read(g_pipe[0], buf, sizeof buf) > 0) {
  }
}

int wake_fd() {
  make_pipe();
  return g_pipe[0];
}

} // namespace breeze::interrupt
