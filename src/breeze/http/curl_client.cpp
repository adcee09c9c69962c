#include <breeze/http/curl_client.hpp>

#include <breeze/base/interrupt.hpp>
#include <breeze/base/redact.hpp>
#include <breeze/base/strings.hpp>
#include <breeze/http/cache.hpp>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>

namespace breeze::http {

namespace {

using Clock = std::chrono::steady_clock;

// Headers are small; a server that sends megabytes of them is hostile or broken.
constexpr std::size_t k_max_header_bytes = std::size_t{1} << 20;

// One request of a batch, across its attempts and redirects.
struct Transfer {
  std::size_t index = 0;
  Request request;
  std::string url; ///< where the next attempt goes (the request's URL, or where it redirected)
  std::optional<CachedResponse> cached;
  int attempts = 0;  ///< requests sent (redirect hops included)
  int retries = 0;   ///< retries used of the budget
  int redirects = 0; ///< hops followed
  bool started = false;
  Clock::time_point deadline; ///< set when the first attempt starts: the whole request's budget
  std::size_t limit = k_default_max_response_size;
  // state of the attempt in flight
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::string body;
  Headers headers;
  std::size_t header_bytes = 0;
  bool too_large = false; ///< the write callback refused more (body or headers over the limit)
  char errbuf[CURL_ERROR_SIZE] = {};
};

// Bounded here, not after the transfer: libcurl hands us decompressed data chunk by chunk, so
// returning 0 (curl then fails the transfer with CURLE_WRITE_ERROR) stops an endless body or a
// gzip bomb with at most `limit` bytes held.
std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t len = size * n;
  if (len > t->limit - std::min(t->limit, t->body.size())) {
    t->too_large = true;
    return 0;
  }
  // Grow geometrically but never past the limit: std::string's own doubling would reserve up to
  // twice the limit for a body just under it.
  if (t->body.size() + len > t->body.capacity())
    t->body.reserve(std::min(t->limit, std::max(t->body.capacity() * 2, t->body.size() + len)));
  t->body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  t->header_bytes += line.size();
  if (t->header_bytes > k_max_header_bytes) {
    t->too_large = true;
    return 0;
  }
  // A new status line starts a new response (after a 100 Continue): keep only the headers of the
  // final one.
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

std::string human_size(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0)
    return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} bytes", bytes);
}

bool is_redirect_status(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Failures that another attempt cannot fix.
bool is_permanent(CURLcode rc) {
  switch (rc) {
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
  case CURLE_WRITE_ERROR:
  case CURLE_OUT_OF_MEMORY:
  case CURLE_FILESIZE_EXCEEDED:
    return true;
  default:
    return false;
  }
}

// The parts of a URL a redirect decision needs, from libcurl's own parser (so we judge the URL
// exactly as libcurl will fetch it).
struct UrlParts {
  std::string scheme, host, port, user, password;
};

struct CurluDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Curlu = std::unique_ptr<CURLU, CurluDeleter>;

std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, which, &value, flags) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

std::optional<UrlParts> parse_url(const std::string& url, Curlu* keep = nullptr) {
  Curlu u(curl_url());
  // Non-http(s) schemes must parse too, so that they can be refused by name.
  if (!u ||
      curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return std::nullopt;
  UrlParts p{strings::to_lower(part(u.get(), CURLUPART_SCHEME)),
             strings::to_lower(part(u.get(), CURLUPART_HOST)),
             part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT), part(u.get(), CURLUPART_USER),
             part(u.get(), CURLUPART_PASSWORD)};
  if (keep != nullptr) *keep = std::move(u);
  return p;
}

bool host_matches(const std::string& host, const std::string& pattern) {
  const auto pat = strings::to_lower(pattern);
  if (pat.starts_with("*.")) return host.size() > pat.size() - 1 && host.ends_with(pat.substr(1));
  return host == pat;
}

} // namespace

