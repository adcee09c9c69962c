// A real resolver: Debian's pip (python3-pip, installed by scripts/bootstrap.sh) resolving
// `--dry-run` against a local `--find-links` folder of metadata-only wheels that peg each other as
// aiobotocore, boto3 and botocore do (tests/scripts/make_backtracking_index.py describes the
// graph). Run through breeze's own PosixRunner, as a `--probe-command` would be. Nothing leaves
// the machine: `--no-index` always, and no pip setting of the developer's is inherited.
#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/process/posix_runner.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

extern char** environ;

using namespace breeze;
using namespace std::chrono_literals;

namespace {

// Debian's interpreter, whose pip is the python3-pip package; `python3` on PATH may be another one
// (pyenv, a venv) with another pip whose resolver reports backtracking at different moments.
constexpr const char* k_python = "/usr/bin/python3";
constexpr const char* k_backtracking = "INFO: pip is looking at multiple versions of";

// The fixture's pins (see make_backtracking_index.py) and newest releases.
constexpr const char* k_aiobotocore_limit = "aiobotocore<=2.5.4";
constexpr const char* k_boto3_limit = "boto3<=1.28.22";
constexpr const char* k_botocore_limit = "botocore<=1.31.22";

std::string script(const std::string& name) {
  return std::string(BREEZE_TEST_SCRIPTS) + "/" + name;
}

// Every PIP_* of the developer's shell (PIP_FIND_LINKS, PIP_INDEX_URL, PIP_CONSTRAINT, ...) would
// change what pip sees; the runner inherits the environment, so name them all for removal.
std::vector<std::string> inherited_pip_settings() {
  std::vector<std::string> names;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    if (entry.rfind("PIP_", 0) == 0) names.push_back(entry.substr(0, entry.find('=')));
  }
  return names;
}

process::ProcessSpec pip_spec(std::vector<std::string> argv) {
  process::ProcessSpec spec;
  spec.argv = {k_python, "-m", "pip"};
  spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
  spec.env = {{"PIP_DISABLE_PIP_VERSION_CHECK", "1"},
              {"PIP_NO_CACHE_DIR", "1"},
              {"PIP_CONFIG_FILE", "/dev/null"},
              {"PYTHONDONTWRITEBYTECODE", "1"}};
  spec.unset_env = inherited_pip_settings();
  spec.timeout = 120s; // a resolution here takes about half a second; this only bounds a hang
  spec.merge_stderr = true;
  spec.changes_state = false;
  return spec;
}

// A missing pip is a broken machine, not a reason to skip: bootstrap installs it.
void require_pip(process::Runner& runner) {
  auto r = runner.run(pip_spec({"--version"}));
  if (!r)
    FAIL(k_python << " cannot be started (" << r.error().what() << "): run scripts/bootstrap.sh");
  INFO("Debian's pip is missing (" << k_python << " -m pip): run scripts/bootstrap.sh\n" << r->out);
  REQUIRE(r->exit_code == 0);
}

// The index, built into the test's own temp dir.
struct LocalIndex {
  files::TempDir dir{"breeze-resolver"};
  std::filesystem::path links = dir.path() / "wheels";

  explicit LocalIndex(process::Runner& runner) {
    require_pip(runner);
    auto r = runner.run({.argv = {k_python, script("make_backtracking_index.py"), links.string()},
                         .merge_stderr = true});
    REQUIRE(r.has_value());
    INFO(r->out);
    REQUIRE(r->exit_code == 0);
  }
};

struct Resolution {
  process::ProcessResult result;
  std::vector<std::string> lines;                   ///< as on_line delivered them
  std::map<std::string, std::string> would_install; ///< name -> version, from pip's --report
};

