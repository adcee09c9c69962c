#include <breeze/docker/labels.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace breeze::docker {

std::vector<std::pair<std::string, std::string>> build_labels(const ImageParams& p) {
  std::vector<std::pair<std::string, std::string>> out;
  // Python Breeze's PROD build ends its build args with Artifact Hub's labels (2024
  // BuildProdParams._extra_prod_docker_build_flags); the maintainers are json.dumps' text.
  if (p.type == ImageType::prod)
    out = {{"io.artifacthub.package.license", "Apache-2.0"},
           {"io.artifacthub.package.readme-url",
            "https://raw.githubusercontent.com/apache/airflow/main/docs/docker-stack/README.md"},
           {"io.artifacthub.package.maintainers",
            R"([{"name": "Apache Airflow PMC", "email": "dev@airflow.apache.org"}])"},
           {"io.artifacthub.package.logo-url",
            "https://github.com/apache/airflow/raw/main/docs/apache-airflow/img/logos/"
            "wordmark_1.png"}};
  out.insert(out.end(), {{k_label_build_time, p.image_date_created},
                         {k_label_upgraded, p.upgrade_to_newer_dependencies ? "true" : "false"},
                         {k_label_eager, p.eager_upgrade_additional_requirements},
                         {k_label_source_commit, p.source_commit}});
  return out;
}

std::optional<BuildLabels> parse_build_labels(const std::map<std::string, std::string>& labels) {
  const auto time_it = labels.find(k_label_build_time);
  const auto up_it = labels.find(k_label_upgraded);
  if (time_it == labels.end() || up_it == labels.end()) return std::nullopt;
  auto t = time::parse_iso8601(time_it->second);
  if (!t) return std::nullopt;
  BuildLabels out;
  out.build_time = *t;
  out.upgraded = up_it->second == "true";
  if (auto it = labels.find(k_label_eager); it != labels.end()) out.eager_requirements = it->second;
  if (auto it = labels.find(k_label_source_commit); it != labels.end())
    out.source_commit = it->second;
  return out;
}

Expected<std::optional<std::map<std::string, std::string>>>
inspect_labels(process::Runner& runner, const std::string& docker, const std::string& image) {
  process::ProcessSpec spec;
  spec.argv = {docker, "image", "inspect", "--format", "{{json .Config.Labels}}", image};
  spec.changes_state = false;
  spec.timeout = std::chrono::seconds(60);
  auto r = runner.run(spec);
  if (!r)
    return Error{
        ErrorKind::process,
        fmt::format(
            "cannot run the docker client '{}' ({}): install docker or point BREEZE_DOCKER at it",
            docker, r.error().message)};
  if (r->dry_run)
    return std::optional<std::map<std::string, std::string>>(std::map<std::string, std::string>{});
  if (!r->ok()) {
    // "No such image" is an answer; anything else (engine down) is an error worth showing.
    const auto said = r->err + r->out;
    if (said.find("No such image") != std::string::npos ||
        said.find("No such object") != std::string::npos)
      return std::optional<std::map<std::string, std::string>>();
    return Error{ErrorKind::process,
                 fmt::format("docker image inspect {} failed (exit {}): {}", image, r->exit_code,
                             strings::strip_control(strings::trim(said)))};
  }
  std::map<std::string, std::string> labels;
  try {
    const auto j = nlohmann::json::parse(strings::trim(r->out));
    if (j.is_null()) return std::optional(labels); // an image without any label
    if (!j.is_object())
      return Error{ErrorKind::process, "docker image inspect: labels are not a JSON object", image};
    for (const auto& [k, v] : j.items())
      if (v.is_string()) labels[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorKind::process,
                 fmt::format("docker image inspect: unreadable answer ({})", e.what()), image};
  }
  return std::optional(labels);
}

} // namespace breeze::docker
