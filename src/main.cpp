// breeze entry point: initialise global libraries once, wire the real services, run the CLI.
#include <breeze/base/interrupt.hpp>
#include <breeze/cli/app.hpp>
#include <breeze/process/posix_runner.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <curl/curl.h>
#include <git2.h>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  git_libgit2_init();
  breeze::interrupt::install_handlers();

  breeze::process::PosixRunner runner;
  breeze::process::TerminalPrompter prompter;
  std::error_code ec;
  breeze::commands::Services services{runner, prompter, std::cout, breeze::config::process_env(),
                                      std::filesystem::current_path(ec)};
  const int code = breeze::cli::run({argv + 1, argv + argc}, services);
  std::cout.flush();

  git_libgit2_shutdown();
  curl_global_cleanup();
  return code;
}
