#include <support/catch.hpp>

#include <breeze/commands/ci/bisect_search.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace breeze::commands::ci;

namespace {

// A fake resolver: a set of limits passes when it holds every limit of at least one group.
struct FakeProbe {
  std::vector<LimitSet> groups;
  std::size_t probes = 0;
  std::size_t batches = 0;
  std::size_t widest_batch = 0;
  std::vector<LimitSet> asked;

  bool passes(const LimitSet& s) const {
    return std::any_of(groups.begin(), groups.end(), [&](const LimitSet& g) {
      return std::includes(s.begin(), s.end(), g.begin(), g.end());
    });
  }
  ProbeBatch batch() {
    return [this](const std::vector<LimitSet>& subsets, bool) {
      ++batches;
      widest_batch = std::max(widest_batch, subsets.size());
      std::vector<ProbeOutcome> out;
      for (const auto& s : subsets) {
        ++probes;
        asked.push_back(s);
        out.push_back(passes(s) ? ProbeOutcome::pass : ProbeOutcome::fail);
      }
      return out;
    };
  }
};

std::size_t bound(std::size_t n) {
  return static_cast<std::size_t>(std::ceil(std::log2(static_cast<double>(n)))) + 2;
}

} // namespace

TEST_CASE("bisect search: one culprit, every position, n = 1..70, within ceil(log2 n) + 2 probes",
          "[unit][bisect]") {
  for (std::size_t n = 1; n <= 70; ++n) {
    for (std::size_t c = 0; c < n; ++c) {
      FakeProbe fake{{{c}}};
      auto r = find_culprits(n, fake.batch(), 1);
      INFO("n=" << n << " culprit=" << c);
      REQUIRE(r.status == SearchResult::Status::found);
      CHECK(r.culprits == LimitSet{c});
      CHECK(r.probes == fake.probes);
      CHECK(r.probes <= bound(n));
      CHECK_FALSE(r.used_ddmin);
      CHECK(fake.widest_batch == 1);
      CHECK(fake.asked.front().size() == n); // the full list runs first
    }
  }
}

TEST_CASE("bisect search: the seed's 20 limits with aiobotocore first, as the committer halved",
          "[unit][bisect]") {
  FakeProbe fake{{{0}}};
  auto r = find_culprits(20, fake.batch(), 1);
  CHECK(r.culprits == LimitSet{0});
  // 20 -> 10 -> 5 -> 3 -> 2 -> 1, each probed half passing: 6 probes, the manual session's 6
  // builds.
  CHECK(r.probes == 6);
  REQUIRE(fake.asked.size() == 6);
  CHECK(fake.asked[1].size() == 10);
  CHECK(fake.asked[5] == LimitSet{0});
}

TEST_CASE("bisect search: parallel probes find one culprit for every n and position",
          "[unit][bisect]") {
  for (std::size_t p : {2, 3, 4, 8}) {
    for (std::size_t n = 1; n <= 40; ++n) {
      for (std::size_t c = 0; c < n; ++c) {
        FakeProbe fake{{{c}}};
        auto r = find_culprits(n, fake.batch(), p);
        INFO("p=" << p << " n=" << n << " culprit=" << c);
        REQUIRE(r.status == SearchResult::Status::found);
        CHECK(r.culprits == LimitSet{c});
        CHECK(fake.widest_batch <= p);
        CHECK_FALSE(r.used_ddmin);
        // Rounds of probes (wall time): at most ceil(log_{p+1} n) + 2 besides the full list.
        CHECK(fake.batches <=
              1 +
                  static_cast<std::size_t>(std::ceil(std::log(static_cast<double>(n)) /
                                                         std::log(static_cast<double>(p + 1)) -
                                                     1e-9)) +
                  1);
      }
    }
  }
}

TEST_CASE("bisect search: two interacting culprits are both found (ddmin), every pair, n = 2..24",
          "[unit][bisect]") {
  for (std::size_t p : {1, 2, 4}) {
    for (std::size_t n = 2; n <= 24; ++n) {
      for (std::size_t a = 0; a < n; ++a) {
        for (std::size_t b = a + 1; b < n; ++b) {
          FakeProbe fake{{{a, b}}};
          auto r = find_culprits(n, fake.batch(), p);
          INFO("p=" << p << " n=" << n << " culprits=" << a << "," << b);
          REQUIRE(r.status == SearchResult::Status::found);
          CHECK(r.culprits == LimitSet{a, b});
          CHECK(r.probes <= n * n); // ddmin's worst case is quadratic; this is far below
        }
      }
    }
  }
}

TEST_CASE("bisect search: three interacting culprits, and alternatives give a 1-minimal answer",
          "[unit][bisect]") {
  FakeProbe three{{{1, 7, 13}}};
  auto r = find_culprits(16, three.batch(), 1);
  CHECK(r.culprits == LimitSet{1, 7, 13});
  CHECK(r.used_ddmin);

  // Either {2,9} or {5} keeps the resolver fast: any answer must pass and be 1-minimal.
  for (std::size_t p : {1, 3}) {
    FakeProbe alt{{{2, 9}, {5}}};
    auto a = find_culprits(12, alt.batch(), p);
    REQUIRE(a.status == SearchResult::Status::found);
    CHECK(alt.passes(a.culprits));
    for (std::size_t i = 0; i < a.culprits.size(); ++i) {
      auto less = a.culprits;
      less.erase(less.begin() + static_cast<std::ptrdiff_t>(i));
      CHECK_FALSE(alt.passes(less));
    }
  }
}

