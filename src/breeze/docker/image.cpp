#include <breeze/docker/image.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <cctype>

#include <sys/utsname.h>

namespace breeze::docker {

namespace {

// Breeze's default PROD extras (2024), used when --airflow-extras is not given for a PROD image.
constexpr const char* k_default_prod_extras =
    "aiobotocore,amazon,async,celery,cncf-kubernetes,common-io,docker,elasticsearch,fab,ftp,google,"
    "google-auth,graphviz,grpc,hashicorp,http,ldap,microsoft-azure,mysql,odbc,openlineage,pandas,"
    "postgres,redis,sendgrid,sftp,slack,snowflake,ssh,statsd,uv,virtualenv";

class ArgList {
public:
  void req(const std::string& name, const std::string& value) {
    m_values.push_back(name + "=" + value);
  }
  // Breeze's _opt_arg: only passed when set, so the Dockerfile's own default applies otherwise.
  void opt(const std::string& name, const std::string& value) {
    if (!value.empty()) req(name, value);
  }
  std::vector<std::string> take() { return std::move(m_values); }

private:
  std::vector<std::string> m_values;
};

std::string flag(bool b) { return b ? "true" : "false"; }

constexpr const char* k_prod_readme_url =
    "https://raw.githubusercontent.com/apache/airflow/main/docs/docker-stack/README.md";

} // namespace

std::string type_name(ImageType type) { return type == ImageType::ci ? "ci" : "prod"; }

Expected<std::string> normalize_platform(const std::string& platform) {
  auto p = strings::to_lower(strings::trim(platform));
  if (p.starts_with("linux/")) p = p.substr(6);
  if (p == "amd64" || p == "x86_64") return std::string("linux/amd64");
  if (p == "arm64" || p == "aarch64" || p == "arm64/v8") return std::string("linux/arm64");
  return usage_error(fmt::format("unsupported platform '{}': use linux/amd64, linux/arm64, "
                                 "linux/amd64,linux/arm64 or both",
                                 platform));
}

Expected<std::vector<std::string>> normalize_platforms(const std::string& value) {
  if (strings::trim(value) == "both") return std::vector<std::string>{"linux/amd64", "linux/arm64"};
  std::vector<std::string> out;
  for (const auto& part : strings::split(value, ',')) {
    BREEZE_TRY(auto p, normalize_platform(part));
    bool seen = false;
    for (const auto& o : out)
      seen = seen || o == p;
    if (!seen) out.push_back(p);
  }
  if (out.empty()) return usage_error("--platform needs a value");
  return out;
}

std::string native_platform() {
  struct utsname u {};
  if (uname(&u) == 0) {
    if (auto p = normalize_platform(u.machine)) return *p;
  }
  return "linux/amd64";
}

std::string image_name(const ImageParams& p) {
  return fmt::format("{}/{}/{}/{}/python{}", p.registry, strings::to_lower(p.github_repository),
                     p.branch, type_name(p.type), p.python);
}

std::string image_name_with_tag(const ImageParams& p) {
  return image_name(p) + ":" + (p.image_tag.empty() ? std::string("latest") : p.image_tag);
}

std::string cache_ref(const ImageParams& p, const std::string& platform) {
  auto tag = platform;
  for (auto& c : tag)
    if (c == '/') c = '-';
  return image_name(p) + ":cache-" + tag;
}

std::string python_base_image(const ImageParams& p) {
  if (!p.python_image.empty()) return p.python_image;
  return fmt::format("python:{}-slim-{}", p.python, p.debian_version);
}

std::string dockerfile_of(const ImageParams& p) {
  if (!p.dockerfile.empty()) return p.dockerfile;
  return p.type == ImageType::ci ? "Dockerfile.ci" : "Dockerfile";
}

namespace {

// Python Breeze's AIRFLOW_VERSION: the sources' version, or with --version-suffix-for-pypi not
// already in it, its base version (the leading release numbers) + "." + the suffix.
std::string version_with_suffix(const std::string& version, const std::string& suffix) {
  if (suffix.empty() || version.find(suffix) != std::string::npos) return version;
  std::size_t end = 0;
  while (end < version.size() &&
         (std::isdigit(static_cast<unsigned char>(version[end])) != 0 || version[end] == '.'))
    ++end;
  auto base = version.substr(0, end);
  while (!base.empty() && base.back() == '.')
    base.pop_back();
  return base.empty() ? version : base + "." + suffix;
}

// The optional args CI and PROD builds share, in Breeze's order; PROD puts its runtime apt args
// between the two halves.
void add_additional_args(ArgList& a, const ImageParams& p) {
  a.opt("AIRFLOW_CONSTRAINTS_LOCATION", p.airflow_constraints_location);
  a.opt("ADDITIONAL_AIRFLOW_EXTRAS", p.additional_airflow_extras);
  a.opt("ADDITIONAL_DEV_APT_COMMAND", p.additional_dev_apt_command);
  a.opt("ADDITIONAL_DEV_APT_DEPS", p.additional_dev_apt_deps);
  a.opt("ADDITIONAL_DEV_APT_ENV", p.additional_dev_apt_env);
  a.opt("ADDITIONAL_PIP_INSTALL_FLAGS", p.additional_pip_install_flags);
  a.opt("ADDITIONAL_PYTHON_DEPS", p.additional_python_deps);
}

void add_build_env_args(ArgList& a, const ImageParams& p) {
  a.opt("BUILD_PROGRESS", p.build_progress);
  a.opt("COMMIT_SHA", p.commit_sha);
  a.opt("DEV_APT_COMMAND", p.dev_apt_command);
  a.opt("DEV_APT_DEPS", p.dev_apt_deps);
  a.opt("DOCKER_HOST", p.docker_host);
}

// Python Breeze's 2024 BuildProdParams.prepare_arguments_for_docker_build_command, in its order
// (docs/breeze-reference-2024.md, "PROD image build args"), then its extra flags' build args for
// a build from the sources (or from docker-context-files/).
std::vector<std::string> prod_build_arg_values(const ImageParams& p) {
  ArgList a;
  a.req("AIRFLOW_BRANCH", p.airflow_branch.empty() ? p.branch : p.airflow_branch);
  a.req("AIRFLOW_CONSTRAINTS_MODE", p.airflow_constraints_mode);
  a.req("AIRFLOW_EXTRAS",
        p.airflow_extras.empty() ? std::string(default_prod_extras()) : p.airflow_extras);
  a.req("AIRFLOW_IMAGE_DATE_CREATED", p.image_date_created);
  a.req("AIRFLOW_IMAGE_README_URL", k_prod_readme_url);
  a.req("AIRFLOW_IMAGE_REPOSITORY", "https://github.com/" + p.github_repository);
  a.req("AIRFLOW_PRE_CACHED_PIP_PACKAGES", flag(p.airflow_pre_cached_pip_packages));
  a.req("AIRFLOW_USE_UV", flag(p.use_uv));
  if (p.use_uv) a.req("UV_HTTP_TIMEOUT", std::to_string(p.uv_http_timeout));
  a.req("AIRFLOW_VERSION", version_with_suffix(p.airflow_version, p.version_suffix_for_pypi));
  a.req("BUILD_ID", p.build_id);
  a.req("CONSTRAINTS_GITHUB_REPOSITORY", p.constraints_github_repository);
  a.req("DOCKER_CONTEXT_FILES", "./docker-context-files");
  a.req("INSTALL_PACKAGES_FROM_CONTEXT", flag(p.install_packages_from_context));
  a.req("INSTALL_POSTGRES_CLIENT", "true");
  a.req("PYTHON_BASE_IMAGE", python_base_image(p));
  // breeze's PROD build also takes -u (Breeze's does not): the same random string as CI's.
  if (p.upgrade_to_newer_dependencies)
    a.opt("UPGRADE_INVALIDATION_STRING", p.upgrade_invalidation_string);
  add_additional_args(a, p);
  a.opt("ADDITIONAL_RUNTIME_APT_COMMAND", p.additional_runtime_apt_command);
  a.opt("ADDITIONAL_RUNTIME_APT_DEPS", p.additional_runtime_apt_deps);
  a.opt("ADDITIONAL_RUNTIME_APT_ENV", p.additional_runtime_apt_env);
  add_build_env_args(a, p);
  // breeze has no --disable-*-client-installation: the clients are always installed.
  a.req("INSTALL_MSSQL_CLIENT", "true");
  a.req("INSTALL_MYSQL_CLIENT", "true");
  a.req("INSTALL_MYSQL_CLIENT_TYPE", p.install_mysql_client_type);
  a.req("USE_CONSTRAINTS_FOR_CONTEXT_PACKAGES", "false");
  // PROD's default suffix is "", which click hands over as "" (not None), so Breeze passes it.
  a.req("VERSION_SUFFIX_FOR_PYPI", p.version_suffix_for_pypi);
  const bool context = p.install_packages_from_context;
  a.req("AIRFLOW_SOURCES_FROM", context ? "/empty" : ".");
  a.req("AIRFLOW_SOURCES_TO", context ? "/empty" : "/opt/airflow");
  a.req("AIRFLOW_INSTALLATION_METHOD", ".");
  a.req("AIRFLOW_CONSTRAINTS_REFERENCE", p.airflow_constraints_reference);
  return a.take();
}

} // namespace

std::vector<std::string> build_arg_values(const ImageParams& p) {
  if (p.type == ImageType::prod) return prod_build_arg_values(p);
  // Python Breeze's 2024 BuildCiParams.prepare_arguments_for_docker_build_command, in its order
  // (docs/breeze-reference-2024.md): the required args, then the optional ones.
  ArgList a;
  const auto suffix =
      p.version_suffix_for_pypi.empty() ? std::string("dev0") : p.version_suffix_for_pypi;
  a.req("AIRFLOW_BRANCH", p.airflow_branch.empty() ? p.branch : p.airflow_branch);
  a.req("AIRFLOW_REPO", p.github_repository);
  a.req("AIRFLOW_CONSTRAINTS_MODE", p.airflow_constraints_mode);
  a.req("AIRFLOW_CONSTRAINTS_REFERENCE", p.airflow_constraints_reference);
  a.req("AIRFLOW_EXTRAS", p.airflow_extras.empty() ? std::string("devel-ci") : p.airflow_extras);
  a.req("AIRFLOW_IMAGE_DATE_CREATED", p.image_date_created);
  a.req("AIRFLOW_IMAGE_REPOSITORY", "https://github.com/" + p.github_repository);
  a.req("AIRFLOW_PRE_CACHED_PIP_PACKAGES", flag(p.airflow_pre_cached_pip_packages));
  a.req("AIRFLOW_USE_UV", flag(p.use_uv));
  if (p.use_uv) a.opt("UV_HTTP_TIMEOUT", std::to_string(p.uv_http_timeout));
  a.req("AIRFLOW_VERSION", version_with_suffix(p.airflow_version, suffix));
  a.req("BUILD_ID", p.build_id);
  a.req("CONSTRAINTS_GITHUB_REPOSITORY", p.constraints_github_repository);
  a.req("PYTHON_BASE_IMAGE", python_base_image(p));
  if (p.upgrade_to_newer_dependencies) {
    a.opt("UPGRADE_INVALIDATION_STRING", p.upgrade_invalidation_string);
    // Multi-line requirement lists (copied from the backtracking report) become one line.
    std::string eager;
    for (const auto& w : strings::split_whitespace(p.eager_upgrade_additional_requirements))
      eager += (eager.empty() ? "" : " ") + w;
    a.opt("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS", eager);
  }
  add_additional_args(a, p);
  add_build_env_args(a, p);
  a.opt("INSTALL_MYSQL_CLIENT_TYPE", p.install_mysql_client_type);
  a.req("VERSION_SUFFIX_FOR_PYPI", suffix);
  return a.take();
}

void apply_prod_defaults(ImageParams& p) {
  p.airflow_constraints_mode = "constraints";
  p.use_uv = false;
}

std::string_view default_prod_extras() { return k_default_prod_extras; }

} // namespace breeze::docker
