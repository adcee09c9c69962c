#pragma once

#include <git2.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breeze::git {

/// Reads an environment variable (injectable so tests need not touch the real environment).
using EnvFn = std::function<std::optional<std::string>(const std::string&)>;

/// Where push/fetch credentials come from, tried in this order by the libgit2 credential callback:
/// ssh: the ssh agent; https: GITHUB_TOKEN (user `x-access-token`) but only to the hosts
/// token_offered() allows, then the `store` credential helper's file (~/.git-credentials) when
/// `credential.helper` is `store` (any host, as git does). Each is offered at most once per
/// connection so a wrong credential fails instead of looping. Tokens are never printed.
struct Credentials {
  EnvFn env;
  std::string helper; ///< value of credential.helper in the repository's config ("" when unset)
  int attempts = 0;   ///< how many credentials were offered (the callback's own state)
  std::vector<std::string> token_hosts; ///< hosts besides github.com that may receive GITHUB_TOKEN
};

/// True when GITHUB_TOKEN may be sent to `url`: the scheme is https and the host (case-insensitive,
/// any port and userinfo ignored) is github.com or one of `extra_hosts` (GitHub Enterprise).
/// Never for http://, ssh, git:// or any other host.
[[nodiscard]] bool token_offered(const std::string& url,
                                 const std::vector<std::string>& extra_hosts);

/// The git_credential_acquire_cb libgit2 calls; `payload` is a Credentials*.
int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload);

/// `user:password` from a git-credential-store file for `url` (matching scheme and host), if any.
[[nodiscard]] std::optional<std::pair<std::string, std::string>>
lookup_credential_store(const std::string& file_content, const std::string& url);

} // namespace breeze::git
