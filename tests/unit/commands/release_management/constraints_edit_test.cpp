#include <support/catch.hpp>

#include <breeze/commands/release_management/constraints_edit.hpp>

using namespace breeze;
using namespace breeze::commands::release_management;

TEST_CASE("parse_updated_constraint accepts NAME==VERSION only", "[unit][update-constraints]") {
  auto u = parse_updated_constraint("pymssql==2.2.8");
  REQUIRE(u);
  CHECK(u->name == "pymssql");
  CHECK(u->version == "2.2.8");
  for (const char* bad : {"pymssql=2.2.8", "pymssql", "==2.2.8", "pymssql==", "pymssql>=2.2.8",
                          "py mssql==1", "pymssql==not a version", "a==1==2"}) {
    INFO(bad);
    auto r = parse_updated_constraint(bad);
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::usage);
  }
}

TEST_CASE("expand_versions resolves lists and ranges against the known tags",
          "[unit][update-constraints]") {
  const std::vector<std::string> known{"2.5.1", "2.5.2", "2.5.3", "2.6.0",  "2.6.0rc1",
                                       "2.6.1", "2.6.2", "2.6.3", "2.10.0", "main"};
  auto list = expand_versions("2.6.3,2.5.1", known);
  REQUIRE(list);
  CHECK(*list == std::vector<std::string>{"2.6.3", "2.5.1"});
  auto range = expand_versions("2.5.2..2.6.1", known);
  REQUIRE(range);
  CHECK(*range ==
        std::vector<std::string>{"2.5.2", "2.5.3", "2.6.0", "2.6.1"}); // no rc, PEP 440 order
  auto wide = expand_versions("2.5.0..2.6.3", known);
  REQUIRE(wide);
  CHECK(wide->size() == 7);
  auto ordered = expand_versions("2.6.0..2.10.0", known); // 2.10 > 2.6 numerically
  REQUIRE(ordered);
  CHECK(ordered->back() == "2.10.0");
  auto dup = expand_versions("2.6.3, 2.6.2..2.6.3", known);
  REQUIRE(dup);
  CHECK(*dup == std::vector<std::string>{"2.6.3", "2.6.2"});
  auto unknown = expand_versions("2.6.4", known);
  REQUIRE(!unknown);
  CHECK(unknown.error().kind == ErrorKind::not_found);
  CHECK(unknown.error().message.find("constraints-2.6.4") != std::string::npos);
  CHECK(!expand_versions("3.0.0..3.1.0", known));
  CHECK(expand_versions("2.6.3..2.5.1", known).error().kind == ErrorKind::usage);
  CHECK(expand_versions("", known).error().kind == ErrorKind::usage);
}

TEST_CASE("selects_file picks constraints files per mode", "[unit][update-constraints]") {
  CHECK(selects_file("constraints-3.8.txt", {}));
  CHECK(selects_file("constraints-no-providers-3.11.txt", {}));
  CHECK(!selects_file("README.md", {}));
  CHECK(selects_file("constraints-3.8.txt", {"constraints"}));
  CHECK(!selects_file("constraints-no-providers-3.8.txt", {"constraints"}));
  CHECK(!selects_file("constraints-source-providers-3.8.txt", {"constraints"}));
  CHECK(selects_file("constraints-no-providers-3.8.txt", {"constraints-no-providers"}));
  CHECK(selects_file("constraints-source-providers-3.8.txt",
                     {"constraints", "constraints-source-providers"}));
}

namespace {
const std::string k_file =
    "#\n# This constraints file was automatically generated on 2023-07-07T14:44:02Z\n#\n"
    "Authlib==1.2.1\nPyYAML==6.0\npymssql==2.2.7\nzope.event==5.0\n";
const std::string k_no_providers = "# header\nAuthlib==1.2.1\nPyYAML==6.0\n";
} // namespace

TEST_CASE("edit_files changes only the version, in the files that hold the pin",
          "[unit][update-constraints]") {
  auto e = edit_files(
      {{"constraints-3.8.txt", k_file}, {"constraints-no-providers-3.8.txt", k_no_providers}},
      {{"pymssql", "2.2.8"}}, "", false);
  REQUIRE(e.changes.size() == 1);
  CHECK(e.changes[0].name == "constraints-3.8.txt");
  std::string expected = k_file;
  expected.replace(expected.find("2.2.7"), 5, "2.2.8");
  CHECK(e.changes[0].after == expected);
  CHECK(e.absent.empty());
  CHECK(e.old_versions["pymssql"] == std::vector<std::string>{"2.2.7"});
}

