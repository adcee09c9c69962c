#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/strings.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/version.hpp>

#include <map>

using namespace breeze;
using constraints::ConstraintsFile;
using constraints::Line;
using constraints::Version;

namespace {

std::string real(const std::string& name) {
  return test::read_file(test::fixture("real-constraints/" + name));
}

// Indexes of the lines that differ (both texts split on '\n', terminators included).
std::vector<std::size_t> changed_lines(const std::string& a, const std::string& b) {
  const auto la = strings::split(a, '\n');
  const auto lb = strings::split(b, '\n');
  REQUIRE(la.size() == lb.size());
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < la.size(); ++i)
    if (la[i] != lb[i]) out.push_back(i);
  return out;
}

const char* const k_real_files[] = {"constraints-main-2023-09-13-constraints-3.11.txt",
                                    "constraints-2.6.3-constraints-3.8.txt",
                                    "v2-9-test-2024-06-06-constraints-3.11.txt"};

} // namespace

TEST_CASE("real constraints files round-trip byte for byte and count their pins",
          "[constraints][constraints-file]") {
  const std::map<std::string, std::size_t> expected_pins = {
      {"constraints-main-2023-09-13-constraints-3.11.txt", 641},
      {"constraints-2.6.3-constraints-3.8.txt", 648},
      {"v2-9-test-2024-06-06-constraints-3.11.txt", 712}};
  for (const auto* name : k_real_files) {
    INFO(name);
    const auto text = real(name);
    const auto file = ConstraintsFile::parse(text);
    CHECK(file.str() == text);
    CHECK(file.pins().size() == expected_pins.at(name));
    // Every pin is a valid PEP 440 version, pre/post releases included; pin lines are indexed.
    for (const auto& pin : file.pins()) {
      INFO(pin.name << "==" << pin.version);
      CHECK(Version::parse(pin.version));
      CHECK(file.lines().at(pin.line).name == pin.name);
      CHECK(pin.marker.empty());
    }
    // The `# pip install "apache-airflow==X.Y.Z" ...` line is a comment, not a pin.
    CHECK_FALSE(file.find("apache-airflow"));
    std::size_t comments_with_pins = 0;
    for (const auto& line : file.lines())
      if (line.text.find("==X.Y.Z") != std::string::npos) {
        CHECK(line.kind == Line::Kind::comment);
        ++comments_with_pins;
      }
    CHECK(comments_with_pins >= 2);
    // The header is the leading comment block, ending just before the first pin.
    const auto header = file.header();
    CHECK(header.find("automatically generated on") != std::string::npos);
    CHECK(text.substr(header.size()).starts_with(file.pins().front().name + "=="));
  }
}

TEST_CASE("header dates in both forms found in the wild", "[constraints][constraints-file]") {
  const std::map<std::string, std::string> dates = {
      {"constraints-main-2023-09-13-constraints-3.11.txt", "2023-09-13T23:59:08Z"},
      {"constraints-2.6.3-constraints-3.8.txt", "2023-07-07T14:44:02Z"},
      {"v2-9-test-2024-06-06-constraints-3.11.txt", "2024-06-06T07:19:46Z"}};
  for (const auto* name : k_real_files) {
    INFO(name);
    const auto at = ConstraintsFile::parse(real(name)).generated_at();
    REQUIRE(at.has_value());
    CHECK(time::format_iso_z(*at) == dates.at(name));
  }
  // isoformat() keeps microseconds; no offset means UTC; an offset is honoured.
  const auto micro =
      ConstraintsFile::parse(real("v2-9-test-2024-06-06-constraints-3.11.txt")).generated_at();
  CHECK((*micro - *time::parse_iso8601("2024-06-06T07:19:46Z")).count() == 79179);
  const auto offset =
      ConstraintsFile::parse("#\n# This constraints file was automatically generated on "
                             "2025-01-15T10:22:33.123456+01:00\nfoo==1\n");
  REQUIRE(offset.generated_at());
  CHECK(time::format_iso_z(*offset.generated_at()) == "2025-01-15T09:22:33Z");
  CHECK_FALSE(ConstraintsFile::parse("# no date here\nfoo==1\n").generated_at());
  CHECK_FALSE(ConstraintsFile::parse("# generated on someday\nfoo==1\n").generated_at());
  // Only the header counts: a date below the first pin is not the generation date.
  CHECK_FALSE(
      ConstraintsFile::parse("foo==1\n# generated on 2023-08-09T21:48:23Z\n").generated_at());
}

