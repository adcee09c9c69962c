#include <breeze/config/settings.hpp>

#include <breeze/config/checkout.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/paths.hpp>
#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>

namespace breeze::config {

namespace fs = std::filesystem;

std::string Settings::newest_python() const {
  return python_versions.empty() ? std::string{} : python_versions.back();
}

std::string Settings::oldest_python() const {
  return python_versions.empty() ? std::string{} : python_versions.front();
}

std::string Settings::default_python_version() const {
  if (!default_python.empty() && std::find(python_versions.begin(), python_versions.end(),
                                           default_python) != python_versions.end())
    return default_python;
  return newest_python();
}

std::string Settings::origin(const std::string& key) const {
  const auto it = origins.find(key);
  return it == origins.end() ? std::string("built-in") : it->second;
}

bool is_python_version(std::string_view text) {
  const auto dot = text.find('.');
  auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 3 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dot != std::string_view::npos && digits(text.substr(0, dot)) &&
         digits(text.substr(dot + 1));
}

bool is_constraints_mode(std::string_view text) {
  return !text.empty() && text.front() != '.' && text.front() != '-' &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
         });
}

Expected<void> Settings::check_python(const std::string& python) const {
  if (!is_python_version(python))
    return usage_error(fmt::format("'{}' is not a Python version like 3.12 (MAJOR.MINOR)",
                                   strings::strip_control(python)));
  if (std::find(python_versions.begin(), python_versions.end(), python) != python_versions.end())
    return {};
  return usage_error(fmt::format("Python {} is not supported (choose from: {})", python,
                                 strings::join(python_versions, ", ")));
}

Expected<void> Settings::check_constraints_mode(const std::string& mode) const {
  if (std::find(constraints_modes.begin(), constraints_modes.end(), mode) !=
      constraints_modes.end())
    return {};
  return usage_error(fmt::format("'{}' is not a constraints mode (choose from: {})", mode,
                                 strings::join(constraints_modes, ", ")));
}

