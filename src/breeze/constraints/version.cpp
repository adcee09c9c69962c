#include <breeze/constraints/version.hpp>

#include <breeze/base/strings.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>

// A hand-written equivalent of packaging's VERSION_PATTERN (re.VERBOSE | re.IGNORECASE):
//   v? (N!)? N(.N)* ([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?)?
//   (-N | [-_.]?(post|rev|r)[-_.]?N?)? ([-_.]?dev[-_.]?N?)? (+[a-z0-9]+([-_.][a-z0-9]+)*)?
// surrounded by \s*. A greedy scan gives the same answers as the backtracking regex because no
// optional part can steal text that a later part needs (checked against packaging 23.0 on a
// fuzzed corpus); std::regex was avoided because it is slow and its \s is ASCII-only.

namespace breeze::constraints {

namespace {

// What Python's str.isspace() (and so `\s` in packaging's regex) accepts beyond ASCII, in UTF-8.
constexpr std::array<std::string_view, 19> k_unicode_spaces = {
    "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
    "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
    "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
    "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80"};

bool is_ascii_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// Byte length of the whitespace character at the front (or back) of `s`; 0 when there is none.
std::size_t space_at(std::string_view s, bool back) {
  if (s.empty()) return 0;
  if (is_ascii_space(back ? s.back() : s.front())) return 1;
  for (auto sp : k_unicode_spaces)
    if (back ? s.ends_with(sp) : s.starts_with(sp)) return sp.size();
  return 0;
}

std::string_view strip_space(std::string_view s) {
  while (auto n = space_at(s, false))
    s.remove_prefix(n);
  while (auto n = space_at(s, true))
    s.remove_suffix(n);
  return s;
}

bool has_space(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (space_at(s.substr(i), false) != 0) return true;
  return false;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum_lower(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }

class Scanner {
public:
  explicit Scanner(std::string_view s) : m_s(s) {}
  [[nodiscard]] bool at_end() const { return m_pos == m_s.size(); }
  [[nodiscard]] std::size_t pos() const { return m_pos; }
  void reset(std::size_t pos) { m_pos = pos; }
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return m_pos + ahead < m_s.size() ? m_s[m_pos + ahead] : '\0';
  }
  bool accept(char c) {
    if (peek() != c) return false;
    ++m_pos;
    return true;
  }
  bool accept_sep() {
    if (!is_sep(peek())) return false;
    ++m_pos;
    return true;
  }
  /// Case-insensitive keyword.
  bool accept_word(std::string_view word) {
    if (m_s.size() - m_pos < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (lower(m_s[m_pos + i]) != word[i]) return false;
    m_pos += word.size();
    return true;
  }
  /// A run of ASCII digits; nullopt when there is none. `overflow` is set when it does not fit.
  std::optional<std::uint64_t> number(bool& overflow) {
    if (!is_digit(peek())) return std::nullopt;
    std::uint64_t value = 0;
    while (is_digit(peek())) {
      const auto digit = static_cast<std::uint64_t>(m_s[m_pos] - '0');
      if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
      value = value * 10 + digit;
      ++m_pos;
    }
    return value;
  }
  [[nodiscard]] std::string_view rest() const { return m_s.substr(m_pos); }
  void skip_to_end() { m_pos = m_s.size(); }

private:
  std::string_view m_s;
  std::size_t m_pos = 0;
};

// A local label is compared part by part: numbers numerically and above any letters.
std::vector<std::string> local_parts(const std::string& local) {
  return strings::split(local, '.');
}
bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::strong_ordering compare_local_part(const std::string& a, const std::string& b) {
  const bool na = is_number(a);
  const bool nb = is_number(b);
  if (na != nb) return na ? std::strong_ordering::greater : std::strong_ordering::less;
  if (na && a.size() != b.size()) return a.size() <=> b.size(); // leading zeros were stripped
  return a.compare(b) <=> 0;
}

std::strong_ordering compare_local(const std::optional<std::string>& a,
                                   const std::optional<std::string>& b) {
  if (!a || !b) return a.has_value() <=> b.has_value(); // no local sorts first
  const auto pa = local_parts(*a);
  const auto pb = local_parts(*b);
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i)
    if (auto c = compare_local_part(pa[i], pb[i]); c != 0) return c;
  return pa.size() <=> pb.size();
}

int pre_letter_rank(const std::string& letter) {
  if (letter == "a") return 0;
  if (letter == "b") return 1;
  return 2;
}

Error invalid_version(std::string_view text, std::string_view why = {}) {
  std::string msg = "invalid PEP 440 version '" + std::string(text) + "'";
  if (!why.empty()) msg += " (" + std::string(why) + ")";
  return usage_error(std::move(msg));
}

} // namespace

Expected<Version> Version::parse(std::string_view text) {
  const std::string_view body = strip_space(text);
  Scanner in(body);
  Version v;
  bool overflow = false;

  if (lower(in.peek()) == 'v') in.reset(1);
  auto first = in.number(overflow);
  if (!first) return invalid_version(text);
  if (in.accept('!')) {
    v.m_epoch = *first;
    first = in.number(overflow);
    if (!first) return invalid_version(text);
  }
  v.m_release.push_back(*first);
  while (in.peek() == '.' && is_digit(in.peek(1))) {
    in.accept('.');
    v.m_release.push_back(*in.number(overflow));
  }

  // Pre-release; the label order matters ("alpha" before "a", "preview" before "pre").
  {
    const auto start = in.pos();
    in.accept_sep();
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> k_labels = {{
        {"alpha", "a"},
        {"a", "a"},
        {"beta", "b"},
        {"b", "b"},
        {"preview", "rc"},
        {"pre", "rc"},
        {"c", "rc"},
        {"rc", "rc"},
    }};
    const std::string_view* normal = nullptr;
    for (const auto& [word, norm] : k_labels)
      if (in.accept_word(word)) {
        normal = &norm;
        break;
      }
    if (normal) {
      in.accept_sep();
      v.m_pre = std::make_pair(std::string(*normal), in.number(overflow).value_or(0));
    } else {
      in.reset(start);
    }
  }

  // Post-release: `-N` (implicit, as in `1.0-1`) or post/rev/r.
  {
    const auto start = in.pos();
    if (in.peek() == '-' && is_digit(in.peek(1))) {
      in.accept('-');
      v.m_post = in.number(overflow);
    } else {
      in.accept_sep();
      if (in.accept_word("post") || in.accept_word("rev") || in.accept_word("r")) {
        in.accept_sep();
        v.m_post = in.number(overflow).value_or(0);
      } else {
        in.reset(start);
      }
    }
  }

  // Dev release.
  {
    const auto start = in.pos();
    in.accept_sep();
    if (in.accept_word("dev")) {
      in.accept_sep();
      v.m_dev = in.number(overflow).value_or(0);
    } else {
      in.reset(start);
    }
  }

  // Local label: lower-cased, separators become ".", numeric parts lose leading zeros.
  if (in.accept('+')) {
    std::string local;
    std::string part;
    auto flush = [&]() {
      if (is_number(part)) {
        const auto nz = part.find_first_not_of('0');
        part = nz == std::string::npos ? "0" : part.substr(nz);
      }
      if (!local.empty()) local.push_back('.');
      local += part;
      part.clear();
    };
    while (true) {
      while (is_alnum_lower(lower(in.peek()))) {
        part.push_back(lower(in.peek()));
        in.reset(in.pos() + 1);
      }
      if (part.empty()) return invalid_version(text);
      flush();
      if (!in.accept_sep()) break;
    }
    v.m_local = std::move(local);
  }

  if (!in.at_end()) return invalid_version(text);
  if (overflow) return invalid_version(text, "number too large");
  return v;
}

std::string Version::public_version() const {
  std::string out = base_version();
  if (m_pre) out += m_pre->first + std::to_string(m_pre->second);
  if (m_post) out += ".post" + std::to_string(*m_post);
  if (m_dev) out += ".dev" + std::to_string(*m_dev);
  return out;
}

std::string Version::base_version() const {
  std::string out;
  if (m_epoch != 0) out += std::to_string(m_epoch) + "!";
  for (std::size_t i = 0; i < m_release.size(); ++i) {
    if (i) out.push_back('.');
    out += std::to_string(m_release[i]);
  }
  return out;
}

std::string Version::str() const {
  std::string out = public_version();
  if (m_local) out += "+" + *m_local;
  return out;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = a.m_epoch <=> b.m_epoch; c != 0) return c;

