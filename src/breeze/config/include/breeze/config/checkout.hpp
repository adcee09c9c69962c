#pragma once

// Reading an Airflow checkout's own defaults as text, never by running Python: the module-level
// assignments of dev/breeze/src/airflow_breeze/{global_constants,branch_defaults}.py, the
// `__version__` of airflow/__init__.py (or airflow-core/src/airflow/__init__.py on Airflow 3), and
// the `ARG` declarations of a Dockerfile. Python Breeze takes the same values from the same files
// (it imports them), so a checkout of v2-10-test gets Python 3.8-3.12 and constraints-2-10.

#include <breeze/base/expected.hpp>
#include <breeze/config/python_assignments.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::config {

/// The defaults an Airflow checkout gives Breeze. A field is empty when its file is missing or the
/// file does not assign it in a form the reader understands.
struct CheckoutDefaults {
  std::optional<CheckoutValue> python_versions; ///< ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS (a list)
  std::optional<CheckoutValue> default_python;  ///< DEFAULT_PYTHON_MAJOR_MINOR_VERSION
  std::optional<CheckoutValue> airflow_branch;  ///< AIRFLOW_BRANCH
  std::optional<CheckoutValue> default_constraints_branch; ///< DEFAULT_AIRFLOW_CONSTRAINTS_BRANCH
  std::optional<CheckoutValue> debian_version;             ///< DEBIAN_VERSION (branch_defaults.py)
  std::optional<CheckoutValue> airflow_version; ///< `__version__` of Airflow's __init__.py
  /// DEFAULT_EXTRAS (a list): Breeze's `prod-image build --airflow-extras` default, joined by ","
  std::optional<CheckoutValue> default_extras;
  /// True when `airflow-core/` exists (Airflow 3: the version is read from
  /// airflow-core/src/airflow/__init__.py instead of airflow/__init__.py).
  bool airflow3_layout = false;
  /// One "file:line: NAME: unsupported form (why)" per field above that fell back because its
  /// assignment (or the one it refers to) has a form the reader does not evaluate, or the wrong
  /// kind (a string where a list is expected, or the other way round). Meant for `--verbose`.
  std::vector<std::string> unknown_forms;
};

/// The checkout's Python files, relative to the sources root.
inline constexpr std::string_view k_global_constants_py =
    "dev/breeze/src/airflow_breeze/global_constants.py";
inline constexpr std::string_view k_branch_defaults_py =
    "dev/breeze/src/airflow_breeze/branch_defaults.py";
inline constexpr std::string_view k_airflow_init_py = "airflow/__init__.py";
inline constexpr std::string_view k_airflow_core_init_py = "airflow-core/src/airflow/__init__.py";

/// Reads the checkout's defaults from `sources_root`. A missing file leaves its fields empty (not
/// an error); a file that exists but cannot be read (a directory, no permission) is an io Error
/// naming it.
[[nodiscard]] Expected<CheckoutDefaults>
read_checkout_defaults(const std::filesystem::path& sources_root);

/// One `ARG` of a Dockerfile.
struct DockerfileArg {
  std::string name;
  std::optional<std::string> default_value; ///< unquoted; nullopt for a bare `ARG NAME`
  int line = 0;         ///< line of the declaration the default comes from (else the first one)
  int declarations = 0; ///< how many times the Dockerfile declares it (each stage re-declares)
};

/// The `ARG`s of a Dockerfile, one per name, in order of first declaration.
class DockerfileArgs {
public:
  /// All ARGs in order of first declaration.
  [[nodiscard]] const std::vector<DockerfileArg>& entries() const { return m_entries; }
  /// The ARG called `name`, or nullptr.
  [[nodiscard]] const DockerfileArg* find(std::string_view name) const;
  /// True when the Dockerfile declares `name`.
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
  /// The names in order of first declaration.
  [[nodiscard]] std::vector<std::string> names() const;
  /// Records one declaration; the first declaration that has a default keeps it.
  void add(std::string name, std::optional<std::string> default_value, int line);

private:
  std::vector<DockerfileArg> m_entries;
  std::map<std::string, std::size_t, std::less<>> m_index;
};

/// The `ARG NAME`, `ARG NAME=default`, `ARG NAME="default"` (also `'...'`, several per line,
/// `\` continuations, lower-case `arg`) declarations of Dockerfile `text`. Comment lines and the
/// bodies of heredocs (`COPY <<"EOF" ... EOF`) are skipped. Never fails.
[[nodiscard]] DockerfileArgs parse_dockerfile_args(std::string_view text);

/// Reads and parses a Dockerfile; a missing file is a not_found Error, an unreadable one io.
[[nodiscard]] Expected<DockerfileArgs>
read_dockerfile_args(const std::filesystem::path& dockerfile);

} // namespace breeze::config
