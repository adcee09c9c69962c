#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/process/posix_runner.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace breeze;

// Shell completion as a user gets it: the binary prints or installs the script, and real bash,
// zsh and fish (Debian's, installed by scripts/bootstrap.sh) load it and complete.

namespace {

// A copy of the 2.10 checkout fixture, whose Pythons (3.8 ... 3.12) differ from breeze's own.
struct Checkout {
  files::TempDir dir;
  Checkout() {
    std::filesystem::copy(test::fixture("airflow-checkout/v2-10-test"), dir.path(),
                          std::filesystem::copy_options::recursive);
  }
};

std::string script_for(const std::string& shell, const Checkout& checkout) {
  auto r = test::run_binary({"setup", "autocomplete", "--shell", shell, "--print"}, {},
                            checkout.dir.path());
  REQUIRE(r.exit_code == 0);
  REQUIRE(!r.out.empty());
  return r.out;
}

// Runs `program args...` and returns its stdout (stderr is shown when it fails).
std::string run(const std::vector<std::string>& argv,
                const std::map<std::string, std::string>& env = {}) {
  process::PosixRunner runner;
  process::ProcessSpec spec;
  spec.argv = argv;
  spec.env = env;
  spec.timeout = std::chrono::seconds(30);
  auto r = runner.run(spec);
  REQUIRE(r);
  INFO(r->err);
  REQUIRE(r->exit_code == 0);
  return r->out;
}

} // namespace

TEST_CASE("e2e: bash completes commands, options and the checkout's Pythons from the script",
          "[e2e]") {
  Checkout checkout;
  files::TempDir dir;
  const auto script = dir.path() / "breeze.bash";
  test::write_file(script, script_for("bash", checkout));
  // COMPREPLY after the completion function ran for the words typed so far.
  auto complete = [&](const std::string& words) {
    const auto n = strings::split_whitespace(words).size() - (words.ends_with(' ') ? 0 : 1);
    return run({"bash", "-c",
                "source \"$1\"; COMP_WORDS=($2); [[ $2 == *' ' ]] && COMP_WORDS+=(''); "
                "COMP_CWORD=$3; _breeze; echo \"${COMPREPLY[*]}\"",
                "bash", script.string(), words, std::to_string(n)});
  };
  CHECK(complete("breeze ci-image bu") == "build\n");
  CHECK(complete("breeze release-management update-con") == "update-constraints\n");
  CHECK(complete("breeze ci-image build --pu") == "--push\n");
  CHECK(complete("breeze ci-image build --python ") == "3.8 3.9 3.10 3.11 3.12\n");
  CHECK(complete("breeze ci-image build --airflow-constraints-mode constraints-n") ==
        "constraints-no-providers\n");
  // An option's value is not taken for a command: completion goes on after it.
  CHECK(complete("breeze ci-image --python 3.11 bu") == "build\n");
  // A flag takes no value: after it come options (not file names).
  CHECK(complete("breeze ci-image build --dry-run --pu") == "--push\n");
  CHECK(complete("breeze ci-image build --platform linux/arm") == "linux/arm64\n");
  // `complete -p` shows what bash registered.
  CHECK(run({"bash", "-c", "source \"$1\"; complete -p breeze", "bash", script.string()}) ==
        "complete -F _breeze breeze\n");
}

TEST_CASE("e2e: zsh and fish complete commands, options and Pythons from their scripts", "[e2e]") {
  Checkout checkout;
  files::TempDir dir;
  const auto zsh = dir.path() / "breeze.zsh";
  test::write_file(zsh, script_for("zsh", checkout));
  // zsh's completion system is interactive; compadd and _files are stubbed to print what the
  // function offers, everything else is real zsh running the script.
  auto zsh_complete = [&](const std::string& words) {
    return run({"zsh", "-c",
                "source \"$1\"; compadd() { [[ $1 == -- ]] && shift; print -r -- \"$*\"; }; "
                "_files() { print FILES; }; words=(${=2}); [[ $2 == *' ' ]] && words+=(''); "
                "CURRENT=${#words}; _breeze",
                "zsh", zsh.string(), words});
  };
  CHECK(zsh_complete("breeze ci-image bu") == "build save load\n"); // compadd filters by prefix
  CHECK(zsh_complete("breeze ci-image build --python ") == "3.8 3.9 3.10 3.11 3.12\n");
  CHECK_THAT(zsh_complete("breeze ci-image build --pu"), Catch::Contains(" --push "));
  CHECK(zsh_complete("breeze ci-image build --image-tag ") == "FILES\n");
  CHECK_THAT(zsh_complete("breeze ci-image build --dry-run --pu"), Catch::Contains(" --push "));

  const auto fish = dir.path() / "breeze.fish";
  test::write_file(fish, script_for("fish", checkout));
  // fish answers `complete -C` with what it would offer at the end of that command line.
  auto fish_complete = [&](const std::string& line) {
    std::vector<std::string> words;
    for (const auto& l :
         strings::split(run({"fish", "--no-config", "-c", "source $argv[1]; complete -C$argv[2]",
                             fish.string(), line}),
                        '\n'))
      if (!l.empty()) words.push_back(l.substr(0, l.find('\t')));
    return strings::join(words, " ");
  };
  CHECK(fish_complete("breeze ci-image bu") == "build");
  CHECK(fish_complete("breeze ci-image build --python ") == "3.8 3.9 3.10 3.11 3.12");
  CHECK(fish_complete("breeze ci-image build --pu") == "--push");
  CHECK(fish_complete("breeze ci-image build --dry-run --pu") == "--push");
  CHECK(fish_complete("breeze release-management gen") == "generate-constraints");
}

