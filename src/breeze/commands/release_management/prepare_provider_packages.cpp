#include "prepare_packages_detail.hpp"

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/option_table.hpp>
#include <breeze/commands/release_management/prepare_packages.hpp>
#include <breeze/docker/client.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace breeze::commands::release_management {

namespace fs = std::filesystem;
using namespace packages_detail;

namespace {

constexpr const char* k_breeze_src = "dev/breeze/src/airflow_breeze";
constexpr const char* k_provider_module = "prepare_providers/provider_packages.py";
constexpr const char* k_providers_dist_pattern = "^apache[_-]airflow[_-]providers[_-]";

// The functions of the checkout's Breeze the driver calls (its late-2024 names).
const std::vector<std::string>& driver_functions() {
  static const std::vector<std::string> names{
      "copy_provider_sources_to_target", "generate_build_files", "cleanup_build_remnants",
      "build_provider_package", "move_built_packages_and_cleanup"};
  return names;
}

// Airflow 2's layout: provider `apache.hive` lives in airflow/providers/apache/hive/.
fs::path provider_yaml(const fs::path& root, const std::string& id) {
  auto dir = root / "airflow" / "providers";
  for (const auto& part : strings::split(id, '.'))
    dir /= part;
  return dir / "provider.yaml";
}

// provider.yaml's `state` (ready, not-ready, suspended, removed); "ready" when it has none.
std::string provider_state(const fs::path& yaml_file) {
  try {
    const auto doc = YAML::LoadFile(yaml_file.string());
    if (doc.IsMap() && doc["state"] && doc["state"].IsScalar())
      return doc["state"].as<std::string>();
  } catch (const YAML::Exception& e) {
    spdlog::debug("{}: {}", yaml_file.string(), e.what());
  }
  return "ready";
}

// Every provider of the checkout, by id, sorted.
std::vector<std::string> all_providers(const fs::path& root) {
  const auto base = root / "airflow" / "providers";
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != "provider.yaml") continue;
    auto id = it->path().parent_path().lexically_relative(base).generic_string();
    std::replace(id.begin(), id.end(), '/', '.');
    ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

struct Selection {
  std::vector<std::string> ids;       ///< to prepare
  std::vector<std::string> suspended; ///< listed but suspended: skipped, as Breeze does
  std::vector<std::string> problems;
};

// Breeze's get_packages_list_to_act_on: PACKAGE_LIST over the arguments, the list file (without
// `#` lines, and without removed / not-ready providers unless included), else every provider.
// (Ids together with a list file are refused before, by run_prepare_provider_packages.)
Selection select_providers(const fs::path& root, const ProviderPackagesOptions& o) {
  Selection s;
  auto keep_state = [&](const std::string& state) {
    return (state != "removed" || o.include_removed) &&
           (state != "not-ready" || o.include_not_ready);
  };
  std::vector<std::string> listed;
  bool filter_states = false;
  if (!o.package_list.empty()) {
    for (const auto& id : strings::split(o.package_list, ','))
      if (!strings::trim(id).empty()) listed.emplace_back(strings::trim(id));
    if (!o.providers.empty())
      spdlog::warn("Both provider arguments and --package-list (PACKAGE_LIST) given: using {}",
                   o.package_list);
  } else if (!o.package_list_file.empty()) {
    auto text = files::read(o.package_list_file);
    if (!text) {
      s.problems.push_back(fmt::format("--package-list-file {}: {}", o.package_list_file.string(),
                                       text.error().message));
      return s;
    }
    for (const auto& line : strings::split(*text, '\n')) {
      const auto id = std::string(strings::trim(line));
      if (!id.empty() && !id.starts_with("#")) listed.push_back(id);
    }
    filter_states = true;
  } else if (!o.providers.empty()) {
    listed = o.providers;
  } else {
    listed = all_providers(root);
    filter_states = true;
  }
  std::set<std::string> seen;
  std::vector<std::string> unknown;
  for (const auto& id : listed) {
    if (!seen.insert(id).second) continue;
    const auto yaml_file = provider_yaml(root, id);
    std::error_code ec;
    if (!fs::is_regular_file(yaml_file, ec)) {
      unknown.push_back(id);
      continue;
    }
    const auto state = provider_state(yaml_file);
    if (state == "suspended")
      s.suspended.push_back(id);
    else if (!filter_states || keep_state(state))
      s.ids.push_back(id);
  }
  if (!unknown.empty())
    s.problems.push_back(fmt::format("not a provider of this checkout (no "
                                     "airflow/providers/<id>/provider.yaml): {}",
                                     strings::join(unknown, ", ")));
  else if (s.ids.empty())
    s.problems.emplace_back("no provider packages to prepare");
  return s;
}

// The wheel or sdist name stem of provider `id`: apache_airflow_providers_apache_hive.
std::string package_stem(const std::string& id) {
  auto stem = "apache_airflow_providers_" + id;
  std::replace(stem.begin(), stem.end(), '.', '_');
  return stem;
}

std::string normalised(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

} // namespace

const std::string& provider_build_driver() {
  // Runs in the build image after `pip install -e ./dev/breeze`; imports the checkout's Breeze.
  static const std::string driver = R"(import os
import sys

from airflow_breeze.prepare_providers.provider_packages import (
    build_provider_package,
    cleanup_build_remnants,
    copy_provider_sources_to_target,
    generate_build_files,
    move_built_packages_and_cleanup,
)
from airflow_breeze.utils.path_utils import AIRFLOW_SOURCES_ROOT

package_format = os.environ.get("PACKAGE_FORMAT", "wheel")
version_suffix = os.environ.get("VERSION_SUFFIX_FOR_PYPI", "")
dist = AIRFLOW_SOURCES_ROOT / "dist"
dist.mkdir(parents=True, exist_ok=True)
failed = []
for provider_id in sys.argv[1:]:
    print(f"breeze: preparing provider package {provider_id}", flush=True)
    try:
        target = copy_provider_sources_to_target(provider_id)
        generate_build_files(
            provider_id=provider_id,
            version_suffix=version_suffix,
            target_provider_root_sources_path=target,
        )
        cleanup_build_remnants(target)
        build_provider_package(
            provider_id=provider_id,
            target_provider_root_sources_path=target,
            package_format=package_format,
        )
        move_built_packages_and_cleanup(target, dist, skip_cleanup=False)
    except (Exception, SystemExit) as error:
        print(f"breeze: provider {provider_id} failed: {error!r}", flush=True)
        failed.append(provider_id)
if failed:
    print("breeze: failed providers: " + " ".join(failed), flush=True)
    sys.exit(1)
)";
  return driver;
}