TEST_CASE("edit_files keeps the file's spelling and reports the difference",
          "[unit][update-constraints]") {
  auto e = edit_files({{"c.txt", k_file}}, {{"pyyaml", "6.0.1"}}, "", false);
  REQUIRE(e.changes.size() == 1);
  CHECK(e.changes[0].after.find("\nPyYAML==6.0.1\n") != std::string::npos);
  REQUIRE(e.spelling_notes.size() == 1);
  CHECK(e.spelling_notes[0] == "pyyaml is spelled PyYAML in the files; applied to that line");
  auto dotted = edit_files({{"c.txt", k_file}}, {{"zope-event", "5.1"}}, "", false);
  REQUIRE(dotted.changes.size() == 1);
  CHECK(dotted.changes[0].after.find("\nzope.event==5.1\n") != std::string::npos);
}

TEST_CASE("edit_files: absent package leaves the version unless add_missing",
          "[unit][update-constraints]") {
  auto e = edit_files({{"c.txt", k_file}}, {{"pymssql", "2.2.8"}, {"nope", "1.0"}}, "", false);
  CHECK(e.changes.empty());
  CHECK(e.absent == std::vector<std::string>{"nope"});
  auto add = edit_files({{"c.txt", k_file}}, {{"pymssql", "2.2.8"}, {"nope", "1.0"}}, "", true);
  REQUIRE(add.changes.size() == 1);
  CHECK(add.changes[0].after.find("\nnope==1.0\n") != std::string::npos);
  CHECK(add.changes[0].after.find("\npymssql==2.2.8\n") != std::string::npos);
}

TEST_CASE("edit_files: already at the version means nothing to do", "[unit][update-constraints]") {
  auto e = edit_files({{"c.txt", k_file}}, {{"pymssql", "2.2.7"}}, "", false);
  CHECK(e.changes.empty());
  CHECK(e.absent.empty());
}

TEST_CASE("edit_files inserts the comment once before the first pin of changed files",
          "[unit][update-constraints]") {
  const std::string comment = "# pymssql moved to 2.2.8 (Cython 3)";
  auto e = edit_files({{"c.txt", k_file}, {"n.txt", k_no_providers}}, {{"pymssql", "2.2.8"}},
                      comment, false);
  REQUIRE(e.changes.size() == 1);
  CHECK(e.changes[0].after.find(comment + "\nAuthlib==1.2.1\n") != std::string::npos);
  auto again = edit_files({{"c.txt", e.changes[0].after}}, {{"pymssql", "2.2.8"}}, comment, false);
  CHECK(again.changes.empty());
}

TEST_CASE("render_summary aligns the columns", "[unit][update-constraints]") {
  auto text = render_summary(
      {{"2.6.3", "5520dac68d05cc82ab83a8489d1df668d94f8248", "abcdef0123456789", 10, "pushed"},
       {"2.5.1", "265123a000000000", "", 0, "already up to date"}});
  CHECK(text == "version  old tag commit  new commit    files changed  result\n"
                "2.6.3    5520dac68d05    abcdef012345  10             pushed\n"
                "2.5.1    265123a00000    -             0              already up to date\n");
}

TEST_CASE("the summary in Markdown for the GitHub job summary", "[unit][update-constraints]") {
  CHECK(
      render_summary_markdown({{"2.6.3", "5520dac68d05cc82", "abcdef0123456789", 10, "pushed"},
                               {"2.5.1", "265123a000000000", "", 0, "failed: rejected | hook"}}) ==
      "### update-constraints\n\n"
      "| version | old tag commit | new commit | files changed | result |\n"
      "| --- | --- | --- | --- | --- |\n"
      "| 2.6.3 | 5520dac68d05 | abcdef012345 | 10 | pushed |\n"
      "| 2.5.1 | 265123a00000 | - | 0 | failed: rejected \\| hook |\n");
}

TEST_CASE("check_comment accepts comment lines only", "[unit][update-constraints]") {
  CHECK(check_comment("# pymssql 2.2.8\n#\n# see #33218"));
  CHECK(check_comment("# a\n\n# b\r\n"));
  CHECK(check_comment(""));
  auto pin = check_comment("# why\nevil==6.6.6");
  REQUIRE(!pin);
  CHECK(pin.error().kind == breeze::ErrorKind::usage);
  CHECK(pin.error().message.find("line 2") != std::string::npos);
  CHECK(pin.error().message.find("evil==6.6.6") != std::string::npos);
  CHECK(!check_comment("--index-url https://evil.example/"));
  CHECK(!check_comment(" # indented"));
  CHECK(!check_comment("# bell\a"));
  CHECK(!check_comment("# cr\rinjected==1"));
  auto esc = check_comment("x\x1b[31m");
  REQUIRE(!esc);
  CHECK(esc.error().message.find('\x1b') == std::string::npos);
}
