#include <breeze/cli/completion.hpp>

#include <breeze/cli/app.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/cli/command_table.hpp>
#include <breeze/commands/context.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <sstream>

namespace breeze::cli {

namespace {

// The first sentence of a description, for one-line summaries (fish shows them beside values).
std::string first_sentence(const std::string& text) {
  auto end = text.find(". ");
  std::string s = text.substr(0, end == std::string::npos ? text.size() : end);
  if (s.ends_with('.')) s.pop_back();
  return s;
}

// Single-quoted for sh, bash, zsh and fish alike ('it'\''s' works in all four).
std::string sq(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// fish does not take '\'' inside single quotes: it escapes with a backslash.
std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string names_of(const std::vector<std::string>& words) { return strings::join(words, " "); }

// One option as the scripts and the man page show it.
struct CompletionOption {
  std::vector<std::string> names;   // "-p", "--python"
  bool takes_value = false;         // false for flags
  std::vector<std::string> values;  // offered values; empty = any value (a path, a word)
  std::vector<std::string> allowed; // the values the option allows (the man page lists them)
  std::string summary;              // first sentence of the description
  std::string env;                  // its environment variable, if any
};

// One command (or group, or breeze itself: path "") of the tree.
struct CompletionCommand {
  std::string path;                     // "ci-image build"
  std::string description;              // the command's description
  std::vector<std::string> subcommands; // names of the commands below it
  std::vector<CompletionOption> options;
};

std::vector<CompletionOption> completion_options(const std::vector<OptionReference>& options) {
  std::vector<CompletionOption> out;
  for (const auto& o : options) {
    if (o.spellings.empty() || o.panel.empty()) continue; // positional or hidden
    CompletionOption co;
    co.names = o.spellings;
    co.takes_value = !o.flag;
    if (co.takes_value) {
      co.allowed = o.allowed;
      co.values = o.allowed.empty() ? o.suggested : o.allowed;
    }
    co.summary = first_sentence(o.description);
    co.env = o.variable;
    out.push_back(std::move(co));
  }
  return out;
}

// The tree of `ref`, pre-order: breeze, its own commands, then each group and its commands.
std::vector<CompletionCommand> completion_model(const Reference& ref) {
  std::vector<CompletionCommand> model;
  CompletionCommand root{"", ref.description, {}, completion_options(ref.global_options)};
  std::vector<const CommandReference*> own;
  for (const auto& c : ref.commands)
    if (c.metadata->group.empty() && !c.metadata->hidden) {
      root.subcommands.emplace_back(c.metadata->name);
      own.push_back(&c);
    }
  for (const auto& g : ref.groups)
    root.subcommands.emplace_back(g.metadata->name);
  model.push_back(std::move(root));
  const auto add_command = [&](const CommandReference& c) {
    model.push_back({c.path, std::string(c.metadata->summary), {}, completion_options(c.options)});
  };
  for (const auto* c : own)
    add_command(*c);
  for (const auto& g : ref.groups) {
    CompletionCommand group{std::string(g.metadata->name),
                            std::string(g.metadata->summary),
                            {},
                            completion_options(g.options)};
    const auto in_group = [&](const CommandReference& c) {
      return c.metadata->group == g.metadata->name && !c.metadata->hidden;
    };
    for (const auto& c : ref.commands)
      if (in_group(c)) group.subcommands.emplace_back(c.metadata->name);
    model.push_back(std::move(group));
    for (const auto& c : ref.commands)
      if (in_group(c)) add_command(c);
  }
  return model;
}

// POSIX `case` functions bash and zsh share: the commands below a path, its options, and the
// values an option takes ("__any__" for any value, nothing for a flag).
std::string shared_functions(const std::vector<CompletionCommand>& model) {
  std::ostringstream out;
  out << "_breeze_commands() {\n  case \"$1\" in\n";
  for (const auto& c : model)
    if (!c.subcommands.empty())
      out << "    " << sq(c.path) << ") echo " << sq(names_of(c.subcommands)) << " ;;\n";
  out << "  esac\n}\n\n_breeze_options() {\n  case \"$1\" in\n";
  for (const auto& c : model) {
    std::vector<std::string> names;
    for (const auto& o : c.options)
      names.insert(names.end(), o.names.begin(), o.names.end());
    out << "    " << sq(c.path) << ") echo " << sq(names_of(names)) << " ;;\n";
  }
  out << "  esac\n}\n\n_breeze_values() {\n  case \"$1|$2\" in\n";
  for (const auto& c : model)
    for (const auto& o : c.options) {
      if (!o.takes_value) continue;
      std::vector<std::string> patterns;
      for (const auto& n : o.names)
        patterns.push_back(sq(c.path + "|" + n));
      out << "    " << strings::join(patterns, "|") << ") echo "
          << sq(o.values.empty() ? std::string("__any__") : names_of(o.values)) << " ;;\n";
    }
  out << "  esac\n}\n\n"
      // The command path: the words before the cursor that name a command below the path so far
      // (options and their values never do).
      << "_breeze_path() {\n"
         "  local cmdpath='' w\n"
         "  for w in \"$@\"; do\n"
         "    case \"$w\" in -*) continue ;; esac\n"
         "    case \" $(_breeze_commands \"$cmdpath\") \" in\n"
         "      *\" $w \"*) cmdpath=\"${cmdpath:+$cmdpath }$w\" ;;\n"
         "    esac\n"
         "  done\n"
         "  echo \"$cmdpath\"\n"
         "}\n";
  return out.str();
}

std::string bash_script(const std::vector<CompletionCommand>& model) {
  std::ostringstream out;
  out << "# bash completion for breeze " BREEZE_VERSION
         " (generated by `breeze setup autocomplete`; do not edit)\n\n"
      << shared_functions(model)
      << "\n_breeze() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev='' cmdpath values\n"
         "  ((COMP_CWORD > 0)) && prev=\"${COMP_WORDS[COMP_CWORD - 1]}\"\n"
         "  cmdpath=\"$(_breeze_path \"${COMP_WORDS[@]:1:COMP_CWORD-1}\")\"\n"
         "  values=\"$(_breeze_values \"$cmdpath\" \"$prev\")\"\n"
         "  if [[ \"$values\" == __any__ ]]; then\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  elif [[ -n \"$values\" ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))\n"
         "  elif [[ \"$cur\" == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$(_breeze_options \"$cmdpath\")\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -W \"$(_breeze_commands \"$cmdpath\")\" -- \"$cur\"))\n"
         "  fi\n"
         "}\n\ncomplete -F _breeze breeze\n";
  return out.str();
}

std::string zsh_script(const std::vector<CompletionCommand>& model) {
  std::ostringstream out;
  out << "#compdef breeze\n# zsh completion for breeze " BREEZE_VERSION
         " (generated by `breeze setup autocomplete`; do not edit)\n\n"
      << shared_functions(model)
      << "\n_breeze() {\n"
         "  local cur=\"${words[CURRENT]}\" prev=\"${words[CURRENT-1]}\" cmdpath values\n"
         "  cmdpath=\"$(_breeze_path \"${(@)words[2,CURRENT-1]}\")\"\n"
         "  values=\"$(_breeze_values \"$cmdpath\" \"$prev\")\"\n"
         "  if [[ \"$values\" == __any__ ]]; then\n"
         "    _files\n"
         "  elif [[ -n \"$values\" ]]; then\n"
         "    compadd -- ${=values}\n"
         "  elif [[ \"$cur\" == -* ]]; then\n"
         "    compadd -- ${=$(_breeze_options \"$cmdpath\")}\n"
         "  else\n"
         "    compadd -- ${=$(_breeze_commands \"$cmdpath\")}\n"
         "  fi\n"
         "}\n\n"
         "if (($+functions[compdef])); then compdef _breeze breeze; fi\n";
  return out.str();
}

std::string fish_script(const std::vector<CompletionCommand>& model) {
  std::ostringstream out;
  out << "# fish completion for breeze " BREEZE_VERSION
         " (generated by `breeze setup autocomplete`; do not edit)\n\n"
         "function __breeze_commands\n    switch $argv[1]\n";
  for (const auto& c : model)
    if (!c.subcommands.empty()) {
      out << "        case " << fish_quote(c.path) << "\n";
      for (const auto& s : c.subcommands)
        out << "            echo " << s << "\n";
    }
  out << "    end\nend\n\n"
         "function __breeze_path\n"
         "    set -l cmdpath ''\n"
         "    for w in (commandline -opc)[2..-1]\n"
         "        string match -q -- '-*' $w; and continue\n"
         "        if contains -- $w (__breeze_commands $cmdpath)\n"
         "            set cmdpath (string trim -- \"$cmdpath $w\")\n"
         "        end\n"
         "    end\n"
         "    echo $cmdpath\n"
         "end\n\n"
         "function __breeze_at\n"
         "    test \"$(__breeze_path)\" = \"$argv[1]\"\n"
         "end\n\n"
         "complete -c breeze -f\n";
  for (const auto& c : model) {
    const auto at = fish_quote("__breeze_at " + fish_quote(c.path));
    for (const auto& s : c.subcommands) {
      auto sub = std::find_if(model.begin(), model.end(), [&](const CompletionCommand& m) {
        return m.path == (c.path.empty() ? s : c.path + " " + s);
      });
      out << "complete -c breeze -n " << at << " -a " << s;
      if (sub != model.end()) out << " -d " << fish_quote(first_sentence(sub->description));
      out << "\n";
    }
    for (const auto& o : c.options) {
      out << "complete -c breeze -n " << at;
      for (const auto& n : o.names)
        out << (n.starts_with("--") ? " -l " + n.substr(2) : " -s " + n.substr(1));
      if (o.takes_value)
        out << (o.values.empty() ? " -r -F" : " -x -a " + fish_quote(names_of(o.values)));
      if (!o.summary.empty()) out << " -d " << fish_quote(o.summary);
      out << "\n";
    }
  }
  return out.str();
}

// man(7): a text line may not start with '.' or '\'', backslashes are escaped and '-' is \-.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  std::string result;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with('.') || line.starts_with('\'')) result += "\\&";
    result += line + "\n";
  }
  return result;
}

std::string shell_for(const EnvLookup& env) {
  if (auto shell = env("SHELL")) {
    const auto name = std::filesystem::path(*shell).filename().string();
    if (name == "bash" || name == "zsh" || name == "fish") return name;
  }
  return "bash";
}

struct Install {
  std::filesystem::path script; ///< where the script goes
  std::filesystem::path rc;     ///< the rc file that sources it (empty: fish loads it itself)
  std::string line;             ///< the line added to rc
};

Install install_paths(const std::string& shell, const EnvLookup& env) {
  const std::filesystem::path home = env("HOME").value_or("");
  auto xdg = [&](const char* name, const char* fallback) {
    auto v = env(name);
    return v && !v->empty() ? std::filesystem::path(*v) : home / fallback;
  };
  Install i;
  if (shell == "fish") {
    i.script = xdg("XDG_CONFIG_HOME", ".config") / "fish" / "completions" / "breeze.fish";
    return i;
  }
  i.script = xdg("XDG_DATA_HOME", ".local/share") / "breeze" / ("completion." + shell);
  i.rc = home / (shell == "zsh" ? ".zshrc" : ".bashrc");
  i.line = "source " + strings::shell_quote(i.script.string()) + "  # breeze shell completion";
  return i;
}

struct AutocompleteOptions {
  std::string shell;
  bool print = false;
};

Expected<ExitCode> run_autocomplete(commands::Context& ctx, const AutocompleteOptions& opts) {
  auto& services = ctx.services();
  const auto shell = opts.shell.empty() ? shell_for(services.env) : opts.shell;
  const auto script =
      completion_script(command_reference(services, run_time_values(ctx.settings)), shell);
  if (opts.print) {
    ctx.out() << script;
    return ExitCode::ok;
  }
  if (!services.env("HOME"))
    return usage_error("HOME is not set: use --print and save the script yourself");
  const auto target = install_paths(shell, services.env);
  std::string rc_text;
  bool rc_has_line = true;
  if (!target.rc.empty()) {
    if (std::filesystem::exists(target.rc)) {
      BREEZE_TRY(rc_text, files::read(target.rc));
    }
    rc_has_line = rc_text.find(target.line) != std::string::npos;
  }
  auto& out = ctx.out();
  out << fmt::format("{} completion for breeze:\n  write {}\n", shell, target.script.string());
  if (!target.rc.empty())
    out << (rc_has_line ? fmt::format("  {} already sources it\n", target.rc.string())
                        : fmt::format("  add to {}: {}\n", target.rc.string(), target.line));
  else
    out << "  (fish loads completions from that folder by itself)\n";
  if (ctx.globals.dry_run) {
    out << "Dry run: nothing changed.\n";
    return ExitCode::ok;
  }
  out.flush();
  BREEZE_TRY(auto stop,
             ctx.confirm_or_stop(fmt::format("Install {} completion?", shell), "Nothing changed."));
  if (stop) return *stop;
  BREEZE_TRY_VOID(files::write_atomic(target.script, script));
  if (!rc_has_line) {
    if (!rc_text.empty() && !rc_text.ends_with('\n')) rc_text += '\n';
    BREEZE_TRY_VOID(files::write_atomic(target.rc, rc_text + target.line + "\n"));
  }
  out << (target.rc.empty() ? "Done: new fish sessions complete breeze.\n"
                            : fmt::format("Done: open a new shell or run: source {}\n",
                                          strings::shell_quote(target.rc.string())));
  return ExitCode::ok;
}

} // namespace