Expected<std::string> redirect_target(const std::string& from, const std::string& to,
                                      const BatchOptions& options) {
  const auto shown = redact::url(to);
  const auto src = parse_url(from);
  Curlu target;
  const auto dst = parse_url(to, &target);
  if (!src || !dst)
    return failure(fmt::format("refused a redirect to an unparseable URL {}", shown));
  if (dst->scheme != "http" && dst->scheme != "https")
    return failure(
        fmt::format("refused a redirect to {} (only http and https are followed)", shown));
  if (src->scheme == "https" && dst->scheme == "http")
    return failure(fmt::format("refused a redirect from https to plain http ({})", shown));
  const bool same_host = dst->host == src->host;
  if (!same_host && std::none_of(options.redirect_hosts.begin(), options.redirect_hosts.end(),
                                 [&](const std::string& p) { return host_matches(dst->host, p); }))
    return failure(fmt::format("refused a redirect to another host {} (allowed: the same host{}{})",
                               shown, options.redirect_hosts.empty() ? "" : ", ",
                               strings::join(options.redirect_hosts, ", ")));
  // Credentials in the URL belong to that origin: never sent to another host, port or scheme.
  const bool same_origin = same_host && dst->scheme == src->scheme && dst->port == src->port;
  curl_url_set(target.get(), CURLUPART_USER,
               same_origin && !src->user.empty() ? src->user.c_str() : nullptr, 0);
  curl_url_set(target.get(), CURLUPART_PASSWORD,
               same_origin && !src->password.empty() ? src->password.c_str() : nullptr, 0);
  auto next = part(target.get(), CURLUPART_URL);
  if (next.empty())
    return failure(fmt::format("refused a redirect to an unparseable URL {}", shown));
  return next;
}

struct CurlClient::Impl {
  CurlClientOptions options;
  CURLM* multi = nullptr;
  std::optional<DiskCache> cache;
  bool cache_checked = false;

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

  // Opened on the first batch that wants it (so --no-cache and commands that never fetch never
  // create it). A directory we cannot trust turns caching off for this client, with one warning.
  DiskCache* disk_cache() {
    if (!cache_checked && options.cache_dir) {
      cache_checked = true;
      if (auto opened = DiskCache::open(*options.cache_dir))
        cache.emplace(std::move(*opened));
      else
        spdlog::warn("HTTP cache disabled, running without it: {}", opened.error().what());
    }
    return cache ? &*cache : nullptr;
  }
};