TEST_CASE("bisect search: a failing full list stops after one probe", "[unit][bisect]") {
  FakeProbe none{{{99}}};
  auto r = find_culprits(20, none.batch(), 4);
  CHECK(r.status == SearchResult::Status::full_list_failed);
  CHECK(r.probes == 1);
  CHECK(r.culprits.empty());
}

TEST_CASE(
    "bisect search: an interrupted probe stops the search with the smallest passing set so far",
    "[unit][bisect]") {
  std::size_t calls = 0;
  ProbeBatch probe = [&](const std::vector<LimitSet>& subsets, bool) {
    ++calls;
    std::vector<ProbeOutcome> out;
    for (const auto& s : subsets)
      out.push_back(calls == 3
                        ? ProbeOutcome::interrupted
                        : (std::find(s.begin(), s.end(), 0) != s.end() ? ProbeOutcome::pass
                                                                       : ProbeOutcome::fail));
    return out;
  };
  auto r = find_culprits(20, probe, 1);
  CHECK(r.status == SearchResult::Status::interrupted);
  CHECK(r.culprits.size() ==
        10); // full list passed, then the first half; the third probe was stopped
  CHECK(r.probes == 3);
}

TEST_CASE("bisect search: cancelled probes carry no information", "[unit][bisect]") {
  // Parallel probes where everything but the first passing subset is reported cancelled.
  ProbeBatch probe = [](const std::vector<LimitSet>& subsets, bool first_pass_wins) {
    std::vector<ProbeOutcome> out;
    bool passed = false;
    for (const auto& s : subsets) {
      if (passed && first_pass_wins) {
        out.push_back(ProbeOutcome::cancelled);
        continue;
      }
      const bool ok = std::find(s.begin(), s.end(), 17) != s.end();
      passed = passed || ok;
      out.push_back(ok ? ProbeOutcome::pass : ProbeOutcome::fail);
    }
    return out;
  };
  auto r = find_culprits(30, probe, 4);
  CHECK(r.status == SearchResult::Status::found);
  CHECK(r.culprits == LimitSet{17});
}

TEST_CASE("bisect search: a right top suspect is found in 2 probes, 1 round in parallel",
          "[unit][bisect][suspects]") {
  for (std::size_t p : {1, 2, 4}) {
    for (std::size_t n = 2; n <= 40; ++n) {
      for (std::size_t c = 0; c < n; ++c) {
        FakeProbe fake{{{c}}};
        auto r = find_culprits(n, fake.batch(), p, {c, (c + 1) % n});
        INFO("p=" << p << " n=" << n << " culprit=" << c);
        REQUIRE(r.status == SearchResult::Status::found);
        CHECK(r.culprits == LimitSet{c});
        CHECK(r.by_suspect);
        CHECK(r.probes == 2);
        CHECK(fake.asked.front().size() == n);
        CHECK(fake.asked.back() == LimitSet{c});
        // Without parallelism the suspect follows the full list; with it, they run together.
        CHECK(fake.batches == (p == 1 ? 2u : 1u));
      }
    }
  }
  // The seed: 20 limits, aiobotocore (first in the file) also the top suspect.
  FakeProbe seed{{{0}}};
  CHECK(find_culprits(20, seed.batch(), 1, {0}).probes == 2);
}

TEST_CASE("bisect search: a wrong suspect costs one probe and no round, and is never probed again",
          "[unit][bisect][suspects]") {
  for (std::size_t p : {1, 3}) {
    for (std::size_t n = 2; n <= 40; ++n) {
      for (std::size_t c = 0; c < n; ++c) {
        const std::size_t wrong = (c + 1) % n;
        FakeProbe with{{{c}}};
        FakeProbe without{{{c}}};
        auto r = find_culprits(n, with.batch(), p, {wrong});
        auto base = find_culprits(n, without.batch(), p);
        INFO("p=" << p << " n=" << n << " culprit=" << c);
        REQUIRE(r.status == SearchResult::Status::found);
        CHECK(r.culprits == LimitSet{c});
        CHECK_FALSE(r.by_suspect);
        CHECK(r.probes <= base.probes + 1);
        if (p > 1) CHECK(with.batches <= without.batches);
        CHECK(std::count(with.asked.begin(), with.asked.end(), LimitSet{wrong}) == 1);
      }
    }
  }
}

TEST_CASE("bisect search: suspects with interacting culprits, a failing full list, bad indexes",
          "[unit][bisect][suspects]") {
  for (std::size_t p : {1, 2, 4}) {
    FakeProbe pair{{{6, 7}}}; // the seed's boto3 + botocore both needed
    auto r = find_culprits(20, pair.batch(), p, {7});
    INFO("p=" << p);
    REQUIRE(r.status == SearchResult::Status::found);
    CHECK(r.culprits == (LimitSet{6, 7}));
    CHECK(r.used_ddmin);

    FakeProbe none{{{99}}};
    auto f = find_culprits(20, none.batch(), p, {3});
    CHECK(f.status == SearchResult::Status::full_list_failed);
    CHECK(f.probes == (p == 1 ? 1u : 2u)); // speculated beside the full list, or never started
  }
  FakeProbe fake{{{4}}};
  auto r = find_culprits(10, fake.batch(), 1, {42});
  CHECK(r.culprits == LimitSet{4});
  CHECK_FALSE(r.by_suspect);
  FakeProbe one{{{0}}};
  auto single = find_culprits(1, one.batch(), 2, {0});
  CHECK(single.culprits == LimitSet{0});
  CHECK(single.probes == 1); // the suspect would be the full list again
}
