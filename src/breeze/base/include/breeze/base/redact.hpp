#pragma once

// One place that decides what a secret looks like in printed text. Everything breeze prints or
// writes for people to read (log lines, stdout/stderr, JSON reports, restore journals, probe and
// build logs) goes through text(): URL userinfo is stripped and registered secret values become
// ***.

#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

namespace breeze::redact {

/// True for environment variable names that hold secrets (GITHUB_TOKEN, *_TOKEN, *PASSWORD*,
/// *PASSWD*, *SECRET*).
[[nodiscard]] bool is_secret_name(std::string_view name);

/// `url` without its userinfo: "https://x-access-token:T@github.com/a" -> "https://github.com/a".
/// Text that is not a URL comes back unchanged.
[[nodiscard]] std::string url(std::string_view url);

/// `text` with the userinfo of every URL in it stripped and every registered secret replaced by
/// ***.
[[nodiscard]] std::string text(std::string_view text);

/// Registers a value that text() must mask from now on (process-wide, thread-safe). Values shorter
/// than 4 characters are ignored: masking "1" or "yes" would garble every line.
void add_secret(std::string_view value);

/// Forgets every registered secret (tests that register their own start clean).
void clear_secrets();

/// A streambuf that forwards to `target` with text() applied, a line (or a `\r`-ended redraw) at a
/// time, and on every flush. Install it on std::cout/std::cerr so nothing printed escapes.
class RedactingStreambuf final : public std::streambuf {
public:
  explicit RedactingStreambuf(std::streambuf* target) : m_target(target) {}
  RedactingStreambuf(const RedactingStreambuf&) = delete;
  RedactingStreambuf& operator=(const RedactingStreambuf&) = delete;
  ~RedactingStreambuf() override;

protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

private:
  void emit();
  std::streambuf* m_target;
  std::string m_pending;
};

} // namespace breeze::redact