std::string completion_script(const Reference& ref, const std::string& shell) {
  const auto model = completion_model(ref);
  if (shell == "zsh") return zsh_script(model);
  if (shell == "fish") return fish_script(model);
  return bash_script(model);
}

std::string man_page(const Reference& ref) {
  const auto model = completion_model(ref);
  std::ostringstream out;
  out << ".TH BREEZE 1 \"\" \"breeze " BREEZE_VERSION "\" \"User Commands\"\n.nh\n.ad l\n"
         ".SH NAME\nbreeze \\- Apache Airflow's CI\\-maintenance tool (images, constraints, "
         "backtracking)\n"
         ".SH SYNOPSIS\n.B breeze\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n"
         ".SH DESCRIPTION\n"
      << roff("breeze builds Apache Airflow's CI and PROD images, finds and bisects what makes "
              "pip backtrack, and generates, fixes and publishes constraints. Every command is "
              "listed below with its options; `breeze help COMMAND` shows the same.")
      << ".SH COMMANDS\n";
  std::vector<std::pair<std::string, std::string>> variables;
  for (const auto& c : model) {
    if (c.path.empty() || !c.subcommands.empty()) continue; // groups only list their commands
    out << ".SS \"breeze " << c.path << "\"\n" << roff(c.description);
    for (const auto& o : c.options) {
      out << ".TP\n.B " << roff(strings::join(o.names, ", ")).substr(0);
      std::string text = o.summary.empty() ? std::string() : o.summary + ".";
      if (!o.allowed.empty()) text += " One of: " + strings::join(o.allowed, ", ") + ".";
      if (!o.env.empty()) {
        text += " Environment: " + o.env + ".";
        if (std::none_of(variables.begin(), variables.end(),
                         [&](const auto& v) { return v.first == o.env; }))
          variables.emplace_back(o.env, o.names.back());
      }
      out << roff(text);
    }
  }
  out << ".SH ENVIRONMENT\n";
  for (const auto& [variable, option] : variables)
    out << ".TP\n.B " << variable << "\n" << roff("The default of " + option + " (a flag wins).");
  out << ".SH EXIT STATUS\n"
      << roff("0 ok, 1 failure, 2 usage error, 130 interrupted.") << ".SH SEE ALSO\n"
      << roff("breeze help COMMAND; docs/ in the breeze sources.");
  return out.str();
}

