#pragma once

#include <breeze/base/expected.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace breeze::http {

/// Header names are compared case-insensitively; we store them lower-cased.
using Headers = std::map<std::string, std::string>;

/// One GET request.
struct Request {
  std::string url;
  Headers headers; ///< extra request headers, e.g. {"Accept", "application/json"}
};

/// What the server answered. A status >= 400 is data, not an error.
struct Response {
  long status = 0;
  Headers headers; ///< response headers, names lower-cased (the final response only)
  std::string body;
  bool from_cache = false; ///< served from the on-disk cache (fresh, or revalidated with a 304)
  int attempts = 0;        ///< requests actually sent (0 when the cache was fresh)

  /// The value of header `name` (lower-case), or empty.
  [[nodiscard]] std::string header(const std::string& name) const;
};

/// Called after each request of a batch finishes (successfully or not): (finished, total).
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

/// Default limit of a response body after decompression.
inline constexpr std::size_t k_default_max_response_size = std::size_t{64} << 20;

/// How a batch of requests is run.
struct BatchOptions {
  std::size_t parallelism = 32;              ///< requests in flight at once (>= 1)
  std::chrono::milliseconds timeout{30'000}; ///< per request: every attempt, redirect and backoff
  int max_retries = 3;                       ///< extra attempts on 429/5xx/transport errors
  std::chrono::milliseconds backoff{500};    ///< first retry delay; doubles each retry
  std::chrono::milliseconds max_retry_after{60'000}; ///< Retry-After values are capped at this
  std::size_t max_response_size = k_default_max_response_size; ///< body bytes after decompression
  int max_redirects = 5;                                       ///< hops per request
  /// Hosts other than the request's own that a redirect may lead to: exact names or `*.suffix`
  /// patterns (e.g. an index's file host). Redirects are only ever to http(s), never https -> http.
  std::vector<std::string> redirect_hosts;
  bool use_cache = true;  ///< false: --no-cache (neither read nor write)
  ProgressFn on_progress; ///< optional
};

/// An HTTP client. The libcurl one is real; tests use recorded fakes.
class Client {
public:
  virtual ~Client() = default;

  /// Runs all `requests` (GET) and returns one result per request, in the same order. A transport
  /// failure that persists after the retries, or the deadline passing, is an Error (kind network)
  /// naming the URL (userinfo stripped); a body over the size limit or a refused redirect is an
  /// Error of kind failure; every HTTP status, including 4xx/5xx after the retries, is a Response.
  [[nodiscard]] virtual std::vector<Expected<Response>>
  get_all(const std::vector<Request>& requests, const BatchOptions& options) = 0;

  /// One GET (a batch of one).
  [[nodiscard]] Expected<Response> get(const Request& request, const BatchOptions& options);
};

/// True for statuses worth retrying: 429 and 5xx.
[[nodiscard]] bool is_retryable_status(long status);

/// Parses a Retry-After value (delta-seconds or an HTTP-date, relative to `now`); nullopt when
/// it is neither.
[[nodiscard]] std::optional<std::chrono::milliseconds>
parse_retry_after(const std::string& value, std::chrono::system_clock::time_point now);

} // namespace breeze::http
