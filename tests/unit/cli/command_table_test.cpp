#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/cli/app.hpp>
#include <breeze/cli/command_table.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace breeze;

namespace {

struct Fixture {
  test::InProcess app;
  commands::Services services = app.services();
};

const cli::OptionReference* find_option(const cli::CommandReference& command,
                                        const std::string& spelling) {
  for (const auto& o : command.options)
    if (std::find(o.spellings.begin(), o.spellings.end(), spelling) != o.spellings.end()) return &o;
  return nullptr;
}

const cli::CommandReference& find_command(const cli::Reference& ref, const std::string& path) {
  for (const auto& c : ref.commands)
    if (c.path == path) return c;
  FAIL("no command " << path);
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("every command of the table is registered under its group, in table order",
          "[unit][command_table]") {
  Fixture f;
  commands::Context ctx(f.services);
  CLI::App root("breeze", "breeze");
  cli::register_all(root, ctx);

  std::vector<std::string> top;
  for (auto* s : root.get_subcommands([](CLI::App*) { return true; }))
    top.push_back(s->get_name());
  std::vector<std::string> expected_top{"version"};
  for (const auto& g : cli::group_table())
    expected_top.emplace_back(g.name);
  CHECK(top == expected_top);

  for (const auto& c : cli::command_table()) {
    INFO(cli::command_path(c));
    CLI::App* parent = c.group.empty() ? &root : root.get_subcommand(std::string(c.group));
    auto* cmd = parent->get_subcommand(std::string(c.name));
    REQUIRE(cmd != nullptr);
    CHECK(cmd->get_description() == c.summary);
    CHECK(cmd->get_footer().starts_with("Examples:\n  "));
    REQUIRE(!c.examples.empty());
    for (const auto& e : c.examples)
      CHECK(cmd->get_footer().find(std::string(e)) != std::string::npos);
    // The global options come from the table, once per command.
    CHECK(cmd->get_option_no_throw("--dry-run") != nullptr);
  }
}

TEST_CASE("each option is in the help panel its record names, every panel holds one",
          "[unit][command_table]") {
  Fixture f;
  const auto ref = cli::command_reference(f.services);
  REQUIRE(ref.commands.size() == cli::command_table().size());
  std::size_t with_panels = 0;
  for (const auto& c : ref.commands) {
    INFO(c.path);
    CHECK(cli::find_command(c.path) == c.metadata);
    if (!c.metadata->panels.empty()) ++with_panels;
    std::set<std::string_view> named;
    for (const auto& panel : c.metadata->panels) {
      INFO(panel.title);
      std::size_t shown = 0;
      for (const auto& name : panel.options) {
        CHECK(named.insert(name).second); // in one panel only
        if (const auto* o = find_option(c, std::string(name))) {
          CHECK(o->panel == panel.title);
          ++shown;
        }
      }
      CHECK(shown > 0); // a panel of options this breeze lacks entirely would be stale
    }
    for (const auto& o : c.options) {
      INFO(o.spellings.back());
      if ((o.global || o.spellings.back() == "--help") && named.count(o.spellings.back()) == 0)
        CHECK(o.panel == cli::k_common_panel);
    }
  }
  CHECK(with_panels == 3); // ci-image build, prod-image build, generate-constraints
}

TEST_CASE("command_reference describes spellings, defaults, allowed values, variables and panels",
          "[unit][command_table]") {
  Fixture f;
  const auto ref = cli::command_reference(f.services);

  const auto& find = find_command(ref, "ci find-backtracking-candidates");
  CHECK(find.metadata->group == "ci");
  const auto* output = find_option(find, "--output");
  REQUIRE(output != nullptr);
  CHECK(output->allowed == std::vector<std::string>{"text", "json"});
  CHECK(output->default_text == "text");
  CHECK(output->description == "text or json");
  CHECK_FALSE(output->flag);
  CHECK_FALSE(output->global);
  CHECK(output->panel == "Options");

  const auto& build = find_command(ref, "ci-image build");
  const auto* cache = find_option(build, "--docker-cache");
  REQUIRE(cache != nullptr);
  CHECK(cache->spellings == std::vector<std::string>{"-c", "--docker-cache"});
  CHECK(cache->allowed == std::vector<std::string>{"registry", "local", "disabled"});
  CHECK(cache->panel == "Basic usage"); // Python Breeze's panel (the record's)
  const auto* network = find_option(build, "--build-network");
  REQUIRE(network != nullptr);
  CHECK(network->panel == "Build options"); // no Breeze panel: the registered group

  // A range check is not a list of values.
  const auto* parallelism = find_option(build, "--parallelism");
  REQUIRE(parallelism != nullptr);
  CHECK(parallelism->allowed.empty());

  const auto* answer = find_option(build, "--answer");
  REQUIRE(answer != nullptr);
  CHECK(answer->global);
  CHECK(answer->panel == cli::k_common_panel);
  CHECK(answer->variable == "ANSWER");
  CHECK(answer->allowed == std::vector<std::string>{"y", "n", "q", "yes", "no", "quit"});

  const auto* verbose = find_option(build, "-v");
  REQUIRE(verbose != nullptr);
  CHECK(verbose->flag);
  CHECK(verbose->variable == "VERBOSE");

  const auto& update = find_command(ref, "release-management update-constraints");
  const auto* pin = find_option(update, "--updated-constraint");
  REQUIRE(pin != nullptr);
  CHECK_FALSE(pin->required);
  CHECK(pin->repeatable);
  CHECK(pin->type_name == "TEXT");
  const auto* repo = find_option(update, "--constraints-repo");
  REQUIRE(repo != nullptr);
  CHECK(repo->required);
  CHECK_FALSE(repo->repeatable);
  CHECK_FALSE(output->required);
  CHECK_FALSE(output->repeatable);
  CHECK(verbose->type_name.empty());

  // --platform takes any list; completion offers the usual ones, help lists none.
  const auto* platform = find_option(build, "--platform");
  REQUIRE(platform != nullptr);
  CHECK(platform->allowed.empty());
  CHECK(platform->suggested.size() == 3);

  std::set<std::string> globals;
  for (const auto& o : ref.global_options)
    globals.insert(o.spellings.back());
  CHECK(globals.count("--github-repository") == 1);
  CHECK(globals.count("--airflow-sources") == 1);
  CHECK(globals.count("--version") == 1); // breeze's own
  CHECK(ref.description.starts_with("breeze: Apache Airflow's"));
  REQUIRE(ref.groups.size() == cli::group_table().size());
  CHECK(ref.groups.front().metadata->name == "ci-image");

  // Values known at run time replace those of a check (the checkout's Pythons).
  const auto with_values = cli::command_reference(f.services, {{"--python", {"3.8", "3.9"}}});
  const auto* python = find_option(find_command(with_values, "ci-image build"), "--python");
  REQUIRE(python != nullptr);
  CHECK(python->allowed == std::vector<std::string>{"3.8", "3.9"});
}

TEST_CASE("the env-var table is made from the command reference", "[unit][command_table][env]") {
  Fixture f;
  const auto ref = cli::command_reference(f.services);
  std::size_t own = 0; // options with a variable that are not one of the global options
  for (const auto& c : ref.commands)
    for (const auto& o : c.options)
      if (!o.variable.empty() && !o.global) ++own;
  std::size_t global = 0;
  for (const auto& o : ref.global_options)
    if (!o.variable.empty()) ++global;
  const auto rows = cli::env_option_table(f.services);
  CHECK(rows.size() == own + global);
  REQUIRE(!rows.empty());
  CHECK(rows.front().command == "every command");
  CHECK(rows.front().option == "-v/--verbose");
  CHECK(rows.front().flag);
}
