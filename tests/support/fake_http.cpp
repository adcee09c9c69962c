#include <support/fake_http.hpp>

#include <support/catch.hpp>

namespace breeze::test {

void FakeHttp::on(const std::string& url, long status, std::string body, http::Headers headers) {
  routes.insert_or_assign(url,
                          http::Response{status, std::move(headers), std::move(body), false, 1});
}

void FakeHttp::fail(const std::string& url, std::string message) {
  routes.insert_or_assign(url, Error{ErrorKind::network, std::move(message), url});
}

std::vector<Expected<http::Response>> FakeHttp::get_all(const std::vector<http::Request>& reqs,
                                                        const http::BatchOptions& options) {
  last_options = options;
  std::vector<Expected<http::Response>> out;
  std::size_t done = 0;
  for (const auto& r : reqs) {
    requests.push_back(r);
    auto it = routes.find(r.url);
    if (it == routes.end()) {
      FAIL_CHECK("unexpected HTTP request: " << r.url);
      out.push_back(Error{ErrorKind::network, "no route in the fake", r.url});
    } else {
      out.push_back(it->second);
    }
    if (options.on_progress) options.on_progress(++done, reqs.size());
  }
  return out;
}

} // namespace breeze::test
