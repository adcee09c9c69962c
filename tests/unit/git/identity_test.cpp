#include <support/catch.hpp>

#include <breeze/git/identity.hpp>

using namespace breeze;

// GIT_AUTHOR_DATE / GIT_COMMITTER_DATE in the forms git documents (git-commit(1), DATE FORMATS).

TEST_CASE("git dates: git's internal form, RFC 2822 and ISO 8601 give the same instant",
          "[unit][git]") {
  // 2005-04-07 22:13:13 at +0200 is 20:13:13 UTC = 1112904793.
  for (const auto* text :
       {"1112904793 +0200", "@1112904793 +0200", "Thu, 07 Apr 2005 22:13:13 +0200",
        "07 Apr 2005 22:13:13 +0200", "2005-04-07T22:13:13+02:00", "2005-04-07 22:13:13 +0200",
        "2005-04-07T22:13:13.5+0200"}) {
    INFO(text);
    auto t = git::parse_git_date(text);
    REQUIRE(t);
    CHECK(t->seconds == 1112904793);
    CHECK(t->offset_minutes == 120);
  }
  auto utc = git::parse_git_date("2005-04-07T20:13:13Z");
  REQUIRE(utc);
  CHECK(utc->seconds == 1112904793);
  CHECK(utc->offset_minutes == 0);
  auto west = git::parse_git_date("1112904793 -0530");
  REQUIRE(west);
  CHECK(west->offset_minutes == -330);
  auto bare = git::parse_git_date("@1112904793");
  REQUIRE(bare);
  CHECK(bare->offset_minutes == 0);
}

TEST_CASE("git dates: anything else is a usage error naming the variable", "[unit][git]") {
  for (const auto* text : {"yesterday", "2005-13-07T22:13:13", "2005-02-30 10:00:00",
                           "Thu, 07 Foo 2005 22:13:13 +0200", "1112904793 +2500"}) {
    INFO(text);
    auto t = git::parse_git_date(text);
    REQUIRE_FALSE(t);
    CHECK(t.error().kind == ErrorKind::usage);
  }
  auto checked = git::check_git_dates([](const std::string& name) -> std::optional<std::string> {
    if (name == "GIT_COMMITTER_DATE") return "tomorrow";
    return std::nullopt;
  });
  REQUIRE_FALSE(checked);
  CHECK(checked.error().message.starts_with("GIT_COMMITTER_DATE: invalid date format: 'tomorrow'"));
}