void register_setup_autocomplete(CLI::App& cmd, commands::Context& ctx) {
  auto opts = std::make_shared<AutocompleteOptions>();
  cmd.add_option("--shell", opts->shell,
                 "Shell to complete in [default: the one in $SHELL, else bash].")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd.add_flag("--print", opts->print, "Print the script to stdout and change nothing.");
  cmd.callback([&ctx, opts] {
    ctx.action = [opts](commands::Context& c) { return run_autocomplete(c, *opts); };
  });
}

void register_setup_man_page(CLI::App& cmd, commands::Context& ctx) {
  auto output = std::make_shared<std::string>();
  cmd.add_option("--output", *output, "Write the page to this file instead of stdout.");
  cmd.callback([&ctx, output] {
    ctx.action = [output](commands::Context& c) -> Expected<ExitCode> {
      const auto page = man_page(command_reference(c.services(), run_time_values(c.settings)));
      if (output->empty()) {
        c.out() << page;
        return ExitCode::ok;
      }
      BREEZE_TRY_VOID(files::write_atomic(c.services().cwd / *output, page));
      return ExitCode::ok;
    };
  });
}

void register_setup_config_reference(CLI::App& cmd, commands::Context& ctx) {
  cmd.callback([&ctx] {
    ctx.action = [](commands::Context& c) -> Expected<ExitCode> {
      c.out() << env_option_markdown(c.services());
      return ExitCode::ok;
    };
  });
}

} // namespace breeze::cli
