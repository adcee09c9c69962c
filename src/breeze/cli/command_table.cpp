#include <breeze/cli/command_table.hpp>

#include <breeze/cli/app.hpp>
#include <breeze/cli/completion.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/commands/ci/bisect_backtracking.hpp>
#include <breeze/commands/ci/find_backtracking_candidates.hpp>
#include <breeze/commands/ci/refresh_images.hpp>
#include <breeze/commands/ci_image/build.hpp>
#include <breeze/commands/ci_image/load.hpp>
#include <breeze/commands/ci_image/save.hpp>
#include <breeze/commands/prod_image/build.hpp>
#include <breeze/commands/release_management/generate_constraints.hpp>
#include <breeze/commands/release_management/prepare_packages.hpp>
#include <breeze/commands/release_management/publish_constraints.hpp>
#include <breeze/commands/release_management/restore_constraints_tags.hpp>
#include <breeze/commands/release_management/update_constraints.hpp>
#include <breeze/commands/setup/builder.hpp>
#include <breeze/commands/setup/doctor.hpp>
#include <breeze/commands/setup/emulation.hpp>
#include <breeze/commands/version.hpp>
#include <breeze/config/settings.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace breeze::cli {

namespace {

constexpr std::string_view k_global = "Global options"; // add_global_options' group

constexpr std::string_view k_description =
    "breeze: Apache Airflow's CI-maintenance tool (images, constraints, backtracking).";
constexpr std::string_view k_footer = "Examples:\n"
                                      "  breeze version\n"
                                      "  breeze release-management --help\n\n"
                                      "Run 'breeze COMMAND --help' for more information on a "
                                      "command.\n";

// Values completion offers for options that take any value (by long name). --platform takes a
// comma-separated list, so no check lists its values; its description names these.
const ValueLists& suggestions() {
  static const ValueLists values{
      {"--platform", {"linux/amd64", "linux/arm64", "linux/amd64,linux/arm64"}}};
  return values;
}

std::string examples_footer(const std::vector<std::string_view>& examples) {
  std::string footer = "Examples:\n";
  for (const auto& e : examples)
    footer += "  " + std::string(e) + "\n";
  return footer;
}

// The long name an option is known by ("--python"), else its short one.
std::string primary_name(const CLI::Option& opt) {
  if (!opt.get_lnames().empty()) return "--" + opt.get_lnames().front();
  if (!opt.get_snames().empty()) return "-" + opt.get_snames().front();
  return opt.get_name();
}

// CLI11's IsMember describes itself as "{a,b,c}" (detail::generate_set): the only place the list
// is kept. Any other validator (a range, a custom check) allows what it allows: no list.
std::vector<std::string> allowed_values(const CLI::Option& option) {
  // CLI11 2.1 has no const accessor for validators; reading one changes nothing.
  auto& opt = const_cast<CLI::Option&>(option); // NOLINT(cppcoreguidelines-pro-type-const-cast)
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    const auto text = v->get_description();
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}' &&
        text.find_first_of("{}", 1) == text.size() - 1)
      return strings::split(text.substr(1, text.size() - 2), ',');
  }
}

// Puts `app`'s options into their help panels: those `panels` name, and the global options and
// -h/--help under k_common_panel; the others keep the group they were registered with.
void apply_panels(CLI::App& app, const std::vector<PanelMetadata>& panels) {
  for (auto* opt : app.get_options([](CLI::Option*) { return true; })) {
    if (opt->get_group().empty()) continue; // hidden
    if (opt->get_group() == k_global || opt == app.get_help_ptr() || opt == app.get_help_all_ptr())
      opt->group(std::string(k_common_panel));
    const auto name = primary_name(*opt);
    for (const auto& panel : panels)
      if (std::find(panel.options.begin(), panel.options.end(), name) != panel.options.end()) {
        opt->group(std::string(panel.title));
        break;
      }
  }
}

// The first spellings of the options add_global_options adds ("-v", "-D", ...).
const std::set<std::string>& global_spellings() {
  static const std::set<std::string> names = [] {
    CLI::App scratch;
    commands::GlobalOptions globals;
    commands::add_global_options(scratch, globals);
    std::set<std::string> out;
    for (const auto& o : describe_options(scratch))
      if (!o.spellings.empty() && o.spellings.back() != "--help") out.insert(o.spellings.front());
    return out;
  }();
  return names;
}

