#include <breeze/base/redact.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace breeze::redact {

namespace {

std::mutex g_mutex;
std::vector<std::string> g_secrets; // longest first, so a secret containing another is masked whole

// Characters that end a URL's authority in running text (and in the URL itself: '/', '?', '#').
bool ends_authority(char c) {
  switch (c) {
  case '/':
  case '?':
  case '#':
  case '"':
  case '\'':
  case '<':
  case '>':
  case '`':
  case '\\':
    return true;
  default:
    return std::isspace(static_cast<unsigned char>(c)) != 0;
  }
}

std::string strip_userinfo(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t copied = 0;
  std::size_t pos = 0;
  while ((pos = in.find("://", pos)) != std::string_view::npos) {
    const std::size_t start = pos + 3;
    std::size_t end = start;
    while (end < in.size() && !ends_authority(in[end]))
      ++end;
    const auto authority = in.substr(start, end - start);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      out.append(in.substr(copied, start - copied));
      copied = start + at + 1;
    }
    pos = end;
  }
  out.append(in.substr(copied));
  return out;
}

} // namespace

bool is_secret_name(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const char* word : {"TOKEN", "PASSWORD", "PASSWD", "SECRET"})
    if (upper.find(word) != std::string::npos) return true;
  return false;
}

std::string url(std::string_view u) { return strip_userinfo(u); }

std::string text(std::string_view t) {
  std::string out = strip_userinfo(t);
  std::lock_guard lock(g_mutex);
  for (const auto& secret : g_secrets) {
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

void add_secret(std::string_view value) {
  if (value.size() < 4) return;
  std::lock_guard lock(g_mutex);
  if (std::find(g_secrets.begin(), g_secrets.end(), value) != g_secrets.end()) return;
  g_secrets.emplace_back(value);
  std::stable_sort(g_secrets.begin(), g_secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void clear_secrets() {
  std::lock_guard lock(g_mutex);
  g_secrets.clear();
}

RedactingStreambuf::~RedactingStreambuf() { emit(); }

void RedactingStreambuf::emit() {
  if (m_pending.empty()) return;
  const std::string clean = text(m_pending);
  m_target->sputn(clean.data(), static_cast<std::streamsize>(clean.size()));
  m_pending.clear();
}

RedactingStreambuf::int_type RedactingStreambuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  m_pending.push_back(c);
  if (c == '\n' || c == '\r') emit();
  return ch;
}

std::streamsize RedactingStreambuf::xsputn(const char* s, std::streamsize n) {
  // Whole lines go out at once; a partial line waits for its end (or a flush), so a URL is
  // never split between two redactions.
  m_pending.append(s, static_cast<std::size_t>(n));
  const auto last = m_pending.find_last_of("\n\r");
  if (last != std::string::npos) {
    std::string rest = m_pending.substr(last + 1);
    m_pending.resize(last + 1);
    emit();
    m_pending = std::move(rest);
  }
  return n;
}

int RedactingStreambuf::sync() {
  emit();
  return m_target->pubsync();
}

} // namespace breeze::redact
