#include <breeze/commands/setup/doctor.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/commands/option_groups.hpp>
#include <breeze/docker/buildx.hpp>
#include <breeze/docker/client.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace breeze::commands::setup {

namespace {

struct DoctorOptions {
  std::string output = "text";
};

// Read-only: the doctor runs every probe even under --dry-run.
Expected<process::ProcessResult> probe(Context& ctx, std::vector<std::string> argv) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(30);
  return ctx.runner().run(spec);
}

std::string first_line(const std::string& text) {
  auto line = std::string(strings::trim(text));
  if (auto nl = line.find('\n'); nl != std::string::npos) line = line.substr(0, nl);
  return strings::strip_control(line);
}

std::string json_version(const nlohmann::json& doc, const char* part) {
  if (!doc.contains(part) || !doc[part].is_object()) return {};
  const auto& v = doc[part];
  return v.contains("Version") && v["Version"].is_string() ? v["Version"].get<std::string>()
                                                           : std::string();
}

struct Findings {
  std::vector<DoctorCheck> checks;
  std::vector<docker::BuilderInfo> builders;
};

Findings examine(Context& ctx) {
  Findings f;
  const auto docker = docker::docker_client(ctx.services().env);
  auto version = probe(ctx, {docker, "version", "--format", "{{json .}}"});
  if (!version) {
    f.checks.push_back({"docker client", false, fmt::format("cannot run '{}'", docker),
                        "install docker (Debian: apt-get install docker.io) or point BREEZE_DOCKER "
                        "at the client"});
    return f;
  }
  nlohmann::json doc;
  try {
    auto start = version->out.find('{');
    if (start != std::string::npos) doc = nlohmann::json::parse(version->out.substr(start));
  } catch (const nlohmann::json::exception&) {
    doc = nlohmann::json::object();
  }
  const auto client = json_version(doc, "Client");
  f.checks.push_back({"docker client", true, client.empty() ? docker : client, {}});
  const auto server = json_version(doc, "Server");
  if (!server.empty())
    f.checks.push_back({"docker engine", true, server + " (reachable)", {}});
  else
    f.checks.push_back({"docker engine", false, "not reachable: " + first_line(version->err),
                        docker::k_start_engine_fix});

  auto buildx = probe(ctx, {docker, "buildx", "version"});
  const bool has_buildx = buildx && buildx->ok();
  if (has_buildx)
    f.checks.push_back({"buildx", true, first_line(buildx->out), {}});
  else
    f.checks.push_back({"buildx", false, "not installed (`docker buildx version` fails)",
                        "Debian/Ubuntu: apt-get install docker-buildx (newer releases), or put the "
                        "buildx binary at "
                        "~/.docker/cli-plugins/docker-buildx"});

  if (has_buildx) {
    if (auto ls = probe(ctx, {docker, "buildx", "ls"}); ls && ls->ok())
      f.builders = docker::parse_buildx_ls(ls->out);
  }
  const docker::BuilderInfo* both = nullptr;
  for (const auto& b : f.builders)
    if (b.supports("linux/amd64") && b.supports("linux/arm64")) {
      both = &b;
      break;
    }
  if (both != nullptr) {
    f.checks.push_back({"multi-platform",
                        true,
                        fmt::format("linux/amd64 and linux/arm64 on builder {}", both->name),
                        {}});
  } else {
    std::vector<std::string> missing;
    for (const auto* p : {"linux/amd64", "linux/arm64"}) {
      bool any = false;
      for (const auto& b : f.builders)
        any = any || b.supports(p);
      if (!any) missing.emplace_back(p);
    }
    const auto detail = !has_buildx ? std::string("needs buildx")
                        : missing.empty()
                            ? std::string("no single builder has both linux/amd64 and linux/arm64")
                            : fmt::format("no builder can build {}", strings::join(missing, ", "));
    f.checks.push_back({"multi-platform", false, detail,
                        "breeze setup emulation (QEMU, slow) or breeze setup builder --name "
                        "airflow_cache --append "
                        "tcp://HOST:PORT (a node of the other platform)"});
  }

  const auto& registry = ctx.settings.registry;
  const auto config = docker::docker_config_file(ctx.services().env);
  auto login = docker::has_registry_login(config, registry);
  if (!login)
    f.checks.push_back({"registry login", false, login.error().message,
                        fmt::format("fix or remove {}", config.string())});
  else if (*login)
    f.checks.push_back(
        {"registry login", true, fmt::format("{} (in {})", registry, config.string()), {}});
  else
    f.checks.push_back(
        {"registry login", false, fmt::format("no login for {} in {}", registry, config.string()),
         fmt::format("docker login {} (needed to push images and caches)", registry)});
  return f;
}

void render_text(std::ostream& out, const Findings& f) {
  for (const auto& c : f.checks)
    out << fmt::format("{:<16} {:<8} {}\n", c.name, c.ok ? "ok" : "MISSING", c.detail);
  if (!f.builders.empty()) {
    out << "Builders:\n";
    for (const auto& b : f.builders) {
      out << fmt::format("  {}{} ({})\n", b.name, b.current ? " *" : "", b.driver);
      for (const auto& n : b.nodes)
        out << fmt::format("    {}  {}  {}  {}\n", n.name, n.endpoint,
                           n.status.empty() ? "-" : n.status,
                           n.platforms.empty() ? "-" : strings::join(n.platforms, ", "));
    }
  }
  bool header = false;
  for (const auto& c : f.checks) {
    if (c.ok) continue;
    if (!header) out << "To fix:\n";
    header = true;
    out << fmt::format("  {}: {}\n", c.name, c.fix);
  }
  if (!header) out << "Everything breeze needs to build images is in place.\n";
}

std::string render_json(const Findings& f) {
  auto doc = nlohmann::json::object();
  doc["ok"] =
      std::all_of(f.checks.begin(), f.checks.end(), [](const DoctorCheck& c) { return c.ok; });
  doc["checks"] = nlohmann::json::array();
  for (const auto& c : f.checks)
    doc["checks"].push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}, {"fix", c.fix}});
  doc["builders"] = nlohmann::json::array();
  for (const auto& b : f.builders) {
    auto nodes = nlohmann::json::array();
    for (const auto& n : b.nodes)
      nodes.push_back({{"name", n.name},
                       {"endpoint", n.endpoint},
                       {"status", n.status},
                       {"platforms", n.platforms}});
    doc["builders"].push_back(
        {{"name", b.name}, {"driver", b.driver}, {"current", b.current}, {"nodes", nodes}});
  }
  return doc.dump(2) + "\n";
}

Expected<ExitCode> run_setup_doctor(Context& ctx, const DoctorOptions& opts) {
  auto f = examine(ctx);
  if (opts.output == "json")
    ctx.out() << render_json(f);
  else
    render_text(ctx.out(), f);
  const bool ok =
      std::all_of(f.checks.begin(), f.checks.end(), [](const DoctorCheck& c) { return c.ok; });
  return ok ? ExitCode::ok : ExitCode::failure;
}

} // namespace

void register_setup_doctor(CLI::App& command, Context& ctx) {
  auto* cmd = &command;
  auto opts = std::make_shared<DoctorOptions>();
  add_output_option(*cmd, opts->output);
  cmd->callback(
      [&ctx, opts] { ctx.action = [opts](Context& c) { return run_setup_doctor(c, *opts); }; });
}

} // namespace breeze::commands::setup
