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
#include <breeze/commands/release_management/publish_constraints.hpp>
#include <breeze/commands/release_management/restore_constraints_tags.hpp>
#include <breeze/commands/release_management/update_constraints.hpp>
#include <breeze/commands/setup/builder.hpp>
#include <breeze/commands/setup/doctor.hpp>
#include <breeze/commands/setup/emulation.hpp>
#include <breeze/commands/version.hpp>

#include <CLI/CLI.hpp>

#include <map>
#include <set>

namespace breeze::cli {

namespace {

constexpr std::string_view k_options = "Options"; // CLI11's default group (holds -h/--help)
constexpr std::string_view k_global = "Global options";

std::string examples_footer(const std::vector<std::string_view>& examples) {
  std::string footer = "Examples:\n";
  for (const auto& e : examples)
    footer += "  " + std::string(e) + "\n";
  return footer;
}

// CLI11's IsMember describes itself as "{a,b,c}" (detail::generate_set): the only place the list
// is kept. Any other validator (a range, a custom check) allows what it allows: no list.
std::vector<std::string> allowed_values(CLI::Option& opt) {
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    const auto text = v->get_description();
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}' &&
        text.find_first_of("{}", 1) == text.size() - 1) {
      std::vector<std::string> values;
      std::string current;
      for (char c : text.substr(1, text.size() - 2)) {
        if (c == ',') {
          values.push_back(current);
          current.clear();
        } else {
          current += c;
        }
      }
      values.push_back(current);
      return values;
    }
  }
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
  static const std::vector<CommandMetadata> table = {
      {"",
       "version",
       "Print information about the version and settings of breeze.",
       {"breeze version", "breeze version --airflow-sources ~/code/airflow"},
       {k_options, k_global},
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
       {k_options, "Build options", "Customisation", k_global},
       &ci_image::register_ci_image_build},
      {"ci-image",
       "save",
       "Save the CI image to a tar file (a CI artifact).",
       {"breeze ci-image save --python 3.12 --platform linux/amd64"},
       {k_options, k_global},
       &ci_image::register_ci_image_save},
      {"ci-image",
       "load",
       "Load the CI image from a tar file saved by `ci-image save`.",
       {"breeze ci-image load --python 3.12 --image-file /tmp/ci-image-save-linux-amd64-3.12.tar"},
       {k_options, k_global},
       &ci_image::register_ci_image_load},
      {"prod-image",
       "build",
       "Build the PROD image (Dockerfile) with docker buildx.",
       {"breeze prod-image build --python 3.12",
        "breeze prod-image build --install-packages-from-context --run-in-parallel",
        "breeze prod-image build --dry-run"},
       {k_options, "Build options", "Customisation", k_global},
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
       {k_options, k_global},
       &ci::register_find_backtracking_candidates},
      {"ci",
       "refresh-images",
       "Refresh the registry cache of the CI and PROD images for every Python and platform.",
       {"docker login ghcr.io && breeze ci refresh-images", "breeze ci refresh-images --dry-run",
        "breeze ci refresh-images --python-versions \"3.12\" --platform linux/amd64",
        "breeze ci refresh-images --ci-image-only"},
       {k_options, k_global},
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
       {k_options, "Candidates", "Probes", "Result", k_global},
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
       {k_options, k_global},
       &release_management::register_update_constraints},
      {"release-management",
       "restore-constraints-tags",
       "Put constraints tags moved by update-constraints back where they were (locally and on the "
       "remote), from its restore file.",
       {"breeze release-management restore-constraints-tags \\\n"
        "      --journal "
        "~/airflow-constraints/.git/breeze-constraints-restore-20230809T214823Z.json",
        "breeze release-management restore-constraints-tags --journal FILE --dry-run"},
       {k_options, k_global},
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
       {k_options, k_global},
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
       {k_options, k_global},
       &release_management::register_generate_constraints},
      {"setup",
       "builder",
       "Create or extend a multi-node docker buildx builder (e.g. a local node plus a remote "
       "tcp://HOST:PORT node) for multi-platform builds.",
       {"breeze setup builder --name airflow_cache",
        "breeze setup builder --name airflow_cache --append tcp://127.0.0.1:2375",
        "breeze setup builder --name airflow_cache --append tcp://arm-host:2375 --platforms "
        "linux/arm64 --dry-run"},
       {k_options, k_global},
       &setup::register_setup_builder},
      {"setup",
       "emulation",
       "Install QEMU emulation (tonistiigi/binfmt) so the local engine can build images for other "
       "platforms, e.g. linux/arm64 on amd64.",
       {"breeze setup emulation", "breeze setup emulation --answer yes",
        "breeze setup emulation --dry-run"},
       {k_options, k_global},
       &setup::register_setup_emulation},
      {"setup",
       "doctor",
       "Check docker, buildx, builders and their platforms, and the registry login; say how to "
       "fix what is missing. Exit 1 when something is.",
       {"breeze setup doctor", "breeze setup doctor --output json"},
       {k_options, k_global},
       &setup::register_setup_doctor},
      {"setup",
       "autocomplete",
       "Enable shell completion of breeze's commands, options and values (Pythons from the "
       "checkout, modes, platforms): writes the script and, after confirmation, sources it from "
       "your shell's rc file once.",
       {"breeze setup autocomplete", "breeze setup autocomplete --shell zsh --dry-run",
        "breeze setup autocomplete --shell bash --print > breeze-completion.bash"},
       {k_options, k_global},
       &register_setup_autocomplete},
      {"setup",
       "man-page",
       "Print breeze's man page (breeze.1, man(7) format), generated from the commands "
       "themselves; the build writes it beside the binary.",
       {"breeze setup man-page | man -l -", "breeze setup man-page --output breeze.1"},
       {k_options, k_global},
       &register_setup_man_page},
  };
  return table;
}

