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

/// What one attempt came to: a reply (any status) or a failure.
struct attempt_result {
    std::optional<http_reply> reply;
    std::optional<error> failure;
    bool may_have_reached_server = false;
    std::string retry_after;
    std::string retry_after_ms;
};

/// One logical call across its attempts. Lives in the call's state for the whole call;
/// http_client's steps read and advance it. Which step comes next is the call's state machine's
/// decision (core/call_state_machine.hpp), not this struct's.
struct send_state {
    const http_call* call = nullptr;
    std::chrono::steady_clock::time_point started{};
    steady_time deadline{};
    retry_policy policy;
    int max_attempts = 1;
    int number = 0;                                 ///< the attempt in progress (1-based)
    unsigned last_status = 0;
    std::optional<std::chrono::milliseconds> wait;  ///< back off this long before the next attempt
    // The attempt in progress.
    std::string provided_key;                       ///< from credentials::provider
    extra_headers added;                            ///< by the before_attempt hook
    lease conn;
    connection::exchange_args exchange;
    attempt_result result;                          ///< of the last attempt
    std::optional<error> call_error;                ///< the call ended while backing off (back_off())
    // Waiting for a connection while the pool is full (queue_for_connection, end_wait).
    std::optional<pool::queued_wait> queued;        ///< while queued
    std::chrono::steady_clock::duration queued_for{}; ///< time spent queued so far (a timeout says it)
    slot_reservation granted_slot;                  ///< a slot the pool reserved for this call: open_connection() opens it
};

/// How back_off() ended.
enum class backoff_end {
    elapsed,   ///< the next attempt may start
    deadline,  ///< the deadline came first: s.call_error holds the timeout
    cancelled, ///< a stop ended it: s.call_error holds why
};

class http_client {
public:
    http_client(std::shared_ptr<pool> p, http_client_config config);

    /// Starts a call: its deadline (`timeout` from now) and retry policy.
    void begin(send_state& s, const http_call& call, std::chrono::milliseconds timeout, const retry_policy& policy);

    // A call's steps, each one action of the call's state machine (launch.hpp drives them):
    // prepare_attempt(); then pool::take_idle(), queue_for_connection() + end_wait(), or
    // open_connection(); write_request() and the connection's exchange; finish_exchange();
    // after_attempt(); back_off() between attempts.

    /// Waits s.wait (set by after_attempt), never past the deadline.
    asio::awaitable<backoff_end> back_off(send_state& s, call_control& control);
    /// Opens a connection for the attempt in progress: in s.granted_slot when the pool reserved
    /// one, else through pool::acquire (`fresh_only`: never an idle one). True when s.conn is
    /// ready; false when s.result holds why not.
    asio::awaitable<bool> open_connection(send_state& s, bool fresh_only, call_control& control);
    /// The outcome of a call a stop ended between two steps.
    error stopped_error(const send_state& s) const;

    /// What a call does once its queued wait for a connection ended (end_wait).
    enum class wait_outcome {
        exchange,       ///< s.conn is ready and the attempt prepared: write the request
        open,           ///< the pool reserved a slot (s.granted_slot): open_connection() opens it
        again,          ///< the connection handed over was not clean: look for one again
        attempt_failed, ///< cancelled or timed out: s.result holds why
    };
    /// The pool is full (pool::must_queue): queues the call's prepared attempt for a connection,
    /// without a coroutine. False if it must not wait (s.result holds why); otherwise the caller
    /// waits on s.queued->timer, then calls end_wait().
    bool queue_for_connection(send_state& s, call_control& control);
    wait_outcome end_wait(send_state& s, boost::system::error_code ec, call_control& control);

    /// Starts attempt s.number + 1: the credential, the before_attempt hook and its headers.
    /// False (and s.result holds the failure) if the attempt cannot go on.
    bool prepare_attempt(send_state& s, call_control& control);
    /// Serializes the request into s.conn's buffer and counts it.
    void write_request(send_state& s);
    /// Takes an exchange's end: true if s.result now holds the attempt's result (s.conn given
    /// back or closed); false if the same attempt must go again on a new connection (a kept-alive
    /// connection the server had closed), which is asked at most once per attempt: `fresh_only`
    /// says the attempt is on its new connection already.
    bool finish_exchange(send_state& s, std::optional<io_failure> failure, call_control& control, bool fresh_only);
    /// After an attempt: the hooks, then either the call's final outcome, or s.wait is set and
    /// the next attempt follows the backoff (nullopt).
    std::optional<outcome<http_reply>> after_attempt(send_state& s, call_control& control);

    pool& connections() noexcept { return *pool_; }

private:
    error note_queued_time(error e, const send_state& s) const;
    attempt_result failed(const send_state& s, errc code, std::string message, boost::system::error_code cause = {},
                          bool reached = false) const;

    std::shared_ptr<pool> pool_;
    http_client_config config_;
    std::string fixed_headers_; ///< Host, User-Agent, Accept: the same on every request
    std::minstd_rand jitter_{std::random_device{}()};
};

} // namespace ding::detail
