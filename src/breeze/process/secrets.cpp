#include <breeze/process/secrets.hpp>

#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>

#include <algorithm>

namespace breeze::process {

bool is_secret_name(const std::string& name) { return redact::is_secret_name(name); }

namespace {
bool is_secret_option(std::string_view opt) {
  while (!opt.empty() && opt.front() == '-')
    opt.remove_prefix(1);
  return is_secret_name(std::string(opt));
}
} // namespace

std::vector<std::string> secrets_of(const ProcessSpec& spec, const EnvLookup& env) {
  std::vector<std::string> out = spec.secrets;
  for (const auto& [name, value] : spec.env)
    if (is_secret_name(name)) out.push_back(value);
  for (const char* name : {"GITHUB_TOKEN", "GH_TOKEN", "DOCKER_PASSWORD", "REGISTRY_PASSWORD"})
    if (env)
      if (auto v = env(name)) out.push_back(*v);
  const auto& argv = spec.argv;
  const bool is_login = std::find(argv.begin(), argv.end(), "login") != argv.end();
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const auto& a = argv[i];
    if (!a.starts_with("-")) continue;
    if (auto eq = a.find('='); eq != std::string::npos) {
      if (is_secret_option(std::string_view(a).substr(0, eq))) out.push_back(a.substr(eq + 1));
      continue;
    }
    if ((is_secret_option(a) || (is_login && a == "-p")) && i + 1 < argv.size())
      out.push_back(argv[i + 1]);
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const std::string& s) { return s.empty(); }),
            out.end());
  // Longest first, so a secret that contains another is masked whole.
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

std::string mask(std::string text, const std::vector<std::string>& secrets) {
  text = redact::text(text); // URL userinfo and the process-wide secrets, whatever the spec says
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return text;
}

std::string printable(const ProcessSpec& spec, const EnvLookup& env) {
  std::string line;
  for (const auto& [name, value] : spec.env)
    line += name + "=" + strings::shell_quote(value) + " ";
  line += strings::shell_join(spec.argv);
  if (!spec.cwd.empty())
    line = "(cd " + strings::shell_quote(spec.cwd.string()) + " && " + line + ")";
  return mask(std::move(line), secrets_of(spec, env));
}

} // namespace breeze::process
