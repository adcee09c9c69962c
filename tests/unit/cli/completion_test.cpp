#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/cli/command_table.hpp>
#include <breeze/cli/completion.hpp>
#include <breeze/config/settings.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace breeze;

// Help, the completion scripts and the man page are all made from command_reference(): every
// option and every allowed value it describes must show in each of them, so they cannot drift.

namespace {

// The words a bash case branch whose first pattern is `pattern` echoes ("    'P'|'Q') echo 'W' ;;"
// -> W), or nullopt.
std::optional<std::string> case_words(const std::string& script, const std::string& pattern) {
  for (auto at = script.find("\n    " + pattern); at != std::string::npos;
       at = script.find("\n    " + pattern, at + 1)) {
    const auto next = script[at + 5 + pattern.size()];
    if (next != ')' && next != '|') continue;
    const auto start = script.find(") echo '", at) + 8;
    return script.substr(start, script.find("' ;;\n", start) - start);
  }
  return std::nullopt;
}

// How man(7) text shows `text` (the page escapes every '-').
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// The man page section of `path`: from its .SS line to the next .SS or .SH.
std::string man_section(const std::string& page, const std::string& path) {
  const auto at = page.find(".SS \"breeze " + path + "\"\n");
  if (at == std::string::npos) return {};
  const auto end = page.find("\n.S", at + 1);
  return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

struct Fixture {
  test::InProcess app;
  commands::Services services = app.services();
  const config::Settings settings; // what help gets without a checkout
  const cli::Reference ref = cli::command_reference(services, cli::run_time_values(settings));
};

} // namespace

TEST_CASE("every option and allowed value of the command reference is in the bash script",
          "[unit][completion]") {
  Fixture f;
  const auto script = cli::completion_script(f.ref, "bash");
  std::size_t values_checked = 0;
  for (const auto& c : f.ref.commands) {
    INFO(c.path);
    const auto options = case_words(script, "'" + c.path + "'");
    if (c.metadata->hidden) {
      CHECK_FALSE(options); // not offered
      continue;
    }
    REQUIRE(options);
    const auto words = strings::split_whitespace(*options);
    for (const auto& o : c.options)
      for (const auto& spelling : o.spellings) {
        INFO(spelling);
        CHECK(std::find(words.begin(), words.end(), spelling) != words.end());
        const auto values = case_words(script, "'" + c.path + "|" + o.spellings.front() + "'");
        if (o.flag) {
          CHECK_FALSE(values); // a flag takes no value: completion goes on with options
        } else if (!o.allowed.empty()) {
          REQUIRE(values);
          CHECK(*values == strings::join(o.allowed, " "));
          ++values_checked;
        } else if (!o.suggested.empty()) {
          REQUIRE(values);
          CHECK(*values == strings::join(o.suggested, " "));
        } else {
          CHECK(values == std::optional<std::string>("__any__"));
        }
      }
  }
  CHECK(values_checked > 20);
  // zsh and fish are made from the same model; each lists the checkout's Pythons.
  CHECK_THAT(cli::completion_script(f.ref, "zsh"), Catch::Contains("'3.10 3.11 3.12 3.13'"));
  CHECK_THAT(cli::completion_script(f.ref, "fish"), Catch::Contains("-x -a '3.10 3.11 3.12 3.13'"));
}

TEST_CASE("every option, allowed value and variable of the command reference is in the man page",
          "[unit][completion]") {
  Fixture f;
  const auto page = cli::man_page(f.ref);
  for (const auto& c : f.ref.commands) {
    INFO(c.path);
    const auto section = man_section(page, c.path);
    if (c.metadata->hidden) {
      CHECK(section.empty());
      continue;
    }
    REQUIRE(!section.empty());
    for (const auto& o : c.options) {
      INFO(o.spellings.back());
      CHECK_THAT(section, Catch::Contains(".B " + roff(strings::join(o.spellings, ", ")) + "\n"));
      if (!o.allowed.empty() && !o.flag)
        CHECK_THAT(section, Catch::Contains(roff("One of: " + strings::join(o.allowed, ", "))));
      if (!o.variable.empty())
        CHECK_THAT(section, Catch::Contains("Environment: " + o.variable + "."));
    }
  }
}

TEST_CASE("help shows every option and allowed value of the command reference", "[unit][cli]") {
  Fixture f;
  for (const auto& c : f.ref.commands) {
    INFO(c.path);
    test::InProcess app;
    app.env["COLUMNS"] = "2000"; // one line per option
    auto args = strings::split_whitespace(c.path);
    args.emplace_back("--help");
    REQUIRE(app.run(args) == 0);
    const auto help = app.out.str();
    for (const auto& o : c.options) {
      INFO(o.spellings.back());
      const auto names = "\n  " + strings::join(o.spellings, ", ");
      auto at = help.find(names);
      while (at != std::string::npos && help[at + names.size()] != ' ' &&
             help[at + names.size()] != '\n')
        at = help.find(names, at + 1);
      REQUIRE(at != std::string::npos);
      const auto line = help.substr(at + 1, help.find('\n', at + 1) - at - 1);
      if (!o.allowed.empty())
        CHECK_THAT(line, Catch::Contains("(" + strings::join(o.allowed, " | ") + ")"));
      else
        CHECK_THAT(line, !Catch::Contains(" | "));
    }
  }
}

TEST_CASE("generate-constraints alone lists --airflow-constraints-mode all in help, completion and "
          "the man page",
          "[unit][completion]") {
  // The run-time list (the settings' modes) is the same for every command; generate-constraints'
  // record adds `all` after it, for its own option only.
  Fixture f;
  const std::string modes = "constraints-source-providers constraints constraints-no-providers";
  const auto mode_values = [&](const std::string& path) {
    for (const auto& c : f.ref.commands)
      if (c.path == path)
        for (const auto& o : c.options)
          if (o.spellings.back() == "--airflow-constraints-mode")
            return strings::join(o.allowed, " ");
    return std::string("(no such option)");
  };
  CHECK(mode_values("release-management generate-constraints") == modes + " all");
  for (const auto* other : {"ci-image build", "prod-image build", "ci find-backtracking-candidates",
                            "ci bisect-backtracking", "release-management update-constraints"}) {
    INFO(other);
    CHECK(mode_values(other) == modes);
  }

  const auto bash = cli::completion_script(f.ref, "bash");
  CHECK(case_words(bash, "'release-management generate-constraints|--airflow-constraints-mode'") ==
        std::optional<std::string>(modes + " all"));
  CHECK(case_words(bash, "'ci-image build|--airflow-constraints-mode'") ==
        std::optional<std::string>(modes));
  const auto zsh = cli::completion_script(f.ref, "zsh");
  CHECK(case_words(zsh, "'release-management generate-constraints|--airflow-constraints-mode'") ==
        std::optional<std::string>(modes + " all"));
  const auto fish = cli::completion_script(f.ref, "fish");
  const auto fish_line = fish.find("-l airflow-constraints-mode -x -a '" + modes + " all'");
  REQUIRE(fish_line != std::string::npos);
  CHECK(fish.rfind('\n', fish_line) ==
        fish.rfind("\ncomplete -c breeze -n '__breeze_at \\'release-management "
                   "generate-constraints\\''",
                   fish_line));
  const auto page = cli::man_page(f.ref);
  CHECK_THAT(man_section(page, "release-management generate-constraints"),
             Catch::Contains(roff("One of: constraints-source-providers, constraints, "
                                  "constraints-no-providers, all.")));
  CHECK_THAT(man_section(page, "ci-image build"), !Catch::Contains(roff("providers, all")));

  test::InProcess app;
  app.env["COLUMNS"] = "2000";
  REQUIRE(app.run({"release-management", "generate-constraints", "--help"}) == 0);
  CHECK_THAT(app.out.str(), Catch::Contains("(constraints-source-providers | constraints | "
                                            "constraints-no-providers | all)"));
  test::InProcess build;
  build.env["COLUMNS"] = "2000";
  REQUIRE(build.run({"ci-image", "build", "--help"}) == 0);
  CHECK_THAT(build.out.str(), !Catch::Contains("| all)"));
}