std::vector<OptionReference> described(const CLI::App& app, const ValueLists& values) {
  auto options = describe_options(app, values);
  for (auto& o : options)
    o.global = !o.spellings.empty() && global_spellings().count(o.spellings.front()) != 0;
  return options;
}

} // namespace

const std::vector<GroupMetadata>& group_table() {
  static const std::vector<GroupMetadata> groups = {
      {"ci-image",
       "Tools that developers can use to manually manage CI images.",
       {"breeze ci-image build --python 3.12", "breeze ci-image --help"}},
      {"prod-image",
       "Tools that developers can use to manually manage PROD images.",
       {"breeze prod-image build --python 3.12", "breeze prod-image --help"}},
      {"ci",
       "Tools that CI workflows use to maintain images and constraints.",
       {"breeze ci --help", "breeze ci find-backtracking-candidates"}},
      {"release-management",
       "Tools that release managers use to prepare and maintain releases.",
       {"breeze release-management --help"}},
      {"setup",
       "Tools that help to set up breeze and the machine it drives.",
       {"breeze setup doctor",
        "breeze setup builder --name airflow_cache --append tcp://127.0.0.1:2375",
        "breeze setup emulation"}},
  };
  return groups;
}

// A command whose issue is not done yet is simply not in the table.
const std::vector<CommandMetadata>& command_table() {
  using namespace commands;
  // Python Breeze's panels (dev/breeze/src/airflow_breeze/commands/*_commands_config.py, 2024)
  // with Breeze's option lists, options this breeze lacks included (one added later lands in its
  // panel); options a panel does not name keep the group they were registered with.
  static const PanelMetadata parallel{"Building images in parallel",
                                      {"--run-in-parallel", "--parallelism", "--python-versions",
                                       "--skip-cleanup", "--debug-resources",
                                       "--include-success-outputs"}};
  static const PanelMetadata github{"Github authentication",
                                    {"--github-repository", "--github-token"}};
  static const std::vector<PanelMetadata> ci_image_build_panels = {
      {"Basic usage",
       {"--python", "--upgrade-to-newer-dependencies", "--upgrade-on-failure", "--image-tag",
        "--tag-as-latest", "--docker-cache", "--version-suffix-for-pypi", "--build-progress",
        "--docker-host"}},
      parallel,
      {"Advanced build options (for power users)",
       {"--additional-pip-install-flags", "--commit-sha", "--debian-version",
        "--disable-airflow-repo-cache", "--install-mysql-client-type", "--python-image", "--use-uv",
        "--uv-http-timeout"}},
      {"Selecting constraint location (for power users)",
       {"--airflow-constraints-location", "--airflow-constraints-mode",
        "--airflow-constraints-reference"}},
      {"Choosing dependencies and extras (for power users)",
       {"--additional-airflow-extras", "--additional-python-deps", "--dev-apt-deps",
        "--additional-dev-apt-deps", "--dev-apt-command", "--additional-dev-apt-command",
        "--additional-dev-apt-env"}},
      {"Backtracking options",
       {"--build-timeout-minutes", "--eager-upgrade-additional-requirements"}},
      {"Preparing cache and push (for maintainers and CI)",
       {"--builder", "--platform", "--login-to-github-registry", "--push",
        "--prepare-buildx-cache"}},
      github,
  };
  static const std::vector<PanelMetadata> prod_image_build_panels = {
      {"Basic usage",
       {"--python", "--install-airflow-version", "--upgrade-to-newer-dependencies",
        "--upgrade-on-failure", "--image-tag", "--tag-as-latest", "--docker-cache",
        "--version-suffix-for-pypi", "--build-progress", "--docker-host"}},
      parallel,
      {"Options for customizing images",
       {"--builder",
        "--install-providers-from-sources",
        "--airflow-extras",
        "--airflow-constraints-location",
        "--airflow-constraints-mode",
        "--airflow-constraints-reference",
        "--python-image",
        "--debian-version",
        "--additional-airflow-extras",
        "--additional-extras",
        "--additional-pip-install-flags",
        "--additional-python-deps",
        "--additional-runtime-apt-deps",
        "--additional-runtime-apt-env",
        "--additional-runtime-apt-command",
        "--additional-dev-apt-deps",
        "--additional-dev-apt-env",
        "--additional-dev-apt-command",
        "--runtime-apt-deps",
        "--runtime-apt-command",
        "--dev-apt-deps",
        "--dev-apt-command",
        "--commit-sha",
        "--install-mysql-client-type",
        "--use-uv",
        "--uv-http-timeout"}},
      {"Backtracking options",
       {"--build-timeout-minutes", "--eager-upgrade-additional-requirements"}},
      {"Preparing cache and push (for maintainers and CI)",
       {"--github-token", "--platform", "--login-to-github-registry", "--push",
        "--prepare-buildx-cache"}},
      // Breeze lists --github-token here too; it shows in the panel above (the first naming it).
      {"Github authentication", {"--github-repository"}},
  };
  static const std::vector<PanelMetadata> generate_constraints_panels = {
      {"Generate constraints flags",
       {"--image-tag", "--python", "--airflow-constraints-mode", "--chicken-egg-providers",
        "--github-repository", "--output-dir"}},
      {"Parallel running",
       {"--run-in-parallel", "--parallelism", "--python-versions", "--skip-cleanup",
        "--debug-resources", "--include-success-outputs"}},
  };
  static const std::vector<CommandMetadata> table = {
      {"",
       "version",
       "Print information about the version and settings of breeze.",
       {"breeze version", "breeze version --airflow-sources ~/code/airflow"},
       {},
       &register_version},
      {"ci-image",
       "build",
       "Build the CI image (Dockerfile.ci) with docker buildx.",
       {"breeze ci-image build --python 3.12",
        "breeze ci-image build --upgrade-to-newer-dependencies "
        "--eager-upgrade-additional-requirements \"aiobotocore<=2.5.4 asana<=3.2.1\"",
        "breeze ci-image build --run-in-parallel --upgrade-to-newer-dependencies --answer yes",
        "breeze ci-image build --run-in-parallel --prepare-buildx-cache --platform "
        "linux/amd64,linux/arm64 --builder airflow_cache",
        "breeze ci-image build --dry-run"},
       ci_image_build_panels,
       &ci_image::register_ci_image_build},
      {"ci-image",
       "save",
       "Save the CI image to a tar file (a CI artifact).",
       {"breeze ci-image save --python 3.12 --platform linux/amd64"},
       {},
       &ci_image::register_ci_image_save},
      {"ci-image",
       "load",
       "Load the CI image from a tar file saved by `ci-image save`.",
       {"breeze ci-image load --python 3.12 --image-file /tmp/ci-image-save-linux-amd64-3.12.tar"},
       {},
       &ci_image::register_ci_image_load},
      {"prod-image",
       "build",
       "Build the PROD image (Dockerfile) with docker buildx.",
       {"breeze prod-image build --python 3.12",
        "breeze prod-image build --install-packages-from-context --run-in-parallel",
        "breeze prod-image build --dry-run"},
       prod_image_build_panels,
       &prod_image::register_prod_image_build},
      {"ci",
       "find-backtracking-candidates",
       "Find packages released since the last constraints were generated: the candidates that "
       "may make pip backtrack in an eager-upgrade image build, with the limits to try.",
       {"breeze ci find-backtracking-candidates",
        "breeze ci find-backtracking-candidates --python 3.11 --airflow-constraints-mode "
        "constraints",
        "breeze ci find-backtracking-candidates --constraints-repo ~/code/airflow-constraints",
        "breeze ci find-backtracking-candidates --constraints-file constraints-3.12.txt --output "
        "json",
        "breeze ci find-backtracking-candidates --pypi-url https://my.index/simple --since "
        "2023-08-09"},
       {},
       &ci::register_find_backtracking_candidates},
      {"ci",
       "refresh-images",
       "Refresh the registry cache of the CI and PROD images for every Python and platform.",
       {"docker login ghcr.io && breeze ci refresh-images", "breeze ci refresh-images --dry-run",
        "breeze ci refresh-images --python-versions \"3.12\" --platform linux/amd64",
        "breeze ci refresh-images --ci-image-only"},
       {},
       &ci::register_refresh_images},
      {"ci",
       "bisect-backtracking",
       "Find the limit(s) that stop pip backtracking: probe image builds (or any --probe-command) "
       "with subsets of the backtracking candidates' limits, bisecting (and delta debugging for "
       "interacting culprits).",
       {"breeze ci bisect-backtracking --python 3.11",
        "breeze ci bisect-backtracking --eager-upgrade-additional-requirements "
        "\"aiobotocore<=2.5.4 asana<=3.2.1\"",
        "breeze ci bisect-backtracking --candidates-file candidates.json --parallelism 4 --apply",
        "breeze ci bisect-backtracking --probe-command \"./resolve.sh {requirements}\" "
        "--probe-timeout 90",
        "breeze ci bisect-backtracking --probe resolve --parallelism 4",
        "breeze ci bisect-backtracking --probe-command \"python3 -m pip install --dry-run "
        "--report /dev/null apache-airflow {requirements...}\""},
       {},
       &ci::register_bisect_backtracking},
      {"release-management",
       "update-constraints",
       "Update released constraints: rewrite pins in tagged constraints files, move the tags and "
       "push (branches without force, tags with force).",
       {"breeze release-management update-constraints --constraints-repo "
        "/home/user/airflow-constraints \\\n"
        "      --airflow-versions 2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3 \\\n"
        "      --updated-constraint pymssql==2.2.8 --commit-message \"Update pymssql constraint "
        "to 2.2.8\"",
        "breeze release-management update-constraints --constraints-repo ~/airflow-constraints "
        "\\\n"
        "      --airflow-versions 2.5.1..2.6.3 --updated-constraint pymssql==2.2.8 -m \"Fix "
        "pymssql\" --dry-run"},
       {},
       &release_management::register_update_constraints},
      {"release-management",
       "restore-constraints-tags",
       "Put constraints tags moved by update-constraints back where they were (locally and on the "
       "remote), from its restore file.",
       {"breeze release-management restore-constraints-tags \\\n"
        "      --journal "
        "~/airflow-constraints/.git/breeze-constraints-restore-20230809T214823Z.json",
        "breeze release-management restore-constraints-tags --journal FILE --dry-run"},
       {},
       &release_management::register_restore_constraints_tags},
      {"release-management",
       "publish-constraints",
       "Commit generated constraints files onto the constraints branch and push it (without "
       "force).",
       {"breeze release-management publish-constraints --constraints-repo ~/airflow-constraints "
        "\\\n"
        "      --commit-message \"Update constraints\"",
        "breeze release-management publish-constraints --constraints-repo ~/airflow-constraints "
        "\\\n"
        "      --files-dir files --constraints-branch constraints-2-10 -m \"Update constraints\" "
        "--dry-run"},
       {},
       &release_management::register_publish_constraints},
      {"release-management",
       "generate-constraints",
       "Generate constraints files from the CI images (every mode, every Python, in parallel), "
       "after checking the images were built with --upgrade-to-newer-dependencies from the "
       "current sources.",
       {"breeze release-management generate-constraints --airflow-constraints-mode constraints "
        "--run-in-parallel --answer yes",
        "breeze release-management generate-constraints --airflow-constraints-mode all "
        "--run-in-parallel --python-versions \"3.10 3.11\" --constraints-repo "
        "~/airflow-constraints",
        "breeze release-management generate-constraints --python 3.12 --dry-run"},
       generate_constraints_panels,
       &release_management::register_generate_constraints,
       false,
       // Every mode the settings know, one after the other.
       {{"--airflow-constraints-mode", {"all"}}}},
      {"release-management",
       "prepare-provider-packages",
       "Prepare sdist/whl packages of Airflow Providers: built in Python Breeze's package build "
       "image by the checkout's own Breeze provider code, copied to dist/.",
       {"breeze release-management prepare-provider-packages --package-list-file "
        "./prod_image_installed_providers.txt \\\n"
        "      --package-format wheel --version-suffix-for-pypi dev0",
        "breeze release-management prepare-provider-packages amazon google --dry-run"},
       {},
       &release_management::register_prepare_provider_packages},
      {"release-management",
       "prepare-airflow-package",
       "Prepare sdist/whl package of Airflow: built in Python Breeze's package build image by the "
       "checkout's in-container script, copied to dist/.",
       {"breeze release-management prepare-airflow-package --package-format wheel "
        "--version-suffix-for-pypi dev0",
        "breeze release-management prepare-airflow-package --use-local-hatch"},
       {},
       &release_management::register_prepare_airflow_package},
      {"setup",
       "builder",
       "Create or extend a multi-node docker buildx builder (e.g. a local node plus a remote "
       "tcp://HOST:PORT node) for multi-platform builds.",
       {"breeze setup builder --name airflow_cache",
        "breeze setup builder --name airflow_cache --append tcp://127.0.0.1:2375",
        "breeze setup builder --name airflow_cache --append tcp://arm-host:2375 --platforms "
        "linux/arm64 --dry-run"},
       {},
       &setup::register_setup_builder},
      {"setup",
       "emulation",
       "Install QEMU emulation (tonistiigi/binfmt) so the local engine can build images for other "
       "platforms, e.g. linux/arm64 on amd64.",
       {"breeze setup emulation", "breeze setup emulation --answer yes",
        "breeze setup emulation --dry-run"},
       {},
       &setup::register_setup_emulation},
      {"setup",
       "doctor",
       "Check docker, buildx, builders and their platforms, and the registry login; say how to "
       "fix what is missing. Exit 1 when something is.",
       {"breeze setup doctor", "breeze setup doctor --output json"},
       {},
       &setup::register_setup_doctor},
      {"setup",
       "autocomplete",
       "Enable shell completion of breeze's commands, options and values (Pythons from the "
       "checkout, modes, platforms): writes the script and, after confirmation, sources it from "
       "your shell's rc file once.",
       {"breeze setup autocomplete", "breeze setup autocomplete --shell zsh --dry-run",
        "breeze setup autocomplete --shell bash --print > breeze-completion.bash"},
       {},
       &register_setup_autocomplete},
      {"setup",
       "man-page",
       "Print breeze's man page (breeze.1, man(7) format), generated from the commands "
       "themselves; the build writes it beside the binary.",
       {"breeze setup man-page | man -l -", "breeze setup man-page --output breeze.1"},
       {},
       &register_setup_man_page},
      {"setup",
       "config-reference",
       "Print the table of options and their environment variables that docs/settings.md holds "
       "(Markdown), made from the registered commands.",
       {"breeze setup config-reference"},
       {},
       &register_setup_config_reference,
       true},
  };
  return table;
}

