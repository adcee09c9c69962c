// breeze entry point: initialise curl once, wire the real services, run the CLI. libgit2 starts on
// first use (breeze::git::ensure_initialized): most commands never need it.
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/cli/app.hpp>
#include <breeze/http/curl_client.hpp>
#include <breeze/process/posix_runner.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <curl/curl.h>

#include <filesystem>
#include <iostream>

namespace {
// The services live in this scope so they are gone before the libraries are shut down.
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
  curl_global_init(CURL_GLOBAL_DEFAULT);
  breeze::interrupt::install_handlers();
  const int code = run_breeze(argc, argv);
  curl_global_cleanup();
  return code;
}
