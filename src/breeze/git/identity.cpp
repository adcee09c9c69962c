#include <breeze/git/identity.hpp>

#include <breeze/base/strings.hpp>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <regex>

namespace breeze::git {

namespace {

Error bad_date(std::string_view text) {
  return Error{ErrorKind::usage,
               fmt::format("invalid date format: '{}' (git's forms: '1112911993 +0200', 'Thu, 07 "
                           "Apr 2005 22:13:13 +0200', '2005-04-07T22:13:13+02:00')",
                           strings::strip_control(std::string(text))),
               {}};
}

// "+0200" / "-05:30" / "Z" -> minutes east of UTC; nullopt when out of range.
std::optional<int> offset_minutes(const std::string& sign, const std::string& hh,
                                  const std::string& mm) {
  const int h = std::stoi(hh);
  const int m = std::stoi(mm);
  if (h > 14 || m > 59) return std::nullopt;
  return (sign == "-" ? -1 : 1) * (h * 60 + m);
}

// Seconds since the epoch of a civil UTC date-time; nullopt for an impossible date.
std::optional<std::int64_t> civil_seconds(int y, unsigned mon, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{mon}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  return t.time_since_epoch().count();
}

std::optional<unsigned> month_number(const std::string& name) {
  static const std::array<const char*, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  const auto lower = strings::to_lower(name);
  for (unsigned i = 0; i < names.size(); ++i)
    if (lower == names[i]) return i + 1;
  return std::nullopt;
}

// The config value of the first of `keys` that is set.
std::optional<std::string> config_value(git_repository* repo,
                                        std::initializer_list<const char*> keys) {
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) != 0) {
    git_error_clear();
    return std::nullopt;
  }
  ConfigPtr cfg(raw);
  for (const auto* key : keys) {
    const char* value = nullptr;
    if (git_config_get_string(&value, cfg.get(), key) == 0 && value != nullptr && *value != '\0')
      return std::string(value);
    git_error_clear();
  }
  return std::nullopt;
}

std::optional<std::string> set_var(const EnvFn& env, const std::string& name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

} // namespace

Expected<GitTime> parse_git_date(std::string_view input) {
  const std::string text(strings::trim(input));
  static const std::regex internal(R"(@?(\d+)(?:\s+([+-])(\d{2})(\d{2}))?)");
  static const std::regex rfc2822(
      R"((?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+([+-])(\d{2})(\d{2}))");
  static const std::regex iso(
      R"((\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))?)");
  std::smatch m;
  if (std::regex_match(text, m, internal)) {
    GitTime t;
    try {
      t.seconds = std::stoll(m[1].str());
    } catch (const std::out_of_range&) {
      return bad_date(input);
    }
    if (m[2].matched) {
      auto off = offset_minutes(m[2].str(), m[3].str(), m[4].str());
      if (!off) return bad_date(input);
      t.offset_minutes = *off;
    }
    return t;
  }
  if (std::regex_match(text, m, rfc2822)) {
    const auto mon = month_number(m[2].str());
    auto off = offset_minutes(m[7].str(), m[8].str(), m[9].str());
    if (!mon || !off) return bad_date(input);
    auto local = civil_seconds(std::stoi(m[3].str()), *mon, std::stoul(m[1].str()),
                               std::stoi(m[4].str()), std::stoi(m[5].str()), std::stoi(m[6].str()));
    if (!local) return bad_date(input);
    return GitTime{*local - *off * 60, *off};
  }
  if (std::regex_match(text, m, iso)) {
    int off = 0;
    if (m[8].matched) {
      auto parsed = offset_minutes(m[8].str(), m[9].str(), m[10].str());
      if (!parsed) return bad_date(input);
      off = *parsed;
    }
    auto local =
        civil_seconds(std::stoi(m[1].str()), std::stoul(m[2].str()), std::stoul(m[3].str()),
                      std::stoi(m[4].str()), std::stoi(m[5].str()), std::stoi(m[6].str()));
    if (!local) return bad_date(input);
    return GitTime{*local - off * 60, off};
  }
  return bad_date(input);
}

Expected<void> check_git_dates(const EnvFn& env) {
  for (const auto* name : {"GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"}) {
    if (auto v = set_var(env, name); v) {
      if (auto t = parse_git_date(*v); !t)
        return Error{ErrorKind::usage, fmt::format("{}: {}", name, t.error().message), {}};
    }
  }
  return {};
}

Expected<SignaturePtr> signature_for(git_repository* repo, const EnvFn& env, Role role) {
  const bool author = role == Role::author;
  const std::string prefix = author ? "GIT_AUTHOR_" : "GIT_COMMITTER_";
  auto name = set_var(env, prefix + "NAME");
  if (!name) name = config_value(repo, {author ? "author.name" : "committer.name", "user.name"});
  auto email = set_var(env, prefix + "EMAIL");
  if (!email)
    email = config_value(repo, {author ? "author.email" : "committer.email", "user.email"});
  if (!email) email = set_var(env, "EMAIL");
  const auto who = name.value_or("breeze");
  const auto where = email.value_or("breeze@localhost");
  git_signature* sig = nullptr;
  if (auto date = set_var(env, prefix + "DATE"); date) {
    auto when = parse_git_date(*date);
    if (!when)
      return Error{ErrorKind::usage, fmt::format("{}DATE: {}", prefix, when.error().message), {}};
    BREEZE_TRY_VOID(check(
        git_signature_new(&sig, who.c_str(), where.c_str(), when->seconds, when->offset_minutes),
        "creating signature"));
  } else {
    BREEZE_TRY_VOID(
        check(git_signature_now(&sig, who.c_str(), where.c_str()), "creating signature"));
  }
  return SignaturePtr(sig);
}

} // namespace breeze::git
