#include <breeze/git/credentials.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/strings.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace breeze::git {

namespace {

// "https://user:pass@host/path" -> {scheme, user, pass, host}; percent-decoding of user/pass.
struct UrlParts {
  std::string scheme, user, password, host;
};

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(
          static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<UrlParts> split_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  UrlParts p;
  p.scheme = std::string(url.substr(0, scheme_end));
  auto rest = url.substr(scheme_end + 3);
  // The authority ends at the first of these, as URL parsers (and curl) see it: otherwise
  // "https://evil.org#@github.com/" would look like github.com.
  auto authority = rest.substr(0, rest.find_first_of("/?#\\"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    p.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) p.password = percent_decode(userinfo.substr(colon + 1));
  }
  p.host = std::string(authority);
  return p;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "host:443" / "[::1]:443" -> the host alone.
std::string host_without_port(std::string_view authority) {
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    return std::string(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  return std::string(authority.substr(0, authority.find(':')));
}

} // namespace

bool token_offered(const std::string& url, const std::vector<std::string>& extra_hosts) {
  auto parts = split_url(url);
  if (!parts || lower(parts->scheme) != "https") return false;
  std::string host = lower(host_without_port(parts->host));
  // "github.com." is the same host for DNS; anything else (github.com.evil.org) is not.
  if (host.ends_with('.')) host.pop_back();
  if (host.empty()) return false;
  if (host == "github.com") return true;
  return std::any_of(extra_hosts.begin(), extra_hosts.end(), [&](const std::string& h) {
    return !h.empty() && lower(strings::trim(h)) == host;
  });
}

std::optional<std::pair<std::string, std::string>>
lookup_credential_store(const std::string& content, const std::string& url) {
  auto want = split_url(url);
  if (!want) return std::nullopt;
  for (const auto& raw : strings::split(content, '\n')) {
    auto line = strings::trim(raw);
    auto have = split_url(line);
    if (!have || have->password.empty()) continue;
    if (have->scheme == want->scheme && have->host == want->host)
      return std::pair{have->user, have->password};
  }
  return std::nullopt;
}

int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload) {
  auto* creds = static_cast<Credentials*>(payload);
  // libgit2 calls again after a rejected credential; one offer per kind, then give up cleanly.
  if (creds == nullptr || creds->attempts >= 2) return GIT_PASSTHROUGH;
  ++creds->attempts;
  const std::string user = username_from_url != nullptr ? username_from_url : "git";

  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0U && creds->attempts == 1)
    return git_credential_ssh_key_from_agent(out, user.c_str());
  if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0U)
    return git_credential_username_new(out, user.c_str());

  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0U) {
    // The token is GitHub's: a plain-http remote or any other host (a mirror, a proxy, a test
    // server) must never see it, in a dry run or not.
    if (creds->env && url != nullptr && token_offered(url, creds->token_hosts)) {
      if (auto token = creds->env("GITHUB_TOKEN"); token && !token->empty())
        return git_credential_userpass_plaintext_new(out, "x-access-token", token->c_str());
    }
    if (creds->helper == "store" && url != nullptr) {
      std::string home = creds->env ? creds->env("HOME").value_or("") : "";
      if (!home.empty()) {
        auto content = files::read(std::filesystem::path(home) / ".git-credentials");
        if (content) {
          if (auto found = lookup_credential_store(*content, url))
            return git_credential_userpass_plaintext_new(out, found->first.c_str(),
                                                         found->second.c_str());
        }
      }
    }
  }
  return GIT_PASSTHROUGH;
}

} // namespace breeze::git
