#include <breeze/cli/app.hpp>

#include <breeze/base/console.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/ci/bisect_backtracking.hpp>
#include <breeze/commands/ci/find_backtracking_candidates.hpp>
#include <breeze/commands/ci/refresh_images.hpp>
#include <breeze/commands/ci_image/build.hpp>
#include <breeze/commands/ci_image/load.hpp>
#include <breeze/commands/ci_image/save.hpp>
#include <breeze/commands/option_env.hpp>
#include <breeze/commands/prod_image/build.hpp>
#include <breeze/commands/release_management/generate_constraints.hpp>
#include <breeze/commands/release_management/publish_constraints.hpp>
#include <breeze/commands/release_management/restore_constraints_tags.hpp>
#include <breeze/commands/release_management/update_constraints.hpp>
#include <breeze/commands/setup/builder.hpp>
#include <breeze/commands/setup/doctor.hpp>
#include <breeze/commands/setup/emulation.hpp>
#include <breeze/commands/version.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <sstream>

namespace breeze::cli {

namespace {

using commands::Context;

CLI::App* add_group(CLI::App& root, Context& ctx, const char* name, const char* description,
                    const char* examples) {
  auto* group = root.add_subcommand(name, description);
  group->footer(std::string(examples) + "\n");
  commands::add_global_options(*group, ctx.globals);
  return group;
}

// The whole command tree. A command whose issue is not done yet is simply not registered here.
void register_all(CLI::App& root, Context& ctx) {
  commands::register_version(root, ctx);
  auto* ci_image = add_group(
      root, ctx, "ci-image", "Tools that developers can use to manually manage CI images.",
      "Examples:\n  breeze ci-image build --python 3.12\n  breeze ci-image --help");
  commands::ci_image::register_ci_image_build(*ci_image, ctx);
  commands::ci_image::register_ci_image_save(*ci_image, ctx);
  commands::ci_image::register_ci_image_load(*ci_image, ctx);
  auto* prod_image = add_group(
      root, ctx, "prod-image", "Tools that developers can use to manually manage PROD images.",
      "Examples:\n  breeze prod-image build --python 3.12\n  breeze prod-image --help");
  commands::prod_image::register_prod_image_build(*prod_image, ctx);
  auto* ci =
      add_group(root, ctx, "ci", "Tools that CI workflows use to maintain images and constraints.",
                "Examples:\n  breeze ci --help\n  breeze ci find-backtracking-candidates");
  commands::ci::register_find_backtracking_candidates(*ci, ctx);
  commands::ci::register_refresh_images(*ci, ctx);
  commands::ci::register_bisect_backtracking(*ci, ctx);
  auto* release_management =
      add_group(root, ctx, "release-management",
                "Tools that release managers use to prepare and maintain releases.",
                "Examples:\n  breeze release-management --help");
  commands::release_management::register_update_constraints(*release_management, ctx);
  commands::release_management::register_restore_constraints_tags(*release_management, ctx);
  commands::release_management::register_publish_constraints(*release_management, ctx);
  commands::release_management::register_generate_constraints(*release_management, ctx);
  auto* setup = add_group(
      root, ctx, "setup", "Tools that help to set up breeze and the machine it drives.",
      "Examples:\n  breeze setup doctor\n  breeze setup builder --name airflow_cache --append "
      "tcp://127.0.0.1:2375\n  breeze setup emulation");
  commands::setup::register_setup_builder(*setup, ctx);
  commands::setup::register_setup_emulation(*setup, ctx);
  commands::setup::register_setup_doctor(*setup, ctx);
}

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
      names.push_back(s->get_name());
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

// Finds the first `--word` the command it was given to does not know (CLI11 says only "The
// following arguments were not expected"); returns the message with the closest of that command's
// options, or empty when every option is known.
std::string unknown_option_message(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* cur = &root;
  for (const auto& a : args) {
    if (a == "--") break;
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
// `ci-image` / `prod-image` followed by options and no command word means their `build`.
namespace {
std::vector<std::string> with_implied_build(const std::vector<std::string>& args) {
  if (args.size() < 2 || (args[0] != "ci-image" && args[0] != "prod-image")) return args;
  if (!args[1].starts_with("-") || args[1] == "-h" || args[1] == "--help" ||
      args[1] == "--help-all")
    return args;
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i] == "build" || args[i] == "save" || args[i] == "load" || args[i] == "-h" ||
        args[i] == "--help")
      return args;
  auto out = args;
  out.insert(out.begin() + 1, "build");
  return out;
}
} // namespace

std::vector<commands::EnvOptionRow> env_option_table(commands::Services& services) {
  Context ctx(services);
  CLI::App root("breeze", "breeze");
  commands::add_global_options(root, ctx.globals);
  register_all(root, ctx);
  return commands::env_option_table(root);
}

int run(const std::vector<std::string>& args, commands::Services& services) {
  interrupt::reset();
  Context ctx(services);
  CLI::App root("breeze: Apache Airflow's CI-maintenance tool (images, constraints, backtracking).",
                "breeze");
  root.footer("Examples:\n"
              "  breeze version\n"
              "  breeze release-management --help\n\n"
              "Run 'breeze COMMAND --help' for more information on a command.\n");
  // Wide enough that no command name wraps onto its own line: a wrapped description line would
  // read as one more subcommand to anything (a user's eye, a script) that walks "Subcommands:".
  root.get_formatter()->column_width(34);
  commands::add_global_options(root, ctx.globals);
  root.set_version_flag("-V,--version", std::string("breeze ") + BREEZE_VERSION,
                        "Print breeze's version and exit (`breeze version` adds the settings).");
  register_all(root, ctx);
  // CLI11 would read the options' variables from the real environment: they come from services.env.
  const auto env_bindings = commands::seal(root);
  const auto mode = console::output_mode(services.terminal, services.env);
  const bool colour = mode.colour;

  const auto words = with_implied_build(args);
  std::vector<const char*> argv{"breeze"};
  for (const auto& a : words)
    argv.push_back(a.c_str());

  std::ostringstream err;
  try {
    root.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    // `breeze ci no-such --help` must not print ci's help and succeed: the word names no command.
    if (auto message = unknown_command_message(root, args); !message.empty()) {
      console::init_logging(false, colour);
      spdlog::error("{}", message);
      return static_cast<int>(ExitCode::usage);
    }
    commands::unseal(env_bindings); // help shows each option's variable
    return root.exit(e, services.out, err);
  } catch (const CLI::CallForAllHelp& e) {
    commands::unseal(env_bindings);
    return root.exit(e, services.out, err);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e, services.out, err);
  } catch (const CLI::ParseError& e) {
    console::init_logging(false, colour);
    // An unknown option first: its value would otherwise read as an unknown command.
    auto message = unknown_option_message(root, words);
    if (message.empty()) message = unknown_command_message(root, args);
    if (message.empty()) message = e.what();
    spdlog::error("{}", message);
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
  if (words.size() != args.size())
    spdlog::info("Running `breeze {} build` (the group's options name no other command).",
                 words[0]);
  if (!ctx.action) {
    // A group (or breeze itself) without a command: show what it offers.
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
