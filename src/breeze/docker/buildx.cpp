#include <breeze/docker/buildx.hpp>

#include <breeze/base/strings.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace breeze::docker {

namespace {

// "linux/amd64*, linux/386" -> {"linux/amd64", "linux/386"}; buildx marks user-set platforms with
// "*".
std::vector<std::string> split_platforms(std::string_view text) {
  std::vector<std::string> out;
  for (auto& part : strings::split(std::string(text), ',')) {
    auto p = std::string(strings::trim(part));
    while (!p.empty() && p.back() == '*')
      p.pop_back();
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

} // namespace

bool BuilderInfo::supports(const std::string& platform) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const BuilderNode& n) {
    return std::find(n.platforms.begin(), n.platforms.end(), platform) != n.platforms.end();
  });
}

BuilderInfo parse_buildx_inspect(const std::string& text) {
  BuilderInfo info;
  bool in_nodes = false;
  for (const auto& raw : strings::split(text, '\n')) {
    const auto line = std::string(strings::trim(raw));
    if (line == "Nodes:") {
      in_nodes = true;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto key = line.substr(0, colon);
    const auto value = std::string(strings::trim(line.substr(colon + 1)));
    if (!in_nodes) {
      if (key == "Name")
        info.name = value;
      else if (key == "Driver")
        info.driver = value;
      continue;
    }
    if (key == "Name") info.nodes.push_back({value, {}, {}, {}});
    if (info.nodes.empty()) continue;
    auto& node = info.nodes.back();
    if (key == "Endpoint")
      node.endpoint = value;
    else if (key == "Status")
      node.status = value;
    else if (key == "Platforms")
      node.platforms = split_platforms(value);
  }
  return info;
}

std::vector<BuilderInfo> parse_buildx_ls(const std::string& text) {
  std::vector<BuilderInfo> builders;
  for (const auto& line : strings::split(text, '\n')) {
    if (strings::trim(line).empty() || line.starts_with("NAME/NODE")) continue;
    auto w = words(line);
    const bool node_line = line.front() == ' ' || line.front() == '\t';
    if (!node_line) {
      BuilderInfo b;
      b.name = w[0];
      std::size_t i = 1;
      if (i < w.size() && w[i] == "*") {
        b.current = true;
        ++i;
      }
      if (!b.name.empty() && b.name.back() == '*') {
        b.current = true;
        b.name.pop_back();
      }
      if (i < w.size()) b.driver = w[i];
      builders.push_back(std::move(b));
      continue;
    }
    if (builders.empty()) continue;
    if (!w.empty() && w[0] == "\\_") w.erase(w.begin());
    if (w.empty()) continue;
    BuilderNode node;
    node.name = w[0];
    if (w.size() > 1) node.endpoint = w[1];
    if (w.size() > 2) node.status = w[2];
    // Platforms are the remaining words that look like os/arch (the BUILDKIT column is a version).
    std::string platforms;
    for (std::size_t i = 3; i < w.size(); ++i)
      if (w[i].find('/') != std::string::npos) platforms += w[i];
    node.platforms = split_platforms(platforms);
    builders.back().nodes.push_back(std::move(node));
  }
  return builders;
}

std::string normalize_endpoint(const std::string& endpoint) {
  if (endpoint.find("://") != std::string::npos) return endpoint;
  return "tcp://" + endpoint;
}

std::vector<std::string> builder_create_argv(const std::string& docker, const std::string& name,
                                             const std::string& platforms) {
  std::vector<std::string> argv{docker, "buildx", "create", "--name", name};
  if (!platforms.empty()) argv.insert(argv.end(), {"--platform", platforms});
  return argv;
}

std::vector<std::string> builder_append_argv(const std::string& docker, const std::string& name,
                                             const std::string& endpoint,
                                             const std::string& platforms) {
  std::vector<std::string> argv{docker, "buildx", "create", "--name", name, "--append", endpoint};
  if (!platforms.empty()) argv.insert(argv.end(), {"--platform", platforms});
  return argv;
}

std::vector<std::string> builder_bootstrap_argv(const std::string& docker,
                                                const std::string& name) {
  return {docker, "buildx", "inspect", "--bootstrap", name};
}

std::vector<std::string> emulation_argv(const std::string& docker) {
  return {docker, "run", "--privileged", "--rm", "tonistiigi/binfmt", "--install", "all"};
}

std::vector<std::string> parse_binfmt_supported(const std::string& text) {
  // binfmt prints its status as one JSON object on stdout, possibly after log lines.
  auto start = text.find('{');
  if (start == std::string::npos) return {};
  try {
    auto doc = nlohmann::json::parse(text.substr(start));
    std::vector<std::string> out;
    if (doc.contains("supported") && doc["supported"].is_array())
      for (const auto& p : doc["supported"])
        if (p.is_string()) out.push_back(p.get<std::string>());
    return out;
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

Expected<std::optional<BuilderInfo>>
inspect_builder(process::Runner& runner, const std::string& docker, const std::string& name) {
  process::ProcessSpec spec;
  spec.argv = {docker, "buildx", "inspect", name};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(60);
  BREEZE_TRY(auto r, runner.run(spec));
  if (!r.ok()) return std::optional<BuilderInfo>{};
  return std::optional<BuilderInfo>{parse_buildx_inspect(r.out)};
}

std::string buildx_install_hint() {
  return "docker buildx is not installed: on Debian/Ubuntu `apt-get install docker-buildx` (newer "
         "releases), or put "
         "the buildx binary at ~/.docker/cli-plugins/docker-buildx "
         "(https://github.com/docker/buildx/releases)";
}

} // namespace breeze::docker
