#include <support/catch.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/base/time.hpp>

using namespace breeze;

TEST_CASE("shell_quote makes copy-pasteable arguments", "[base]") {
  CHECK(strings::shell_quote("plain-arg_1.2/x=y") == "plain-arg_1.2/x=y");
  CHECK(strings::shell_quote("") == "''");
  CHECK(strings::shell_quote("a b") == "'a b'");
  CHECK(strings::shell_quote("aiobotocore<=2.5.4") == "'aiobotocore<=2.5.4'");
  CHECK(strings::shell_quote("it's") == "'it'\\''s'");
  CHECK(strings::shell_join({"docker", "build", "--build-arg", "X=a b"}) ==
        "docker build --build-arg 'X=a b'");
}

TEST_CASE("strip_control removes terminal escapes from network text", "[base]") {
  CHECK(strings::strip_control("ok\x1b[31mred\x07") == "ok[31mred");
  CHECK(strings::strip_control("a\nb", false) == "ab");
  CHECK(strings::strip_control("a\nb", true) == "a\nb");
  CHECK(strings::strip_control("x\xc2\x9b"
                               "2Jy") == "x2Jy");
  CHECK(strings::strip_control("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("closest_match suggests likely typos only", "[base]") {
  const std::vector<std::string> cmds{"ci-image",           "prod-image", "ci",
                                      "release-management", "setup",      "version"};
  CHECK(strings::closest_match("ci-imag", cmds) == "ci-image");
  CHECK(strings::closest_match("relase-management", cmds) == "release-management");
  CHECK(strings::closest_match("verison", cmds) == "version");
  CHECK_FALSE(strings::closest_match("kubernetes", cmds).has_value());
}

TEST_CASE("split helpers", "[base]") {
  CHECK(strings::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(strings::split_whitespace("  a<=1 \n b<=2\t") == std::vector<std::string>{"a<=1", "b<=2"});
  CHECK(strings::trim("  x \n") == "x");
}

TEST_CASE("parse_iso8601 reads both constraints header forms", "[base]") {
  auto z = time::parse_iso8601("2023-08-09T21:48:23Z");
  REQUIRE(z);
  CHECK(time::format_human(*z) == "2023-08-09 21:48:23");
  auto micro = time::parse_iso8601("2025-01-15T10:22:33.123456");
  REQUIRE(micro);
  CHECK(time::format_human(*micro) == "2025-01-15 10:22:33");
  CHECK((*micro - *time::parse_iso8601("2025-01-15T10:22:33Z")).count() == 123456);
  auto offset = time::parse_iso8601("2024-06-06T09:19:46.079179+02:00");
  REQUIRE(offset);
  CHECK(time::format_iso_z(*offset) == "2024-06-06T07:19:46Z");
  CHECK(time::format_human(*time::parse_iso8601("2023-08-09")) == "2023-08-09 00:00:00");
  CHECK(time::format_human(*time::parse_iso8601("2023-08-09 21:48")) == "2023-08-09 21:48:00");
  CHECK_FALSE(time::parse_iso8601("2023-13-01T00:00:00Z"));
  CHECK_FALSE(time::parse_iso8601("yesterday"));
  CHECK_FALSE(time::parse_iso8601("2023-08-09T21:48:23Zjunk"));
  CHECK(time::parse_iso8601("nope").error().kind == ErrorKind::usage);
}

TEST_CASE("render_table aligns columns, leaves the last unpadded and no trailing spaces",
          "[base]") {
  CHECK(strings::render_table(
            {{"Job", "Result", "Log"}, {"python3.10", "ok", "/tmp/a.log"}, {"py", "FAILED", ""}}) ==
        "Job         Result  Log\n"
        "python3.10  ok      /tmp/a.log\n"
        "py          FAILED\n");
  CHECK(strings::render_table({}).empty());
}