CurlClient::CurlClient(CurlClientOptions options) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
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

  DiskCache* cache = options.use_cache ? impl.disk_cache() : nullptr;
  for (std::size_t i = 0; i < total; ++i) {
    auto& t = transfers[i];
    t.index = i;
    t.request = requests[i];
    t.url = t.request.url;
    t.limit = options.max_response_size;
    if (cache != nullptr) t.cached = cache->load(t.request);
    if (t.cached && is_fresh(*t.cached, std::chrono::system_clock::now())) {
      Response r{t.cached->status, t.cached->headers, std::move(t.cached->body), true, 0};
      finish(i, std::move(r));
      continue;
    }
    ready.push_back(i);
  }

  auto timed_out = [&](const Transfer& t) {
    return Error{
        ErrorKind::network,
        fmt::format(
            "timed out after {:.1f} s (the whole request: {} attempt{}, retries and redirects "
            "included; see --timeout)",
            std::chrono::duration<double>(options.timeout).count(), t.attempts,
            t.attempts == 1 ? "" : "s"),
        redact::url(t.request.url)};
  };

  auto start = [&](Transfer& t) {
    const auto now = Clock::now();
    if (!t.started) {
      t.started = true;
      t.deadline =
          now + options.timeout; // from the first attempt: time spent queued does not count
    }
    // The deadline bounds every attempt together, so each one gets only what is left of it.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.deadline - now).count();
    if (left <= 0) {
      finish(t.index, timed_out(t));
      return;
    }
    t.body.clear();
    t.headers.clear();
    t.header_bytes = 0;
    t.too_large = false;
    t.errbuf[0] = '\0';
    ++t.attempts;
    t.easy = curl_easy_init();
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    // Redirects are followed by hand (see complete()): libcurl's own following can restrict schemes
    // and hop counts but not hosts, and we must judge each Location against the index's hosts
    // before any byte goes there. Only http(s) may be fetched at all, first URL included.
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L); // credentials never follow to another host
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(left));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<long long>(left, 10'000)));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // whatever curl can decode (gzip, br...)
    curl_easy_setopt(e, CURLOPT_USERAGENT, impl.options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS, wait for a multiplexable connection rather than opening one per request.
    if (t.url.starts_with("https://")) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    Headers send = t.request.headers;
    if (t.cached)
      for (auto& [k, v] : revalidation_headers(*t.cached))
        send[k] = v;
    for (const auto& [k, v] : send)
      t.header_list = curl_slist_append(t.header_list, (k + ": " + v).c_str());
    if (t.header_list != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
    curl_multi_add_handle(impl.multi, e);
    ++in_flight;
  };

  auto backoff = [&](int retries) { return options.backoff * (1LL << std::min(retries, 10)); };

  // Schedules another attempt after `delay`, unless the retry budget is spent or the attempt could
  // not even start before the deadline. False: the caller reports the last outcome.
  auto retry = [&](Transfer& t, std::chrono::milliseconds delay) {
    if (t.retries >= options.max_retries) return false;
    const auto due = Clock::now() + delay;
    if (due >= t.deadline) return false;
    ++t.retries;
    waiting.emplace_back(due, t.index);
    return true;
  };

  auto complete = [&](Transfer& t, CURLcode rc) {
    curl_multi_remove_handle(impl.multi, t.easy);
    --in_flight;
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    std::string location;
    if (char* where = nullptr;
        curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &where) == CURLE_OK && where)
      location = where;
    release(t);
    const auto shown = redact::url(t.url);
    if (t.too_large) {
      finish(t.index,
             Error{ErrorKind::failure,
                   t.header_bytes > k_max_header_bytes
                       ? fmt::format("response too large: headers over {}",
                                     human_size(k_max_header_bytes))
                       : fmt::format("response too large: body over {} (see --max-response-size)",
                                     human_size(t.limit)),
                   shown});
      return;
    }
    if (rc != CURLE_OK) {
      const std::string why =
          redact::text(t.errbuf[0] != '\0' ? std::string(t.errbuf) : curl_easy_strerror(rc));
      if (!is_permanent(rc) && retry(t, backoff(t.retries))) {
        spdlog::debug("{}: {} (attempt {}), retrying", shown, why, t.attempts);
        return;
      }
      // An attempt is given only what is left of the deadline, so its timeout is the deadline's.
      if (rc == CURLE_OPERATION_TIMEDOUT &&
          Clock::now() + std::chrono::milliseconds(50) >= t.deadline)
        finish(t.index, timed_out(t));
      else
        finish(t.index, Error{ErrorKind::network, why, shown});
      return;
    }
    if (is_redirect_status(status) && !location.empty()) {
      if (t.redirects >= options.max_redirects) {
        finish(t.index,
               Error{ErrorKind::failure,
                     fmt::format("too many redirects (more than {})", options.max_redirects),
                     redact::url(t.request.url)});
        return;
      }
      auto next = redirect_target(t.url, location, options);
      if (!next) {
        finish(t.index, Error{ErrorKind::failure, next.error().message, shown});
        return;
      }
      spdlog::debug("{}: HTTP {} to {}", shown, status, redact::url(*next));
      ++t.redirects;
      t.url = std::move(*next);
      ready.push_front(t.index);
      return;
    }
    if (is_retryable_status(status)) {
      auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(backoff(t.retries));
      if (auto it = t.headers.find("retry-after"); it != t.headers.end())
        if (auto ra = parse_retry_after(it->second, std::chrono::system_clock::now()))
          delay = std::min(*ra, options.max_retry_after);
      if (retry(t, delay)) {
        spdlog::debug("{}: HTTP {} (attempt {}), retrying in {} ms", shown, status, t.attempts,
                      delay.count());
        return;
      }
    }
    const auto now = std::chrono::system_clock::now();
    if (status == 304 && t.cached) {
      // Not modified: the cached body is current; refresh its headers and age.
      for (auto& [k, v] : t.headers)
        t.cached->headers[k] = v;
      t.cached->stored_at = now;
      if (cache != nullptr) (void)cache->store(t.request, *t.cached);
      finish(t.index, Response{t.cached->status, t.cached->headers, std::move(t.cached->body), true,
                               t.attempts});
      return;
    }
    if (cache != nullptr && is_storable(status, t.headers)) {
      CachedResponse entry{status, t.headers, t.body, now};
      if (auto stored = cache->store(t.request, entry); !stored)
        spdlog::debug("cache: {}",
                      stored.error().what()); // a cache we cannot write only costs speed
    } else if (cache != nullptr && t.cached && status == 200) {
      (void)cache->store(t.request, {status, t.headers, {}, now}); // drops the unusable old entry
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
      auto i = ready.front();
      ready.pop_front();
      start(transfers[i]);
    }
    if (done >= total) break; // the last ones may have run out of time before starting
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
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<long long>(until, 0, wait_ms));
    }
    curl_waitfd wake{interrupt::wake_fd(), CURL_WAIT_POLLIN, 0};
    curl_multi_poll(impl.multi, wake.fd >= 0 ? &wake : nullptr, wake.fd >= 0 ? 1 : 0, wait_ms,
                    nullptr);
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
    if (results[i])
      out.push_back(std::move(*results[i]));
    else
      out.push_back(Error{ErrorKind::interrupted, "interrupted", redact::url(requests[i].url)});
  }
  return out;
}

} // namespace breeze::http
