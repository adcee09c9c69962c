#include <breeze/constraints/constraints_file.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/names.hpp>
#include <breeze/constraints/version.hpp>

namespace breeze::constraints {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_' || c == '.';
}

std::size_t skip_blanks(std::string_view s, std::size_t i) {
  while (i < s.size() && is_blank(s[i]))
    ++i;
  return i;
}

// What may follow a requirement from position `i` on: nothing, a `# comment`, or `; marker`
// (optionally with a comment). Returns the trimmed marker ("" when none), nullopt for anything
// else (`==1.0,<2`, `==1.0 junk`), which makes the line `other`.
std::optional<std::string> marker_from(std::string_view s, std::size_t i) {
  i = skip_blanks(s, i);
  if (i == s.size() || s[i] == '#') return std::string();
  if (s[i] != ';') return std::nullopt;
  auto rest = s.substr(i + 1);
  rest = rest.substr(0, rest.find('#'));
  return std::string(strings::trim(rest));
}

// Decides what a line is. Anything not clearly a pin or a direct reference stays `other`, so it
// is written back untouched and never edited.
void classify(Line& line) {
  line.name.clear();
  line.version.clear();
  line.marker.clear();
  line.version_pos = 0;
  const std::string_view t = line.text;
  const auto trimmed = strings::trim(t);
  if (trimmed.empty()) {
    line.kind = Line::Kind::blank;
    return;
  }
  if (trimmed.front() == '#') { // even `# pip install "apache-airflow==X.Y.Z"`
    line.kind = Line::Kind::comment;
    return;
  }
  line.kind = Line::Kind::other;

  std::size_t i = skip_blanks(t, 0);
  const std::size_t name_start = i;
  while (i < t.size() && is_name_char(t[i]))
    ++i;
  const auto name = t.substr(name_start, i - name_start);
  if (!is_valid_name(name)) return;
  i = skip_blanks(t, i);
  if (i < t.size() && t[i] == '[') { // extras: `apache-airflow[celery]==2.7.1`
    const auto close = t.find(']', i);
    if (close == std::string_view::npos) return;
    i = skip_blanks(t, close + 1);
  }

  const auto rest = t.substr(i);
  if (rest.starts_with("==") && !rest.starts_with("===")) {
    i = skip_blanks(t, i + 2);
    const std::size_t version_start = i;
    while (i < t.size() && !is_blank(t[i]) && t[i] != ';' && t[i] != '#' && t[i] != ',')
      ++i;
    const auto version = t.substr(version_start, i - version_start);
    // `==1.2.*` is a range, not a pin; `==1.0,<2` (checked below) is not one either.
    if (version.empty() || version.find('*') != std::string_view::npos) return;
    auto marker = marker_from(t, i);
    if (!marker) return;
    line.kind = Line::Kind::pin;
    line.name = std::string(name);
    line.version = std::string(version);
    line.version_pos = version_start;
    line.marker = std::move(*marker);
    return;
  }
  if (rest.starts_with("@")) {
    i = skip_blanks(t, i + 1);
    const std::size_t url_start = i;
    while (i < t.size() && !is_blank(t[i]))
      ++i;
    if (i == url_start) return;
    auto marker = marker_from(t, i);
    if (!marker) return;
    line.kind = Line::Kind::url;
    line.name = std::string(name);
    line.marker = std::move(*marker);
  }
}

Line make_line(std::string_view text, std::string terminator) {
  Line line;
  line.text = std::string(text);
  line.terminator = std::move(terminator);
  classify(line);
  return line;
}

// New lines follow the file's own convention (CRLF files stay CRLF).
std::string file_terminator(const std::vector<Line>& lines) {
  for (const auto& line : lines)
    if (!line.terminator.empty()) return line.terminator;
  return "\n";
}

// Inserts `texts` as lines at `pos`. Appending to a file whose last line has no newline keeps
// it that way: the old last line gets a terminator and the new last line goes without.
void insert_lines(std::vector<Line>& lines, std::size_t pos,
                  const std::vector<std::string>& texts) {
  if (texts.empty()) return;
  const auto term = file_terminator(lines);
  std::vector<Line> added;
  for (const auto& text : texts)
    added.push_back(make_line(text, term));
  if (pos == lines.size() && !lines.empty() && lines.back().terminator.empty()) {
    lines.back().terminator = term;
    added.back().terminator.clear();
  }
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(pos), added.begin(), added.end());
}