TEST_CASE("e2e: setup autocomplete installs once after confirmation, and --dry-run and no change "
          "nothing",
          "[e2e]") {
  files::TempDir home;
  const std::map<std::string, std::string> env{{"HOME", home.path().string()},
                                               {"-XDG_DATA_HOME", ""},
                                               {"-XDG_CONFIG_HOME", ""},
                                               {"SHELL", "/bin/bash"}};
  const auto rc = home.path() / ".bashrc";
  const auto script = home.path() / ".local/share/breeze/completion.bash";
  test::write_file(rc, "alias ll='ls -l'"); // no trailing newline: the added line starts its own

  auto dry = test::run_binary({"setup", "autocomplete", "--dry-run"}, env, home.path());
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("add to " + rc.string()));
  CHECK_FALSE(std::filesystem::exists(script));

  auto no = test::run_binary({"setup", "autocomplete", "--answer", "no"}, env, home.path());
  CHECK(no.exit_code == 0);
  CHECK_THAT(no.out, Catch::Contains("Nothing changed."));
  CHECK_FALSE(std::filesystem::exists(script));
  CHECK(*files::read(rc) == "alias ll='ls -l'");

  auto without_tty = test::run_binary({"setup", "autocomplete"}, env, home.path());
  CHECK(without_tty.exit_code == 2); // no terminal to ask on and no --answer
  CHECK_FALSE(std::filesystem::exists(script));

  for (int i = 0; i < 2; ++i) {
    auto yes = test::run_binary({"setup", "autocomplete", "--answer", "yes"}, env, home.path());
    INFO(yes.out << yes.err);
    CHECK(yes.exit_code == 0);
    if (i == 1) CHECK_THAT(yes.out, Catch::Contains("already sources it"));
  }
  const auto text = *files::read(rc);
  CHECK(text.starts_with("alias ll='ls -l'\nsource "));
  CHECK(text.find("# breeze shell completion") == text.rfind("# breeze shell completion"));
  // A new interactive-like bash that reads the rc file completes breeze.
  CHECK(run({"bash", "-c", "source \"$HOME/.bashrc\"; complete -p breeze"},
            {{"HOME", home.path().string()}}) == "complete -F _breeze breeze\n");

  // fish loads completions from its folder: no rc file is touched.
  auto fish = test::run_binary({"setup", "autocomplete", "--shell", "fish", "--answer", "yes"}, env,
                               home.path());
  CHECK(fish.exit_code == 0);
  CHECK(std::filesystem::exists(home.path() / ".config/fish/completions/breeze.fish"));
}

TEST_CASE("e2e: the man page renders every command and the options' variables", "[e2e]") {
  files::TempDir dir;
  auto r = test::run_binary({"setup", "man-page", "--output", "breeze.1"}, {}, dir.path());
  REQUIRE(r.exit_code == 0);
  process::PosixRunner runner;
  process::ProcessSpec spec;
  // -ww: every groff warning; -z: no output, warnings only.
  spec.argv = {"groff", "-man", "-Tutf8", "-ww", "-z", (dir.path() / "breeze.1").string()};
  auto check = runner.run(spec);
  REQUIRE(check);
  CHECK(check->exit_code == 0);
  CHECK(check->err.empty());
  const auto page = run({"man", "-l", (dir.path() / "breeze.1").string()},
                        {{"MANWIDTH", "80"}, {"MANPAGER", "cat"}, {"PAGER", "cat"}});
  for (const auto* text :
       {"breeze ci-image build", "breeze release-management update-constraints",
        "breeze setup autocomplete", "--dry-run", "Environment: DRY_RUN", "EXIT STATUS"}) {
    INFO(text);
    CHECK_THAT(page, Catch::Contains(text));
  }
}
