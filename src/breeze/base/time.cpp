#include <breeze/base/time.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace breeze::time {

namespace {

// Reads exactly `width` digits at `pos`; advances pos. Hand-written because libstdc++ 12 has no
// std::chrono::parse and the formats we accept are few and fixed.
bool read_digits(std::string_view s, std::size_t& pos, int width, int& out) {
  if (pos + static_cast<std::size_t>(width) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < width; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(width);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

} // namespace

Expected<Instant> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  const std::string original(text);
  auto bad = [&] {
    return Error{
        ErrorKind::usage,
        fmt::format("'{}' is not a date-time (expected e.g. 2023-08-09T21:48:23Z)", original),
        {}};
  };
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);

  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, d))
    return bad();
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();

  microseconds frac{0};
  minutes offset{0};
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    ++pos;
    if (!read_digits(text, pos, 2, h) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mi))
      return bad();
    if (expect(text, pos, ':') && !read_digits(text, pos, 2, sec)) return bad();
    if (h > 23 || mi > 59 || sec > 60) return bad();
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::int64_t us = 0;
      int digits = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (digits < 6) us = us * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return bad();
      for (int i = digits; i < 6; ++i)
        us *= 10;
      frac = microseconds{us};
    }
    if (pos < text.size()) {
      char c = text[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh)) return bad();
        expect(text, pos, ':');
        if (pos < text.size() && !read_digits(text, pos, 2, om)) return bad();
        offset = hours{oh} + minutes{om};
        if (c == '-') offset = -offset;
      }
    }
  }
  if (pos != text.size()) return bad();
  return Instant{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec} + frac - offset;
}

namespace {

// The UTC calendar time of `t`, to the second (floor: 23:59:59.9 is still 23:59:59).
std::tm utc(Instant t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  return fmt::gmtime(static_cast<std::time_t>(secs.time_since_epoch().count()));
}

} // namespace

std::string format_human(Instant t) { return fmt::format("{:%Y-%m-%d %H:%M:%S}", utc(t)); }

std::string format_iso_z(Instant t) { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc(t)); }

Instant now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

} // namespace breeze::time