  // Trailing zeros do not count: 1.0 == 1.0.0.
  const auto n = std::max(a.m_release.size(), b.m_release.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = i < a.m_release.size() ? a.m_release[i] : 0;
    const auto y = i < b.m_release.size() ? b.m_release[i] : 0;
    if (auto c = x <=> y; c != 0) return c;
  }

  // packaging's _cmpkey: a bare dev release sorts before any pre-release of the same release
  // (1.0.dev0 < 1.0a1), and a final release after all of them.
  auto pre_key = [](const Version& v) {
    if (!v.m_pre && !v.m_post && v.m_dev) return std::tuple<int, int, std::uint64_t>{0, 0, 0};
    if (!v.m_pre) return std::tuple<int, int, std::uint64_t>{2, 0, 0};
    return std::tuple<int, int, std::uint64_t>{1, pre_letter_rank(v.m_pre->first), v.m_pre->second};
  };
  if (auto c = pre_key(a) <=> pre_key(b); c != 0) return c;

  auto post_key = [](const Version& v) {
    return std::pair<int, std::uint64_t>{v.m_post ? 1 : 0, v.m_post.value_or(0)};
  };
  if (auto c = post_key(a) <=> post_key(b); c != 0) return c;

  auto dev_key = [](const Version& v) {
    return std::pair<int, std::uint64_t>{v.m_dev ? 0 : 1, v.m_dev.value_or(0)};
  };
  if (auto c = dev_key(a) <=> dev_key(b); c != 0) return c;

