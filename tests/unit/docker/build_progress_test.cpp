#include <support/catch.hpp>

#include <breeze/docker/build_progress.hpp>

using namespace breeze;

TEST_CASE("build progress names the last BuildKit step and the one that failed", "[docker]") {
  docker::BuildProgress p;
  CHECK_FALSE(p.last_step());
  p.feed("### Build CI image for Python 3.11 (linux/amd64)"); // breeze's own header: no step
  CHECK_FALSE(p.last_step());
  p.feed("#1 [internal] load build definition from Dockerfile.ci");
  p.feed("#1 DONE 0.0s");
  p.feed("#7 [main 4/12] RUN bash /scripts/docker/install_os_dependencies.sh dev");
  p.feed("#9 [main 6/12] RUN pip install --upgrade pip");
  p.feed("#7 12.3 Reading package lists...");
  p.feed("#7 DONE 40.1s");
  CHECK(p.last_step() == "[main 6/12] RUN pip install --upgrade pip");
  CHECK_FALSE(p.failed_step());
  p.feed("#7 ERROR: process \"/bin/bash -o pipefail -c bash install_os_dependencies.sh\" did not "
         "complete successfully: exit code: 100");
  p.feed("#9 ERROR: cancelled");
  CHECK(p.failed_step() == "[main 4/12] RUN bash /scripts/docker/install_os_dependencies.sh dev");
}

TEST_CASE("build progress follows the classic builder and cuts long steps", "[docker]") {
  docker::BuildProgress p;
  p.feed("Step 3/9 : RUN apt-get update");
  CHECK(p.last_step() == "Step 3/9 : RUN apt-get update");
  p.feed("#12 [main 9/9] RUN " + std::string(200, 'x'));
  REQUIRE(p.last_step());
  CHECK(p.last_step()->size() == 100);
  CHECK(p.last_step()->ends_with("..."));
  p.feed("#5 ERROR: simulated failure"); // a step never announced: the latest one failed
  CHECK(p.failed_step() == p.last_step());
}