std::string command_path(const CommandMetadata& command) {
  std::string path = "breeze";
  if (!command.group.empty()) path += " " + std::string(command.group);
  return path + " " + std::string(command.name);
}

void register_all(CLI::App& root, commands::Context& ctx) {
  std::map<std::string_view, CLI::App*> groups;
  const auto add_command = [&](CLI::App& parent, const CommandMetadata& c) {
    auto* cmd = parent.add_subcommand(std::string(c.name), std::string(c.summary));
    cmd->footer(examples_footer(c.examples));
    c.register_options(*cmd, ctx);
    commands::add_global_options(*cmd, ctx.globals);
  };
  // breeze's own commands come first in help, then the groups in their order.
  for (const auto& c : command_table())
    if (c.group.empty()) add_command(root, c);
  for (const auto& g : group_table()) {
    auto* group = root.add_subcommand(std::string(g.name), std::string(g.summary));
    group->footer(examples_footer(g.examples));
    commands::add_global_options(*group, ctx.globals);
    groups[g.name] = group;
  }
  for (const auto& c : command_table())
    if (!c.group.empty()) add_command(*groups.at(c.group), c);
}

std::vector<OptionReference> describe_options(CLI::App& app) {
  std::vector<OptionReference> options;
  for (auto* opt : app.get_options()) {
    OptionReference o;
    for (const auto& s : opt->get_snames())
      o.spellings.push_back("-" + s);
    for (const auto& l : opt->get_lnames())
      o.spellings.push_back("--" + l);
    o.description = opt->get_description();
    o.type_name = opt->get_type_name();
    o.default_text = opt->get_default_str();
    o.allowed = allowed_values(*opt);
    o.variable = opt->get_envname();
    o.panel = opt->get_group();
    o.flag = opt->get_expected_max() == 0;
    o.required = opt->get_required();
    o.repeatable = opt->get_expected_max() > 1;
    options.push_back(std::move(o));
  }
  return options;
}

Reference command_reference(commands::Services& services) {
  commands::Context ctx(services);
  CLI::App root("breeze", "breeze");
  commands::add_global_options(root, ctx.globals);
  register_all(root, ctx);

  Reference ref;
  ref.global_options = describe_options(root);
  std::set<std::string> global; // by first spelling: the options add_global_options adds
  for (auto& o : ref.global_options) {
    o.global = o.panel == k_global;
    if (o.global) global.insert(o.spellings.front());
  }
  for (const auto& c : command_table()) {
    auto* app =
        c.group.empty()
            ? root.get_subcommand(std::string(c.name))
            : root.get_subcommand(std::string(c.group))->get_subcommand(std::string(c.name));
    CommandReference cmd{&c, command_path(c).substr(std::string_view("breeze ").size()),
                         describe_options(*app)};
    for (auto& o : cmd.options)
      o.global = o.panel == k_global && global.count(o.spellings.front()) != 0;
    ref.commands.push_back(std::move(cmd));
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

} // namespace breeze::cli