TEST_CASE("names keep the file's spelling and are found by normalised name",
          "[constraints][constraints-file]") {
  const auto file = ConstraintsFile::parse(real("constraints-2.6.3-constraints-3.8.txt"));
  for (auto [query, spelled, version] :
       {std::tuple{"flask_appbuilder", "Flask-AppBuilder", "4.3.1"},
        {"pyyaml", "PyYAML", "6.0"},
        {"Backports-ZoneInfo", "backports.zoneinfo", "0.2.1"},
        {"BLACK", "black", "23.1a1"},
        {"shapely", "Shapely", "1.8.5.post1"},
        {"pymssql", "pymssql", "2.2.8"}}) {
    INFO(query);
    const auto* line = file.find(query);
    REQUIRE(line);
    CHECK(line->kind == Line::Kind::pin);
    CHECK(line->name == spelled);
    CHECK(line->version == version);
  }
  CHECK(Version::parse(file.find("black")->version)->is_prerelease());
  CHECK(Version::parse(file.find("Shapely")->version)->is_postrelease());
  CHECK(file.find("no-such-package") == nullptr);
}

TEST_CASE("replacing pymssql changes exactly one line of a real file",
          "[constraints][constraints-file]") {
  const auto text = real("constraints-2.6.3-constraints-3.8.txt");
  auto file = ConstraintsFile::parse(text);
  // The file already holds the August 2023 fix (2.2.8); undo it, as a repair would redo it.
  auto r = file.set_version("pymssql", "2.2.7");
  REQUIRE(r);
  CHECK(r->file_name == "pymssql");
  CHECK(r->old_version == "2.2.8");
  CHECK(r->lines_changed == 1);
  CHECK_FALSE(r->spelling_differs);
  const auto after = file.str();
  const auto changed = changed_lines(text, after);
  REQUIRE(changed.size() == 1);
  CHECK(strings::split(text, '\n')[changed[0]] == "pymssql==2.2.8");
  CHECK(strings::split(after, '\n')[changed[0]] == "pymssql==2.2.7");
  CHECK(after.size() == text.size());
  CHECK(file.find("pymssql")->version == "2.2.7");

  // Setting the same version again changes nothing.
  auto again = file.set_version("pymssql", "2.2.7");
  REQUIRE(again);
  CHECK(again->lines_changed == 0);
  CHECK(file.str() == after);
}

TEST_CASE("set_version keeps the file's spelling and reports the caller's",
          "[constraints][constraints-file]") {
  auto file = ConstraintsFile::parse("PyYAML==6.0\nzope.event==5.0\n");
  auto r = file.set_version("pyyaml", "6.0.1");
  REQUIRE(r);
  CHECK(r->file_name == "PyYAML");
  CHECK(r->spelling_differs);
  CHECK(file.str() == "PyYAML==6.0.1\nzope.event==5.0\n");

  auto missing = file.set_version("requests", "2.0");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::not_found);
  CHECK(missing.error().message.find("requests") != std::string::npos);
  for (auto bad : {"", "1.0 ; x", "not a version", "1.0\n", " 1.0"}) {
    INFO(bad);
    auto res = file.set_version("PyYAML", bad);
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == ErrorKind::usage);
  }
  CHECK(file.str() == "PyYAML==6.0.1\nzope.event==5.0\n");
}

TEST_CASE("odd bytes survive a round trip and an edit", "[constraints][constraints-file]") {
  for (std::string text :
       {"", "\n", "foo==1.0", "\r\n", "\n# header\nfoo==1.0  \nbar==2\n", "a==1\r\nb==2\r\n",
        "a==1\r\nb==2", "  # indented comment\n\tfoo == 1.0 \t# trailing\n", "x==1\n\n\n",
        "--index-url https://example.invalid/simple\nfoo>=1\nfoo==1.*\nfoo==1,<2\n",
        "caf\xc3\xa9==1\n\xff\xfe==2\n"}) {
    INFO(text);
    CHECK(ConstraintsFile::parse(text).str() == text);
  }

  // CRLF, trailing spaces and a missing final newline are kept around an edit.
  auto file = ConstraintsFile::parse("\r\n# h\r\nFoo_Bar == 1.0  \r\nbaz==2");
  REQUIRE(file.set_version("foo-bar", "1.1"));
  CHECK(file.str() == "\r\n# h\r\nFoo_Bar == 1.1  \r\nbaz==2");
  REQUIRE(file.set_version("baz", "3.0rc1"));
  CHECK(file.str() == "\r\n# h\r\nFoo_Bar == 1.1  \r\nbaz==3.0rc1");
}

