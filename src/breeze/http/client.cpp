#include <breeze/http/client.hpp>

#include <breeze/base/strings.hpp>

#include <cctype>
#include <ctime>

namespace breeze::http {

std::string Response::header(const std::string& name) const {
  auto it = headers.find(strings::to_lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Expected<Response> Client::get(const Request& request, const BatchOptions& options) {
  auto results = get_all({request}, options);
  return std::move(results.front());
}

bool is_retryable_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

std::optional<std::chrono::milliseconds>
parse_retry_after(const std::string& value, std::chrono::system_clock::time_point now) {
  const auto v = strings::trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (v.size() > 9) return std::chrono::hours(24); // absurd; the caller caps it anyway
    return std::chrono::seconds(std::stol(std::string(v)));
  }
  // An HTTP-date (IMF-fixdate), e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const std::string s(v);
  if (::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(::timegm(&tm));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

} // namespace breeze::http
