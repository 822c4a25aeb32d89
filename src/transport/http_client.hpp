#pragma once
// Sends one logical call over the pool: attempts, retries with backoff, deadline, hooks.
// Knows nothing of Ding v1 (paths, auth header): the service passes those in, so a v2 service
// (Bearer auth, /v2 paths) can sit on the same core.

#include "transport/pool.hpp"

#include <ding/outcome.hpp>

#include <boost/beast/http/verb.hpp>

#include <functional>
#include <random>

namespace ding::detail {

/// How requests are authenticated, e.g. {"x-api-key", ""} or {"Authorization", "Bearer "}.
struct credentials {
    std::string header_name;
    std::string value_prefix;
    std::string fixed_value;                 ///< used when provider is empty
    std::function<std::string()> provider;   ///< called before each attempt (key rotation)
};

struct http_call {
    std::string_view operation;    ///< for errors and hooks, e.g. "check"
    http::verb method = http::verb::get;
    std::string target;            ///< path and query, e.g. "/v1/check"
    std::string body;              ///< JSON; empty for GET
    extra_headers headers;         ///< operation-specific headers (e.g. customer-uuid)
    bool idempotent = false;       ///< a read that may be repeated freely
};

struct http_reply {
    unsigned status = 0;
    std::string body;
    std::string content_type;      ///< empty when application/json (or absent): set only when it is not JSON
    int attempts = 1;
};

struct http_client_config {
    credentials auth;
    client_hooks hooks;
    std::string user_agent;
    std::size_t max_response_body = 1024 * 1024;
};

/// The retry rules of the README's table, as a pure function.
/// `status` is 0 for a failure without response; `may_have_reached_server` is true once the
/// request was completely written.
bool should_retry(errc failure, unsigned status, bool may_have_reached_server, bool idempotent,
                  const retry_policy& policy) noexcept;

/// Why a retry policy is unusable, or nullopt.
std::optional<std::string> check_retry_policy(const retry_policy& policy);

/// `now + timeout`, clamped to the largest time point instead of overflowing.
steady_time deadline_after(steady_time now, std::chrono::milliseconds timeout) noexcept;

/// True for headers the SDK writes itself (framing, Host, the credential header): a hook may not add them.
bool is_reserved_header(std::string_view name, std::string_view credential_header) noexcept;

/// Full-jitter backoff bound for the given attempt (1-based): min(max, initial * 2^(attempt-1)).
std::chrono::milliseconds backoff_bound(const retry_policy& policy, int attempt) noexcept;

/// Parses a `retry-after-ms` value (Prelude's API: a whole number of milliseconds, at most a year).
std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view value) noexcept;

/// Parses a Retry-After value (delta seconds or an HTTP date) relative to `now`.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept;

class http_client {
public:
    http_client(std::shared_ptr<pool> p, http_client_config config);

    /// Completes with the final reply (any status; the caller maps statuses to errors) or an error
    /// (transport, tls, timeout, cancelled, response_too_large, invalid_argument).
    /// Ends early with errc::cancelled once `control` is stopped: no hook runs, nothing is retried
    /// and no new I/O starts after that.
    asio::awaitable<outcome<http_reply>> send(const http_call& call, std::chrono::milliseconds timeout,
                                              const retry_policy& policy, call_control& control);

    pool& connections() noexcept { return *pool_; }

private:
    struct attempt_result;
    asio::awaitable<attempt_result> attempt(const http_call& call, int number, steady_time deadline,
                                            std::chrono::steady_clock::time_point started, call_control& control);

    std::shared_ptr<pool> pool_;
    http_client_config config_;
    std::string fixed_headers_; ///< Host, User-Agent, Accept: the same on every request
    std::minstd_rand jitter_{std::random_device{}()};
};

} // namespace ding::detail
