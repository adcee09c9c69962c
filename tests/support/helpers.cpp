#include <support/helpers.hpp>

#include <support/catch.hpp>

#include <breeze/cli/app.hpp>
#include <breeze/process/posix_runner.hpp>

#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace breeze::test {

std::filesystem::path fixture(const std::string& relative) {
  return std::filesystem::path(BREEZE_TEST_FIXTURES) / relative;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f << content;
  REQUIRE(f.good());
}

std::string read_file(const std::filesystem::path& path) {
  auto content = files::read(path);
  REQUIRE(content.has_value());
  return *content;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value)
    : m_name(std::move(name)) {
  if (const char* old = std::getenv(m_name.c_str())) m_saved = old;
  if (value)
    ::setenv(m_name.c_str(), value->c_str(), 1);
  else
    ::unsetenv(m_name.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (m_saved)
    ::setenv(m_name.c_str(), m_saved->c_str(), 1);
  else
    ::unsetenv(m_name.c_str());
}

PseudoTerminal::PseudoTerminal() {
  m_leader = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(m_leader >= 0);
  REQUIRE(::grantpt(m_leader) == 0);
  REQUIRE(::unlockpt(m_leader) == 0);
  const char* name = ::ptsname(m_leader);
  REQUIRE(name != nullptr);
  m_follower = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(m_follower >= 0);
}

PseudoTerminal::~PseudoTerminal() {
  ::close(m_leader);
  ::close(m_follower);
}

void PseudoTerminal::type(const std::string& text) {
  REQUIRE(::write(m_leader, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

Expected<process::ProcessResult> RecordingRunner::run(const process::ProcessSpec& spec) {
  calls.push_back(spec);
  if (respond) return respond(spec);
  return process::ProcessResult{};
}

Expected<prompt::Answer> ScriptedPrompter::confirm(const std::string& question, prompt::Answer) {
  questions.push_back(question);
  if (answers.empty()) return usage_error("no scripted answer for: " + question);
  auto a = answers.front();
  answers.pop_front();
  return a;
}

int InProcess::run(const std::vector<std::string>& args) {
  auto s = services();
  return cli::run(args, s);
}

commands::Services InProcess::services() {
  return commands::Services{runner,
                            prompter,
                            out,
                            err,
                            [this](const std::string& name) -> std::optional<std::string> {
                              if (auto it = env.find(name); it != env.end()) return it->second;
                              return std::nullopt;
                            },
                            cwd,
                            http,
                            terminal};
}

BinaryResult run_binary(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env,
                        const std::filesystem::path& cwd) {
  process::ProcessSpec spec;
  spec.argv.push_back(BREEZE_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  for (const auto& [k, v] : env) {
    if (k.starts_with("-"))
      spec.unset_env.push_back(k.substr(1));
    else
      spec.env[k] = v;
  }
  // Tests must not inherit the developer's answers, colours, CI mode or Breeze's option variables
  // by accident (the suite passes with them exported).
  for (const char* name : {"ANSWER",
                           "VERBOSE",
                           "DRY_RUN",
                           "GITHUB_ACTIONS",
                           "GITHUB_REPOSITORY",
                           "PYTHON_MAJOR_MINOR_VERSION",
                           "PYTHON_VERSIONS",
                           "RUN_IN_PARALLEL",
                           "PARALLELISM",
                           "AIRFLOW_CONSTRAINTS_MODE",
                           "BREEZE_CONSTRAINTS_URL",
                           "BREEZE_MAX_RESPONSE_SIZE",
                           "UPGRADE_TO_NEWER_DEPENDENCIES",
                           "PLATFORM",
                           "DOCKER_CACHE",
                           "PUSH",
                           "IMAGE_TAG",
                           "BUILDER",
                           "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS",
                           "PREPARE_BUILDX_CACHE",
                           "BUILD_TIMEOUT_MINUTES",
                           "AIRFLOW_CONSTRAINTS_REFERENCE",
                           "AIRFLOW_CONSTRAINTS_LOCATION",
                           "INSTALL_MYSQL_CLIENT_TYPE"})
    if (!env.count(name)) spec.unset_env.emplace_back(name);
  spec.cwd = cwd;
  spec.timeout = std::chrono::minutes(5);
  process::PosixRunner runner;
  auto result = runner.run(spec);
  REQUIRE(result.has_value());
  return {result->exit_code, result->out, result->err};
}

} // namespace breeze::test
