#include <support/catch.hpp>

#include <breeze/base/redact.hpp>

#include <sstream>

using namespace breeze;

TEST_CASE("redact::url strips the userinfo of a URL and nothing else", "[base][redact]") {
  CHECK(redact::url("https://x-access-token:ghp_abc123@github.com/apache/airflow.git") ==
        "https://github.com/apache/airflow.git");
  CHECK(redact::url("https://user:pa%40ss@pypi.example:8443/simple/") ==
        "https://pypi.example:8443/simple/");
  CHECK(redact::url("http://token@host") == "http://host");
  CHECK(redact::url("https://github.com/apache/airflow") == "https://github.com/apache/airflow");
  CHECK(redact::url("git@github.com:apache/airflow.git") == "git@github.com:apache/airflow.git");
  CHECK(redact::url("/home/user/airflow") == "/home/user/airflow");
  // An '@' in the path is not userinfo.
  CHECK(redact::url("https://host/a@b") == "https://host/a@b");
}

TEST_CASE("redact::text strips every URL's userinfo in running text", "[base][redact]") {
  CHECK(
      redact::text("fetching https://u:secretpw@idx.local/simple/ and 'https://t0k3n@h/x', done") ==
      "fetching https://idx.local/simple/ and 'https://h/x', done");
  CHECK(redact::text("remote apache: \"https://a:b@github.com/x\"\nnext https://c:d@e/f") ==
        "remote apache: \"https://github.com/x\"\nnext https://e/f");
  CHECK(redact::text("mail me at dev@example.com") == "mail me at dev@example.com");
}

TEST_CASE("redact::text masks registered secrets, longest first, short values ignored",
          "[base][redact]") {
  redact::clear_secrets();
  redact::add_secret("ghp_0123456789");
  redact::add_secret("ghp_0123");
  redact::add_secret("yes"); // too short to mask safely
  CHECK(redact::text("token ghp_0123456789 and ghp_0123 said yes") == "token *** and *** said yes");
  redact::clear_secrets();
  CHECK(redact::text("token ghp_0123456789") == "token ghp_0123456789");
}

TEST_CASE("is_secret_name recognises token and password variables", "[base][redact]") {
  CHECK(redact::is_secret_name("GITHUB_TOKEN"));
  CHECK(redact::is_secret_name("github-token"));
  CHECK(redact::is_secret_name("DOCKER_PASSWORD"));
  CHECK(redact::is_secret_name("MY_SECRET_KEY"));
  CHECK_FALSE(redact::is_secret_name("PYTHON_MAJOR_MINOR_VERSION"));
}

TEST_CASE("RedactingStreambuf redacts whole lines, redraws and flushed partial lines",
          "[base][redact]") {
  redact::clear_secrets();
  redact::add_secret("s3cr3t-value");
  std::ostringstream sink;
  {
    redact::RedactingStreambuf filter(sink.rdbuf());
    std::ostream out(&filter);
    // A URL written in pieces must still be redacted as a whole.
    out << "push to https://x-access-"
        << "token:s3cr3t"
        << "-value@github.com/a\n";
    out << "progress 1/2 s3cr3t-value\r";
    out << "tail https://u:p@h/" << std::flush;
    CHECK(sink.str() == "push to https://github.com/a\nprogress 1/2 ***\rtail https://h/");
    out << " unflushed s3cr3t-value";
  }
  CHECK(sink.str() ==
        "push to https://github.com/a\nprogress 1/2 ***\rtail https://h/ unflushed ***");
  redact::clear_secrets();
}
