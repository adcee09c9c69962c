#include <breeze/config/checkout.hpp>

#include "text_scan.hpp"

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <system_error>

namespace breeze::config {

namespace fs = std::filesystem;
using text_scan::is_ident_char;
using text_scan::is_space;
using text_scan::normalize_newlines;
using text_scan::read_ident;

namespace {

// Reads one Python file of the checkout: nullopt when it does not exist.
Expected<std::optional<PythonAssignments>> read_module(const fs::path& root,
                                                       std::string_view relative) {
  auto text = files::read(root / relative);
  if (!text) {
    if (text.error().kind == ErrorKind::not_found) return std::optional<PythonAssignments>{};
    return text.error();
  }
  return std::optional<PythonAssignments>{parse_python_assignments(*text, fs::path(relative))};
}

enum class Want { string, list };

// Takes `name` from `module` into `field`, or explains in `unknown_forms` why it could not.
void take(const std::optional<PythonAssignments>& module, const std::string& name, Want want,
          std::optional<CheckoutValue>& field, std::vector<std::string>& unknown_forms) {
  if (!module) return;
  if (const auto* v = module->find(name)) {
    if (v->is_list == (want == Want::list)) {
      field = *v;
      return;
    }
    unknown_forms.push_back(fmt::format("{}: {}: unsupported form ({} where {} is expected)",
                                        v->where(), name, v->is_list ? "a list" : "a string",
                                        want == Want::list ? "a list" : "a string"));
    return;
  }
  // The last unknown form of the name decided that it has no value.
  for (std::size_t i = module->unknown_names.size(); i-- > 0;) {
    if (module->unknown_names[i] == name) {
      unknown_forms.push_back(module->unknown_forms[i]);
      return;
    }
  }
}

} // namespace

Expected<CheckoutDefaults> read_checkout_defaults(const fs::path& sources_root) {
  CheckoutDefaults d;
  BREEZE_TRY(auto constants, read_module(sources_root, k_global_constants_py));
  BREEZE_TRY(auto branch, read_module(sources_root, k_branch_defaults_py));
  std::error_code ec;
  d.airflow3_layout = fs::is_directory(sources_root / "airflow-core", ec);
  BREEZE_TRY(auto init, read_module(sources_root, d.airflow3_layout ? k_airflow_core_init_py
                                                                    : k_airflow_init_py));

  take(constants, "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS", Want::list, d.python_versions,
       d.unknown_forms);
  take(constants, "DEFAULT_PYTHON_MAJOR_MINOR_VERSION", Want::string, d.default_python,
       d.unknown_forms);
  take(branch, "AIRFLOW_BRANCH", Want::string, d.airflow_branch, d.unknown_forms);
  take(branch, "DEFAULT_AIRFLOW_CONSTRAINTS_BRANCH", Want::string, d.default_constraints_branch,
       d.unknown_forms);
  take(branch, "DEBIAN_VERSION", Want::string, d.debian_version, d.unknown_forms);
  take(init, "__version__", Want::string, d.airflow_version, d.unknown_forms);
  take(constants, "DEFAULT_EXTRAS", Want::list, d.default_extras, d.unknown_forms);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile ARGs

const DockerfileArg* DockerfileArgs::find(std::string_view name) const {
  const auto it = m_index.find(name);
  return it == m_index.end() ? nullptr : &m_entries[it->second];
}

std::vector<std::string> DockerfileArgs::names() const {
  std::vector<std::string> out;
  out.reserve(m_entries.size());
  for (const auto& e : m_entries)
    out.push_back(e.name);
  return out;
}

void DockerfileArgs::add(std::string name, std::optional<std::string> default_value, int line) {
  if (const auto it = m_index.find(name); it != m_index.end()) {
    auto& e = m_entries[it->second];
    ++e.declarations;
    if (!e.default_value && default_value) {
      e.default_value = std::move(default_value);
      e.line = line;
    }
    return;
  }
  m_index.emplace(name, m_entries.size());
  m_entries.push_back({std::move(name), std::move(default_value), line, 1});
}

namespace {

// The heredoc terminators an instruction opens (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`), in
// order, and whether each strips leading tabs.
std::vector<std::pair<std::string, bool>> heredocs(std::string_view instr) {
  std::vector<std::pair<std::string, bool>> out;
  char quote = 0;
  for (std::size_t i = 0; i + 1 < instr.size(); ++i) {
    const char c = instr[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    if (c != '<' || instr[i + 1] != '<') continue;
    std::size_t j = i + 2;
    const bool dash = j < instr.size() && instr[j] == '-';
    if (dash) ++j;
    const char q = j < instr.size() && (instr[j] == '"' || instr[j] == '\'') ? instr[j] : 0;
    if (q != 0) ++j;
    const auto start = j;
    while (j < instr.size() && is_ident_char(instr[j]))
      ++j;
    if (j == start || (q != 0 && (j >= instr.size() || instr[j] != q))) continue;
    out.emplace_back(std::string(instr.substr(start, j - start)), dash);
    i = j;
  }
  return out;
}

// Splits the arguments of an ARG instruction into NAME[=value] words, unquoting values the way
// the Dockerfile frontend does ("..." with \" and \\ escapes, '...' literally).
void parse_arg_words(std::string_view rest, char escape, int line, DockerfileArgs& out) {
  std::size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && is_space(rest[i]))
      ++i;
    if (i >= rest.size()) break;
    std::size_t k = i;
    const auto name = std::string(read_ident(rest, k));
    std::optional<std::string> value;
    bool valid = !name.empty();
    if (k < rest.size() && rest[k] == '=') {
      value.emplace();
      ++k;
      while (k < rest.size() && !is_space(rest[k])) {
        const char c = rest[k];
        if (c == '"') {
          ++k;
          while (k < rest.size() && rest[k] != '"') {
            if (rest[k] == '\\' && k + 1 < rest.size() &&
                (rest[k + 1] == '"' || rest[k + 1] == '\\'))
              ++k;
            *value += rest[k++];
          }
          ++k; // closing quote
        } else if (c == '\'') {
          ++k;
          while (k < rest.size() && rest[k] != '\'')
            *value += rest[k++];
          ++k;
        } else if (c == escape && k + 1 < rest.size()) {
          *value += rest[k + 1];
          k += 2;
        } else {
          *value += c;
          ++k;
        }
      }
    } else if (k < rest.size() && !is_space(rest[k])) {
      valid = false; // not a NAME[=value] word
    }
    while (k < rest.size() && !is_space(rest[k]))
      ++k;
    if (valid) out.add(name, std::move(value), line);
    i = k;
  }
}

} // namespace

DockerfileArgs parse_dockerfile_args(std::string_view text) {
  DockerfileArgs out;
  const auto normalized = normalize_newlines(text);
  const auto lines = strings::split(normalized, '\n');
  char escape = '\\';

  std::size_t i = 0;
  // Parser directives (`# escape=``) come first, before any other line.
  for (; i < lines.size(); ++i) {
    const auto t = strings::trim(lines[i]);
    if (t.empty() || t.front() != '#') break;
    const auto eq = t.find('=');
    if (eq == std::string_view::npos) break;
    const auto key = strings::to_lower(strings::trim(t.substr(1, eq - 1)));
    const auto val = strings::trim(t.substr(eq + 1));
    if (key == "escape" && val.size() == 1)
      escape = val.front();
    else if (key != "syntax" && key != "check")
      break;
  }
  i = 0;

  while (i < lines.size()) {
    const auto first = strings::trim(lines[i]);
    if (first.empty() || first.front() == '#') {
      ++i;
      continue;
    }
    const int start_line = static_cast<int>(i) + 1;
    std::string instr(first);
    ++i;
    // Continuation lines: the escape character at the end joins the next line (comment lines in
    // between are dropped, as the frontend does).
    while (!instr.empty() && instr.back() == escape && i < lines.size()) {
      instr.pop_back();
      while (i < lines.size() && !strings::trim(lines[i]).empty() &&
             strings::trim(lines[i]).front() == '#')
        ++i;
      if (i < lines.size()) instr += lines[i++];
    }
    while (!instr.empty() && is_space(instr.back()))
      instr.pop_back();

    std::size_t k = 0;
    const auto keyword = strings::to_lower(read_ident(instr, k));
    if (keyword == "arg") {
      parse_arg_words(std::string_view(instr).substr(k), escape, start_line, out);
    } else if (keyword == "run" || keyword == "copy" || keyword == "add") {
      for (const auto& [word, strip_tabs] : heredocs(instr)) {
        while (i < lines.size()) {
          std::string_view body = lines[i++];
          if (strip_tabs)
            while (!body.empty() && body.front() == '\t')
              body.remove_prefix(1);
          if (body == word) break;
        }
      }
    }
  }
  return out;
}

Expected<DockerfileArgs> read_dockerfile_args(const fs::path& dockerfile) {
  BREEZE_TRY(auto text, files::read(dockerfile));
  return parse_dockerfile_args(text);
}

} // namespace breeze::config