std::string command_path(const CommandMetadata& command) {
  std::string path = "breeze";
  if (!command.group.empty()) path += " " + std::string(command.group);
  return path + " " + std::string(command.name);
}

const CommandMetadata* find_command(std::string_view path) {
  for (const auto& c : command_table())
    if (command_path(c).substr(std::string_view("breeze ").size()) == path) return &c;
  return nullptr;
}

ValueLists run_time_values(const config::Settings& settings) {
  return {{"--python", settings.python_versions},
          {"--airflow-constraints-mode", settings.constraints_modes}};
}

ValueLists command_values(const ValueLists& values, const CommandMetadata* command) {
  ValueLists merged = values;
  if (command == nullptr) return merged;
  for (const auto& [name, extra] : command->extra_values) {
    auto it = merged.find(name);
    if (it == merged.end()) continue;
    for (const auto& v : extra)
      if (std::find(it->second.begin(), it->second.end(), v) == it->second.end())
        it->second.push_back(v);
  }
  return merged;
}

void register_all(CLI::App& root, commands::Context& ctx) {
  root.description(std::string(k_description));
  root.footer(std::string(k_footer));
  commands::add_global_options(root, ctx.globals);
  root.set_version_flag("-V,--version", std::string("breeze ") + BREEZE_VERSION,
                        "Print breeze's version and exit (`breeze version` adds the settings).");
  apply_panels(root, {});
  std::map<std::string_view, CLI::App*> groups;
  const auto add_command = [&](CLI::App& parent, const CommandMetadata& c) {
    auto* cmd = parent.add_subcommand(std::string(c.name), std::string(c.summary));
    cmd->footer(examples_footer(c.examples));
    if (c.hidden) cmd->group(""); // CLI11: not listed in the group's commands
    c.register_options(*cmd, ctx);
    commands::add_global_options(*cmd, ctx.globals);
    apply_panels(*cmd, c.panels);
  };
  // breeze's own commands come first in help, then the groups in their order.
  for (const auto& c : command_table())
    if (c.group.empty()) add_command(root, c);
  for (const auto& g : group_table()) {
    auto* group = root.add_subcommand(std::string(g.name), std::string(g.summary));
    group->footer(examples_footer(g.examples));
    commands::add_global_options(*group, ctx.globals);
    apply_panels(*group, {});
    groups[g.name] = group;
  }
  for (const auto& c : command_table())
    if (!c.group.empty()) add_command(*groups.at(c.group), c);
}

