#include <breeze/cli/app.hpp>
#include <breeze/cli/completion.hpp>
#include <breeze/cli/help.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/cli/command_table.hpp>
#include <breeze/commands/option_env.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace breeze::cli {

namespace {

using commands::Context;

constexpr std::string_view k_not_supported = "not supported by this breeze: ";

std::string command_path(const CLI::App* app) {
  std::vector<std::string> names;
  for (auto* a = app; a != nullptr; a = a->get_parent())
    names.insert(names.begin(), a->get_name());
  return strings::join(names, " ");
}

// The deepest command the user selected (the root when none).
CLI::App* selected_command(CLI::App& root) {
  CLI::App* cur = &root;
  while (!cur->get_subcommands().empty())
    cur = cur->get_subcommands().front();
  return cur;
}

// Finds a word given where a command was expected but that names none; returns the message with a
// "did you mean" suggestion, or empty when the problem is something else.
std::string unknown_command_message(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* cur = &root;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--") break;
    if (a.starts_with("-")) {
      if (a.find('=') == std::string::npos) {
        const auto* opt = cur->get_option_no_throw(a);
        if (opt != nullptr && opt->get_expected_min() > 0) ++i; // skip the option's value
      }
      continue;
    }
    auto subs = cur->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return {}; // a leaf command: the word is an argument, not a command
    CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (auto* s : subs) {
      if (!s->get_group().empty()) names.push_back(s->get_name()); // hidden: not offered
      if (s->check_name(a)) next = s;
    }
    if (next == nullptr) {
      auto hint = strings::closest_match(a, names);
      return fmt::format("No such command '{}' in '{}'.{}", a, command_path(cur),
                         hint ? fmt::format(" Did you mean '{}'?", *hint)
                              : fmt::format(" Commands: {}.", strings::join(names, ", ")));
    }
    cur = next;
  }
  return {};
}

// Options a committer types from Python Breeze (2024; docs/breeze-reference-2024.md) that this
// breeze does not implement: per command, and for every command those of Python Breeze's other
// commands (ci-image pull's --verify and --wait-for-image, shell's --database-isolation, ...).
// They get one line saying so instead of a parse error; docs/differences-from-breeze.md lists them.
bool python_breeze_only(const std::string& command, const std::string& option) {
  static const std::map<std::string, std::set<std::string>, std::less<>> per_command = {
      {"breeze ci-image build", {"--disable-airflow-repo-cache"}},
      {"breeze prod-image build",
       {"--installation-method", "--use-constraints-for-context-packages", "--cleanup-context",
        "--disable-mysql-client-installation", "--disable-mssql-client-installation",
        "--disable-postgres-client-installation", "--install-airflow-reference",
        "--install-airflow-version", "--install-providers-from-sources", "--runtime-apt-command",
        "--runtime-apt-deps", "--disable-airflow-repo-cache"}},
      {"breeze release-management generate-constraints",
       {"--chicken-egg-providers", "--use-uv", "--no-use-uv", "--skip-cleanup", "--debug-resources",
        "--include-success-outputs"}},
  };
  static const std::set<std::string, std::less<>> any_command = {"--image-name",
                                                                 "--verify",
                                                                 "--wait-for-image",
                                                                 "--use-sudo",
                                                                 "--database-isolation",
                                                                 "--backend",
                                                                 "--postgres-version",
                                                                 "--mysql-version",
                                                                 "--integration",
                                                                 "--forward-credentials",
                                                                 "--mount-sources",
                                                                 "--use-airflow-version",
                                                                 "--skip-image-upgrade-check"};
  if (any_command.count(option) != 0) return true;
  const auto it = per_command.find(command);
  return it != per_command.end() && it->second.count(option) != 0;
}