TEST_CASE("lines are classified: pins, markers, urls, comments, other",
          "[constraints][constraints-file]") {
  const auto file = ConstraintsFile::parse(
      "# pip install \"apache-airflow==X.Y.Z\"\n"
      "   \n"
      "backports.zoneinfo==0.2.1 ; python_version < \"3.9\"  # only old pythons\n"
      "apache-airflow[celery] == 2.7.1\n"
      "mypkg @ https://example.invalid/mypkg-1.0.tar.gz ; sys_platform == \"linux\"\n"
      "other @ file:///tmp/x.whl\n"
      "--constraint other.txt\n"
      "foo>=1.0\n"
      "foo===1.0\n"
      "foo==1.*\n"
      "-bad==1.0\n"
      "bar==\n"
      "baz==1.0 junk\n");
  const auto& l = file.lines();
  REQUIRE(l.size() == 13);
  CHECK(l[0].kind == Line::Kind::comment);
  CHECK(l[1].kind == Line::Kind::blank);
  CHECK(l[2].kind == Line::Kind::pin);
  CHECK(l[2].name == "backports.zoneinfo");
  CHECK(l[2].version == "0.2.1");
  CHECK(l[2].marker == "python_version < \"3.9\"");
  CHECK(l[2].text.substr(l[2].version_pos, 5) == "0.2.1");
  CHECK(l[3].kind == Line::Kind::pin);
  CHECK(l[3].name == "apache-airflow");
  CHECK(l[3].version == "2.7.1");
  CHECK(l[4].kind == Line::Kind::url);
  CHECK(l[4].name == "mypkg");
  CHECK(l[4].marker == "sys_platform == \"linux\"");
  CHECK(l[5].kind == Line::Kind::url);
  CHECK(l[5].marker.empty());
  for (std::size_t i = 6; i < l.size(); ++i) {
    INFO(l[i].text);
    CHECK(l[i].kind == Line::Kind::other);
  }
  const auto pins = file.pins();
  REQUIRE(pins.size() == 2);
  CHECK(pins[0].line == 2);
  CHECK(pins[0].marker == "python_version < \"3.9\"");
  CHECK(pins[1].line == 3);
}

TEST_CASE("add_pin and insert_before_first_pin use the file's conventions",
          "[constraints][constraints-file]") {
  auto file = ConstraintsFile::parse("#\r\n# header\r\na==1\r\nb==2\r\n# footer\r\n");
  file.add_pin("new-pkg", "0.1");
  CHECK(file.str() == "#\r\n# header\r\na==1\r\nb==2\r\nnew-pkg==0.1\r\n# footer\r\n");
  CHECK(file.find("NEW_PKG")->version == "0.1");
  file.insert_before_first_pin("# added\n# two lines\n");
  CHECK(file.str() ==
        "#\r\n# header\r\n# added\r\n# two lines\r\na==1\r\nb==2\r\nnew-pkg==0.1\r\n# footer\r\n");
  CHECK(file.pins().size() == 3);
  CHECK(file.lines()[2].kind == Line::Kind::comment);
  file.insert_before_first_pin("");
  CHECK(file.lines().size() == 8);

  // A file without a final newline keeps ending without one.
  auto bare = ConstraintsFile::parse("a==1");
  bare.add_pin("b", "2");
  CHECK(bare.str() == "a==1\nb==2");
  auto nopins = ConstraintsFile::parse("# only a header");
  nopins.insert_before_first_pin("x==1");
  CHECK(nopins.str() == "# only a header\nx==1");
  CHECK(nopins.pins().size() == 1);
  auto empty = ConstraintsFile::parse("");
  empty.add_pin("a", "1");
  CHECK(empty.str() == "a==1\n");

  // Inserting into a real file adds exactly the inserted lines.
  const auto text = real("v2-9-test-2024-06-06-constraints-3.11.txt");
  auto big = ConstraintsFile::parse(text);
  const auto header = big.header();
  big.insert_before_first_pin("# note");
  CHECK(big.str() == header + "# note\n" + text.substr(header.size()));
  CHECK(big.pins().size() == 712);
}