namespace {

// What the checkout must have for the driver, then the selection; every problem in its problems.
Selection checked_selection(const Context& ctx, const ProviderPackagesOptions& o) {
  const auto& root = ctx.settings.sources_root;
  std::vector<std::string> problems;
  const auto module = root / k_breeze_src / k_provider_module;
  if (auto text = files::read(module); !text) {
    problems.push_back(fmt::format(
        "{}/{} not found in {}: breeze builds the providers with the checkout's Breeze provider "
        "code, which Airflow 2 checkouts of 2024 have (Airflow 3's prepare-provider-distributions "
        "is not run by this breeze)",
        k_breeze_src, k_provider_module, root.string()));
  } else {
    std::vector<std::string> missing;
    for (const auto& name : driver_functions())
      if (text->find("def " + name + "(") == std::string::npos) missing.push_back(name);
    if (!missing.empty())
      problems.push_back(fmt::format("{} lacks {} (breeze calls the late-2024 Breeze functions)",
                                     module.string(), strings::join(missing, ", ")));
  }
  std::error_code ec;
  if (!fs::is_regular_file(root / "dev/breeze/pyproject.toml", ec))
    problems.push_back(fmt::format("dev/breeze/pyproject.toml not found in {} (the checkout's "
                                   "Breeze is installed in the build image from it)",
                                   root.string()));
  auto selection = select_providers(root, o);
  problems.insert(problems.end(), selection.problems.begin(), selection.problems.end());
  selection.problems = std::move(problems);
  return selection;
}

} // namespace

std::vector<std::string> provider_packages_problems(const Context& ctx,
                                                    const ProviderPackagesOptions& o) {
  return checked_selection(ctx, o).problems;
}

