// PEP 508 requirements and markers. The vectors are ours, written from the PEP 508 grammar's
// examples, the behaviour of Python's `packaging` (requirements and markers), and real
// `requires_dist` lines published on PyPI.

#include <support/catch.hpp>

#include <breeze/constraints/markers.hpp>
#include <breeze/constraints/requirement.hpp>
#include <breeze/constraints/version.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace breeze;
using constraints::Marker;
using constraints::MarkerEnvironment;
using constraints::MarkerOp;
using constraints::MarkerVariable;
using constraints::Requirement;
using constraints::Version;

namespace {

Requirement req(std::string_view text) {
  auto parsed = Requirement::parse(text);
  INFO(text);
  if (!parsed) INFO(parsed.error().message);
  REQUIRE(parsed);
  return *parsed;
}

Marker marker(std::string_view text) {
  auto parsed = Marker::parse(text);
  INFO(text);
  if (!parsed) INFO(parsed.error().message);
  REQUIRE(parsed);
  return *parsed;
}

std::vector<std::string> specifier_strings(const Requirement& r) {
  std::vector<std::string> out;
  for (const auto& spec : r.specifier.specifiers())
    out.push_back(spec.str());
  return out;
}

bool holds(std::string_view text, const MarkerEnvironment& env) {
  return marker(text).evaluate(env);
}

Version v(std::string_view text) { return *Version::parse(text); }

const MarkerEnvironment k_py311 = MarkerEnvironment::for_linux("3.11");

} // namespace

TEST_CASE("requirement: the PEP 508 grammar examples parse into their parts",
          "[constraints][requirement]") {
  SECTION("bare names") {
    for (auto text : {"A", "aa", "name"}) {
      const auto r = req(text);
      CHECK(r.name == text);
      CHECK(r.extras.empty());
      CHECK(r.specifier.specifiers().empty());
      CHECK_FALSE(r.url);
      CHECK_FALSE(r.marker);
    }
  }
  SECTION("a name with every separator keeps its spelling and normalises per PEP 503") {
    const auto r = req("A.B-C_D");
    CHECK(r.name == "A.B-C_D");
    CHECK(r.normalized_name == "a-b-c-d");
  }
  SECTION("version specifiers") {
    CHECK(specifier_strings(req("name<=1")) == std::vector<std::string>{"<=1"});
    CHECK(specifier_strings(req("name>=3")) == std::vector<std::string>{">=3"});
    CHECK(specifier_strings(req("name>=3,<2")) == std::vector<std::string>{">=3", "<2"});
  }
  SECTION("a URL without a marker") {
    const auto r = req("name@http://foo.com");
    CHECK(r.name == "name");
    REQUIRE(r.url);
    CHECK(*r.url == "http://foo.com");
    CHECK(r.specifier.specifiers().empty());
    CHECK_FALSE(r.marker);
  }
  SECTION("extras, a URL and a marker") {
    const auto r = req("name [fred,bar] @ http://foo.com ; python_version=='2.7'");
    CHECK(r.extras == std::vector<std::string>{"fred", "bar"});
    REQUIRE(r.url);
    CHECK(*r.url == "http://foo.com");
    REQUIRE(r.marker);
    CHECK(r.marker->str() == R"(python_version == "2.7")");
    CHECK(r.str() == R"(name[fred,bar] @ http://foo.com ; python_version == "2.7")");
  }
  SECTION("extras with spaces and a marker right after the semicolon") {
    const auto r = req("name[quux, strange];python_version<'2.7' and platform_version=='2'");
    CHECK(r.extras == std::vector<std::string>{"quux", "strange"});
    REQUIRE(r.marker);
    CHECK(r.marker->kind() == Marker::Kind::all_of);
    CHECK(r.marker->children().size() == 2);
    CHECK(r.marker->str() == R"(python_version < "2.7" and platform_version == "2")");
  }
}