// Short names of Python Breeze's options this breeze does not implement, per command, with the long
// name they stand for. Only where Python Breeze gives one (docs/breeze-reference-2024.md): breeze's
// own global `-V` is `--version`, so on other commands `-V` stays CLI11's to judge.
std::optional<std::string> python_breeze_only_short(const std::string& command,
                                                    const std::string& option) {
  static const std::map<std::string, std::map<std::string, std::string>, std::less<>> per_command =
      {{"breeze prod-image build", {{"-V", "--install-airflow-version"}}}};
  const auto it = per_command.find(command);
  if (it == per_command.end()) return std::nullopt;
  const auto long_name = it->second.find(option);
  if (long_name == it->second.end()) return std::nullopt;
  return long_name->second;
}

// Finds the first `--word` the command it was given to does not know (CLI11 says only "The
// following arguments were not expected"); returns the message with the closest of that command's
// options, or empty when every option is known.
std::string unknown_option_message(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* cur = &root;
  for (const auto& a : args) {
    if (a == "--") break;
    if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
      // `-V 2.8.0` or `-V2.8.0`: the first letter names the option.
      const auto name = a.substr(0, 2);
      if (cur->get_option_no_throw(name) != nullptr) continue;
      if (auto long_name = python_breeze_only_short(command_path(cur), name))
        return fmt::format("{}{} ({}, Python Breeze's option; see docs/differences-from-breeze.md)",
                           k_not_supported, name, *long_name);
      continue;
    }
    if (!a.starts_with("--")) {
      auto subs = cur->get_subcommands([&a](CLI::App* s) { return s->check_name(a); });
      if (!subs.empty())
        cur = subs.front();
      else if (!cur->get_subcommands([](CLI::App*) { return true; }).empty())
        return {}; // a word where a command belongs: unknown_command_message's case
      continue;
    }
    const auto name = a.substr(0, a.find('='));
    if (cur->get_option_no_throw(name) != nullptr) continue;
    if (python_breeze_only(command_path(cur), name))
      return fmt::format("{}{} (Python Breeze's option; see docs/differences-from-breeze.md)",
                         k_not_supported, name);
    std::vector<std::string> names;
    for (const auto* opt : cur->get_options())
      for (const auto& l : opt->get_lnames())
        names.push_back("--" + l);
    const auto hint = strings::closest_match(name, names);
    return fmt::format("No such option '{}' for '{}'.{}", strings::strip_control(name),
                       command_path(cur),
                       hint ? fmt::format(" Did you mean '{}'?", *hint) : std::string());
  }
  return {};
}

int finish(const Expected<ExitCode>& result) {
  const bool interrupted = interrupt::requested();
  if (interrupted) {
    spdlog::error("Interrupted.");
  } else if (!result) {
    spdlog::error("{}", strings::strip_control(result.error().what()));
  }
  return exit_code(result, interrupted);
}

} // namespace

int exit_code(const Expected<ExitCode>& outcome, bool interrupted) {
  if (interrupted) return static_cast<int>(ExitCode::interrupted);
  if (!outcome) return static_cast<int>(breeze::exit_code_for(outcome.error().kind));
  return static_cast<int>(*outcome);
}

// Airflow's find-backtracking-candidates prints "Run `breeze ci-image
// --upgrade-to-newer-dependencies
// --eager-upgrade-additional-requirements ...`" (without `build`), and committers paste it as is:
// `ci-image` / `prod-image` (a group with a `build` command) followed by options and no command
// word (of any such group) means their `build`.
namespace {
std::vector<std::string> with_implied_build(const std::vector<std::string>& args) {
  std::set<std::string_view> with_build;
  for (const auto& c : command_table())
    if (c.name == "build") with_build.insert(c.group);
  if (args.size() < 2 || with_build.count(args[0]) == 0) return args;
  if (!args[1].starts_with("-") || args[1] == "-h" || args[1] == "--help" ||
      args[1] == "--help-all")
    return args;
  std::set<std::string_view> command_words;
  for (const auto& c : command_table())
    if (with_build.count(c.group) != 0) command_words.insert(c.name);
  for (std::size_t i = 1; i < args.size(); ++i)
    if (command_words.count(args[i]) != 0 || args[i] == "-h" || args[i] == "--help") return args;
  auto out = args;
  out.insert(out.begin() + 1, "build");
  return out;
}

// `breeze help [COMMAND...]` is `breeze [COMMAND...] --help`.
std::vector<std::string> help_as_flag(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "help") return args;
  std::vector<std::string> out(args.begin() + 1, args.end());
  out.emplace_back("--help");
  return out;
}
} // namespace