Expected<ExitCode> run_prepare_provider_packages(const ProviderPackagesOptions& o, Context& ctx) {
  const auto& root = ctx.settings.sources_root;
  // Breeze's rule: ids (as arguments or from PACKAGE_LIST) and a list file do not go together.
  if (!o.package_list_file.empty() && (!o.providers.empty() || !o.package_list.empty()))
    return usage_error(
        "You cannot specify individual provider packages when you specify package list file");
  BREEZE_TRY_VOID(require_sources_root(ctx.settings)); // before anything is read from the root
  const auto selection = checked_selection(ctx, o);
  BREEZE_TRY(auto refused,
             refuse_unless_ready(ctx, "Cannot prepare the provider packages:", selection.problems));
  if (refused) return *refused;
  for (const auto& id : selection.suspended)
    spdlog::warn("The package: {} is suspended, skipping it", id);
  const auto dist = root / "dist";
  if (o.clean_dist) {
    spdlog::warn("Cleaning dist directory before building packages");
    if (ctx.globals.dry_run) {
      ctx.out() << "rm -rf dist/*\n";
    } else {
      std::error_code ec;
      fs::remove_all(dist, ec);
      fs::create_directories(dist, ec);
      if (ec)
        return Error{ErrorKind::io,
                     fmt::format("cannot clean {}: {}", dist.string(), ec.message())};
    }
  }
  BREEZE_TRY(auto image, prepare_build_image(ctx));
  if (image != ExitCode::ok) return image;
  ContainerRun run;
  run.name_prefix = "airflow-providers-build";
  // -i without -t: the driver comes on stdin (a tty would need breeze's stdin to be one).
  run.docker_flags = {"-i"};
  const auto env = package_env_flags(o.version_suffix, o.package_format);
  run.docker_flags.insert(run.docker_flags.end(), env.begin(), env.end());
  run.docker_flags.insert(run.docker_flags.end(),
                          {"-e", "SKIP_BREEZE_SELF_UPGRADE_CHECK=true", "-w", "/opt/airflow"});
  run.command = {"bash", "-c",
                 "pip install --quiet --root-user-action ignore -e ./dev/breeze && exec python - "
                 "\"$@\"",
                 "prepare-provider-packages"};
  run.command.insert(run.command.end(), selection.ids.begin(), selection.ids.end());
  run.input = provider_build_driver();
  run.what = fmt::format("{} provider package(s)", selection.ids.size());
  BREEZE_TRY(auto ran, run_and_copy_dist(ctx, run));
  if (ran != ExitCode::ok) return ran;
  if (ctx.globals.dry_run) return ExitCode::ok;
  // Every provider asked for must have a package now, not merely some package in dist/.
  const auto packages = dist_packages(dist, k_providers_dist_pattern, o.package_format);
  std::vector<std::string> missing;
  for (const auto& id : selection.ids) {
    const auto stem = normalised(package_stem(id) + "-");
    const bool found = std::any_of(packages.begin(), packages.end(), [&](const fs::path& p) {
      return normalised(p.filename().string()).starts_with(stem);
    });
    if (!found) missing.push_back(id);
  }
  if (!missing.empty()) {
    spdlog::error("No {} package in {} for: {}", o.package_format, dist.string(),
                  strings::join(missing, ", "));
    return ExitCode::failure;
  }
  if (const auto listed = report_dist(ctx, packages, o.package_format, "the provider packages");
      listed != ExitCode::ok)
    return listed;
  spdlog::info("Successfully built {} provider package(s)", selection.ids.size());
  return ExitCode::ok;
}

void register_prepare_provider_packages(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto o = std::make_shared<ProviderPackagesOptions>();
  const auto* cwd = &ctx.services().cwd;
  auto rows = package_option_rows(o->package_format, o->version_suffix);
  rows.insert(
      rows.end(),
      {{"--package-list-file",
        &o->package_list_file,
        "Read list of packages from text file (one package per line).",
        "",
        {},
        false,
        false,
        cwd},
       {"--package-list", &o->package_list,
        "Comma-separated provider ids; overrides the ids passed as arguments.", "PACKAGE_LIST"},
       {"--clean-dist", &o->clean_dist, "Clean dist directory before building packages.", ""},
       {"--skip-tag-check", &o->skip_tag_check,
        "Accepted for Breeze's command lines: this breeze never checks provider tags.", ""},
       {"--skip-deleting-generated-files", &o->skip_deleting_generated_files,
        "Accepted for Breeze's command lines: the generated files stay in the build container, "
        "which is removed.",
        ""},
       {"--include-not-ready-providers", &o->include_not_ready,
        "Whether to include providers that are not yet ready to be released.",
        "INCLUDE_NOT_READY_PROVIDERS"},
       {"--include-removed-providers", &o->include_removed,
        "Whether to include providers that are removed.", "INCLUDE_REMOVED_PROVIDERS"}});
  add_option_rows(*cmd, rows, "");
  cmd->add_option("provider_packages", o->providers, "Provider ids, e.g. amazon apache.hive.");
  cmd->callback(
      [&ctx, o] { ctx.action = [o](Context& c) { return run_prepare_provider_packages(*o, c); }; });
}

} // namespace breeze::commands::release_management
