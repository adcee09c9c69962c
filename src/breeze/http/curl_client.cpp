#include <breeze/http/curl_client.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/http/cache.hpp>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <mutex>

namespace breeze::http {

namespace {

using Clock = std::chrono::steady_clock;

// One request of a batch, across its attempts.
struct Transfer {
  std::size_t index = 0;
  Request request;
  std::optional<CachedResponse> cached;
  int attempts = 0;
  // state of the attempt in flight
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::string body;
  Headers headers;
  char errbuf[CURL_ERROR_SIZE] = {};
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<Transfer*>(user)->body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  // A new status line starts a new response (after a redirect or a 100 Continue): keep only the
  // headers of the final one.
  if (line.starts_with("HTTP/")) {
    t->headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t->headers[strings::to_lower(strings::trim(line.substr(0, colon)))] =
        std::string(strings::trim(line.substr(colon + 1)));
  }
  return size * n;
}

void release(Transfer& t) {
  if (t.easy != nullptr) curl_easy_cleanup(t.easy);
  if (t.header_list != nullptr) curl_slist_free_all(t.header_list);
  t.easy = nullptr;
  t.header_list = nullptr;
}

} // namespace

struct CurlClient::Impl {
  CurlClientOptions options;
  CURLM* multi = nullptr;
  std::optional<DiskCache> cache;

