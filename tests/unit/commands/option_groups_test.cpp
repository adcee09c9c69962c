#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/cli/command_table.hpp>
#include <breeze/commands/option_env.hpp>
#include <breeze/commands/option_groups.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace breeze;

namespace {

cli::Reference reference() {
  test::InProcess app;
  auto services = app.services();
  return cli::command_reference(services);
}

const cli::OptionReference* option_named(const cli::CommandReference& command,
                                         const std::string& spelling) {
  for (const auto& o : command.options)
    if (std::find(o.spellings.begin(), o.spellings.end(), spelling) != o.spellings.end()) return &o;
  return nullptr;
}

// The commands that select one or more Pythons, and those that run Pythons in parallel.
const std::set<std::string> k_python_commands = {"ci-image build",
                                                 "ci-image save",
                                                 "ci-image load",
                                                 "prod-image build",
                                                 "ci find-backtracking-candidates",
                                                 "ci bisect-backtracking",
                                                 "release-management generate-constraints"};
const std::set<std::string> k_parallel_python_commands = {
    "ci-image build", "prod-image build", "release-management generate-constraints"};

} // namespace

TEST_CASE("every command that selects a Python takes -p/--python with PYTHON_MAJOR_MINOR_VERSION",
          "[unit][option_groups]") {
  const auto ref = reference();
  std::set<std::string> with_python;
  for (const auto& c : ref.commands) {
    INFO(c.path);
    const auto* python = option_named(c, "--python");
    if (python == nullptr) continue;
    with_python.insert(c.path);
    CHECK(python->spellings == std::vector<std::string>{"-p", "--python"});
    CHECK(python->variable == commands::k_python_variable);
    CHECK_FALSE(python->flag);
  }
  CHECK(with_python == k_python_commands);
}

TEST_CASE("the Python selection's other options carry Breeze's variables wherever they appear",
          "[unit][option_groups]") {
  const auto ref = reference();
  std::set<std::string> parallel;
  for (const auto& c : ref.commands) {
    INFO(c.path);
    if (const auto* o = option_named(c, "--python-versions")) {
      CHECK(o->variable == commands::k_python_versions_variable);
      // Every command choosing Pythons for parallel jobs also says how many run at once.
      const auto* p = option_named(c, "--parallelism");
      REQUIRE(p != nullptr);
      CHECK(p->variable == commands::k_parallelism_variable);
    }
    if (const auto* o = option_named(c, "--run-in-parallel")) {
      parallel.insert(c.path);
      CHECK(o->variable == commands::k_run_in_parallel_variable);
      CHECK(o->flag);
      CHECK(option_named(c, "--python-versions") != nullptr);
      CHECK(option_named(c, "-p") != nullptr);
    }
  }
  CHECK(parallel == k_parallel_python_commands);
  // Their --parallelism counts requests or probes, not Python jobs: Breeze's PARALLELISM stays out.
  for (const auto& c : ref.commands)
    if (c.path == "ci find-backtracking-candidates" || c.path == "ci bisect-backtracking") {
      const auto* own = option_named(c, "--parallelism");
      REQUIRE(own != nullptr);
      CHECK(own->variable.empty());
    }
}

TEST_CASE("every command that selects a Python reads both -p and PYTHON_MAJOR_MINOR_VERSION",
          "[unit][option_groups][env]") {
  for (const auto& path : k_python_commands) {
    INFO(path);
    const auto space = path.find(' ');
    const auto group = path.substr(0, space);
    const auto name = path.substr(space + 1);
    for (const bool from_env : {false, true}) {
      INFO((from_env ? "from the environment" : "from -p"));
      test::InProcess app;
      auto services = app.services();
      commands::Context ctx(services);
      CLI::App root("breeze", "breeze");
      cli::register_all(root, ctx);
      const auto bindings = commands::seal(root);
      // CLI11 takes the words in reverse order.
      std::vector<std::string> words{group, name};
      if (!from_env) {
        words.emplace_back("-p");
        words.emplace_back("3.11");
      }
      std::reverse(words.begin(), words.end());
      REQUIRE_NOTHROW(root.parse(words));
      const std::map<std::string, std::string> env{{commands::k_python_variable, "3.10"}};
      REQUIRE(commands::fill(bindings, [&](const std::string& n) -> std::optional<std::string> {
        if (auto it = env.find(n); it != env.end()) return it->second;
        return std::nullopt;
      }));
      auto* cmd = root.get_subcommand(group)->get_subcommand(name);
      const auto& results = cmd->get_option("--python")->results();
      CHECK(results == std::vector<std::string>{from_env ? "3.10" : "3.11"});
    }
  }
}

