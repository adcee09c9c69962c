#pragma once

// Scanning helpers the checkout readers share (Python assignments, Dockerfile ARGs): one kind of
// line end, spaces, identifiers. Private to the config module.

#include <string>
#include <string_view>

namespace breeze::config::text_scan {

inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

// Both CRLF and lone CR become LF, and a UTF-8 byte order mark is dropped, so every reader below
// sees one kind of line end (checkouts made on Windows, or with core.autocrlf, have CRLF).
inline std::string normalize_newlines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

inline std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i]))
    ++i;
  return i;
}

inline std::string_view read_ident(std::string_view s, std::size_t& i) {
  const auto start = i;
  if (i < s.size() && is_ident_start(s[i])) {
    ++i;
    while (i < s.size() && is_ident_char(s[i]))
      ++i;
  }
  return s.substr(start, i - start);
}

} // namespace breeze::config::text_scan
