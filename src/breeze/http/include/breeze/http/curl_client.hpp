#pragma once

#include <breeze/http/client.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace breeze::http {

/// How the libcurl client is set up (once, in main or a test).
struct CurlClientOptions {
  /// On-disk HTTP cache; none: no caching. Created 0700 on first use; refused (one warning,
  /// caching off) when owned by another user or writable by others.
  std::optional<std::filesystem::path> cache_dir;
  std::string user_agent = std::string("breeze/") + BREEZE_VERSION;
};

/// Whether a redirect from `from` to `to` (absolute URLs) may be followed under `options`: only to
/// http(s), never https -> http, to the same host or one matching `options.redirect_hosts`. The
/// URL to fetch next, carrying `from`'s userinfo only when scheme, host and port are all the same
/// (credentials never go to another origin); otherwise a failure Error saying why (userinfo
/// stripped).
[[nodiscard]] Expected<std::string> redirect_target(const std::string& from, const std::string& to,
                                                    const BatchOptions& options);

/// The real client: one libcurl multi handle for the client's lifetime, so connections (and DNS,
/// TLS sessions) are reused across batches; HTTP/2 multiplexing where the server offers it;
/// bounded concurrency, a deadline per request (retries and backoff included), retries with
/// backoff honouring Retry-After, bounded bodies, checked redirects and the on-disk cache.
/// Single-threaded: the event loop runs inside get_all. Ctrl-C aborts the batch. curl_global_init
/// must have been called (main does it).
class CurlClient final : public Client {
public:
  explicit CurlClient(CurlClientOptions options = {});
  ~CurlClient() override;
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  [[nodiscard]] std::vector<Expected<Response>> get_all(const std::vector<Request>& requests,
                                                        const BatchOptions& options) override;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace breeze::http
