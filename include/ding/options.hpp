#pragma once
// Client configuration: plain structs with documented defaults, validated once by ding::client.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ding {

class error;

/// How the client trusts servers. Verification is always on unless the long-named switch is set.
struct tls_options {
    /// Trust the system's CA store (/etc/ssl/certs). Default: true.
    bool use_system_trust_store = true;
    /// Path of an extra PEM trust anchor (a private CA, the sandbox's CA). Default: none.
    std::string ca_file;
    /// PEM text of an extra trust anchor. Default: none.
    std::string ca_pem;
    /// Accept any certificate and any host name. Only for throwaway experiments: it removes all
    /// protection against a man in the middle. Default: false.
    bool insecure_skip_verification_for_testing_only = false;
};

/// When and how often a failed attempt is tried again. What may be retried depends on the
/// operation (see docs/retries.md); this policy only bounds how.
struct retry_policy {
    /// Total attempts, the first included; 1 disables retries. Default: 3.
    int max_attempts = 3;
    /// Upper bound of the first wait; each later bound doubles, capped by max_backoff.
    /// The actual wait is uniform in [0, bound] ("full jitter"). Default: 100 ms.
    std::chrono::milliseconds initial_backoff{100};
    /// Cap of the backoff bound. Default: 2 s.
    std::chrono::milliseconds max_backoff{2000};
    /// Also retry a non-idempotent POST (create, check, retry, feedback) after a failure that
    /// may have happened after the server received it (a 500, or a connection lost after the
    /// request was written). This can send a second SMS. Default: false.
    bool retry_requests_that_may_have_reached_the_server = false;
};

/// What a hook sees of one attempt. Nothing here contains the API key.
struct attempt_info {
    std::string_view operation;          ///< e.g. "create_authentication"
    int attempt = 1;                     ///< 1 for the first attempt
    std::string_view method;             ///< "GET" or "POST"
    std::string_view path;               ///< request target, e.g. "/v1/check"
    int http_status = 0;                 ///< 0 before a response arrived
    std::chrono::nanoseconds elapsed{0}; ///< since the call started
};

/// Header lines a before-attempt hook may add to the request.
using extra_headers = std::vector<std::pair<std::string, std::string>>;

/// Observability callbacks. Each is optional; they run on the client's executor and must not block.
struct client_hooks {
    /// Before each attempt is sent; may append headers. Names and values are validated, and the
    /// headers the SDK writes itself (Host, Content-Length, Transfer-Encoding, Connection,
    /// Content-Type, the credential header, hop-by-hop headers) are refused: the call then
    /// completes with errc::invalid_argument before anything is sent.
    std::function<void(const attempt_info&, extra_headers&)> before_attempt;
    /// After each response arrived (any status).
    std::function<void(const attempt_info&)> after_response;
    /// After each failed attempt, retried or not.
    std::function<void(const attempt_info&, const error&)> on_error;
};