std::optional<fs::path> find_sources_root(const fs::path& start) {
  // `start` is the injected working directory: never resolved against the process's.
  if (!start.is_absolute()) return std::nullopt;
  std::error_code ec;
  fs::path dir = start.lexically_normal();
  while (true) {
    if (fs::exists(dir / "Dockerfile.ci", ec) || fs::exists(dir / "breeze.yaml", ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

namespace {

Error yaml_error(const std::string& label, const YAML::Mark& mark, const std::string& what) {
  // yaml-cpp lines are 0-based; editors count from 1.
  const int line = mark.line >= 0 ? mark.line + 1 : 1;
  return usage_error(fmt::format("{}:{}: {}", label, line, what));
}

Expected<std::string> as_string(const std::string& label, const std::string& key,
                                const YAML::Node& node) {
  if (!node.IsScalar())
    return yaml_error(label, node.Mark(), fmt::format("'{}' must be a string", key));
  auto value = node.as<std::string>();
  if (strings::trim(value).empty())
    return yaml_error(label, node.Mark(), fmt::format("'{}' must not be empty", key));
  return value;
}

Expected<std::vector<std::string>> as_string_list(const std::string& label, const std::string& key,
                                                  const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0)
    return yaml_error(label, node.Mark(),
                      fmt::format("'{}' must be a non-empty list of strings", key));
  std::vector<std::string> out;
  for (const auto& item : node) {
    BREEZE_TRY(auto s, as_string(label, key, item));
    out.push_back(std::move(s));
  }
  return out;
}

using Setter = std::function<Expected<void>(Settings&, const std::string&, const std::string&,
                                            const YAML::Node&)>;

Setter string_field(std::string Settings::*field) {
  return [field](Settings& s, const std::string& label, const std::string& key,
                 const YAML::Node& node) -> Expected<void> {
    BREEZE_TRY(s.*field, as_string(label, key, node));
    return {};
  };
}

Setter list_field(std::vector<std::string> Settings::*field) {
  return [field](Settings& s, const std::string& label, const std::string& key,
                 const YAML::Node& node) -> Expected<void> {
    BREEZE_TRY(s.*field, as_string_list(label, key, node));
    return {};
  };
}

// A mapping of strings; keys it names replace the defaults' entries, other entries stay.
Setter map_field(std::map<std::string, std::string> Settings::*field) {
  return [field](Settings& s, const std::string& label, const std::string& key,
                 const YAML::Node& node) -> Expected<void> {
    if (!node.IsMap() || node.size() == 0)
      return yaml_error(label, node.Mark(),
                        fmt::format("'{}' must be a non-empty mapping of strings", key));
    for (const auto& kv : node) {
      BREEZE_TRY(auto name, as_string(label, key, kv.first));
      BREEZE_TRY((s.*field)[name], as_string(label, key + "." + name, kv.second));
    }
    return {};
  };
}

// A list whose items become parts of file names and image tags: each item is checked where it
// stands, so the error names its line.
Setter checked_list_field(std::vector<std::string> Settings::*field,
                          bool (*valid)(std::string_view), const char* what) {
  return [field, valid, what](Settings& s, const std::string& label, const std::string& key,
                              const YAML::Node& node) -> Expected<void> {
    BREEZE_TRY(auto items, as_string_list(label, key, node));
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!valid(items[i]))
        return yaml_error(
            label, node[i].Mark(),
            fmt::format("'{}': '{}' is not {}", key, strings::strip_control(items[i]), what));
    s.*field = std::move(items);
    return {};
  };
}

Setter checked_string_field(std::string Settings::*field, bool (*valid)(std::string_view),
                            const char* what) {
  return [field, valid, what](Settings& s, const std::string& label, const std::string& key,
                              const YAML::Node& node) -> Expected<void> {
    BREEZE_TRY(auto value, as_string(label, key, node));
    if (!valid(value))
      return yaml_error(
          label, node.Mark(),
          fmt::format("'{}': '{}' is not {}", key, strings::strip_control(value), what));
    s.*field = std::move(value);
    return {};
  };
}

constexpr const char* k_python_what = "a Python version like 3.12 (MAJOR.MINOR)";
constexpr const char* k_mode_what = "a constraints mode name (letters, digits, '-', '_', '.')";

// Every key breeze.yaml may hold. Adding a setting is one line here plus the field in Settings.
const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table{
      {"python-versions",
       checked_list_field(&Settings::python_versions, is_python_version, k_python_what)},
      {"default-branch", string_field(&Settings::default_branch)},
      {"registry", string_field(&Settings::registry)},
      {"github-repository", string_field(&Settings::github_repository)},
      {"constraints-modes",
       checked_list_field(&Settings::constraints_modes, is_constraints_mode, k_mode_what)},
      {"default-constraints-mode",
       checked_string_field(&Settings::default_constraints_mode, is_constraints_mode, k_mode_what)},
      {"constraints-branch", string_field(&Settings::constraints_branch)},
      {"dockerfile-ci", string_field(&Settings::dockerfile_ci)},
      {"dockerfile-prod", string_field(&Settings::dockerfile_prod)},
      {"package-build-command", string_field(&Settings::package_build_command)},
      {"resolve-command", string_field(&Settings::resolve_command)},
      {"constraints-generation-commands", map_field(&Settings::constraints_generation_commands)},
      {"freeze-drop-prefixes", list_field(&Settings::freeze_drop_prefixes)},
      {"freeze-drop-containing", list_field(&Settings::freeze_drop_containing)},
      {"github-token-hosts", list_field(&Settings::github_token_hosts)},
  };
  return table;
}

} // namespace

Expected<void> apply_yaml(Settings& settings, const std::string& yaml_text,
                          const std::string& label) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return yaml_error(label, e.mark, e.msg);
  }
  if (root.IsNull()) return {}; // an empty file changes nothing
  if (!root.IsMap())
    return yaml_error(label, root.Mark(), "the top level must be a mapping of settings");
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      const auto it = setters().find(key);
      if (it == setters().end()) {
        std::vector<std::string> known;
        for (const auto& [k, _] : setters())
          known.push_back(k);
        auto hint = strings::closest_match(key, known);
        return yaml_error(
            label, kv.first.Mark(),
            hint
                ? fmt::format("unknown setting '{}' (did you mean '{}'?)", key, *hint)
                : fmt::format("unknown setting '{}' (known: {})", key, strings::join(known, ", ")));
      }
      BREEZE_TRY_VOID(it->second(settings, label, key, kv.second));
      settings.origins[key] = fmt::format("{}:{}", label, kv.first.Mark().line + 1);
    }
  } catch (const YAML::Exception& e) {
    return yaml_error(label, e.mark, e.msg);
  }
  if (std::find(settings.constraints_modes.begin(), settings.constraints_modes.end(),
                settings.default_constraints_mode) == settings.constraints_modes.end()) {
    return usage_error(
        fmt::format("{}: default-constraints-mode '{}' is not one of constraints-modes", label,
                    settings.default_constraints_mode));
  }
  return {};
}

