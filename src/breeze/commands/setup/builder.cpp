#include <breeze/commands/setup/builder.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/docker/build_command.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace breeze::commands::setup {

namespace {

void print_builder(std::ostream& out, const docker::BuilderInfo& b) {
  out << fmt::format("Builder {} ({})\n", b.name, b.driver.empty() ? "docker-container" : b.driver);
  for (const auto& n : b.nodes)
    out << fmt::format("  {}  {}  {}  {}\n", n.name, n.endpoint, n.status.empty() ? "-" : n.status,
                       n.platforms.empty() ? "(no platforms reported)"
                                           : strings::join(n.platforms, ", "));
}

Expected<ExitCode> run_setup_builder(Context& ctx, SetupBuilderOptions opts) {
  if (opts.name.empty()) return usage_error("--name must not be empty");
  if (!opts.platforms.empty()) {
    BREEZE_TRY(auto normalised, docker::normalize_platforms(opts.platforms));
    opts.platforms = strings::join(normalised, ",");
  }
  const auto docker = docker::docker_client(ctx.services().env);
  auto& runner = ctx.runner();
  BREEZE_TRY(auto engine, docker::detect_engine(runner, docker));
  if (engine != docker::Engine::buildx) return failure(docker::buildx_install_hint());

  BREEZE_TRY(auto existing, docker::inspect_builder(runner, docker, opts.name));
  auto plan = plan_builder_changes(opts, existing, docker);
  auto& out = ctx.out();
  if (existing) print_builder(out, *existing);
  if (plan.empty()) {
    out << fmt::format("Builder {} already has every node asked for: nothing to change.\n",
                       opts.name);
  } else {
    out << fmt::format(
        "Plan for buildx builder {} (your docker context and current builder stay as they are):\n",
        opts.name);
    // Under --dry-run the dry-run runner prints each command below instead.
    if (!ctx.globals.dry_run)
      for (const auto& argv : plan)
        out << "  " << strings::shell_join(argv) << "\n";
  }
  out.flush();

  if (!plan.empty() && !ctx.globals.dry_run) {
    BREEZE_TRY(auto stop, ctx.confirm_or_stop(fmt::format("Change buildx builder {}?", opts.name),
                                              "Nothing changed."));
    if (stop) return *stop;
  }
  plan.push_back(docker::builder_bootstrap_argv(docker, opts.name));
  process::ProcessResult last;
  for (const auto& argv : plan) {
    process::ProcessSpec spec;
    spec.argv = argv;
    spec.timeout = std::chrono::minutes(5);
    BREEZE_TRY(auto r, runner.run(spec));
    if (!r.ok())
      return failure(fmt::format(
          "`{}` failed (exit {}): {}", strings::shell_join(argv), r.exit_code,
          strings::strip_control(std::string(strings::trim(r.err.empty() ? r.out : r.err)))));
    last = std::move(r);
  }
  if (ctx.globals.dry_run) return ExitCode::ok;
  auto info = docker::parse_buildx_inspect(last.out);
  out << "Builder ready:\n";
  print_builder(out, info);
  for (const auto* p : {"linux/amd64", "linux/arm64"})
    out << fmt::format("  {}: {}\n", p, info.supports(p) ? "buildable" : "not buildable");
  return ExitCode::ok;
}

} // namespace

std::vector<std::vector<std::string>>
plan_builder_changes(const SetupBuilderOptions& opts,
                     const std::optional<docker::BuilderInfo>& existing,
                     const std::string& docker) {
  std::vector<std::vector<std::string>> plan;
  if (!existing) plan.push_back(docker::builder_create_argv(docker, opts.name, opts.platforms));
  std::vector<std::string> present;
  if (existing)
    for (const auto& n : existing->nodes)
      present.push_back(docker::normalize_endpoint(n.endpoint));
  for (const auto& endpoint : opts.append) {
    const auto normal = docker::normalize_endpoint(endpoint);
    if (std::find(present.begin(), present.end(), normal) != present.end()) continue;
    present.push_back(normal);
    plan.push_back(docker::builder_append_argv(docker, opts.name, endpoint, opts.platforms));
  }
  return plan;
}

void register_setup_builder(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<SetupBuilderOptions>();
  cmd->add_option("--name", opts->name, "Name of the buildx builder.")->capture_default_str();
  cmd->add_option("--append", opts->append,
                  "Remote node to add (tcp://HOST:PORT); repeatable. Nodes already in "
                  "the builder are skipped.");
  cmd->add_option("--platforms", opts->platforms,
                  "Platforms of the created nodes, e.g. linux/amd64,linux/arm64.");
  cmd->callback(
      [&ctx, opts] { ctx.action = [opts](Context& c) { return run_setup_builder(c, *opts); }; });
}

} // namespace breeze::commands::setup