TEST_CASE("ci-image save takes -p and PYTHON_MAJOR_MINOR_VERSION, checked against the settings",
          "[unit][option_groups]") {
  struct Case {
    std::vector<std::string> python_args; // -p X.Y, or none
    std::string variable;                 // PYTHON_MAJOR_MINOR_VERSION, or unset
    int exit_code;
    std::string image; // in the printed `docker save`
  };
  for (const auto& c : std::vector<Case>{{{"-p", "3.11"}, "", 0, "ci/python3.11"},
                                         {{}, "3.12", 0, "ci/python3.12"},
                                         {{"-p", "3.11"}, "3.12", 0, "ci/python3.11"},
                                         {{"-p", "2.7"}, "", 2, ""}}) {
    test::InProcess app;
    if (!c.variable.empty()) app.env[commands::k_python_variable] = c.variable;
    std::vector<std::string> args{"ci-image", "save", "--platform", "linux/amd64", "--dry-run"};
    args.insert(args.end(), c.python_args.begin(), c.python_args.end());
    INFO(strings::join(args, " ") << " with " << c.variable);
    CHECK(app.run(args) == c.exit_code);
    if (!c.image.empty()) CHECK_THAT(app.out.str(), Catch::Contains(c.image));
  }
}

TEST_CASE("selected_python(s): the settings' default, the allowed list, --python-versions words",
          "[unit][option_groups]") {
  config::Settings s;
  s.python_versions = {"3.10", "3.11", "3.12"};
  CHECK(*commands::selected_python("", s) == s.default_python_version());
  CHECK(*commands::selected_python("3.11", s) == "3.11");
  const auto unsupported = commands::selected_python("3.9", s);
  REQUIRE_FALSE(unsupported);
  CHECK(unsupported.error().kind == ErrorKind::usage);
  CHECK_FALSE(commands::selected_python("../x", s));

  CHECK(*commands::selected_pythons("3.10", false, "3.11 3.12", s) ==
        std::vector<std::string>{"3.10"});
  CHECK(*commands::selected_pythons("", true, "", s) == s.python_versions);
  CHECK(*commands::selected_pythons("", true, "3.12  3.10", s) ==
        std::vector<std::string>{"3.12", "3.10"});
  CHECK_FALSE(commands::selected_pythons("", true, "3.12 3.9", s));
  const auto none = commands::selected_pythons("", true, "   ", s);
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().what(), Catch::Contains("lists no Python version"));
}

TEST_CASE("the index access group is the same on both commands that read the package index",
          "[unit][option_groups]") {
  const auto ref = reference();
  const cli::CommandReference* find = nullptr;
  const cli::CommandReference* bisect = nullptr;
  for (const auto& c : ref.commands) {
    if (c.path == "ci find-backtracking-candidates") find = &c;
    if (c.path == "ci bisect-backtracking") bisect = &c;
  }
  REQUIRE(find != nullptr);
  REQUIRE(bisect != nullptr);
  for (const auto* spelling : {"--pypi-url", "--no-cache", "--timeout", "--max-response-size"}) {
    INFO(spelling);
    const auto* a = option_named(*find, spelling);
    const auto* b = option_named(*bisect, spelling);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a->description == b->description);
    CHECK(a->variable == b->variable);
    CHECK(a->default_text == b->default_text);
  }
  CHECK(option_named(*find, "--max-response-size")->variable == "BREEZE_MAX_RESPONSE_SIZE");
  // bisect's --parallelism counts probes, so its request parallelism has its own spelling.
  const auto* requests = option_named(*find, "--parallelism");
  const auto* index_requests = option_named(*bisect, "--index-parallelism");
  REQUIRE(requests != nullptr);
  REQUIRE(index_requests != nullptr);
  CHECK(requests->default_text == index_requests->default_text);
  CHECK(option_named(*bisect, "--parallelism")->description == "Probes at a time");
}

TEST_CASE("IndexAccess gives the HTTP batch options of its values", "[unit][option_groups]") {
  commands::IndexAccess index;
  index.parallelism = 3;
  index.timeout = 1.5;
  index.max_response_mib = 2;
  index.no_cache = true;
  const auto options = index.batch_options();
  CHECK(options.parallelism == 3);
  CHECK(options.timeout == std::chrono::milliseconds(1500));
  CHECK(options.max_response_size == 2u << 20);
  CHECK_FALSE(options.use_cache);
}
