#pragma once

// Option groups several commands share, registered by one function each so every command spells,
// checks and binds them alike (the command table's reference shows them; a unit test walks it).
// Python selection follows Python Breeze: -p/--python (PYTHON_MAJOR_MINOR_VERSION),
// --run-in-parallel (RUN_IN_PARALLEL), --python-versions (PYTHON_VERSIONS) and --parallelism
// (PARALLELISM).

#include <breeze/commands/option_env.hpp> // CLI::App, CLI::Option, Expected
#include <breeze/commands/option_table.hpp>
#include <breeze/config/settings.hpp>
#include <breeze/http/client.hpp>

namespace breeze::commands {

inline constexpr const char* k_python_variable = "PYTHON_MAJOR_MINOR_VERSION";
inline constexpr const char* k_python_versions_variable = "PYTHON_VERSIONS";
inline constexpr const char* k_run_in_parallel_variable = "RUN_IN_PARALLEL";
inline constexpr const char* k_parallelism_variable = "PARALLELISM";

/// Help texts of the Python selection options; the defaults are the image builds'.
struct PythonSelectionHelp {
  std::string python = "Python major/minor version [default: the newest supported].";
  std::string run_in_parallel = "Build the images for several Pythons in parallel.";
  std::string python_versions =
      "Space separated Pythons for --run-in-parallel [default: all supported].";
  std::string parallelism = "Builds at a time [default: cores, capped by memory].";
};

/// -p/--python into `python` (empty: the settings' default), bound to PYTHON_MAJOR_MINOR_VERSION.
/// The version is checked against the settings when the command runs (selected_python()).
CLI::Option* add_python_option(CLI::App& cmd, std::string& python, const std::string& description);

/// --python-versions into `versions` (space separated; empty: every allowed one), PYTHON_VERSIONS.
CLI::Option* add_python_versions_option(CLI::App& cmd, std::string& versions,
                                        const std::string& description);

/// --parallelism into `parallelism` (1 to numeric::k_max_parallelism; 0 when not given),
/// PARALLELISM.
CLI::Option* add_parallelism_option(CLI::App& cmd, int& parallelism,
                                    const std::string& description);

/// The whole Python selection group: -p/--python, --run-in-parallel, --python-versions and
/// --parallelism, in that order, in `panel` (empty: CLI11's "Options").
void add_python_selection(CLI::App& cmd, std::string& python, bool& run_in_parallel,
                          std::string& python_versions, int& parallelism,
                          const PythonSelectionHelp& help, const std::string& panel = "");

/// The Python of a single-Python run: `python`, or the settings' default when empty; a usage error
/// unless the settings allow it.
[[nodiscard]] Expected<std::string> selected_python(const std::string& python,
                                                    const config::Settings& settings);

/// The Pythons of a run: with `run_in_parallel` the words of `python_versions` (every allowed
/// Python when empty), otherwise selected_python(python). A usage error for an empty list or a
/// Python the settings do not allow.
[[nodiscard]] Expected<std::vector<std::string>>
selected_pythons(const std::string& python, bool run_in_parallel,
                 const std::string& python_versions, const config::Settings& settings);

// The constraints source: the options that say where constraints files are read from or
// written to (find-backtracking-candidates, bisect-backtracking, generate-constraints,
// update-constraints, publish-constraints, restore-constraints-tags). Each fixes the spelling,
// the variable and how the default shows; what a command does with the clone or remote is its help.

/// What --remote-name means for a command that reads the constraints from --constraints-repo.
inline constexpr const char* k_read_remote_help =
    "With --constraints-repo: read <remote>/<branch>, else origin/<branch>, else the local branch";

/// --constraints-repo: a local clone; `required` for the commands that change one (the variable
/// is Breeze's CONSTRAINTS_REPO where Breeze has it, else empty). The path is made absolute
/// against `cwd` (Services::cwd) as it is parsed.
[[nodiscard]] OptionRow
constraints_repo_option(std::variant<std::string*, std::filesystem::path*> repo,
                        const std::filesystem::path& cwd, std::string help, bool required = false,
                        std::string variable = "");

/// --remote-name (its default shown), by default with k_read_remote_help.
[[nodiscard]] OptionRow remote_name_option(std::string& remote,
                                           std::string help = k_read_remote_help,
                                           std::string variable = "");

/// --constraints-branch: the branch holding the constraints files.
[[nodiscard]] OptionRow constraints_branch_option(std::string& branch, std::string help);

/// --constraints-url (BREEZE_CONSTRAINTS_URL, its default shown): the HTTPS base of the files.
[[nodiscard]] OptionRow constraints_url_option(std::string& url);

/// The image identity: -t/--image-tag (IMAGE_TAG), the tag of the image built or used.
[[nodiscard]] OptionRow image_tag_option(std::string& tag, std::string help);

// Index access: how a command talks to the package index (find-backtracking-candidates and
// bisect-backtracking, which computes the same candidates in-process).

/// The index access options' values.
struct IndexAccess {
  std::string pypi_url = "https://pypi.org"; ///< --pypi-url (JSON API or a .../simple index)
  int parallelism = 32;                      ///< requests in flight at once
  double timeout = 30;       ///< --timeout (seconds per request, retries and backoff included)
  int max_response_mib = 64; ///< --max-response-size (MiB per body, after decompression)
  bool no_cache = false;     ///< --no-cache

  /// The HTTP batch options these values give.
  [[nodiscard]] http::BatchOptions batch_options() const;
};

/// --pypi-url (BREEZE_PYPI_URL), --no-cache, the request parallelism (`parallelism_names`: a
/// command whose --parallelism counts something else spells it otherwise), --timeout and
/// --max-response-size (BREEZE_MAX_RESPONSE_SIZE), in that order, in `panel`.
void add_index_access_options(CLI::App& cmd, IndexAccess& index, const std::string& panel,
                              const std::string& parallelism_names = "--parallelism",
                              const std::string& parallelism_help = "Requests in flight at once");

/// --output text|json into `output` (its default shown), the results' format.
CLI::Option* add_output_option(CLI::App& cmd, std::string& output);

} // namespace breeze::commands
