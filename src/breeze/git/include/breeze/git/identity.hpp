#pragma once

// Who and when for the commits and tags breeze writes, chosen as git chooses them: git's
// environment variables first, then the repository's configuration, then breeze's fallback.

#include <breeze/base/expected.hpp>
#include <breeze/git/credentials.hpp>
#include <breeze/git/handle.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::git {

/// A point in time as git records it: seconds since the epoch and the writer's UTC offset.
struct GitTime {
  std::int64_t seconds = 0;
  int offset_minutes = 0;
};

/// Whose signature: the author of a commit, or its committer (also a tag's tagger, as in git).
enum class Role { author, committer };

/// Parses a GIT_AUTHOR_DATE / GIT_COMMITTER_DATE value in the forms git documents: its internal
/// form `1112911993 +0200` (also `@1112911993`), RFC 2822 `Thu, 07 Apr 2005 22:13:13 +0200` and
/// ISO 8601 `2005-04-07T22:13:13[.frac][Z|+02:00|+0200]` (a space for the `T` too). A value
/// without an offset is UTC (git would take the local time zone). Usage Error otherwise.
[[nodiscard]] Expected<GitTime> parse_git_date(std::string_view text);

/// The signature for `role`: name GIT_AUTHOR_NAME / GIT_COMMITTER_NAME, else `author.name` /
/// `committer.name`, else `user.name`, else "breeze"; email GIT_*_EMAIL, else `author.email` /
/// `committer.email`, else `user.email`, else EMAIL, else "breeze@localhost"; date GIT_*_DATE,
/// else now. Variables come from `env` (never the process). Usage Error for a bad date.
[[nodiscard]] Expected<SignaturePtr> signature_for(git_repository* repo, const EnvFn& env,
                                                   Role role);

/// Checks GIT_AUTHOR_DATE and GIT_COMMITTER_DATE in `env` before anything is written, so a bad
/// value stops a command up front rather than half-way. Usage Error naming the variable.
[[nodiscard]] Expected<void> check_git_dates(const EnvFn& env);

} // namespace breeze::git
