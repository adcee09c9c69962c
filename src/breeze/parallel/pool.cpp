#include <breeze/parallel/pool.hpp>

#include <breeze/base/files.hpp>
#include <breeze/base/interrupt.hpp>
#include <breeze/parallel/reporter.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <sched.h>
#include <set>
#include <thread>
#include <unistd.h>

namespace breeze::parallel {

namespace {

constexpr std::uint64_t k_memory_per_job = std::uint64_t{2}
                                           << 30; // 2 GiB: an image build's pip + docker

Expected<std::filesystem::path> make_log_dir(const std::filesystem::path& wanted) {
  std::error_code ec;
  if (!wanted.empty()) {
    std::filesystem::create_directories(wanted, ec);
    if (ec)
      return Error{ErrorKind::io, fmt::format("cannot create the log folder: {}", ec.message()),
                   wanted.string()};
    return wanted;
  }
  // Kept after the run on purpose: the user reads the logs of failed jobs from here.
  auto made = files::TempDir::create("breeze-jobs");
  if (!made)
    return Error{ErrorKind::io, "cannot create the log folder: " + made.error().message,
                 made.error().context};
  return std::move(*made).release();
}

// State shared between the pool threads and the calling thread, guarded by `mutex`.
struct Shared {
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<JobStatus> jobs;
  std::vector<Clock::time_point> started_at;
  std::vector<JobStatus> events; // copies of a job's status when it started or finished
  std::size_t next = 0;
  std::size_t workers_left = 0;
  bool interrupted = false;
};

void run_one(const Job& job, std::size_t index, Shared& shared) {
  const auto log_path = shared.jobs[index].log_file; // fixed before the threads start
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  JobContext ctx{job.name, log_path, [&](const std::string& line) {
                   if (fd >= 0) {
                     const std::string text = line + "\n";
                     [[maybe_unused]] auto n = ::write(fd, text.data(), text.size());
                   }
                   std::lock_guard lock(shared.mutex);
                   shared.jobs[index].last_line = line;
                 }};
  JobResult result;
  if (fd < 0) {
    result = {false,
              fmt::format("cannot open log file {}: {}", log_path.string(), std::strerror(errno))};
  } else {
    try {
      result = job.run(ctx);
    } catch (const std::exception& e) {
      // A job is someone else's code; its bug must not take the other jobs down.
      result = {false, fmt::format("internal error: {}", e.what())};
    }
    ::close(fd);
  }
  std::lock_guard lock(shared.mutex);
  auto& status = shared.jobs[index];
  // Ctrl-C kills every running job's process: that is not the job failing, and its log (the
  // output up to the signal) says nothing the user needs.
  status.state = result.ok                                      ? JobState::succeeded
                 : result.interrupted || interrupt::requested() ? JobState::interrupted
                                                                : JobState::failed;
  status.summary = std::move(result.summary);
  status.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                         shared.started_at[index]);
  shared.events.push_back(status);
  shared.wake.notify_all();
}

void worker(const std::vector<Job>& jobs, Shared& shared) {
  while (true) {
    std::size_t index;
    {
      std::lock_guard lock(shared.mutex);
      if (interrupt::requested()) shared.interrupted = true;
      if (shared.interrupted || shared.next >= jobs.size()) break;
      index = shared.next++;
      shared.jobs[index].state = JobState::running;
      shared.started_at[index] = Clock::now();
      shared.events.push_back(shared.jobs[index]);
      shared.wake.notify_all();
    }
    run_one(jobs[index], index, shared);
  }
  std::lock_guard lock(shared.mutex);
  --shared.workers_left;
  shared.wake.notify_all();
}

} // namespace

bool PoolOutcome::ok() const {
  return !interrupted && std::all_of(jobs.begin(), jobs.end(), [](const JobStatus& j) {
    return j.state == JobState::succeeded;
  });
}

std::string log_file_name(const std::string& job_name) {
  std::string name = job_name;
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '-';
  return name + ".log";
}

Expected<PoolOutcome> run_jobs(const std::vector<Job>& jobs, const PoolOptions& options,
                               Reporter& reporter) {
  if (options.parallelism == 0) return usage_error("--parallelism must be at least 1");
  std::set<std::string> files;
  for (const auto& job : jobs) {
    if (job.name.empty()) return usage_error("every job needs a name");
    if (!files.insert(log_file_name(job.name)).second)
      return usage_error(
          fmt::format("two jobs would share the log file {}", log_file_name(job.name)), job.name);
  }
  BREEZE_TRY(auto log_dir, make_log_dir(options.log_dir));

  Shared shared;
  for (const auto& job : jobs)
    shared.jobs.push_back({.name = job.name, .log_file = log_dir / log_file_name(job.name)});
  shared.started_at.resize(jobs.size());
  reporter.started(log_dir, shared.jobs, options.parallelism);

  const auto thread_count = std::min(options.parallelism, jobs.size());
  shared.workers_left = thread_count;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < thread_count; ++i)
    threads.emplace_back([&] { worker(jobs, shared); });

  while (true) {
    std::unique_lock lock(shared.mutex);
    shared.wake.wait_for(lock, reporter.interval(),
                         [&] { return !shared.events.empty() || shared.workers_left == 0; });
    const auto now = Clock::now();
    auto snapshot = shared.jobs;
    for (std::size_t i = 0; i < snapshot.size(); ++i)
      if (snapshot[i].state == JobState::running)
        snapshot[i].elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - shared.started_at[i]);
    auto events = std::move(shared.events);
    shared.events.clear();
    const bool done = shared.workers_left == 0;
    lock.unlock();
    // Reporters write to streams; never while holding the lock the jobs' output needs.
    for (const auto& event : events)
      reporter.changed(event, snapshot, now);
    if (events.empty()) reporter.tick(snapshot, now);
    if (done) break;
  }
  for (auto& t : threads)
    t.join();

  PoolOutcome outcome{std::move(shared.jobs), log_dir,
                      shared.interrupted || interrupt::requested()};
  for (auto& job : outcome.jobs)
    if (job.state == JobState::queued) job.state = JobState::not_started;
  reporter.finished(outcome);
  return outcome;
}

std::size_t default_parallelism(std::size_t cores, std::uint64_t memory_bytes) {
  const auto by_memory = static_cast<std::size_t>(memory_bytes / k_memory_per_job);
  return std::max<std::size_t>(1, std::min(cores, by_memory));
}

std::size_t default_parallelism() {
  cpu_set_t set;
  std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  if (::sched_getaffinity(0, sizeof set, &set) == 0)
    cores = static_cast<std::size_t>(CPU_COUNT(&set));
  std::uint64_t memory = static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                         static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  // In a container (a CI runner) the cgroup limit is what the jobs really get.
  std::ifstream limit("/sys/fs/cgroup/memory.max");
  std::uint64_t cgroup = 0;
  if (limit >> cgroup && cgroup > 0) memory = std::min(memory, cgroup);
  return default_parallelism(cores, memory);
}

} // namespace breeze::parallel