int run(const std::vector<std::string>& args, commands::Services& services) {
  interrupt::reset();
  Context ctx(services);
  CLI::App root("", "breeze");
  register_all(root, ctx);
  // CLI11 would read the options' variables from the real environment: they come from services.env.
  const auto env_bindings = commands::seal(root);
  const auto mode = console::output_mode(services.terminal, services.env);
  const bool colour = mode.colour;
  // Help is drawn by cli/help.hpp at the terminal's width, with the values the checkout allows
  // and each option's variable.
  auto use_help = [&] {
    HelpStyle style{help_width(services.env, services.terminal.width),
                    console::colour_enabled(services.terminal.stdout_tty, services.env),
                    {}};
    if (auto s = config::load(ctx.globals.airflow_sources, services.cwd, services.env))
      style.allowed = run_time_values(*s);
    set_help_formatter(root, style);
    commands::unseal(env_bindings);
  };

  const auto request = help_as_flag(args);
  const auto words = with_implied_build(request);
  std::vector<const char*> argv{"breeze"};
  for (const auto& a : words)
    argv.push_back(a.c_str());

  std::ostringstream err;
  try {
    root.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    // `breeze ci no-such --help` must not print ci's help and succeed: the word names no command.
    if (auto message = unknown_command_message(root, request); !message.empty()) {
      console::init_logging(false, colour);
      spdlog::error("{}", message);
      return static_cast<int>(ExitCode::usage);
    }
    use_help();
    return root.exit(e, services.out, err);
  } catch (const CLI::CallForAllHelp& e) {
    use_help();
    return root.exit(e, services.out, err);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e, services.out, err);
  } catch (const CLI::ParseError& e) {
    console::init_logging(false, colour);
    // An unknown option first: its value would otherwise read as an unknown command.
    auto message = unknown_option_message(root, words);
    if (message.empty()) message = unknown_command_message(root, request);
    if (message.empty()) message = e.what();
    spdlog::error("{}", message);
    // An option breeze knows it lacks is one line: its help would not offer it either.
    if (!message.starts_with(k_not_supported))
      spdlog::info("Run '{} --help' for usage.", command_path(selected_command(root)));
    return static_cast<int>(ExitCode::usage);
  }

  if (auto filled = commands::fill(env_bindings, services.env); !filled) {
    console::init_logging(false, colour);
    spdlog::error("{}", filled.error().what());
    spdlog::info("Run '{} --help' for usage.", command_path(selected_command(root)));
    return static_cast<int>(ExitCode::usage);
  }
  console::init_logging(ctx.globals.verbose, colour, mode.github_actions);
  if (words.size() != request.size())
    spdlog::info("Running `breeze {} build` (the group's options name no other command).",
                 words[0]);
  if (!ctx.action) {
    // A group (or breeze itself) without a command: show what it offers.
    use_help();
    services.out << selected_command(root)->help();
    return static_cast<int>(ExitCode::ok);
  }

  auto settings = config::load(ctx.globals.airflow_sources, services.cwd, services.env);
  if (!settings) return finish(Expected<ExitCode>(settings.error()));
  ctx.settings = std::move(*settings);
  if (!ctx.settings.checkout_notes.empty())
    spdlog::debug("Checkout values not understood, breeze's defaults used instead: {}",
                  strings::join(ctx.settings.checkout_notes, "; "));
  if (!ctx.globals.github_repository.empty())
    ctx.settings.github_repository = ctx.globals.github_repository;

  try {
    return finish(ctx.action(ctx));
  } catch (const std::exception& e) {
    // Library exceptions are caught where we call libraries; this is the last line of defence.
    spdlog::error("internal error: {}", strings::strip_control(e.what()));
    return static_cast<int>(ExitCode::failure);
  } catch (...) {
    spdlog::error("internal error: unknown exception");
    return static_cast<int>(ExitCode::failure);
  }
}

} // namespace breeze::cli