  return compare_local(a.m_local, b.m_local);
}

// ---------------------------------------------------------------------------------------------
// Specifiers (packaging.specifiers.Specifier / SpecifierSet)

namespace {

Error invalid_specifier(std::string_view text, std::string_view why = {}) {
  std::string msg = "invalid version specifier '" + std::string(text) + "'";
  if (!why.empty()) msg += " (" + std::string(why) + ")";
  return usage_error(std::move(msg));
}

// The version a comparison uses once the local label is dropped.
Version public_of(const Version& v) { return *Version::parse(v.public_version()); }
Version base_of(const Version& v) { return *Version::parse(v.base_version()); }

// `==1.2.*`: epoch equal and the release, padded with zeros, starts with the first `count`
// numbers of `want`. Suffixes and the local label of `v` are ignored, as packaging does.
bool release_prefix_match(const Version& v, std::uint64_t epoch,
                          const std::vector<std::uint64_t>& want, std::size_t count) {
  if (v.epoch() != epoch) return false;
  const auto& rel = v.release();
  for (std::size_t i = 0; i < count; ++i)
    if ((i < rel.size() ? rel[i] : 0) != want[i]) return false;
  return true;
}

} // namespace

Expected<Specifier> Specifier::parse(std::string_view text) {
  const std::string_view body = strip_space(text);
  static constexpr std::array<std::string_view, 8> k_ops = {
      "===", "~=", "==", "!=", "<=", ">=", "<", ">"};
  std::string_view op;
  for (auto candidate : k_ops)
    if (body.starts_with(candidate)) {
      op = candidate;
      break;
    }
  if (op.empty()) return invalid_specifier(text, "expected one of == != <= >= < > ~= ===");
  const std::string_view version = strip_space(body.substr(op.size()));

  Specifier spec;
  spec.m_op = std::string(op);
  spec.m_version = std::string(version);

  if (op == "===") {
    // Arbitrary equality: anything without whitespace, `;` or `)`.
    if (has_space(version) || version.find_first_of(";)") != std::string_view::npos)
      return invalid_specifier(text);
    return spec;
  }
  if (has_space(version)) return invalid_specifier(text);

  if ((op == "==" || op == "!=") && version.ends_with(".*")) {
    auto prefix = Version::parse(version.substr(0, version.size() - 2));
    if (!prefix || prefix->pre() || prefix->post() || prefix->dev() || prefix->local())
      return invalid_specifier(text, "a wildcard follows the release number only, as in ==1.2.*");
    return spec;
  }
  auto v = Version::parse(version);
  if (!v) return invalid_specifier(text, "not a PEP 440 version");
  if (op != "==" && op != "!=" && v->local())
    return invalid_specifier(text, "a local version label is only allowed with == and !=");
  if (op == "~=" && v->release().size() < 2)
    return invalid_specifier(text, "~= needs at least two release numbers, as in ~=1.4");
  return spec;
}

