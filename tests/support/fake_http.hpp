#pragma once

// A recorded HTTP client: answers from a URL -> response table, records every request, and fails
// the test on any URL it was not told about.

#include <breeze/http/client.hpp>

#include <map>
#include <string>
#include <vector>

namespace breeze::test {

class FakeHttp final : public http::Client {
public:
  /// URL -> what to answer (a Response, or an Error for a transport failure).
  std::map<std::string, Expected<http::Response>> routes;
  /// Every request made, in order.
  std::vector<http::Request> requests;
  /// Options of the last batch.
  http::BatchOptions last_options;

  /// Answers `url` with `status` and `body`.
  void on(const std::string& url, long status, std::string body, http::Headers headers = {});
  /// Answers `url` with a transport failure.
  void fail(const std::string& url, std::string message);

  [[nodiscard]] std::vector<Expected<http::Response>>
  get_all(const std::vector<http::Request>& reqs, const http::BatchOptions& options) override;
};

} // namespace breeze::test
