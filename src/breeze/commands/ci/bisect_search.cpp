#include <breeze/commands/ci/bisect_search.hpp>

#include <algorithm>
#include <numeric>
#include <optional>

namespace breeze::commands::ci {

namespace {

// Splits `set` into `k` contiguous parts, the first ones one longer when it does not divide, so the
// probed (first) part of a bisection is never the smaller one and levels stay ceil(log2 n).
std::vector<LimitSet> split(const LimitSet& set, std::size_t k) {
  std::vector<LimitSet> parts;
  const std::size_t base = set.size() / k;
  const std::size_t extra = set.size() % k;
  std::size_t at = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t len = base + (i < extra ? 1 : 0);
    parts.emplace_back(set.begin() + static_cast<std::ptrdiff_t>(at),
                       set.begin() + static_cast<std::ptrdiff_t>(at + len));
    at += len;
  }
  return parts;
}

LimitSet minus(const LimitSet& a, const LimitSet& b) {
  LimitSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool subset_of(const LimitSet& small, const LimitSet& big) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

class Search {
public:
  Search(const ProbeBatch& probe, std::size_t parallelism)
      : m_probe(probe), m_parallelism(std::max<std::size_t>(parallelism, 1)) {}

  SearchResult run(std::size_t n, const std::vector<std::size_t>& suspects) {
    LimitSet all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    // With one limit its suspect probe would be the full list again.
    std::optional<std::size_t> top;
    if (n > 1 && !suspects.empty() && suspects.front() < n) top = suspects.front();
    std::optional<bool> suspect_passed;
    if (top && m_parallelism >= 2) {
      // Speculation: the full list and the top suspect at once, both to the end (the full list's
      // time sets the probe timeout, and a failing full list means the premise is broken).
      auto answers = test({all, {*top}}, false);
      if (m_interrupted)
        return finish(SearchResult::Status::interrupted, answers[0] == true ? all : LimitSet{});
      if (answers[0] != true) return finish(SearchResult::Status::full_list_failed, {});
      suspect_passed = answers[1];
    } else {
      auto full = test({all}, false);
      if (m_interrupted) return finish(SearchResult::Status::interrupted, {});
      if (full[0] != true) return finish(SearchResult::Status::full_list_failed, {});
      if (top) {
        suspect_passed = test({{*top}}, false)[0];
        if (m_interrupted) return finish(SearchResult::Status::interrupted, all);
      }
    }
    if (suspect_passed == true) {
      m_by_suspect = true;
      return finish(SearchResult::Status::found, {*top});
    }
    return bisect(all);
  }

private:
  // Monotonicity lets earlier answers stand in for probes: a superset of a passing set passes, a
  // subset of a failing set fails.
  std::optional<bool> known(const LimitSet& s) const {
    for (const auto& p : m_passed)
      if (subset_of(p, s)) return true;
    for (const auto& f : m_failed)
      if (subset_of(s, f)) return false;
    return std::nullopt;
  }

  // nullopt entries: cancelled (no information).
  std::vector<std::optional<bool>> test(const std::vector<LimitSet>& sets, bool first_pass_wins) {
    std::vector<std::optional<bool>> out(sets.size());
    std::vector<LimitSet> ask;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      out[i] = known(sets[i]);
      if (first_pass_wins && out[i] == true) return out; // one known pass answers the question
      if (!out[i]) {
        ask.push_back(sets[i]);
        where.push_back(i);
      }
    }
    if (ask.empty()) return out;
    const auto outcomes = m_probe(ask, first_pass_wins);
    m_probes += ask.size();
    for (std::size_t j = 0; j < ask.size() && j < outcomes.size(); ++j) {
      switch (outcomes[j]) {
      case ProbeOutcome::pass:
        out[where[j]] = true;
        m_passed.push_back(ask[j]);
        break;
      case ProbeOutcome::fail:
        out[where[j]] = false;
        m_failed.push_back(ask[j]);
        break;
      case ProbeOutcome::interrupted:
        m_interrupted = true;
        break;
      case ProbeOutcome::cancelled:
        break;
      }
    }
    return out;
  }

  SearchResult bisect(const LimitSet& all) {
    LimitSet good = all; // the smallest set known to pass
    LimitSet current = all;
    bool confirmed = true;
    while (current.size() > 1) {
      // Enough probes for every part: probe them all. Otherwise p+1 parts, the last one inferred
      // when the p probed ones fail (with p = 1: classic halving, one probe per level).
      const bool probe_all = current.size() <= m_parallelism;
      const std::size_t k = probe_all ? current.size() : m_parallelism + 1;
      auto parts = split(current, k);
      std::vector<LimitSet> probed(
          parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(probe_all ? k : k - 1));
      auto answers = test(probed, true);
      if (m_interrupted) return finish(SearchResult::Status::interrupted, good);
      auto hit = std::find(answers.begin(), answers.end(), std::optional<bool>(true));
      if (hit != answers.end()) {
        current = good = probed[static_cast<std::size_t>(hit - answers.begin())];
        confirmed = true;
        continue;
      }
      if (probe_all) return ddmin(good); // no single limit suffices: they interact
      current = parts.back();
      confirmed = false;
    }
    if (!confirmed) {
      auto answer = test({current}, false);
      if (m_interrupted) return finish(SearchResult::Status::interrupted, good);
      if (answer[0] != true) return ddmin(good);
    }
    return finish(SearchResult::Status::found, current);
  }

  // Zeller's ddmin with "passes" as the interesting outcome: the result passes and removing any
  // one of its limits fails. Parts and then complements are probed as batches (in parallel).
  SearchResult ddmin(LimitSet c) {
    m_ddmin = true;
    std::size_t granularity = 2;
    while (c.size() >= 2) {
      granularity = std::min(granularity, c.size());
      const auto parts = split(c, granularity);
      auto answers = test(parts, true);
      if (m_interrupted) return finish(SearchResult::Status::interrupted, c);
      auto hit = std::find(answers.begin(), answers.end(), std::optional<bool>(true));
      if (hit != answers.end()) {
        c = parts[static_cast<std::size_t>(hit - answers.begin())];
        granularity = 2;
        continue;
      }
      if (granularity > 2) { // with two parts the complements are the parts themselves
        std::vector<LimitSet> complements;
        for (const auto& p : parts)
          complements.push_back(minus(c, p));
        answers = test(complements, true);
        if (m_interrupted) return finish(SearchResult::Status::interrupted, c);
        hit = std::find(answers.begin(), answers.end(), std::optional<bool>(true));
        if (hit != answers.end()) {
          c = complements[static_cast<std::size_t>(hit - answers.begin())];
          granularity = std::max<std::size_t>(granularity - 1, 2);
          continue;
        }
      }
      if (granularity >= c.size()) break;
      granularity = std::min(granularity * 2, c.size());
    }
    return finish(SearchResult::Status::found, c);
  }

  SearchResult finish(SearchResult::Status status, LimitSet culprits) const {
    SearchResult r;
    r.status = status;
    r.culprits = std::move(culprits);
    r.probes = m_probes;
    r.used_ddmin = m_ddmin;
    r.by_suspect = m_by_suspect;
    return r;
  }

  const ProbeBatch& m_probe;
  std::size_t m_parallelism;
  std::vector<LimitSet> m_passed;
  std::vector<LimitSet> m_failed;
  std::size_t m_probes = 0;
  bool m_interrupted = false;
  bool m_ddmin = false;
  bool m_by_suspect = false;
};

} // namespace

SearchResult find_culprits(std::size_t n, const ProbeBatch& probe, std::size_t parallelism,
                           const std::vector<std::size_t>& suspects) {
  return Search(probe, parallelism).run(n, suspects);
}

} // namespace breeze::commands::ci
