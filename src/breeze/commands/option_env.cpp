#include <breeze/commands/option_env.hpp>

#include <breeze/base/error.hpp>
#include <breeze/base/strings.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

namespace breeze::commands {

namespace {

void walk(CLI::App& app, std::vector<EnvOption>& found) {
  for (auto* opt : app.get_options())
    if (!opt->get_envname().empty()) found.push_back({&app, opt, opt->get_envname()});
  for (auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
    walk(*sub, found);
}

bool is_flag(const CLI::Option* opt) {
  return opt->get_expected_max() == 0;
} // CLI11 flags expect 0 values

std::string long_name(const CLI::Option* opt) {
  const auto& lnames = opt->get_lnames();
  if (!lnames.empty()) return "--" + lnames.front();
  const auto& snames = opt->get_snames();
  return snames.empty() ? opt->get_name() : "-" + snames.front();
}

} // namespace

CLI::Option* env_option(CLI::Option* option, const std::string& variable) {
  return option->envname(variable);
}

std::vector<EnvOption> env_options(CLI::App& root) {
  std::vector<EnvOption> found;
  walk(root, found);
  return found;
}

std::vector<EnvOption> seal(CLI::App& root) {
  auto bindings = env_options(root);
  for (auto& b : bindings) {
    b.option->envname("");
    // CLI11 would reject the command line before fill() could read the variable.
    b.required = b.option->get_required();
    if (b.required) b.option->required(false);
  }
  return bindings;
}

void unseal(const std::vector<EnvOption>& bindings) {
  for (const auto& b : bindings) {
    b.option->envname(b.variable);
    if (b.required) b.option->required(true);
  }
}

std::optional<bool> parse_breeze_bool(const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

Expected<void> fill(const std::vector<EnvOption>& bindings, const EnvLookup& env) {
  // Global options are registered on every level (breeze, the group, the command) and bound to one
  // variable: the first time any level saw one on the command line, the environment stays out.
  std::map<std::pair<std::string, std::string>, std::vector<const EnvOption*>> groups;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& b : bindings) {
    if (b.app->get_parent() != nullptr && !b.app->parsed()) continue; // a command not selected
    auto key = std::make_pair(b.variable, b.option->get_name());
    if (groups.find(key) == groups.end()) order.push_back(key);
    groups[key].push_back(&b);
  }
  for (const auto& key : order) {
    const auto& members = groups[key];
    if (std::any_of(members.begin(), members.end(),
                    [](const EnvOption* b) { return b->option->count() > 0; }))
      continue;
    const auto value = env(key.first);
    auto* target = members.back()->option; // the deepest level: registered last
    if (!value || value->empty()) {
      if (members.back()->required)
        return Error{ErrorKind::usage, fmt::format("{} is required (or environment variable {})",
                                                   long_name(target), key.first)};
      continue;
    }
    std::string result = *value;
    if (is_flag(target)) {
      const auto parsed = parse_breeze_bool(*value);
      if (!parsed)
        return Error{
            ErrorKind::usage,
            fmt::format("environment variable {}={}: not a boolean (true/false, 1/0, yes/no)",
                        key.first, strings::strip_control(*value))};
      result = *parsed ? "true" : "false";
    }
    try {
      // Like click's `multiple` options: a repeatable option takes one value per word.
      if (target->get_expected_max() > 1)
        for (const auto& word : strings::split_whitespace(result))
          target->add_result(word);
      else
        target->add_result(result);
      target->run_callback();
    } catch (const CLI::Error& e) {
      return Error{ErrorKind::usage, fmt::format("environment variable {}={} ({}): {}", key.first,
                                                 strings::strip_control(*value), long_name(target),
                                                 strings::strip_control(e.what()))};
    }
  }
  return {};
}

} // namespace breeze::commands