Expected<void> apply_env(Settings& settings, const EnvLookup& env) {
  if (auto v = env("BREEZE_PYTHON_VERSIONS"); v && !strings::trim(*v).empty()) {
    std::string text = *v;
    std::replace(text.begin(), text.end(), ',', ' ');
    auto versions = strings::split_whitespace(text);
    for (const auto& version : versions)
      if (!is_python_version(version))
        return usage_error(fmt::format("BREEZE_PYTHON_VERSIONS: '{}' is not {}",
                                       strings::strip_control(version), k_python_what));
    settings.python_versions = std::move(versions);
    settings.origins["python-versions"] = "BREEZE_PYTHON_VERSIONS";
  }
  if (auto v = env("BREEZE_DEFAULT_BRANCH"); v && !v->empty()) {
    settings.default_branch = *v;
    settings.origins["default-branch"] = "BREEZE_DEFAULT_BRANCH";
  }
  if (auto v = env("BREEZE_REGISTRY"); v && !v->empty()) {
    settings.registry = *v;
    settings.origins["registry"] = "BREEZE_REGISTRY";
  }
  if (auto v = env("BREEZE_CONSTRAINTS_BRANCH"); v && !v->empty()) {
    settings.constraints_branch = *v;
    settings.origins["constraints-branch"] = "BREEZE_CONSTRAINTS_BRANCH";
  }
  if (auto v = env("BREEZE_GITHUB_TOKEN_HOSTS"); v && !strings::trim(*v).empty()) {
    std::string text = *v;
    std::replace(text.begin(), text.end(), ',', ' ');
    settings.github_token_hosts = strings::split_whitespace(text);
  }
  return {};
}

Expected<void> apply_checkout(Settings& settings) {
  if (settings.sources_root.empty()) return {};
  BREEZE_TRY(auto d, read_checkout_defaults(settings.sources_root));
  settings.checkout_notes = d.unknown_forms;
  if (d.python_versions) {
    const auto& items = d.python_versions->items;
    const auto bad = std::find_if(items.begin(), items.end(),
                                  [](const std::string& v) { return !is_python_version(v); });
    if (items.empty() || bad != items.end()) {
      // A value breeze cannot put in an image name falls back like an unknown form does.
      settings.checkout_notes.push_back(fmt::format(
          "{}: ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS: unsupported form ({})",
          d.python_versions->where(),
          items.empty()
              ? std::string("an empty list")
              : fmt::format("'{}' is not {}", strings::strip_control(*bad), k_python_what)));
    } else {
      settings.python_versions = items;
      settings.origins["python-versions"] = d.python_versions->where();
    }
  }
  if (d.default_python) {
    settings.default_python = d.default_python->text;
    settings.origins["default-python"] = d.default_python->where();
  }
  if (d.airflow_branch && !d.airflow_branch->text.empty()) {
    settings.default_branch = d.airflow_branch->text;
    settings.origins["default-branch"] = d.airflow_branch->where();
  }
  if (d.default_constraints_branch && !d.default_constraints_branch->text.empty()) {
    settings.constraints_branch = d.default_constraints_branch->text;
    settings.origins["constraints-branch"] = d.default_constraints_branch->where();
  }
  if (d.debian_version) {
    settings.debian_version = d.debian_version->text;
    settings.origins["debian-version"] = d.debian_version->where();
  }
  if (d.default_extras && !d.default_extras->items.empty()) {
    settings.prod_extras = d.default_extras->items;
    settings.origins["prod-extras"] = d.default_extras->where();
  }
  return {};
}

Expected<Settings> load(const std::string& airflow_sources, const fs::path& cwd,
                        const EnvLookup& env) {
  Settings settings;
  std::optional<fs::path> root;
  if (!airflow_sources.empty()) {
    // Relative to the injected working directory, as every path option is.
    const auto path = paths::absolute(airflow_sources, cwd);
    std::error_code ec;
    if (!fs::is_directory(path, ec))
      return usage_error(fmt::format("--airflow-sources {} is not a directory", airflow_sources));
    root = path;
  } else {
    root = find_sources_root(cwd);
  }
  if (root) {
    settings.sources_root = *root;
    BREEZE_TRY_VOID(apply_checkout(settings));
    const auto yaml_path = *root / "breeze.yaml";
    std::error_code ec;
    if (fs::exists(yaml_path, ec)) {
      BREEZE_TRY(auto text, files::read(yaml_path));
      BREEZE_TRY_VOID(apply_yaml(settings, text, yaml_path.string()));
      settings.settings_file = yaml_path;
    }
  }
  BREEZE_TRY_VOID(apply_env(settings, env));
  return settings;
}

} // namespace breeze::config