TEST_CASE("requirement: the PEP 508 marker examples group 'and' tighter than 'or'",
          "[constraints][requirement][marker]") {
  auto env_with = [](std::string os) {
    auto env = k_py311;
    env.os_name = std::move(os);
    return env;
  };
  struct Case {
    const char* text;
    const char* normalised;
    std::vector<std::string> true_for; // os_name values among a, b, c, d
  };
  const std::vector<Case> cases = {
      {"name; os_name=='a' or os_name=='b'", R"(os_name == "a" or os_name == "b")", {"a", "b"}},
      // (a and b) or c: only c; read left to right as a and (b or c) it would be none.
      {"name; os_name=='a' and os_name=='b' or os_name=='c'",
       R"(os_name == "a" and os_name == "b" or os_name == "c")",
       {"c"}},
      {"name; os_name=='a' and (os_name=='b' or os_name=='c')",
       R"(os_name == "a" and (os_name == "b" or os_name == "c"))",
       {}},
      // a or (b and c): a; read left to right as (a or b) and c it would be none.
      {"name; os_name=='a' or os_name=='b' and os_name=='c'",
       R"(os_name == "a" or os_name == "b" and os_name == "c")",
       {"a"}},
      {"name; (os_name=='a' or os_name=='b') and os_name=='c'",
       R"((os_name == "a" or os_name == "b") and os_name == "c")",
       {}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto r = req(c.text);
    REQUIRE(r.marker);
    CHECK(r.marker->str() == c.normalised);
    for (const std::string os : {"a", "b", "c", "d"}) {
      INFO("os_name=" << os);
      const bool expected = std::find(c.true_for.begin(), c.true_for.end(), os) != c.true_for.end();
      CHECK(r.marker->evaluate(env_with(os)) == expected);
    }
  }
}

TEST_CASE("requirement: specifier spellings, whitespace and URL forms",
          "[constraints][requirement]") {
  CHECK(specifier_strings(req("name (>=1,<2)")) == std::vector<std::string>{">=1", "<2"});
  CHECK(specifier_strings(req("name(>=1, <2)")) == std::vector<std::string>{">=1", "<2"});
  CHECK(specifier_strings(req("  name  ( >= 1 ,  < 2 )  ")) ==
        std::vector<std::string>{">=1", "<2"});
  CHECK(specifier_strings(req("name\t>=\t1")) == std::vector<std::string>{">=1"});
  CHECK(specifier_strings(req("name==1.*")) == std::vector<std::string>{"==1.*"});
  CHECK(specifier_strings(req("name~=1.4")) == std::vector<std::string>{"~=1.4"});
  CHECK(specifier_strings(req("name===x")) == std::vector<std::string>{"===x"});
  CHECK(specifier_strings(req("name!=1.5,>1")) == std::vector<std::string>{"!=1.5", ">1"});
  CHECK(req("name ()").specifier.specifiers().empty());
  CHECK(req("name[]").extras.empty());

  const auto ranged = req("name (>=1,<2)");
  CHECK(ranged.specifier.contains(v("1.5")));
  CHECK_FALSE(ranged.specifier.contains(v("2.0")));

  const auto spaced = req("name ; python_version < '3.8'");
  REQUIRE(spaced.marker);
  CHECK(spaced.specifier.specifiers().empty());

  const auto url = req("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee");
  REQUIRE(url.url);
  CHECK(*url.url == "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee");
  const auto file = req("name @ file:///tmp/name-1.0.tar.gz ; os_name == 'posix'");
  REQUIRE(file.url);
  CHECK(*file.url == "file:///tmp/name-1.0.tar.gz");
  REQUIRE(file.marker);
  CHECK(file.marker->evaluate(k_py311));
}

TEST_CASE("requirement: invalid input is a one-line usage error naming the column",
          "[constraints][requirement]") {
  struct Case {
    const char* text;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"", "expected a package name"},
      {"name[", "unmatched '['"},
      {"name[bar,]", "expected an extra name"},
      {"name[bar baz]", "expected ',' or ']'"},
      {"name[-bar]", "invalid extra name '-bar'"},
      {"name>=", "expected a version after '>='"},
      {"name>=1,", "expected a version specifier after ','"},
      {"name=1", "expected a version operator"},
      {"name>=1.0.*", "invalid version specifier"},
      {"name==1.0 foo", "expected ',', ';' or the end"},
      {"name foo", "expected '[', '(', '@', a version specifier"},
      {"name (>=1", "unmatched '('"},
      {"name (>=1 x)", "expected ',' or ')'"},
      {"name-", "invalid package name 'name-'"},
      {"name[bar-]", "invalid extra name 'bar-'"},
      {"-name", "invalid package name '-name'"},
      {"@ http://foo.com", "expected a package name"},
      {"name @", "expected a URL after '@'"},
      {"name @ foo", "invalid URL 'foo'"},
      {"name @ http://foo.com x", "expected ';' or the end after the URL"},
      // Without a space `;` belongs to the URL, so the marker's words are left over.
      {"name@http://foo.com; python_version<'3'", "expected ';' or the end after the URL"},
      {"name;", "expected a marker"},
      {"name; python_version", "expected a marker operator"},
      {"name; os_name=='a' and", "expected a marker variable or a quoted string"},
      {"name; os_name=='a' or ", "expected a marker variable or a quoted string"},
      {"name; os_name=='a", "unterminated string"},
      {"name; os_name==\"a", "unterminated string"},
      {"name; os_name=='a\"", "unterminated string"},
      {"name; (os_name=='a'", "unmatched '('"},
      {"name; os_name=='a')", "unmatched ')'"},
      {"name; os_name=='a' xor os_name=='b'", "expected 'and', 'or' or the end"},
      {"name; os_name=='a' AND os_name=='b'", "expected 'and', 'or' or the end"},
      {"name; python_versions < '3'", "unknown marker variable 'python_versions'"},
      {"name; platform.system == 'Linux'", "unknown marker variable 'platform.system'"},
      {"name; os_name = 'a'", "expected a marker operator"},
      {"name; os_name not 'a'", "expected 'in' after 'not'"},
      {"name; os_name == posix", "unknown marker variable 'posix'"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = Requirement::parse(c.text);
    REQUIRE_FALSE(parsed);
    const auto& message = parsed.error().message;
    INFO(message);
    CHECK(parsed.error().kind == ErrorKind::usage);
    CHECK(message.starts_with("invalid requirement '"));
    CHECK(message.find(c.says) != std::string::npos);
    CHECK(message.find(" at column ") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }

  auto positioned = Requirement::parse("name; os_name=='a' and");
  REQUIRE_FALSE(positioned);
  CHECK(positioned.error().message.ends_with("at column 23"));

  auto multiline = Requirement::parse("name\n>=1");
  REQUIRE_FALSE(multiline);
  CHECK(multiline.error().message.find('\n') == std::string::npos);
}

TEST_CASE("requirement: str() is normalised and parses back to itself",
          "[constraints][requirement]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"name", "name"},
      {"  A.B-C_D  ", "A.B-C_D"},
      {"name (>=1, <2)", "name>=1,<2"},
      {"name [fred, bar] >= 3", "name[fred,bar]>=3"},
      {"name@http://foo.com", "name @ http://foo.com"},
      {"name [fred,bar] @ http://foo.com ; python_version=='2.7'",
       R"(name[fred,bar] @ http://foo.com ; python_version == "2.7")"},
      {"name;os.name=='posix'", R"(name; os_name == "posix")"},
      {"name>=1 ; ( ( os_name=='a' ) )", R"(name>=1; os_name == "a")"},
      {"name; os_name=='a' and (os_name=='b' and os_name=='c')",
       R"(name; os_name == "a" and os_name == "b" and os_name == "c")"},
      {"name; os_name=='a\"b'", R"(name; os_name == 'a"b')"},
      {"name; 'linux' not  in sys_platform", R"(name; "linux" not in sys_platform)"},
  };
  for (const auto& [text, normalised] : cases) {
    INFO(text);
    const auto once = req(text).str();
    CHECK(once == normalised);
    CHECK(req(once).str() == once);
  }
}

TEST_CASE("requirement: real requires_dist lines from PyPI parse and apply on linux 3.11",
          "[constraints][requirement]") {
  SECTION("aiobotocore 2.6.0 pegs botocore to one patch release") {
    const auto r = req("botocore<1.31.18,>=1.31.17");
    CHECK(r.normalized_name == "botocore");
    CHECK(r.str() == "botocore<1.31.18,>=1.31.17");
    CHECK(r.applies_to(k_py311));
    CHECK(r.specifier.contains(v("1.31.17")));
    CHECK_FALSE(r.specifier.contains(v("1.31.18")));
    CHECK_FALSE(r.specifier.contains(v("1.31.25")));
  }
  SECTION("a post-release lower bound") {
    const auto r = req("aiohttp<4.0.0,>=3.7.4.post0");
    CHECK(r.specifier.contains(v("3.7.4.post0")));
    CHECK(r.specifier.contains(v("3.8.5")));
    CHECK_FALSE(r.specifier.contains(v("3.7.4")));
    CHECK_FALSE(r.specifier.contains(v("4.0.0")));
    CHECK(req("wrapt<2.0.0,>=1.10.10").specifier.contains(v("1.15.0")));
  }
  SECTION("optional dependencies apply only with their extra") {
    for (auto [text, extra] :
         {std::pair{"awscli<1.29.18,>=1.29.17 ; extra == \"awscli\"", "awscli"},
          std::pair{"boto3<1.28.18,>=1.28.17 ; extra == \"boto3\"", "boto3"}}) {
      INFO(text);
      const auto r = req(text);
      REQUIRE(r.marker);
      CHECK(r.marker->uses_extra());
      CHECK_FALSE(r.applies_to(k_py311));
      auto with_extra = k_py311;
      with_extra.extras = {extra};
      CHECK(r.applies_to(with_extra));
      auto with_other = k_py311;
      with_other.extras = {"something-else"};
      CHECK_FALSE(r.applies_to(with_other));
    }
  }
  SECTION("backports that stop at a Python version") {
    const auto importlib = req("importlib-metadata>=4.6; python_version < \"3.10\"");
    CHECK(importlib.normalized_name == "importlib-metadata");
    CHECK_FALSE(importlib.applies_to(k_py311));
    CHECK_FALSE(importlib.applies_to(MarkerEnvironment::for_linux("3.10")));
    CHECK(importlib.applies_to(MarkerEnvironment::for_linux("3.9")));
    CHECK(importlib.applies_to(MarkerEnvironment::for_linux("3.8")));

    const auto typing = req("typing-extensions>=4.0.0; python_version < \"3.11\"");
    CHECK_FALSE(typing.applies_to(k_py311));
    CHECK_FALSE(typing.applies_to(MarkerEnvironment::for_linux("3.12")));
    CHECK(typing.applies_to(MarkerEnvironment::for_linux("3.10")));
  }
  SECTION("a Windows-only dependency") {
    const auto r = req("pywin32>=1.0; sys_platform == \"win32\"");
    CHECK_FALSE(r.applies_to(k_py311));
    auto windows = k_py311;
    windows.sys_platform = "win32";
    CHECK(r.applies_to(windows));
  }
  SECTION("no marker always applies") { CHECK(req("wrapt").applies_to(k_py311)); }
}

TEST_CASE("marker: the linux environment names CPython on Linux for the target python",
          "[constraints][marker]") {
  const auto env = MarkerEnvironment::for_linux("3.11");
  CHECK(env.python_version == "3.11");
  CHECK(env.python_full_version == "3.11.0");
  CHECK(env.implementation_version == "3.11.0");
  CHECK(env.sys_platform == "linux");
  CHECK(env.platform_system == "Linux");
  CHECK(env.os_name == "posix");
  CHECK(env.platform_machine == "x86_64");
  CHECK(env.implementation_name == "cpython");
  CHECK(env.platform_python_implementation == "CPython");
  CHECK(env.extras.empty());
  CHECK(env.value(MarkerVariable::sys_platform) == "linux");
  CHECK(env.value(MarkerVariable::extra).empty());

  const auto patch = MarkerEnvironment::for_linux("3.11.4", "aarch64");
  CHECK(patch.python_version == "3.11");
  CHECK(patch.python_full_version == "3.11.4");
  CHECK(patch.platform_machine == "aarch64");
}

TEST_CASE("marker: evaluation on linux 3.11 for x86_64 and aarch64", "[constraints][marker]") {
  const auto arm = MarkerEnvironment::for_linux("3.11", "aarch64");
  CHECK(holds(R"(sys_platform == "linux")", k_py311));
  CHECK_FALSE(holds(R"(sys_platform == "darwin")", k_py311));
  CHECK(holds(R"(platform_system == "Linux" and os_name == "posix")", k_py311));
  CHECK_FALSE(holds(R"(platform_system == "Windows" or os_name == "nt")", k_py311));
  CHECK(holds(R"(platform_machine == "x86_64")", k_py311));
  CHECK_FALSE(holds(R"(platform_machine == "x86_64")", arm));
  CHECK(holds(R"(platform_machine == "aarch64")", arm));
  CHECK(holds(R"(implementation_name == "cpython")", k_py311));
  CHECK(holds(R"(platform_python_implementation != "PyPy")", k_py311));
  CHECK_FALSE(holds(R"(platform_python_implementation == "PyPy")", k_py311));
  CHECK(holds(R"(python_full_version >= "3.11.0" and python_full_version < "3.11.1")", k_py311));
  CHECK(holds(R"(implementation_version == "3.11")", k_py311)); // 3.11.0 == 3.11 as versions
}

TEST_CASE("marker: versions compare as PEP 440 versions, not strings", "[constraints][marker]") {
  // As strings "3.11" < "3.8" and "3.9" > "3.10"; every line below would flip.
  CHECK(holds(R"(python_version >= "3.8")", k_py311));
  CHECK(holds(R"(python_version > "3.9")", MarkerEnvironment::for_linux("3.10")));
  CHECK(holds(R"(python_version < "3.10")", MarkerEnvironment::for_linux("3.9")));
  CHECK_FALSE(holds(R"(python_version < "3.8")", k_py311));
  CHECK(holds(R"("3.8" <= python_version)", k_py311)); // the variable on either side
  CHECK_FALSE(holds(R"("3.12" <= python_version)", k_py311));
  CHECK(holds(R"(python_version == "3.11.*")", k_py311));
  CHECK(holds(R"(python_version != "3.10.*")", k_py311));
  CHECK(holds(R"(python_version ~= "3.8")", k_py311));
  CHECK_FALSE(holds(R"(python_version ~= "3.12")", k_py311));
  CHECK(holds(R"(python_full_version == "3.11")", k_py311));
  CHECK(holds(R"(python_version === "3.11")", k_py311));
  CHECK_FALSE(holds(R"(python_version === "3.11.0")", k_py311)); // === compares text
}

TEST_CASE("marker: non-versions compare as strings, 'in' is a substring test",
          "[constraints][marker]") {
  CHECK(holds(R"(os_name < "q")", k_py311)); // "posix" < "q"
  CHECK_FALSE(holds(R"(os_name > "q")", k_py311));
  CHECK(holds(R"(os_name >= "posix" and os_name <= "posix")", k_py311));
  CHECK(holds(R"("linux" in sys_platform)", k_py311));
  CHECK(holds(R"(sys_platform in "linux linux2")", k_py311));
  CHECK_FALSE(holds(R"(sys_platform in "win32 cygwin")", k_py311));
  CHECK(holds(R"("win" not in sys_platform)", k_py311));
  CHECK_FALSE(holds(R"(platform_machine not in "x86_64 aarch64")", k_py311));
  CHECK(holds(R"(os_name === "posix")", k_py311));
  CHECK_FALSE(holds(R"(os_name ~= "posix")", k_py311));      // undefined in packaging: false here
  CHECK_FALSE(holds(R"(platform_release >= "5")", k_py311)); // empty release, "" < "5"
  CHECK(holds(R"(platform_version == "")", k_py311));
}

TEST_CASE("marker: extra holds only for a requested extra, compared PEP 685-normalised",
          "[constraints][marker]") {
  auto with = [](std::set<std::string> extras) {
    auto env = k_py311;
    env.extras = std::move(extras);
    return env;
  };
  CHECK_FALSE(holds(R"(extra == "aws")", k_py311));
  CHECK(holds(R"(extra == "aws")", with({"aws"})));
  CHECK(holds(R"(extra == "aws")", with({"google", "aws"})));
  CHECK_FALSE(holds(R"(extra == "aws")", with({"google"})));
  CHECK(holds(R"(extra == "Foo_Bar")", with({"foo-bar"})));
  CHECK(holds(R"(extra == "foo-bar")", with({"Foo.Bar"})));
  CHECK(holds(R"("aws" == extra)", with({"aws"})));
  CHECK(holds(R"(extra != "aws")", k_py311)); // no extra: pip evaluates with extra == ""
  CHECK_FALSE(holds(R"(extra == "aws" and python_version < "3.8")", with({"aws"})));
  CHECK(holds(R"(extra == "aws" and python_version >= "3.8")", with({"aws"})));
  CHECK(holds(R"(extra == "aws" or extra == "gcp")", with({"gcp"})));
  // One extra at a time, as pip binds it: no single extra is both.
  CHECK_FALSE(holds(R"(extra == "aws" and extra == "gcp")", with({"aws", "gcp"})));
  CHECK_FALSE(marker(R"(python_version >= "3.8")").uses_extra());
  CHECK(marker(R"(os_name == "a" or (python_version >= "3.8" and extra == "x"))").uses_extra());
}

TEST_CASE("marker: legacy variable spellings are aliases of the PEP 508 names",
          "[constraints][marker]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"os.name == 'posix'", R"(os_name == "posix")"},
      {"sys.platform == 'linux'", R"(sys_platform == "linux")"},
      {"platform.machine == 'x86_64'", R"(platform_machine == "x86_64")"},
      {"platform.python_implementation == 'CPython'",
       R"(platform_python_implementation == "CPython")"},
      {"python_implementation == 'CPython'", R"(platform_python_implementation == "CPython")"},
      {"platform.version == ''", R"(platform_version == "")"},
  };
  for (const auto& [text, normalised] : cases) {
    INFO(text);
    const auto m = marker(text);
    CHECK(m.str() == normalised);
    CHECK(m.evaluate(k_py311));
  }
}

TEST_CASE("marker: parse builds a tree and str() round-trips", "[constraints][marker]") {
  const auto m = marker(R"(python_version<"3.10"and(os_name=="nt"or'x'==extra))");
  REQUIRE(m.kind() == Marker::Kind::all_of);
  REQUIRE(m.children().size() == 2);
  const auto& first = m.children()[0];
  REQUIRE(first.kind() == Marker::Kind::comparison);
  CHECK(std::get<MarkerVariable>(first.comparison().lhs) == MarkerVariable::python_version);
  CHECK(first.comparison().op == MarkerOp::less);
  CHECK(std::get<std::string>(first.comparison().rhs) == "3.10");
  CHECK(m.children()[1].kind() == Marker::Kind::any_of);
  CHECK(std::get<MarkerVariable>(m.children()[1].children()[1].comparison().rhs) ==
        MarkerVariable::extra);
  const auto text = m.str();
  CHECK(text == R"(python_version < "3.10" and (os_name == "nt" or "x" == extra))");
  CHECK(marker(text).str() == text);

  auto built = Marker::any_of(
      {Marker::compare({MarkerVariable::os_name, MarkerOp::equal, "a"}),
       Marker::any_of({Marker::compare({MarkerVariable::os_name, MarkerOp::not_in, "bc"})})});
  CHECK(built.children().size() == 2); // the nested single-child `or` collapsed
  CHECK(built.str() == R"(os_name == "a" or os_name not in "bc")");
}

TEST_CASE("marker: invalid markers are rejected as usage errors", "[constraints][marker]") {
  for (auto text : {"", "   ", "os_name", "os_name ==", "== 'a'", "os_name == 'a' and",
                    "(os_name == 'a'", "os_name == 'a')", "os_name == 'a' or or os_name == 'b'",
                    "os_name === ", "os_name notin 'a'", "os_name == 'a' os_name == 'b'"}) {
    INFO(text);
    auto parsed = Marker::parse(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::usage);
    CHECK(parsed.error().message.starts_with("invalid marker '"));
  }
  // Hostile nesting is refused instead of overflowing the stack.
  const std::string deep = std::string(200, '(') + "os_name == 'a'" + std::string(200, ')');
  auto nested = Marker::parse(deep);
  REQUIRE_FALSE(nested);
  CHECK(nested.error().message.find("nested too deeply") != std::string::npos);
  CHECK(Marker::parse(std::string(10, '(') + "os_name == 'a'" + std::string(10, ')')));
}
