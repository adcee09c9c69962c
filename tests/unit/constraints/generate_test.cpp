#include <support/catch.hpp>

#include <breeze/config/settings.hpp>
#include <breeze/constraints/constraints_file.hpp>
#include <breeze/constraints/generate.hpp>

using namespace breeze;
using namespace breeze::constraints;

namespace {
FreezeFilter default_filter() {
  config::Settings s;
  return {s.freeze_drop_prefixes, s.freeze_drop_containing};
}
} // namespace

TEST_CASE(
    "generate: freeze output is filtered like Airflow's generator and sorted case-insensitively",
    "[constraints][generate]") {
  const std::string freeze = "requests==2.31.0\n"
                             "apache-airflow==2.10.0.dev0\n"
                             "apache_airflow_providers_amazon==8.0.0\n"
                             "apache-airflow-providers-google==10.0.0\n"
                             "-e git+https://github.com/apache/airflow@abc#egg=apache_airflow\n"
                             "mypkg @ file:///opt/airflow/dist/mypkg-1.0.whl\n"
                             "other @ https://example.com/other.whl\n"
                             "# Editable install with no version control (apache-airflow==2.10.0)\n"
                             "local-thing==1.0 from file:///tmp/x\n"
                             "  \n"
                             "Flask==2.2.5\n"
                             "aiohttp==3.9.1\r\n"
                             "requests==2.31.0\n";
  auto pins = filter_freeze(freeze, default_filter());
  CHECK(pins == std::vector<std::string>{"aiohttp==3.9.1",
                                         "apache-airflow-providers-google==10.0.0", "Flask==2.2.5",
                                         "requests==2.31.0"});
  // A filter from settings decides; nothing is hard-wired.
  CHECK(filter_freeze("a==1\nb==2\n", {{"b"}, {}}) == std::vector<std::string>{"a==1"});
  CHECK(filter_freeze("", default_filter()).empty());
}

TEST_CASE("generate: the header carries the date, how it was made and the branch, "
          "find-backtracking reads it back",
          "[constraints][generate]") {
  const auto when = *time::parse_iso8601("2024-08-13T10:00:00Z");
  const auto header = render_header("constraints-source-providers", "v2-10-test", when);
  CHECK(header.starts_with(
      "#\n# This constraints file was automatically generated on 2024-08-13T10:00:00Z\n"
      "# via \"eager-upgrade\" mechanism of PIP. For the \"v2-10-test\" branch of Airflow.\n"
      "# This variant of constraints install uses the HEAD of the branch version of both\n"));
  CHECK(header.ends_with("\n#\n"));
  CHECK_THAT(render_header("constraints-no-providers", "main", when),
             Catch::Contains("without installing any of the providers"));
  CHECK_THAT(render_header("constraints", "main", when), Catch::Contains("PIP-released packages"));

  const auto text = render_constraints(header, {"aiohttp==3.9.1", "Flask==2.2.5"});
  auto file = ConstraintsFile::parse(text);
  REQUIRE(file.generated_at().has_value());
  CHECK(*file.generated_at() == when); // the code find-backtracking-candidates uses for the date
  CHECK(file.header() == header);
  REQUIRE(file.pins().size() == 2);
  CHECK(file.pins()[1].name == "Flask");
  CHECK(file.str() == text);
}

TEST_CASE("generate: pin changes are compared by normalised name and rendered as a markdown diff",
          "[constraints][generate]") {
  const std::string before =
      "# generated on 2024-01-01T00:00:00Z\nboto3==1.28.0\nPyYAML==6.0\nold-pkg==1.0\nsame==1\n";
  const std::string after =
      "# generated on 2024-08-13T10:00:00Z\nboto3==1.28.3\npyyaml==6.0\nnew_pkg==2.0\nsame==1\n";
  auto changes = diff_pins(before, after);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].name == "boto3");
  CHECK(changes[0].before == "1.28.0");
  CHECK(changes[0].after == "1.28.3");
  CHECK(changes[1].name == "new_pkg");
  CHECK(changes[1].before.empty());
  CHECK(changes[2].name == "old-pkg");
  CHECK(changes[2].after.empty());
  CHECK(render_diff_markdown("constraints", "3.11", changes) ==
        "Dependencies constraints updated for Python 3.11\n\n```diff\n"
        "-boto3==1.28.0\n+boto3==1.28.3\n+new_pkg==2.0\n-old-pkg==1.0\n```\n");
  CHECK(diff_pins(before, before).empty()); // headers alone never count as a change
}
