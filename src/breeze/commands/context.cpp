#include <breeze/commands/context.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/git/opener.hpp>
#include <breeze/process/dry_run.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace breeze::commands {

git::Opener& Context::git() const {
  return m_services.git != nullptr ? *m_services.git : git::libgit2_opener();
}

process::Runner& Context::runner() {
  if (!globals.dry_run) return m_services.runner;
  if (!m_dry_run_runner)
    m_dry_run_runner = std::make_unique<process::DryRunRunner>(
        m_services.runner, m_stdout_reserved ? m_services.err : m_services.out, m_services.env);
  return *m_dry_run_runner;
}

void Context::step_summary(const std::string& markdown) const {
  const auto file = github::step_summary_file(m_services.env);
  if (!file) return;
  if (auto written = github::append_step_summary(*file, markdown); !written)
    spdlog::warn("{}", written.error().what());
}

std::optional<prompt::Answer> Context::forced_answer() const {
  if (globals.answer.empty()) return std::nullopt;
  return prompt::parse_answer(globals.answer);
}

Expected<prompt::Answer> Context::confirm(const std::string& question,
                                          prompt::Answer default_answer) {
  if (auto forced = forced_answer()) {
    const char* word = *forced == prompt::Answer::yes  ? "yes"
                       : *forced == prompt::Answer::no ? "no"
                                                       : "quit";
    spdlog::info("{} Forced answer: {} (from --answer/ANSWER)", question, word);
    return *forced;
  }
  return m_services.prompter.confirm(question, default_answer);
}

void Context::page(const std::string& text) {
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (forced_answer() || !console::pager_wanted(m_services.terminal, m_services.env, lines)) {
    out() << text;
    return;
  }
  out().flush(); // what came before the text must be on the terminal before the pager draws
  process::ProcessSpec spec;
  spec.argv = console::pager_argv(m_services.env);
  spec.interactive = true;
  spec.input = redact::text(text); // it skips the stdout filter
  spec.changes_state = false;
  spec.capture = false;
  auto r = runner().run(spec);
  if (r && r->exit_code == 0) return;
  spdlog::debug("pager {} {}; printing directly", spec.argv[0],
                r ? fmt::format("exited {}", r->exit_code) : r.error().message);
  out() << text;
}

Expected<std::optional<ExitCode>>
Context::confirm_or_stop(const std::string& question, const std::string& nothing_done,
                         const std::function<void(const std::string&)>& say) {
  BREEZE_TRY(auto answer, confirm(question));
  if (answer == prompt::Answer::yes) return std::optional<ExitCode>();
  // `q` is the user stopping the run: said as such (exit 1, as Breeze), never silently.
  const auto text =
      answer == prompt::Answer::quit ? std::string("Stopped (q): nothing changed.") : nothing_done;
  if (say)
    say(text + "\n");
  else
    out() << text << "\n";
  return std::optional<ExitCode>(answer == prompt::Answer::quit ? ExitCode::failure : ExitCode::ok);
}

Expected<void> require_sources_root(const config::Settings& settings) {
  if (!settings.sources_root.empty()) return {};
  return usage_error(
      "no Airflow sources found (a folder with Dockerfile.ci or breeze.yaml): run inside them or "
      "pass --airflow-sources PATH");
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  auto* group = "Global options";
  app.add_flag("-v,--verbose", g.verbose, "Print verbose information about performed steps.")
      ->envname("VERBOSE")
      ->group(group);
  app.add_flag("-D,--dry-run", g.dry_run,
               "Print the commands and changes that would be made, and change nothing.")
      ->envname("DRY_RUN")
      ->group(group);
  app.add_option("-a,--answer", g.answer, "Force answer to questions: y/n/q/yes/no/quit.")
      ->envname("ANSWER")
      ->check(CLI::IsMember({"y", "n", "q", "yes", "no", "quit"}, CLI::ignore_case))
      ->group(group);
  app.add_option("-g,--github-repository", g.github_repository,
                 "GitHub repository used to pull, push images and read constraints [default: "
                 "apache/airflow].")
      ->envname("GITHUB_REPOSITORY")
      ->check([](const std::string& v) -> std::string {
        auto slash = v.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == v.size() ||
            v.find('/', slash + 1) != std::string::npos)
          return "must be OWNER/NAME, e.g. apache/airflow";
        return {};
      })
      ->group(group);
  app.add_option("--airflow-sources", g.airflow_sources,
                 "Sources root [default: nearest folder up from here holding Dockerfile.ci or "
                 "breeze.yaml].")
      ->group(group);
}

} // namespace breeze::commands