bool Specifier::prereleases() const {
  if (m_op != "==" && m_op != ">=" && m_op != "<=" && m_op != "~=" && m_op != "===") return false;
  std::string_view version = m_version;
  if (m_op == "==" && version.ends_with(".*")) version.remove_suffix(2);
  auto v = Version::parse(version);
  return v && v->is_prerelease();
}

bool Specifier::matches(const Version& v) const {
  if (m_op == "===") return strings::to_lower(v.str()) == strings::to_lower(m_version);

  const bool wildcard = m_version.ends_with(".*");
  auto parsed =
      Version::parse(std::string_view(m_version).substr(0, m_version.size() - (wildcard ? 2 : 0)));
  if (!parsed)
    return false; // parse() validated it; only a default-constructed Specifier lands here
  const Version& spec = *parsed;

  if (m_op == "==" || m_op == "!=") {
    bool equal = false;
    if (wildcard)
      equal = release_prefix_match(v, spec.epoch(), spec.release(), spec.release().size());
    else
      equal = spec.local() ? v == spec : public_of(v) == spec;
    return m_op == "==" ? equal : !equal;
  }
  if (m_op == "~=") {
    // ~=1.4.5 means >=1.4.5, ==1.4.* (parse() guaranteed two release numbers or more).
    return public_of(v) >= spec &&
           release_prefix_match(v, spec.epoch(), spec.release(), spec.release().size() - 1);
  }
  if (m_op == "<=") return public_of(v) <= spec;
  if (m_op == ">=") return public_of(v) >= spec;
  if (m_op == "<") {
    if (!(v < spec)) return false;
    // <3.0 must not admit 3.0rc1 unless the specifier itself is a pre-release.
    return spec.is_prerelease() || !v.is_prerelease() || base_of(v) != base_of(spec);
  }
  if (m_op == ">") {
    if (!(v > spec)) return false;
    // >1.7 must not admit 1.7.post1 (unless asked for a post-release) nor 1.7+local.
    if (!spec.is_postrelease() && v.is_postrelease() && base_of(v) == base_of(spec)) return false;
    if (v.local() && base_of(v) == base_of(spec)) return false;
    return true;
  }
  return false;
}

bool Specifier::contains(const Version& v, bool prereleases) const {
  if (v.is_prerelease() && !(prereleases || this->prereleases())) return false;
  return matches(v);
}

bool Specifier::contains(std::string_view version, bool prereleases) const {
  auto v = Version::parse(version);
  if (m_op == "===") {
    if (v && v->is_prerelease() && !(prereleases || this->prereleases())) return false;
    return strings::to_lower(strip_space(version)) == strings::to_lower(m_version);
  }
  return v && contains(*v, prereleases);
}

Expected<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  for (const auto& piece : strings::split(text, ',')) {
    const auto trimmed = strip_space(piece);
    if (trimmed.empty()) continue;
    BREEZE_TRY(auto spec, Specifier::parse(trimmed));
    set.m_specs.push_back(std::move(spec));
  }
  return set;
}

bool SpecifierSet::contains(const Version& v, bool prereleases) const {
  // One specifier naming a pre-release lets pre-releases through the whole set (packaging).
  const bool allow = prereleases || std::any_of(m_specs.begin(), m_specs.end(),
                                                [](const Specifier& s) { return s.prereleases(); });
  if (v.is_prerelease() && !allow) return false;
  return std::all_of(m_specs.begin(), m_specs.end(),
                     [&](const Specifier& s) { return s.contains(v, allow); });
}

} // namespace breeze::constraints
