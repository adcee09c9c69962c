// breeze entry point: wire the real services, run the CLI. libcurl and libgit2 start on first use
// (CurlClient's first request, breeze::git::ensure_initialized): most commands never need them.
#include <breeze/base/console.hpp>
#include <breeze/base/env.hpp>
#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>
#include <breeze/cli/app.hpp>
#include <breeze/git/opener.hpp>
#include <breeze/http/curl_client.hpp>
#include <breeze/process/posix_runner.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

extern char** environ;

namespace {
// Secret values from the environment (GITHUB_TOKEN, *_PASSWORD, ...) are masked in everything
// printed; so are the values of secret options on the command line (--github-token X, --token=X).
void register_secrets(int argc, char** argv) {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos && breeze::redact::is_secret_name(entry.substr(0, eq)))
      breeze::redact::add_secret(entry.substr(eq + 1));
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (!arg.starts_with("--")) continue;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      if (breeze::redact::is_secret_name(arg.substr(0, eq)))
        breeze::redact::add_secret(arg.substr(eq + 1));
    } else if (breeze::redact::is_secret_name(arg) && i + 1 < argc) {
      breeze::redact::add_secret(argv[i + 1]);
    }
  }
}

// The HTTP cache, or none when no cache folder can be named (HOME unset and TMPDIR missing): a
// command that never downloads must still run, and one that does works uncached.
std::optional<std::filesystem::path> http_cache_dir() {
  try {
    return breeze::files::cache_dir(breeze::process_env()) / "http";
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int run_breeze(int argc, char** argv) {
  register_secrets(argc, argv);
  // stdout and stderr both go through the redactor (results, reports, progress, prompts).
  breeze::redact::RedactingStreambuf out_filter(std::cout.rdbuf());
  breeze::redact::RedactingStreambuf err_filter(std::cerr.rdbuf());
  auto* old_out = std::cout.rdbuf(&out_filter);
  auto* old_err = std::cerr.rdbuf(&err_filter);
  struct Restore {
    std::streambuf* out;
    std::streambuf* err;
    ~Restore() {
      std::cout.flush();
      std::cerr.flush();
      std::cout.rdbuf(out);
      std::cerr.rdbuf(err);
    }
  } restore{old_out, old_err};
  breeze::process::PosixRunner runner;
  breeze::process::TerminalPrompter prompter;
  breeze::http::CurlClient http({.cache_dir = http_cache_dir()});
  std::error_code ec;
  breeze::commands::Services services{runner,
                                      prompter,
                                      std::cout,
                                      std::cerr,
                                      breeze::process_env(),
                                      std::filesystem::current_path(ec),
                                      &http,
                                      breeze::console::detect_terminal(),
                                      [] { return breeze::time::now(); },
                                      &breeze::git::libgit2_opener()};
  const int code = breeze::cli::run({argv + 1, argv + argc}, services);
  std::cout.flush();
  return code;
}
} // namespace

int main(int argc, char** argv) {
  // The one catch: nothing below main lets an exception out on purpose, so one arriving here is a
  // bug; it ends breeze with one line and exit 1, never with abort()'s core dump (exit 134).
  try {
    breeze::interrupt::install_handlers();
    return run_breeze(argc, argv);
  } catch (const std::exception& e) {
    std::fputs(("breeze: internal error: " +
                breeze::strings::strip_control(breeze::redact::text(e.what())) + "\n")
                   .c_str(),
               stderr);
  } catch (...) {
    std::fputs("breeze: internal error: unknown exception\n", stderr);
  }
  return 1;
}
