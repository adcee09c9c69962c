#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/commands/context.hpp>
#include <breeze/process/terminal_prompter.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <unistd.h>

using namespace breeze;
using prompt::Answer;

namespace {
// Captures what spdlog prints for the test's lifetime.
struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  CapturedLog() {
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }
};

// Services on `out` (stdout and stderr alike) with an empty environment and the test's cwd.
commands::Services services_for(process::Runner& runner, prompt::Prompter& prompter,
                                std::ostream& out) {
  return {runner,
          prompter,
          out,
          out,
          [](const std::string&) { return std::nullopt; },
          test::working_directory()};
}

struct Fixture {
  test::RecordingRunner runner;
  test::ScriptedPrompter prompter;
  std::ostringstream out;
  commands::Services services = services_for(runner, prompter, out);
  commands::Context ctx{services};
};
} // namespace

TEST_CASE("a forced answer is used without asking, and breeze says it was forced", "[context]") {
  for (const auto& [word, expected, said] :
       std::vector<std::tuple<std::string, Answer, std::string>>{
           {"y", Answer::yes, "yes"}, {"NO", Answer::no, "no"}, {"quit", Answer::quit, "quit"}}) {
    Fixture f;
    CapturedLog log;
    f.ctx.globals.answer = word;
    auto a = f.ctx.confirm("Push the constraints?");
    REQUIRE(a.has_value());
    CHECK(*a == expected);
    CHECK(f.prompter.questions.empty());
    CHECK(log.text.str() ==
          "Push the constraints? Forced answer: " + said + " (from --answer/ANSWER)\n");
    CHECK(f.out.str().empty()); // a diagnostic, not a result
  }
}

TEST_CASE("without a forced answer the prompter is asked", "[context]") {
  Fixture f;
  f.prompter.answers = {Answer::no};
  auto a = f.ctx.confirm("Push?", Answer::yes);
  REQUIRE(a.has_value());
  CHECK(*a == Answer::no);
  CHECK(f.prompter.questions == std::vector<std::string>{"Push?"});
}

TEST_CASE("no TTY and no forced answer is a usage error naming --answer, not a hang", "[context]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  test::RecordingRunner runner;
  std::ostringstream err;
  process::TerminalPrompter prompter(fds[0], err);
  std::ostringstream out;
  commands::Services services = services_for(runner, prompter, out);
  commands::Context ctx(services);
  auto a = ctx.confirm("Push?");
  ::close(fds[0]);
  ::close(fds[1]);
  REQUIRE_FALSE(a.has_value());
  CHECK(exit_code_for(a.error().kind) == ExitCode::usage);
  CHECK_THAT(a.error().message, Catch::Contains("--answer"));
}

TEST_CASE("confirm_or_stop goes on at yes, stops with 0 at no and 1 at quit (saying it stopped), "
          "saying nothing was done",
          "[context]") {
  for (const auto& [answer, stop] :
       std::vector<std::pair<Answer, std::optional<ExitCode>>>{{Answer::yes, std::nullopt},
                                                               {Answer::no, ExitCode::ok},
                                                               {Answer::quit, ExitCode::failure}}) {
    Fixture f;
    f.prompter.answers = {answer};
    auto r = f.ctx.confirm_or_stop("Push?", "Nothing was changed.");
    REQUIRE(r.has_value());
    CHECK(*r == stop);
    CHECK(f.prompter.questions == std::vector<std::string>{"Push?"});
    const char* said = !stop                    ? ""
                       : answer == Answer::quit ? "Stopped (q): nothing changed.\n"
                                                : "Nothing was changed.\n";
    CHECK(f.out.str() == said);
  }
  // A JSON mode says it elsewhere: stdout stays the document's.
  Fixture f;
  f.prompter.answers = {Answer::no};
  std::string said;
  auto r = f.ctx.confirm_or_stop("Push?", "Nothing changed.",
                                 [&](const std::string& text) { said += text; });
  REQUIRE(r.has_value());
  CHECK(*r == ExitCode::ok);
  CHECK(said == "Nothing changed.\n");
  CHECK(f.out.str().empty());
}
