#pragma once

#include <breeze/http/client.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace breeze::http {

/// How the libcurl client is set up (once, in main or a test).
struct CurlClientOptions {
  std::optional<std::filesystem::path> cache_dir; ///< on-disk HTTP cache; none: no caching
  std::string user_agent = std::string("breeze/") + BREEZE_VERSION;
};

/// The real client: one libcurl multi handle for the client's lifetime, so connections (and DNS,
/// TLS sessions) are reused across batches; HTTP/2 multiplexing where the server offers it;
/// bounded concurrency, per-attempt timeouts, retries with backoff honouring Retry-After, and the
/// on-disk cache. Single-threaded: the event loop runs inside get_all. Ctrl-C aborts the batch.
/// curl_global_init must have been called (main does it).
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