/// Options of a ding::client. Every field has a default; only the API key must be set.
struct client_options {
    /// The account's API key, sent as `x-api-key`. Never logged, never part of an error.
    std::string api_key;
    /// If set, called before each attempt for the current key (key rotation); replaces api_key.
    std::function<std::string()> api_key_provider;
    /// Base URL with scheme, host, optional port and base path. Default: Ding's production API.
    /// `http://` is accepted for local servers.
    std::string base_url = "https://api.ding.live/v1";
    /// Deadline of a whole call, retries and backoff waits included. Default: 10 s.
    std::chrono::milliseconds timeout{10000};
    /// Deadline of resolving, connecting and the TLS handshake of one connection. Default: 5 s.
    std::chrono::milliseconds connect_timeout{5000};
    /// Resolved addresses are used for at most this long, then resolved again (they are also
    /// resolved again after any failed connect, timeouts included). Default: 60 s.
    std::chrono::milliseconds dns_refresh_interval{60000};
    /// Most connections open at once to the host; callers beyond wait in FIFO order. Default: 16.
    std::size_t max_connections = 16;
    /// An idle keep-alive connection older than this is closed instead of reused. Default: 30 s.
    std::chrono::milliseconds idle_timeout{30000};
    /// Largest response body accepted; a larger one fails with response_too_large. Default: 1 MiB.
    std::size_t max_response_body = 1024 * 1024;
    /// Appended to the User-Agent after "ding-cpp/<version>". Default: none.
    std::string user_agent_suffix;
    /// Makes every member of the client safe to call from any thread, for an io_context run by
    /// several threads: the client then runs everything on a strand of its own (hooks too), and a
    /// cancellation emitted on the caller's executor is carried over to that strand.
    /// When false (the default, and the cheaper path), the caller guarantees that the client is
    /// used (constructed, called, cancelled, destroyed) only from the one thread running its
    /// executor, or from a strand passed in as that executor, and that completion handlers with
    /// another associated executor do not emit cancellation concurrently with that thread.
    ///
    /// Thread safety (thread_safe = true), in the words Asio uses for its own objects: distinct
    /// objects: safe; shared objects: safe, with one exception: the client must not be called in
    /// another thread while its execution context is being destroyed (as for any I/O object
    /// associated with an io_context). Stop calling it from other threads first; once the
    /// io_context is gone, every member may again be called from any thread (each is then a
    /// no-op, and an operation started then is dropped uncalled, as the operations of a
    /// destroyed io_context are).
    ///
    /// Handlers and the strand: a completion handler whose associated executor is the client's
    /// own io_context executor (the default for a plain callback or use_future) is dispatched
    /// from inside the client's strand, as asio::dispatch runs a function inline when it can. The
    /// client makes no progress until that handler returns, whatever the number of threads
    /// running the io_context: a handler that blocks waiting for another operation of the same
    /// client (for example std::future::get on an operation started with use_future) waits
    /// forever. That deadlock is the caller's: start the next operation and return, or bind the
    /// handler to another executor (asio::bind_executor) or await the operation in a coroutine.
    bool thread_safe = false;
    /// Certificate verification and trust anchors; verified against the system store by default.
    tls_options tls;
    /// What is retried and how long to wait between attempts (see docs/retries.md).
    retry_policy retry;
    /// Callbacks around each attempt (headers, responses, errors); none by default.
    client_hooks hooks;
};

/// Per-call overrides of client_options (unset fields keep the client's value).
struct call_options {
    /// The whole call's deadline, retries and waits included, instead of client_options::timeout;
    /// must be positive (else the call fails with invalid_argument before any I/O).
    std::optional<std::chrono::milliseconds> timeout;
    /// This call's retry policy instead of client_options::retry; checked as the client's is.
    std::optional<retry_policy> retry;
};

/// Counters of a client's connection pool, readable at any time (client::stats()).
struct pool_stats {
    std::size_t open = 0;             ///< connections open now (idle + in use)
    std::size_t idle = 0;             ///< open and parked in the pool
    std::size_t in_use = 0;           ///< carrying a request now
    std::size_t connecting = 0;       ///< being opened now
    std::size_t waiting = 0;          ///< callers waiting for a connection
    std::size_t connections_opened = 0;  ///< since the client was made
    std::size_t handshakes = 0;          ///< TLS handshakes completed
    std::size_t resumed_handshakes = 0;  ///< of those, resumed TLS sessions
    std::size_t requests_sent = 0;       ///< HTTP requests written
    std::size_t retries = 0;             ///< attempts after the first, over all calls
};

namespace v2 {
/// The options of ding::v2::client (ding/v2/client.hpp). Declared here so that ding::client can
/// refuse them: they derive from client_options, and the v1 client would otherwise take them
/// silently (with a v2 key sent as x-api-key to the v2 base URL).
struct client_options;
} // namespace v2

} // namespace ding
