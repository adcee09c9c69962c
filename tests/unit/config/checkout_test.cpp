#include <support/catch.hpp>
#include <support/helpers.hpp>

#include <breeze/base/files.hpp>
#include <breeze/config/checkout.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>

using namespace breeze;
using config::parse_python_assignments;

namespace {

const std::filesystem::path k_file = "consts.py";

config::PythonAssignments parse(const std::string& text) {
  return parse_python_assignments(text, k_file);
}

std::string str(const config::PythonAssignments& a, const std::string& name) {
  const auto* v = a.find(name);
  REQUIRE(v != nullptr);
  CHECK_FALSE(v->is_list);
  return v->text;
}

std::vector<std::string> list(const config::PythonAssignments& a, const std::string& name) {
  const auto* v = a.find(name);
  REQUIRE(v != nullptr);
  CHECK(v->is_list);
  return v->items;
}

using Strings = std::vector<std::string>;

std::filesystem::path checkout(const std::string& variant) {
  return test::fixture("airflow-checkout/" + variant);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The two fixtures

TEST_CASE("checkout: the v2-10-test fixture gives Airflow 2.10's defaults", "[checkout]") {
  auto d = config::read_checkout_defaults(checkout("v2-10-test"));
  REQUIRE(d);
  REQUIRE(d->python_versions);
  CHECK(d->python_versions->items == Strings{"3.8", "3.9", "3.10", "3.11", "3.12"});
  CHECK(d->python_versions->file == std::filesystem::path(config::k_global_constants_py));
  REQUIRE(d->default_python);
  CHECK(d->default_python->text == "3.8"); // ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS[0]
  CHECK(d->default_python->line == d->python_versions->line + 1);
  CHECK(d->default_python->where() ==
        fmt::format("{}:{}", config::k_global_constants_py, d->python_versions->line + 1));
  REQUIRE(d->airflow_branch);
  CHECK(d->airflow_branch->text == "v2-10-test"); // not the "main" of the docstring above it
  REQUIRE(d->default_constraints_branch);
  CHECK(d->default_constraints_branch->text == "constraints-2-10");
  REQUIRE(d->debian_version);
  CHECK(d->debian_version->text == "bookworm");
  REQUIRE(d->airflow_version);
  CHECK(d->airflow_version->text == "2.10.0.dev0");
  CHECK(d->airflow_version->file == std::filesystem::path(config::k_airflow_init_py));
  REQUIRE(d->default_extras); // a list between the pre-commit hook's comments
  CHECK(d->default_extras->items == Strings{"aiobotocore", "amazon", "celery", "postgres"});
  CHECK_FALSE(d->airflow3_layout);
  CHECK(d->unknown_forms.empty());
}

TEST_CASE("checkout: the main fixture gives the Airflow 3 layout's defaults", "[checkout]") {
  auto d = config::read_checkout_defaults(checkout("main"));
  REQUIRE(d);
  CHECK(d->airflow3_layout);
  REQUIRE(d->python_versions);
  CHECK(d->python_versions->items == Strings{"3.10", "3.11", "3.12", "3.13"});
  REQUIRE(d->default_python);
  CHECK(d->default_python->text == "3.10");
  REQUIRE(d->airflow_branch);
  CHECK(d->airflow_branch->text == "main");
  REQUIRE(d->default_constraints_branch);
  CHECK(d->default_constraints_branch->text == "constraints-main");
  REQUIRE(d->airflow_version);
  CHECK(d->airflow_version->text == "3.1.0.dev0");
  CHECK(d->airflow_version->file == std::filesystem::path(config::k_airflow_core_init_py));
  CHECK(d->unknown_forms.empty());
}

TEST_CASE("checkout: the fixture's global_constants.py reads like Python would run it",
          "[checkout]") {
  const auto path = checkout("v2-10-test") / config::k_global_constants_py;
  const auto a = parse_python_assignments(test::read_file(path), config::k_global_constants_py);
  CHECK(str(a, "RUNS_ON_PUBLIC_RUNNER") ==
        R"(["ubuntu-22.04"])"); // a string that looks like a list
  CHECK(str(a, "DEFAULT_BACKEND") == "sqlite");
  CHECK(list(a, "MYSQL_LTS_RELEASES") == Strings{"8.4"});
  // List items may be names of strings read above.
  CHECK(list(a, "TESTABLE_INTEGRATIONS") ==
        Strings{"cassandra", "celery", "kafka", "kerberos", "mongo"});
  CHECK(str(a, "DEFAULT_ALLOWED_EXECUTOR") == "LocalExecutor");
  CHECK(list(a, "CURRENT_PYTHON_MAJOR_MINOR_VERSIONS") ==
        Strings{"3.8", "3.9", "3.10", "3.11", "3.12"});
  CHECK(str(a, "DEFAULT_POSTGRES_VERSION") == "12");
  CHECK(list(a, "DEFAULT_EXTRAS") == Strings{"aiobotocore", "amazon", "celery", "postgres"});
  CHECK(str(a, "AIRFLOW_SOURCES_TO") == "/opt/airflow");
  // Computed values are reported, not guessed.
  for (const auto* name :
       {"ALL_INTEGRATIONS", "DOCKER_DEFAULT_PLATFORM", "ALLOWED_MYSQL_VERSIONS",
        "ALLOWED_PLATFORMS", "DEFAULT_UV_HTTP_TIMEOUT", "MYSQL_INNOVATION_RELEASE",
        "AIRFLOW_PYTHON_COMPATIBILITY_MATRIX", "PROVIDER_DEPENDENCIES"}) {
    INFO(name);
    CHECK(a.find(name) == nullptr);
    CHECK(std::count(a.unknown_names.begin(), a.unknown_names.end(), name) >= 1);
  }
  // Names of functions and classes are not module names.
  for (const auto* name : {"machine", "airflow_version", "line", "ALWAYS", "API"}) {
    INFO(name);
    CHECK(a.find(name) == nullptr);
    CHECK(std::count(a.unknown_names.begin(), a.unknown_names.end(), name) == 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Missing and unreadable files

TEST_CASE("checkout: missing files leave their fields empty without an error", "[checkout]") {
  files::TempDir dir;
  SECTION("nothing at all") {
    auto d = config::read_checkout_defaults(dir.path());
    REQUIRE(d);
    CHECK_FALSE(d->python_versions);
    CHECK_FALSE(d->default_python);
    CHECK_FALSE(d->airflow_branch);
    CHECK_FALSE(d->airflow_version);
    CHECK(d->unknown_forms.empty());
  }
  SECTION("only branch_defaults.py") {
    test::write_file(dir.path() / config::k_branch_defaults_py, "AIRFLOW_BRANCH = 'v2-9-test'\n");
    auto d = config::read_checkout_defaults(dir.path());
    REQUIRE(d);
    REQUIRE(d->airflow_branch);
    CHECK(d->airflow_branch->text == "v2-9-test");
    CHECK_FALSE(d->default_constraints_branch);
    CHECK_FALSE(d->python_versions);
  }
  SECTION("airflow-core/ without its __init__.py") {
    std::filesystem::create_directories(dir.path() / "airflow-core");
    test::write_file(dir.path() / config::k_airflow_init_py, "__version__ = '2.9.0'\n");
    auto d = config::read_checkout_defaults(dir.path());
    REQUIRE(d);
    CHECK(d->airflow3_layout);
    CHECK_FALSE(d->airflow_version); // Airflow 3's layout never falls back to airflow/__init__.py
  }
}

TEST_CASE("checkout: a file that exists but cannot be read is an error naming it", "[checkout]") {
  files::TempDir dir;
  // A directory where the file should be: unreadable even for root (CI runs as root, so a
  // chmod 000 file would still be readable).
  std::filesystem::create_directories(dir.path() / config::k_global_constants_py);
  auto d = config::read_checkout_defaults(dir.path());
  REQUIRE_FALSE(d);
  CHECK(d.error().kind == ErrorKind::io);
  CHECK_THAT(d.error().what(), Catch::Contains("global_constants.py"));
}

TEST_CASE("checkout: a field of the wrong kind falls back with a line saying so", "[checkout]") {
  files::TempDir dir;
  test::write_file(dir.path() / config::k_global_constants_py,
                   "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS = \"3.9 3.10\"\n"
                   "DEFAULT_PYTHON_MAJOR_MINOR_VERSION = ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS[0]\n");
  auto d = config::read_checkout_defaults(dir.path());
  REQUIRE(d);
  CHECK_FALSE(d->python_versions);
  CHECK_FALSE(d->default_python);
  CHECK(
      d->unknown_forms ==
      Strings{
          std::string(config::k_global_constants_py) +
              ":1: ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS: unsupported form (a string where a list is "
              "expected)",
          std::string(config::k_global_constants_py) +
              ":2: DEFAULT_PYTHON_MAJOR_MINOR_VERSION: unsupported form (indexes "
              "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS, which is a string, not a list)"});
}

TEST_CASE("checkout: an unsupported form of a wanted name is one verbose line, not an error",
          "[checkout]") {
  files::TempDir dir;
  test::write_file(dir.path() / config::k_global_constants_py,
                   "import os\n"
                   "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS = os.environ.get('PYS', '3.9').split()\n"
                   "DEFAULT_PYTHON_MAJOR_MINOR_VERSION = ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS[0]\n"
                   "OTHER = f'{os.sep}'\n");
  test::write_file(dir.path() / config::k_branch_defaults_py, "AIRFLOW_BRANCH = 'main'\n");
  auto d = config::read_checkout_defaults(dir.path());
  REQUIRE(d);
  CHECK_FALSE(d->python_versions);
  CHECK_FALSE(d->default_python);
  REQUIRE(d->airflow_branch);
  CHECK(d->airflow_branch->text == "main");
  REQUIRE(d->unknown_forms.size() == 2); // OTHER is not a field: not reported here
  CHECK(d->unknown_forms[0] == std::string(config::k_global_constants_py) +
                                   ":2: ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS: unsupported form (a "
                                   "method call or attribute)");
  CHECK(d->unknown_forms[1] ==
        std::string(config::k_global_constants_py) +
            ":3: DEFAULT_PYTHON_MAJOR_MINOR_VERSION: unsupported form (refers to "
            "ALLOWED_PYTHON_MAJOR_MINOR_VERSIONS, which has no list value read above)");
}

// ---------------------------------------------------------------------------------------------
// Assignment forms

TEST_CASE("checkout: string assignments in both quotes, prefixes and escapes", "[checkout]") {
  const auto a = parse("A = \"double\"\n"
                       "B = 'single'\n"
                       "C = 'it\\'s'  # trailing comment with = \"x\"\n"
                       "D = r'C:\\path\\n'\n"
                       "E = u\"unicode\"\n"
                       "F = \"has # hash\"\n"
                       "G = \"tab\\tand\\\\backslash\"\n"
                       "H = (\n    \"implicit \"\n    \"concatenation\"\n)\n"
                       "I = \"adjacent\" 'literals'\n"
                       "J=\"no spaces\"\n"
                       "K = \"\"\n"
                       "L = \"\"\"triple\nquoted\"\"\"\n");
  CHECK(str(a, "A") == "double");
  CHECK(str(a, "B") == "single");
  CHECK(str(a, "C") == "it's");
  CHECK(str(a, "D") == "C:\\path\\n");
  CHECK(str(a, "E") == "unicode");
  CHECK(str(a, "F") == "has # hash");
  CHECK(str(a, "G") == "tab\tand\\backslash");
  CHECK(a.find("H") == nullptr); // a parenthesised expression
  CHECK(str(a, "I") == "adjacentliterals");
  CHECK(str(a, "J") == "no spaces");
  CHECK(str(a, "K").empty());
  CHECK(str(a, "L") == "triple\nquoted");
  CHECK(a.find("A")->line == 1);
  CHECK(a.find("I")->line == 12);
  CHECK(a.find("L")->line == 15);
}

TEST_CASE("checkout: lists over several lines with comments and a trailing comma", "[checkout]") {
  const auto a = parse("ONE_LINE = [\"3.8\", \"3.9\"]\n"
                       "EMPTY = []\n"
                       "MULTI = [\n"
                       "    # a comment line, with \"quotes\" and a ] bracket\n"
                       "    \"a\",  # trailing comment\n"
                       "    'b',\n"
                       "\n"
                       "    \"c\",\n"
                       "]\n"
                       "AFTER = \"still read\"\n"
                       "SPACED = [ 'x' , 'y' ]\n");
  CHECK(list(a, "ONE_LINE") == Strings{"3.8", "3.9"});
  CHECK(list(a, "EMPTY").empty());
  CHECK(list(a, "MULTI") == Strings{"a", "b", "c"});
  CHECK(a.find("MULTI")->line == 3);
  CHECK(str(a, "AFTER") == "still read");
  CHECK(a.find("AFTER")->line == 10);
  CHECK(list(a, "SPACED") == Strings{"x", "y"});
  CHECK(a.unknown_forms.empty());
  const auto b = parse("CELERY = 'CeleryExecutor'\n"
                       "EXECUTORS = ['LocalExecutor', CELERY]\n"
                       "NESTED = [EXECUTORS]\n");
  CHECK(list(b, "EXECUTORS") == Strings{"LocalExecutor", "CeleryExecutor"});
  CHECK(b.unknown_forms ==
        Strings{"consts.py:3: NESTED: unsupported form (a list item EXECUTORS that is a list)"});
}

TEST_CASE("checkout: annotated assignments", "[checkout]") {
  const auto a = parse("VERSIONS: list[str] = [\"3.10\", \"3.11\"]\n"
                       "NAME: str = 'x'\n"
                       "OPTIONAL: str | None = None\n"
                       "MAPPING: dict[str, list[str]] = {\"a\": [\"b\"]}\n"
                       "DECLARED_ONLY: str\n");
  CHECK(list(a, "VERSIONS") == Strings{"3.10", "3.11"});
  CHECK(str(a, "NAME") == "x");
  CHECK(a.find("OPTIONAL") == nullptr);
  CHECK(a.find("MAPPING") == nullptr);
  CHECK(a.find("DECLARED_ONLY") == nullptr);
  CHECK(a.unknown_names == Strings{"OPTIONAL", "MAPPING"}); // a bare declaration binds nothing
}

TEST_CASE("checkout: NAME[0] and NAME[-1] index a list read above", "[checkout]") {
  const auto a = parse("PYS = ['3.9', '3.10', '3.11']\n"
                       "FIRST = PYS[0]\n"
                       "LAST = PYS[-1]\n"
                       "SECOND = PYS[ 1 ]\n"
                       "OUT = PYS[3]\n"
                       "SLICE = PYS[1:]\n");
  CHECK(str(a, "FIRST") == "3.9");
  CHECK(str(a, "LAST") == "3.11");
  CHECK(str(a, "SECOND") == "3.10");
  CHECK(a.find("OUT") == nullptr);
  CHECK(a.find("SLICE") == nullptr);
  REQUIRE(a.unknown_forms.size() == 2);
  CHECK(a.unknown_forms[0] ==
        "consts.py:5: OUT: unsupported form (index 3 is out of range of PYS (3 items))");
  CHECK_THAT(a.unknown_forms[1], Catch::StartsWith("consts.py:6: SLICE: unsupported form ("));
}

TEST_CASE("checkout: NAME[0] of an unknown list is an unknown form", "[checkout]") {
  const auto a = parse("DEFAULT = PYS[0]\n"      // not defined (yet)
                       "PYS = sorted(['3.9'])\n" // computed
                       "AGAIN = PYS[0]\n"
                       "TEXT = 'abc'\n"
                       "CHAR = TEXT[0]\n");
  CHECK(a.find("DEFAULT") == nullptr);
  CHECK(a.find("AGAIN") == nullptr);
  CHECK(a.find("CHAR") == nullptr);
  CHECK(
      a.unknown_forms ==
      Strings{"consts.py:1: DEFAULT: unsupported form (refers to PYS, which has no list value read "
              "above)",
              "consts.py:2: PYS: unsupported form (a call)",
              "consts.py:3: AGAIN: unsupported form (refers to PYS, which has no list value read "
              "above)",
              "consts.py:5: CHAR: unsupported form (indexes TEXT, which is a string, not a list)"});
}

TEST_CASE("checkout: NAME = OTHER aliases a string or a list read above", "[checkout]") {
  const auto a = parse("BRANCH = 'main'\n"
                       "ALIAS = BRANCH\n"
                       "LIST = ['a', 'b']\n"
                       "LIST_ALIAS = LIST\n"
                       "NOT_YET = LATER\n"
                       "LATER = 'x'\n"
                       "FLAG = True\n"
                       "NOTHING = None\n");
  CHECK(str(a, "ALIAS") == "main");
  CHECK(a.find("ALIAS")->line == 2); // where the alias got its value
  CHECK(list(a, "LIST_ALIAS") == Strings{"a", "b"});
  CHECK(a.find("NOT_YET") == nullptr);
  CHECK(a.find("FLAG") == nullptr);
  CHECK(a.find("NOTHING") == nullptr);
  CHECK(a.unknown_forms ==
        Strings{"consts.py:5: NOT_YET: unsupported form (refers to LATER, which has no "
                "value read above)",
                "consts.py:7: FLAG: unsupported form (a boolean)",
                "consts.py:8: NOTHING: unsupported form (None)"});
}

TEST_CASE("checkout: unknown forms are recorded with file and line and reading goes on",
          "[checkout]") {
  const auto a = parse("FSTRING = f\"linux/{machine}\"\n"
                       "CALL = get_version()\n"
                       "PLUS = \"a\" + \"b\"\n"
                       "COND = \"a\" if X else \"b\"\n"
                       "NUMBER = 300\n"
                       "DICT = {\"a\": \"b\"}\n"
                       "STAR = [*OTHER, \"x\"]\n"
                       "NAMES = [\"a\", B]\n"
                       "COMPREHENSION = [x for x in \"ab\"]\n"
                       "ATTR = os.sep\n"
                       "BYTES = b\"x\"\n"
                       "CHAIN = CHAINED = \"x\"\n"
                       "AUG = ['a']\n"
                       "AUG += ['b']\n"
                       "TUPLE_A, TUPLE_B = 'a', 'b'\n"
                       "FINE = \"read after all of them\"\n");
  CHECK(str(a, "FINE") == "read after all of them");
  CHECK(a.values.size() == 1);
  const Strings expected{
      "consts.py:1: FSTRING: unsupported form (an f-string)",
      "consts.py:2: CALL: unsupported form (a call)",
      "consts.py:3: PLUS: unsupported form (concatenation with +)",
      "consts.py:4: COND: unsupported form (a conditional expression)",
      "consts.py:5: NUMBER: unsupported form (a number or arithmetic)",
      "consts.py:6: DICT: unsupported form (a dict or set)",
      "consts.py:7: STAR: unsupported form (* unpacking in a list)",
      "consts.py:8: NAMES: unsupported form (a list item B that has no string value read above)",
      "consts.py:9: COMPREHENSION: unsupported form (a list comprehension)",
      "consts.py:10: ATTR: unsupported form (a method call or attribute)",
      "consts.py:11: BYTES: unsupported form (a bytes literal)",
      "consts.py:12: CHAIN: unsupported form (a chained assignment)",
      "consts.py:12: CHAINED: unsupported form (a chained assignment)",
      "consts.py:14: AUG: unsupported form (an augmented assignment (+=))",
      "consts.py:15: TUPLE_A: unsupported form (a tuple assignment)",
      "consts.py:15: TUPLE_B: unsupported form (a tuple assignment)",
  };
  CHECK(a.unknown_forms == expected);
  CHECK(a.unknown_names.size() == a.unknown_forms.size());
}

TEST_CASE("checkout: names bound in functions and classes are skipped, in if blocks reported",
          "[checkout]") {
  const auto a = parse("import sys\n"
                       "\n"
                       "def helper():\n"
                       "    LOCAL = 'x'\n"
                       "    if True:\n"
                       "        DEEP = 'y'\n"
                       "    return LOCAL\n"
                       "\n"
                       "class Kind(Enum):\n"
                       "    CI = 'ci'\n"
                       "\n"
                       "    def method(self):\n"
                       "        INNER = 'z'\n"
                       "\n"
                       "@cache\n"
                       "def cached():\n"
                       "    return 1\n"
                       "\n"
                       "VERSIONS = ['3.9', '3.10']\n"
                       "if sys.version_info >= (3, 12):\n"
                       "    VERSIONS = ['3.12']\n"
                       "else:\n"
                       "    OTHER = 'b'\n"
                       "KEPT = 'k'\n"
                       "with open('f') as handle:\n"
                       "    DATA = handle.read()\n"
                       "try:\n"
                       "    import tomllib\n"
                       "except ImportError:\n"
                       "    TOML = 'none'\n"
                       "if True: ONE_LINER = 'not looked into'\n"
                       "AFTER = 'after the blocks'\n");
  for (const auto* name : {"LOCAL", "DEEP", "CI", "INNER", "ONE_LINER"}) {
    INFO(name);
    CHECK(a.find(name) == nullptr);
  }
  CHECK(a.find("VERSIONS") == nullptr); // rebound conditionally: its value is not known
  CHECK(str(a, "KEPT") == "k");
  CHECK(str(a, "AFTER") == "after the blocks");
  CHECK(a.unknown_forms ==
        Strings{"consts.py:21: VERSIONS: unsupported form (assigned inside a module-level "
                "`if` block)",
                "consts.py:23: OTHER: unsupported form (assigned inside a module-level "
                "`else` block)",
                "consts.py:26: DATA: unsupported form (assigned inside a module-level "
                "`with` block)",
                "consts.py:30: TOML: unsupported form (assigned inside a module-level "
                "`except` block)"});
}

TEST_CASE("checkout: a later assignment replaces an earlier one and a mutation forgets it",
          "[checkout]") {
  const auto a = parse("BRANCH = 'v2-9-test'\n"
                       "BRANCH = 'v2-10-test'\n"
                       "PYS = ['3.8']\n"
                       "PYS = compute()\n"
                       "MYSQL = ['8.0']\n"
                       "MYSQL.append('8.4')\n"
                       "ITEMS = ['a']\n"
                       "ITEMS[0] = 'b'\n"
                       "UNTOUCHED = ['x']\n"
                       "UNTOUCHED.count('x')\n");
  CHECK(str(a, "BRANCH") == "v2-10-test");
  CHECK(a.find("BRANCH")->line == 2);
  CHECK(a.find("PYS") == nullptr);
  CHECK(a.find("MYSQL") == nullptr);
  CHECK(a.find("ITEMS") == nullptr);
  CHECK(list(a, "UNTOUCHED") == Strings{"x"});
  CHECK(a.unknown_forms ==
        Strings{"consts.py:4: PYS: unsupported form (a call)",
                "consts.py:6: MYSQL: unsupported form (changed by .append)",
                "consts.py:8: ITEMS: unsupported form (an item assignment changes it)"});
}

TEST_CASE("checkout: Windows line endings read the same as Unix ones", "[checkout]") {
  const std::string unix_text = "\"\"\"Doc.\nX = 'no'\n\"\"\"\n"
                                "BRANCH = 'main'\n"
                                "PYS = [\n    '3.10',  # comment\n    '3.11',\n]\n"
                                "DEFAULT = PYS[-1]\n";
  std::string windows_text;
  for (const char c : unix_text)
    windows_text += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto u = parse(unix_text);
  const auto w =
      parse("\xEF\xBB\xBF" + windows_text); // with a byte order mark, as some editors write
  CHECK(str(w, "BRANCH") == "main");
  CHECK(list(w, "PYS") == Strings{"3.10", "3.11"});
  CHECK(str(w, "DEFAULT") == "3.11");
  CHECK(w.find("X") == nullptr);
  CHECK(w.find("DEFAULT")->line == 9);
  CHECK(w.find("DEFAULT")->line == u.find("DEFAULT")->line);
  CHECK(w.unknown_forms.empty());
}

TEST_CASE("checkout: assignment-like text in docstrings and triple-quoted strings is not read",
          "[checkout]") {
  const auto a = parse("\"\"\"\n"
                       "Module docstring.\n"
                       "AIRFLOW_BRANCH = \"from-the-docstring\"\n"
                       "PYS = ['2.7']\n"
                       "\"\"\"\n"
                       "'''\n"
                       "AIRFLOW_BRANCH = 'from-a-single-quoted-docstring'\n"
                       "'''\n"
                       "AIRFLOW_BRANCH = \"real\"\n"
                       "HELP = \"\"\"Usage:\n"
                       "AIRFLOW_BRANCH = \"from-a-value\"\n"
                       "  # not a comment either\n"
                       "\"\"\"\n"
                       "def f():\n"
                       "    \"\"\"Function docstring.\n"
                       "PYS = ['3.0']\n"
                       "    \"\"\"\n"
                       "    return 1\n"
                       "QUOTE_IN_TRIPLE = \"\"\"a \"quoted\" word and ''' inside\"\"\"\n"
                       "LAST = 'last'\n");
  CHECK(str(a, "AIRFLOW_BRANCH") == "real");
  CHECK(a.find("AIRFLOW_BRANCH")->line == 9);
  CHECK(a.find("PYS") == nullptr);
  CHECK(str(a, "HELP") == "Usage:\nAIRFLOW_BRANCH = \"from-a-value\"\n  # not a comment either\n");
  CHECK(str(a, "QUOTE_IN_TRIPLE") == "a \"quoted\" word and ''' inside");
  CHECK(str(a, "LAST") == "last");
  CHECK(a.find("LAST")->line == 20);
  CHECK(a.unknown_forms.empty());
}

TEST_CASE("checkout: broken source is reported, never fatal", "[checkout]") {
  const auto a = parse("OPEN = 'no end\n"
                       "NEXT = 'read'\n"
                       "LIST = ['a',\n");
  CHECK(str(a, "NEXT") == "read");
  CHECK(a.find("OPEN") == nullptr);
  CHECK(a.find("LIST") == nullptr);
  CHECK(a.unknown_names == Strings{"OPEN", "LIST"});
}

// ---------------------------------------------------------------------------------------------
// Dockerfile ARGs

TEST_CASE("checkout: the fixture's Dockerfile.ci declares the 2024 build args", "[checkout]") {
  auto args = config::read_dockerfile_args(checkout("v2-10-test") / "Dockerfile.ci");
  REQUIRE(args);
  for (const auto* name : {"PYTHON_BASE_IMAGE",
                           "AIRFLOW_VERSION",
                           "AIRFLOW_BRANCH",
                           "AIRFLOW_REPO",
                           "AIRFLOW_CONSTRAINTS_REFERENCE",
                           "AIRFLOW_CONSTRAINTS_LOCATION",
                           "AIRFLOW_CONSTRAINTS_MODE",
                           "DEFAULT_CONSTRAINTS_BRANCH",
                           "CONSTRAINTS_GITHUB_REPOSITORY",
                           "AIRFLOW_EXTRAS",
                           "ADDITIONAL_AIRFLOW_EXTRAS",
                           "ADDITIONAL_PYTHON_DEPS",
                           "ADDITIONAL_DEV_APT_DEPS",
                           "ADDITIONAL_DEV_APT_COMMAND",
                           "ADDITIONAL_DEV_APT_ENV",
                           "DEV_APT_COMMAND",
                           "ADDITIONAL_PIP_INSTALL_FLAGS",
                           "AIRFLOW_PRE_CACHED_PIP_PACKAGES",
                           "AIRFLOW_USE_UV",
                           "UV_HTTP_TIMEOUT",
                           "UPGRADE_INVALIDATION_STRING",
                           "EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS",
                           "VERSION_SUFFIX_FOR_PYPI",
                           "BUILD_ID",
                           "COMMIT_SHA",
                           "AIRFLOW_IMAGE_DATE_CREATED",
                           "AIRFLOW_IMAGE_REPOSITORY",
                           "AIRFLOW_PIP_VERSION",
                           "AIRFLOW_UV_VERSION",
                           "INSTALL_MYSQL_CLIENT_TYPE"}) {
    INFO(name);
    CHECK(args->contains(name));
  }
  // The pre-2024 ARG and the script text inside heredocs are not declarations.
  CHECK_FALSE(args->contains("UPGRADE_TO_NEWER_DEPENDENCIES"));
  CHECK_FALSE(args->contains("NOT_AN_ARG"));
  CHECK(args->names().front() == "PYTHON_BASE_IMAGE");

  auto value = [&](const char* name) {
    const auto* arg = args->find(name);
    REQUIRE(arg != nullptr);
    REQUIRE(arg->default_value);
    return *arg->default_value;
  };
  const auto* base = args->find("PYTHON_BASE_IMAGE");
  CHECK(base->declarations == 2); // global, then re-declared bare in the main stage
  CHECK(base->line == 12);
  CHECK(value("PYTHON_BASE_IMAGE") == "python:3.8-slim-bookworm");
  CHECK(value("AIRFLOW_CONSTRAINTS_MODE") == "constraints-source-providers");
  CHECK(value("DEFAULT_CONSTRAINTS_BRANCH") == "constraints-2-10");
  CHECK(value("AIRFLOW_BRANCH") == "v2-10-test");
  CHECK(value("AIRFLOW_REPO") == "apache/airflow");
  CHECK(value("AIRFLOW_PIP_VERSION") == "24.2"); // unquoted
  CHECK(value("AIRFLOW_PRE_CACHED_PIP_PACKAGES") == "true");
  CHECK(value("VERSION_SUFFIX_FOR_PYPI").empty());
  CHECK(value("EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS") == "pyarrow<17");
  CHECK(value("ADDITIONAL_DEV_APT_DEPS").find("krb5-user less libenchant") != std::string::npos);
  CHECK_FALSE(args->find("BUILD_ID")->default_value);
  CHECK_FALSE(args->find("COMMIT_SHA")->default_value);
}

TEST_CASE("checkout: the fixture's Dockerfile.ci has the lines breeze edits and Breeze's cache "
          "depends on",
          "[checkout]") {
  for (const auto* variant : {"v2-10-test", "main"}) {
    INFO(variant);
    const auto text = test::read_file(checkout(variant) / "Dockerfile.ci");
    // bisect-backtracking --apply looks for this prefix at the start of a line (after indentation)
    // and a double-quoted value: see k_arg in src/breeze/commands/ci/bisect_backtracking.cpp.
    const std::string prefix = "\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=\"";
    CHECK(text.find(prefix) != std::string::npos);
    // VERSION_SUFFIX_FOR_PYPI reaches install_airflow.sh through an ENV set just before it runs,
    // so a build without the arg differs from CI's cache from that layer on.
    const auto env = text.find("    VERSION_SUFFIX_FOR_PYPI=${VERSION_SUFFIX_FOR_PYPI}");
    const auto run = text.find("\nRUN bash /scripts/docker/install_airflow.sh");
    REQUIRE(env != std::string::npos);
    REQUIRE(run != std::string::npos);
    CHECK(env < run);
    CHECK(text.find("\nENV ", env - 400) < env);
  }
}

TEST_CASE("checkout: the fixtures' tracked scripts have the modes a real checkout has",
          "[checkout]") {
  auto mode = [](const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
  };
  for (const auto* variant : {"v2-10-test", "main"}) {
    INFO(variant);
    const auto root = checkout(variant);
    CHECK((mode(root / "scripts/docker/entrypoint_ci.sh") & 0111) == 0111);
    CHECK((mode(root / "scripts/ci/pre_commit/update_providers_dependencies.py") & 0100) == 0100);
    CHECK((mode(root / "scripts/docker/install_airflow.sh") & 0111) == 0);
    CHECK(std::filesystem::is_regular_file(root / "generated/provider_dependencies.json"));
    CHECK(std::filesystem::is_regular_file(root / "pyproject.toml"));
  }
}

TEST_CASE("checkout: Dockerfile ARG forms", "[checkout]") {
  const auto args =
      config::parse_dockerfile_args("# escape=\\\n"
                                    "ARG PLAIN\n"
                                    "ARG UNQUOTED=1.2.3\n"
                                    "ARG DOUBLE=\"two words\"\n"
                                    "ARG SINGLE='it \"is\"'\n"
                                    "ARG ESCAPED=\"say \\\"hi\\\"\"\n"
                                    "ARG EMPTY=\"\"\n"
                                    "ARG EMPTY_UNQUOTED=\n"
                                    "  arg lower=\"case\"\n"
                                    "ARG FIRST=1 SECOND=\"2 2\" THIRD\n"
                                    "ARG CONTINUED=\"a \\\n"
                                    "# a comment line inside the continuation is dropped\n"
                                    "b\"\n"
                                    "ARG REFERENCE=\"${UNQUOTED}-x\"\n"
                                    "RUN cat <<-END > /x\n"
                                    "\tARG IN_HEREDOC=1\n"
                                    "\tEND\n"
                                    "COPY <<EOF1 /a <<'EOF2' /b\n"
                                    "ARG IN_FIRST=1\n"
                                    "EOF1\n"
                                    "ARG IN_SECOND=1\n"
                                    "EOF2\n"
                                    "RUN echo \"<<NOT_A_HEREDOC\"\n"
                                    "ARG UNQUOTED=9.9.9\n"
                                    "ARG PLAIN=later\n");
  CHECK(args.names() == Strings{"PLAIN", "UNQUOTED", "DOUBLE", "SINGLE", "ESCAPED", "EMPTY",
                                "EMPTY_UNQUOTED", "lower", "FIRST", "SECOND", "THIRD", "CONTINUED",
                                "REFERENCE"});
  auto value = [&](const char* name) -> std::optional<std::string> {
    const auto* arg = args.find(name);
    REQUIRE(arg != nullptr);
    return arg->default_value;
  };
  CHECK(value("UNQUOTED") == "1.2.3"); // the first default wins
  CHECK(args.find("UNQUOTED")->declarations == 2);
  CHECK(value("PLAIN") == "later"); // a bare first declaration takes a later default
  CHECK(args.find("PLAIN")->line == 25);
  CHECK(value("DOUBLE") == "two words");
  CHECK(value("SINGLE") == "it \"is\"");
  CHECK(value("ESCAPED") == "say \"hi\"");
  CHECK(value("EMPTY") == "");
  CHECK(value("EMPTY_UNQUOTED") == "");
  CHECK(value("lower") == "case");
  CHECK(value("FIRST") == "1");
  CHECK(value("SECOND") == "2 2");
  CHECK_FALSE(value("THIRD"));
  CHECK(value("CONTINUED") == "a b");
  CHECK(args.find("CONTINUED")->line == 11);
  CHECK(value("REFERENCE") == "${UNQUOTED}-x"); // defaults are not expanded
}

TEST_CASE("checkout: Dockerfile ARGs with Windows line endings and a missing Dockerfile",
          "[checkout]") {
  const auto args = config::parse_dockerfile_args("ARG A=\"x\"\r\nARG B=y \\\r\n  C=z\r\n");
  CHECK(args.names() == Strings{"A", "B", "C"});
  CHECK(*args.find("B")->default_value == "y");
  CHECK(*args.find("C")->default_value == "z");

  files::TempDir dir;
  auto missing = config::read_dockerfile_args(dir.path() / "Dockerfile.ci");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::not_found);
}