  // libcurl starts (curl_global_init: OpenSSL's initialisation, a large share of a process's
  // start-up) only when a request is made, so commands that never fetch do not pay for it.
  CURLM* multi_handle() {
    static std::once_flag global;
    std::call_once(global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (multi == nullptr) {
      multi = curl_multi_init();
      curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    }
    return multi;
  }
};

CurlClient::CurlClient(CurlClientOptions options) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  if (m_impl->options.cache_dir) m_impl->cache.emplace(*m_impl->options.cache_dir);
}

CurlClient::~CurlClient() {
  if (m_impl && m_impl->multi != nullptr) curl_multi_cleanup(m_impl->multi);
}

std::vector<Expected<Response>> CurlClient::get_all(const std::vector<Request>& requests,
                                                    const BatchOptions& options) {
  auto& impl = *m_impl;
  impl.multi_handle();
  const std::size_t total = requests.size();
  const std::size_t parallelism = std::max<std::size_t>(1, options.parallelism);
  std::vector<std::optional<Expected<Response>>> results(total);
  std::vector<Transfer> transfers(total);
  std::deque<std::size_t> ready;
  std::vector<std::pair<Clock::time_point, std::size_t>> waiting; // retries not yet due
  std::size_t done = 0;
  std::size_t in_flight = 0;

  // Both limits equal the parallelism: a batch talks to one index, and more connections than
  // requests in flight would only be wasted handshakes.
  curl_multi_setopt(impl.multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(parallelism));
  curl_multi_setopt(impl.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(parallelism));

  auto finish = [&](std::size_t i, Expected<Response> r) {
    results[i] = std::move(r);
    ++done;
    if (options.on_progress) options.on_progress(done, total);
  };

  const bool caching = options.use_cache && impl.cache.has_value();
  for (std::size_t i = 0; i < total; ++i) {
    auto& t = transfers[i];
    t.index = i;
    t.request = requests[i];
    if (caching) t.cached = impl.cache->load(t.request);
    if (t.cached && is_fresh(*t.cached, std::chrono::system_clock::now())) {
      Response r{t.cached->status, t.cached->headers, std::move(t.cached->body), true, 0};
      finish(i, std::move(r));
      continue;
    }
    ready.push_back(i);
  }

  auto start = [&](Transfer& t) {
    t.body.clear();
    t.headers.clear();
    t.errbuf[0] = '\0';
    ++t.attempts;
    t.easy = curl_easy_init();
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<long long>(options.timeout.count(), 10'000)));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // whatever curl can decode (gzip, br...)
    curl_easy_setopt(e, CURLOPT_USERAGENT, impl.options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS, wait for a multiplexable connection rather than opening one per request.
    if (t.request.url.starts_with("https://")) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    Headers send = t.request.headers;
    if (t.cached)
      for (auto& [k, v] : revalidation_headers(*t.cached)) send[k] = v;
    for (const auto& [k, v] : send) t.header_list = curl_slist_append(t.header_list, (k + ": " + v).c_str());
    if (t.header_list != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
    curl_multi_add_handle(impl.multi, e);
    ++in_flight;
  };

  auto backoff = [&](int attempts) {
    return options.backoff * (1LL << std::min(attempts - 1, 10));
  };

  auto complete = [&](Transfer& t, CURLcode rc) {
    curl_multi_remove_handle(impl.multi, t.easy);
    --in_flight;
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    release(t);
    const bool can_retry = t.attempts <= options.max_retries;
    if (rc != CURLE_OK) {
      std::string why = t.errbuf[0] != '\0' ? std::string(t.errbuf) : curl_easy_strerror(rc);
      if (can_retry) {
        spdlog::debug("{}: {} (attempt {}), retrying", t.request.url, why, t.attempts);
        waiting.emplace_back(Clock::now() + backoff(t.attempts), t.index);
        return;
      }
      finish(t.index, Error{ErrorKind::network, why, t.request.url});
      return;
    }
    if (is_retryable_status(status) && can_retry) {
      auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(backoff(t.attempts));
      if (auto it = t.headers.find("retry-after"); it != t.headers.end())
        if (auto ra = parse_retry_after(it->second, std::chrono::system_clock::now()))
          delay = std::min(*ra, options.max_retry_after);
      spdlog::debug("{}: HTTP {} (attempt {}), retrying in {} ms", t.request.url, status, t.attempts,
                    delay.count());
      waiting.emplace_back(Clock::now() + delay, t.index);
      return;
    }
    const auto now = std::chrono::system_clock::now();
    if (status == 304 && t.cached) {
      // Not modified: the cached body is current; refresh its headers and age.
      for (auto& [k, v] : t.headers) t.cached->headers[k] = v;
      t.cached->stored_at = now;
      if (caching) (void)impl.cache->store(t.request, *t.cached);
      finish(t.index, Response{t.cached->status, t.cached->headers, std::move(t.cached->body), true, t.attempts});
      return;
    }
    if (caching && is_storable(status, t.headers)) {
      CachedResponse entry{status, t.headers, t.body, now};
      if (auto stored = impl.cache->store(t.request, entry); !stored)
        spdlog::debug("cache: {}", stored.error().what()); // a cache we cannot write only costs speed
    }
    finish(t.index, Response{status, std::move(t.headers), std::move(t.body), false, t.attempts});
  };

  while (done < total) {
    if (interrupt::requested()) break;
    const auto now = Clock::now();
    // Due retries go first: they have waited already.
    std::sort(waiting.begin(), waiting.end());
    while (!waiting.empty() && waiting.front().first <= now) {
      ready.push_front(waiting.front().second);
      waiting.erase(waiting.begin());
    }
    while (in_flight < parallelism && !ready.empty()) {
      start(transfers[ready.front()]);
      ready.pop_front();
    }
    int running = 0;
    curl_multi_perform(impl.multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(impl.multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      complete(*t, msg->data.result);
    }
    if (done >= total) break;
    if (!ready.empty() && in_flight < parallelism) continue; // start more right away
    int wait_ms = 1000;
    if (!waiting.empty()) {
      const auto next = std::min_element(waiting.begin(), waiting.end())->first;
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<long long>(until, 0, wait_ms));
    }
    curl_waitfd wake{interrupt::wake_fd(), CURL_WAIT_POLLIN, 0};
    curl_multi_poll(impl.multi, wake.fd >= 0 ? &wake : nullptr, wake.fd >= 0 ? 1 : 0, wait_ms, nullptr);
  }

  // Interrupted: stop what is in flight and report the rest as interrupted.
  for (auto& t : transfers) {
    if (t.easy != nullptr) {
      curl_multi_remove_handle(impl.multi, t.easy);
      release(t);
    }
  }
  std::vector<Expected<Response>> out;
  out.reserve(total);
  for (std::size_t i = 0; i < total; ++i) {
    if (results[i]) out.push_back(std::move(*results[i]));
    else out.push_back(Error{ErrorKind::interrupted, "interrupted", requests[i].url});
  }
  return out;
}

} // namespace breeze::http
