// breeze entry point: wire the real services, run the CLI. libcurl and libgit2 start on first use
// (CurlClient's first request, breeze::git::ensure_initialized): most commands never need them.
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/cli/app.hpp>
#include <breeze/http/curl_client.hpp>
#include <breeze/process/posix_runner.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <filesystem>
#include <iostream>

namespace {
int run_breeze(int argc, char** argv) {
  breeze::process::PosixRunner runner;
  breeze::process::TerminalPrompter prompter;
  breeze::http::CurlClient http({.cache_dir = breeze::files::cache_dir() / "http"});
  std::error_code ec;
  breeze::commands::Services services{runner, prompter, std::cout, breeze::config::process_env(),
                                      std::filesystem::current_path(ec), &http};
  const int code = breeze::cli::run({argv + 1, argv + argc}, services);
  std::cout.flush();
  return code;
}
} // namespace

int main(int argc, char** argv) {
  breeze::interrupt::install_handlers();
  return run_breeze(argc, argv);
}
