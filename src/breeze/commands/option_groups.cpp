#include <breeze/commands/option_groups.hpp>

#include <breeze/base/error.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/numeric_options.hpp>
#include <breeze/commands/option_env.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>

namespace breeze::commands {

CLI::Option* add_python_option(CLI::App& cmd, std::string& python, const std::string& description) {
  return env_option(cmd.add_option("-p,--python", python, description), k_python_variable);
}

CLI::Option* add_python_versions_option(CLI::App& cmd, std::string& versions,
                                        const std::string& description) {
  return env_option(cmd.add_option("--python-versions", versions, description),
                    k_python_versions_variable);
}

CLI::Option* add_parallelism_option(CLI::App& cmd, int& parallelism,
                                    const std::string& description) {
  return env_option(cmd.add_option("--parallelism", parallelism, description)
                        ->check(numeric::integer_in(1, numeric::k_max_parallelism)),
                    k_parallelism_variable);
}

void add_python_selection(CLI::App& cmd, std::string& python, bool& run_in_parallel,
                          std::string& python_versions, int& parallelism,
                          const PythonSelectionHelp& help, const std::string& panel) {
  const auto in_panel = [&](CLI::Option* opt) {
    if (!panel.empty()) opt->group(panel);
  };
  in_panel(add_python_option(cmd, python, help.python));
  in_panel(env_option(cmd.add_flag("--run-in-parallel", run_in_parallel, help.run_in_parallel),
                      k_run_in_parallel_variable));
  in_panel(add_python_versions_option(cmd, python_versions, help.python_versions));
  in_panel(add_parallelism_option(cmd, parallelism, help.parallelism));
}

Expected<std::string> selected_python(const std::string& python, const config::Settings& settings) {
  auto chosen = python.empty() ? settings.default_python_version() : python;
  BREEZE_TRY_VOID(settings.check_python(chosen));
  return chosen;
}

Expected<std::vector<std::string>> selected_pythons(const std::string& python, bool run_in_parallel,
                                                    const std::string& python_versions,
                                                    const config::Settings& settings) {
  if (!run_in_parallel) {
    BREEZE_TRY(auto one, selected_python(python, settings));
    return std::vector<std::string>{std::move(one)};
  }
  auto pythons = python_versions.empty() ? settings.python_versions
                                         : strings::split_whitespace(python_versions);
  if (pythons.empty()) return usage_error("--python-versions lists no Python version");
  for (const auto& p : pythons)
    BREEZE_TRY_VOID(settings.check_python(p));
  return pythons;
}

OptionRow constraints_repo_option(std::variant<std::string*, std::filesystem::path*> repo,
                                  const std::filesystem::path& cwd, std::string help, bool required,
                                  std::string variable) {
  OptionRow row;
  row.names = "--constraints-repo";
  std::visit([&](auto* target) { row.target = target; }, repo);
  row.help = std::move(help);
  row.variable = std::move(variable);
  row.required = required;
  row.cwd = &cwd;
  return row;
}

OptionRow remote_name_option(std::string& remote, std::string help, std::string variable) {
  OptionRow row{"--remote-name", &remote, std::move(help), std::move(variable)};
  row.show_default = true;
  return row;
}

OptionRow constraints_branch_option(std::string& branch, std::string help) {
  return {"--constraints-branch", &branch, std::move(help), ""};
}

OptionRow constraints_url_option(std::string& url) {
  OptionRow row{"--constraints-url", &url,
                "Base URL of the constraints files: "
                "<URL>/<github-repository>/<branch>/<mode>-<python>.txt",
                "BREEZE_CONSTRAINTS_URL"};
  row.show_default = true;
  return row;
}

OptionRow image_tag_option(std::string& tag, std::string help) {
  return {"-t,--image-tag", &tag, std::move(help), "IMAGE_TAG"};
}

CLI::Option* add_output_option(CLI::App& cmd, std::string& output) {
  return cmd.add_option("--output", output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

http::BatchOptions IndexAccess::batch_options() const {
  http::BatchOptions options;
  options.parallelism = static_cast<std::size_t>(parallelism);
  options.timeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  options.use_cache = !no_cache;
  options.max_response_size = static_cast<std::size_t>(max_response_mib) << 20;
  return options;
}

void add_index_access_options(CLI::App& cmd, IndexAccess& index, const std::string& panel,
                              const std::string& parallelism_names,
                              const std::string& parallelism_help) {
  // CLI::Range lets NaN through (every comparison with NaN is false): finiteness is checked first.
  const auto finite = CLI::Validator(
      [](const std::string& text) {
        double v = 0;
        return CLI::detail::lexical_cast(text, v) && std::isfinite(v)
                   ? std::string()
                   : "not a finite number: " + text;
      },
      "FINITE");
  add_option_rows(
      cmd,
      {
          {"--pypi-url",
           &index.pypi_url,
           "Package index: JSON API base or a PIP_INDEX_URL-style .../simple",
           "BREEZE_PYPI_URL",
           {},
           true},
          {"--no-cache", &index.no_cache, "Neither use nor fill the on-disk HTTP cache", ""},
          {parallelism_names, &index.parallelism, parallelism_help, "", {CLI::Range(1, 256)}, true},
          {"--timeout",
           &index.timeout,
           "Seconds per request, retries and backoff included",
           "",
           {finite, CLI::Range(0.1, 3600.0)},
           true},
          {"--max-response-size",
           &index.max_response_mib,
           "MiB a response body may have after decompression; larger ones fail that package",
           "BREEZE_MAX_RESPONSE_SIZE",
           {CLI::Range(1, 4096)},
           true},
      },
      panel);
}

} // namespace breeze::commands