OptionReference describe_option(const CLI::Option& opt, const ValueLists& values) {
  OptionReference o;
  for (const auto& s : opt.get_snames())
    o.spellings.push_back("-" + s);
  for (const auto& l : opt.get_lnames())
    o.spellings.push_back("--" + l);
  o.description = opt.get_description();
  o.type_name = opt.get_type_name();
  o.default_text = opt.get_default_str();
  o.allowed = allowed_values(opt);
  const auto name = primary_name(opt);
  if (auto it = values.find(name); it != values.end()) o.allowed = it->second;
  o.variable = opt.get_envname();
  o.panel = opt.get_group();
  o.flag = opt.get_expected_max() == 0;
  o.required = opt.get_required();
  o.repeatable = opt.get_expected_max() > 1;
  if (auto it = suggestions().find(name); it != suggestions().end() && o.allowed.empty())
    o.suggested = it->second;
  return o;
}

std::vector<OptionReference> describe_options(const CLI::App& app, const ValueLists& values) {
  std::vector<OptionReference> options;
  for (const auto* opt : app.get_options())
    if (opt->nonpositional()) // positional arguments (provider ids) are shown by the usage line
      options.push_back(describe_option(*opt, values));
  return options;
}

Reference command_reference(commands::Services& services, const ValueLists& values) {
  commands::Context ctx(services);
  CLI::App root("", "breeze");
  register_all(root, ctx);

  Reference ref;
  ref.description = root.get_description();
  ref.global_options = described(root, values);
  for (const auto& g : group_table())
    ref.groups.push_back({&g, described(*root.get_subcommand(std::string(g.name)), values)});
  for (const auto& c : command_table()) {
    auto* app =
        c.group.empty()
            ? root.get_subcommand(std::string(c.name))
            : root.get_subcommand(std::string(c.group))->get_subcommand(std::string(c.name));
    ref.commands.push_back({&c, command_path(c).substr(std::string_view("breeze ").size()),
                            described(*app, command_values(values, &c))});
  }
  return ref;
}

std::vector<EnvOptionRow> env_option_table(commands::Services& services) {
  const auto ref = command_reference(services);
  std::vector<EnvOptionRow> rows;
  const auto row = [](const std::string& command, const OptionReference& o) {
    return EnvOptionRow{command, strings::join(o.spellings, "/"), o.variable, o.flag};
  };
  for (const auto& o : ref.global_options)
    if (!o.variable.empty()) rows.push_back(row("every command", o));
  for (const auto& c : ref.commands)
    for (const auto& o : c.options)
      if (!o.variable.empty() && !o.global) rows.push_back(row(c.path, o));
  return rows;
}

std::string env_option_markdown(commands::Services& services) {
  std::string table = "| command | option | variable |\n|---|---|---|\n";
  for (const auto& row : env_option_table(services)) {
    const auto command = row.command == "every command" ? row.command : "`" + row.command + "`";
    table += "| " + command + " | `" + row.option + "` | `" + row.variable + "` |\n";
  }
  return table;
}

} // namespace breeze::cli