std::optional<std::size_t> first_pin(const std::vector<Line>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].kind == Line::Kind::pin) return i;
  return std::nullopt;
}

std::optional<std::size_t> last_pin(const std::vector<Line>& lines) {
  for (std::size_t i = lines.size(); i-- > 0;)
    if (lines[i].kind == Line::Kind::pin) return i;
  return std::nullopt;
}

} // namespace

ConstraintsFile ConstraintsFile::parse(std::string_view text) {
  ConstraintsFile file;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      file.m_lines.push_back(make_line(text.substr(start), ""));
      break;
    }
    const bool crlf = nl > start && text[nl - 1] == '\r';
    const auto end = crlf ? nl - 1 : nl;
    file.m_lines.push_back(make_line(text.substr(start, end - start), crlf ? "\r\n" : "\n"));
    start = nl + 1;
  }
  return file;
}

std::string ConstraintsFile::str() const {
  std::string out;
  for (const auto& line : m_lines)
    out += line.text + line.terminator;
  return out;
}

std::vector<Pin> ConstraintsFile::pins() const {
  std::vector<Pin> out;
  for (std::size_t i = 0; i < m_lines.size(); ++i)
    if (m_lines[i].kind == Line::Kind::pin)
      out.push_back({m_lines[i].name, m_lines[i].version, m_lines[i].marker, i});
  return out;
}

std::string ConstraintsFile::header() const {
  std::string out;
  for (const auto& line : m_lines) {
    if (line.kind != Line::Kind::comment && line.kind != Line::Kind::blank) break;
    out += line.text + line.terminator;
  }
  return out;
}

std::optional<time::Instant> ConstraintsFile::generated_at() const {
  static constexpr std::string_view k_marker = "generated on ";
  for (const auto& line : m_lines) {
    if (line.kind != Line::Kind::comment && line.kind != Line::Kind::blank) break;
    const auto at = line.text.find(k_marker);
    if (at == std::string::npos) continue;
    const auto words = strings::split_whitespace(line.text.substr(at + k_marker.size()));
    if (words.empty()) continue;
    std::string_view stamp = words.front();
    while (!stamp.empty() && (stamp.back() == '.' || stamp.back() == ','))
      stamp.remove_suffix(1);
    if (auto t = time::parse_iso8601(stamp)) return *t;
  }
  return std::nullopt;
}

const Line* ConstraintsFile::find(std::string_view name) const {
  const auto wanted = canonicalize_name(name);
  for (const auto& line : m_lines)
    if (line.kind == Line::Kind::pin && canonicalize_name(line.name) == wanted) return &line;
  return nullptr;
}

Expected<Replacement> ConstraintsFile::set_version(std::string_view name,
                                                   std::string_view version) {
  // The text goes into the file verbatim, so it must be one clean PEP 440 token.
  const bool clean = version.find_first_of(" \t\r\n\f\v;#,") == std::string_view::npos;
  if (!clean || !Version::parse(version))
    return usage_error("invalid version '" + std::string(version) + "' for " + std::string(name));

  const auto wanted = canonicalize_name(name);
  std::optional<Replacement> result;
  for (auto& line : m_lines) {
    if (line.kind != Line::Kind::pin || canonicalize_name(line.name) != wanted) continue;
    if (!result) result = Replacement{line.name, line.version, 0, line.name != name};
    if (line.version == version) continue;
    line.text.replace(line.version_pos, line.version.size(), version);
    line.version = std::string(version);
    ++result->lines_changed;
  }
  if (!result)
    return Error{
        ErrorKind::not_found, "no pin for '" + std::string(name) + "' in the constraints file", {}};
  return *result;
}

void ConstraintsFile::add_pin(std::string_view name, std::string_view version) {
  const auto after = last_pin(m_lines);
  insert_lines(m_lines, after ? *after + 1 : m_lines.size(),
               {std::string(name) + "==" + std::string(version)});
}

void ConstraintsFile::insert_before_first_pin(std::string_view text) {
  std::vector<std::string> texts;
  if (!text.empty()) {
    texts = strings::split(text, '\n');
    if (text.back() == '\n') texts.pop_back(); // "a\n" is one line, not two
    for (auto& t : texts)
      if (!t.empty() && t.back() == '\r') t.pop_back();
  }
  const auto before = first_pin(m_lines);
  insert_lines(m_lines, before ? *before : m_lines.size(), texts);
}

} // namespace breeze::constraints
