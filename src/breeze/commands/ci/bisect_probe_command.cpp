// bisect-backtracking: what a probe runs (the command line split and filled with the limits, the
// --probe resolve docker argv, the default timeout) and what its output says (backtracking,
// conflict lines).

#include <breeze/commands/ci/bisect_backtracking.hpp>

#include "bisect_detail.hpp"

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/commands/image_params.hpp>
#include <breeze/docker/client.hpp>
#include <breeze/docker/image.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace breeze::commands::ci {

using bisect_detail::ci_image;
using bisect_detail::k_each_placeholder;
using bisect_detail::k_placeholder;

Expected<std::vector<std::string>> split_command_line(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 < line.size()) {
        if (line[i + 1] != '\n') word += line[i + 1]; // backslash-newline continues the line
        ++i;
      }
      in_word = true;
    } else if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos)
        return usage_error("--probe-command: unterminated ' quote");
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      // Inside double quotes a backslash escapes only $ ` " \ and newline, as in sh.
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() &&
            std::string_view("$`\"\\\n").find(line[j + 1]) != std::string_view::npos) {
          if (line[j + 1] != '\n') word += line[j + 1];
          ++j;
        } else {
          word += line[j];
        }
      }
      if (j >= line.size()) return usage_error("--probe-command: unterminated \" quote");
      i = j;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> substitute_requirements(const std::vector<std::string>& words,
                                                 const std::string& requirements) {
  std::vector<std::string> out;
  for (auto w : words) {
    for (auto at = w.find(k_placeholder); at != std::string::npos;
         at = w.find(k_placeholder, at + requirements.size()))
      w.replace(at, k_placeholder.size(), requirements);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<std::string> expand_probe_command(const std::vector<std::string>& words,
                                              const std::vector<std::string>& limits) {
  std::vector<std::string> out;
  const auto joined = strings::join(limits, " ");
  for (const auto& w : words) {
    if (w == k_each_placeholder) {
      out.insert(out.end(), limits.begin(), limits.end());
      continue;
    }
    auto one = substitute_requirements({w}, joined);
    out.push_back(std::move(one.front()));
  }
  return out;
}

Expected<std::optional<std::regex>> compile_backtracking_pattern(std::string_view pattern) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(
        std::regex(std::string(pattern), std::regex::ECMAScript | std::regex::optimize));
  } catch (const std::regex_error& e) {
    return usage_error(fmt::format("--backtracking-pattern '{}' is not a regular expression: {}",
                                   strings::strip_control(pattern), e.what()));
  }
}

bool matches_backtracking(const std::regex& pattern, std::string_view line) {
  constexpr std::size_t k_max = 4096;
  const auto text = line.substr(0, std::min(line.size(), k_max));
  return std::regex_search(text.begin(), text.end(), pattern);
}

// The local CI image a `--probe resolve` probe runs in (the one `ci-image build` makes).
std::string bisect_detail::ci_image(const config::Settings& settings, const std::string& python) {
  return docker::image_name_with_tag(image_params(settings, docker::ImageType::ci, python));
}

std::vector<std::string> resolve_probe_argv(const config::Settings& settings,
                                            const std::string& docker, const std::string& python,
                                            const std::string& platform) {
  // `--pull never`: resolve in the image that is here (the one the last build made), never in a
  // newer one a registry happens to have.
  std::vector<std::string> argv{docker, "run", "--rm", "--pull", "never"};
  if (!platform.empty()) argv.insert(argv.end(), {"--platform", platform});
  argv.insert(argv.end(), {"-v", settings.sources_root.string() + ":/opt/airflow", "-e",
                           "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=" + std::string(k_placeholder),
                           "-e", "PYTHON_MAJOR_MINOR_VERSION=" + python, "--entrypoint", "/bin/sh",
                           ci_image(settings, python), "-c", settings.resolve_command});
  return argv;
}

std::chrono::milliseconds default_probe_timeout(std::chrono::milliseconds t) {
  return std::max(t * 3 / 2, t + std::chrono::milliseconds(std::chrono::seconds(120)));
}

std::vector<std::string> conflict_lines(std::string_view output, std::size_t max_lines) {
  // pip: "ERROR: Cannot install ... because these package versions have conflicting dependencies",
  // "The conflict is caused by:", "x 1.0 depends on y<2", "ResolutionImpossible"; uv: "No solution
  // found", "Because x depends on ...", "╰─▶".
  static const std::vector<std::string> k_markers = {"conflict",
                                                     "cannot install",
                                                     "depends on",
                                                     "requires",
                                                     "resolutionimpossible",
                                                     "no solution",
                                                     "because",
                                                     "the user requested",
                                                     "no matching distribution",
                                                     "╰─▶",
                                                     "error:"};
  std::vector<std::string> out;
  for (const auto& raw : strings::split(output, '\n')) {
    const auto line = strings::strip_control(redact::text(raw));
    const auto lower = strings::to_lower(line);
    if (std::any_of(k_markers.begin(), k_markers.end(),
                    [&](const std::string& m) { return lower.find(m) != std::string::npos; })) {
      out.emplace_back(strings::trim(line));
      if (out.size() == max_lines) break;
    }
  }
  return out;
}

namespace bisect_detail {

namespace {

std::filesystem::path self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("breeze") : p;
}

} // namespace

Expected<std::vector<std::string>> probe_template(const BisectOptions& o, Context& ctx) {
  if (!o.probe_command.empty()) {
    BREEZE_TRY(auto words, split_command_line(o.probe_command));
    if (words.empty()) return usage_error("--probe-command is empty");
    for (const auto& w : words)
      if (w != k_each_placeholder && w.find(k_each_placeholder) != std::string::npos)
        return usage_error(
            "--probe-command: {requirements...} must be a word of its own (it becomes one "
            "argument per limit)");
    if (std::none_of(words.begin(), words.end(), [](const std::string& w) {
          return w == k_each_placeholder || w.find(k_placeholder) != std::string::npos;
        }))
      return usage_error(
          "--probe-command must contain {requirements} or {requirements...} (where the limits go)");
    return words;
  }
  const auto python = o.python.empty() ? ctx.settings.default_python_version() : o.python;
  if (o.probe == "resolve") {
    BREEZE_TRY_VOID(ctx.settings.check_python(python));
    if (ctx.settings.sources_root.empty())
      return usage_error(
          "--probe resolve: no Airflow sources found (a folder with Dockerfile.ci) to mount; "
          "pass --airflow-sources PATH");
    std::string platform;
    if (!o.platform.empty()) {
      BREEZE_TRY(platform, docker::normalize_platform(o.platform));
    }
    return resolve_probe_argv(ctx.settings, docker::docker_client(ctx.services().env), python,
                              platform);
  }
  std::vector<std::string> argv{self_exe().string(),
                                "ci-image",
                                "build",
                                "--upgrade-to-newer-dependencies",
                                "--eager-upgrade-additional-requirements",
                                std::string(k_placeholder),
                                "--python",
                                python};
  auto pass = [&argv](const char* flag, const std::string& value) {
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  pass("--platform", o.platform);
  pass("--builder", o.builder);
  pass("--docker-cache", o.docker_cache);
  pass("--github-repository", ctx.globals.github_repository);
  if (!ctx.settings.sources_root.empty())
    pass("--airflow-sources", ctx.settings.sources_root.string());
  if (ctx.globals.verbose) argv.push_back("--verbose");
  return argv;
}

} // namespace bisect_detail

} // namespace breeze::commands::ci