// `pip install --dry-run` of the three packages followed by `extra` (limits), as a probe runs it.
// `--report` because Debian marks its interpreter externally managed (PEP 668) and pip exempts
// only `--dry-run --report` from that check; the report also says what the resolution chose.
Resolution resolve(process::Runner& runner, const LocalIndex& index,
                   const std::vector<std::string>& extra) {
  const auto report = index.dir.path() / "report.json";
  std::filesystem::remove(report);
  std::vector<std::string> argv = {
      "install",      "--dry-run",          "--report",           report.string(), "--no-index",
      "--find-links", index.links.string(), "--ignore-installed", "aiobotocore",   "boto3",
      "botocore"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Resolution out;
  auto spec = pip_spec(argv);
  spec.on_line = [&out](const std::string& line) { out.lines.push_back(line); };
  auto r = runner.run(spec);
  REQUIRE(r.has_value());
  out.result = *r;
  if (std::filesystem::exists(report)) {
    const auto doc = nlohmann::json::parse(test::read_file(report));
    for (const auto& item : doc.at("install"))
      out.would_install[item.at("metadata").at("name").get<std::string>()] =
          item.at("metadata").at("version").get<std::string>();
  }
  return out;
}

bool backtracked(const Resolution& r) {
  for (const auto& line : r.lines)
    if (line.rfind(k_backtracking, 0) == 0) return true;
  return false;
}

} // namespace

TEST_CASE(
    "resolver: real pip backtracks through aiobotocore on the local index when nothing is limited",
    "[integration][resolver]") {
  process::PosixRunner runner;
  LocalIndex index(runner);
  auto r = resolve(runner, index, {});
  INFO(r.result.out);
  CHECK(r.result.exit_code == 0); // it gets there, after backtracking
  CHECK(backtracked(r));
  CHECK_THAT(
      r.result.out,
      Catch::Contains("INFO: pip is looking at multiple versions of aiobotocore to determine "
                      "which version is compatible with other requirements."));
  CHECK(r.would_install == std::map<std::string, std::string>{{"aiobotocore", "2.5.4"},
                                                              {"boto3", "1.28.25"},
                                                              {"botocore", "1.31.25"}});
  CHECK(r.result.elapsed < 20s);
}

TEST_CASE("resolver: real pip, the limit aiobotocore<=2.5.4 alone resolves without backtracking",
          "[integration][resolver]") {
  process::PosixRunner runner;
  LocalIndex index(runner);
  auto r = resolve(runner, index, {k_aiobotocore_limit});
  INFO(r.result.out);
  CHECK(r.result.exit_code == 0);
  CHECK_FALSE(backtracked(r));
  CHECK_THAT(r.result.out, !Catch::Contains("looking at multiple versions"));
  CHECK(r.would_install == std::map<std::string, std::string>{{"aiobotocore", "2.5.4"},
                                                              {"boto3", "1.28.25"},
                                                              {"botocore", "1.31.25"}});
  CHECK(r.result.elapsed < 20s);

  auto all = resolve(runner, index,
                     {k_aiobotocore_limit, k_boto3_limit, k_botocore_limit}); // the full list
  INFO(all.result.out);
  CHECK(all.result.exit_code == 0);
  CHECK_FALSE(backtracked(all));
}

TEST_CASE("resolver: real pip, limiting boto3, botocore or both still backtracks (aiobotocore is "
          "the culprit)",
          "[integration][resolver]") {
  process::PosixRunner runner;
  LocalIndex index(runner);
  const std::vector<std::vector<std::string>> not_enough = {
      {k_boto3_limit}, {k_botocore_limit}, {k_boto3_limit, k_botocore_limit}};
  for (const auto& limits : not_enough) {
    auto r = resolve(runner, index, limits);
    INFO(limits.size() << " limit(s), first " << limits.front() << "\n" << r.result.out);
    CHECK(r.result.exit_code == 0);
    CHECK(backtracked(r));
  }
}

TEST_CASE("resolver: real pip, the ==latest check fails with pip's own conflict lines",
          "[integration][resolver]") {
  process::PosixRunner runner;
  LocalIndex index(runner);
  auto r = resolve(runner, index, {"aiobotocore==2.6.4", "boto3==1.28.25"});
  INFO(r.result.out);
  CHECK(r.result.exit_code == 1);
  CHECK(r.would_install.empty());
  CHECK_THAT(r.result.out, Catch::Contains("ResolutionImpossible"));
  CHECK_THAT(r.result.out,
             Catch::Contains("The conflict is caused by:\n"
                             "    The user requested botocore\n"
                             "    aiobotocore 2.6.4 depends on botocore<1.31.22 and >=1.31.21\n"
                             "    boto3 1.28.25 depends on botocore<1.32.0 and >=1.31.25\n"));
  CHECK(r.result.elapsed < 20s);
}
