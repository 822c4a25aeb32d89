// ding::sandbox: a local, stateful Ding API server for tests, CI and offline development.
//
// It speaks the HTTP contract of spec/ding-openapi.yaml (base path /v1) over HTTPS with a
// certificate it generates at start (or plain HTTP), keeps authentications in memory with the
// same state machine as the real service, runs on a virtual clock that tests can advance, and
// can be told to misbehave on purpose (see sandbox_fault). Link ding::sandbox; ding::ding does
// not depend on it.
//
//     boost::asio::io_context ioc;
//     ding::sandbox sandbox(ioc.get_executor());   // listening now on 127.0.0.1:<ephemeral>
//     ding::client_options o;
//     o.base_url = sandbox.base_url();
//     o.api_key = sandbox.api_key();
//     o.tls.ca_pem = sandbox.ca_pem();
//
// Errors: the constructors throw std::system_error when the certificate cannot be generated or
// the listening socket cannot be opened/bound (this is a test tool: failing loudly is the point).
// Nothing else in this interface throws except std::bad_alloc.
//
// Threads: every member function may be called from any thread. With the executor constructor
// the sandbox does its I/O on that executor (through a strand), so somebody must run it; with
// the options-only constructor it runs its own io_context on its own thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ding {

struct sandbox_options {
    // TCP port on 127.0.0.1; 0 picks a free (ephemeral) port.
    std::uint16_t port = 0;
    // HTTPS with a generated certificate (true) or plain HTTP (false).
    bool tls = true;
    // The only x-api-key value accepted. Not a secret.
    std::string api_key = "sandbox-api-key";
    // Digits in each generated code.
    std::size_t code_length = 6;
    // Lifetime of an authentication: after created_at + expiry, check and retry give expired_auth.
    std::chrono::seconds expiry = std::chrono::minutes(10);
    // Retries (re-sends) allowed per authentication; then retry gives rate_limited.
    int max_retries = 3;
    // Minimum wait between two sends of one authentication; an earlier retry is denied.
    std::chrono::seconds retry_interval = std::chrono::seconds(30);
    // Wrong codes accepted per authentication; any check after that gives rate_limited.
    int max_check_attempts = 5;
    // At most this many codes are sent to one number per rate_window; further creates give rate_limited.
    int max_authentications_per_number = 5;
    std::chrono::seconds rate_window = std::chrono::hours(1);
    // Numbers whose authentications are flagged spam_detected (no code is sent).
    std::set<std::string> spam_numbers{"+15005550009"};
    // Seed of the generator of codes and UUIDs; unset = random. Same seed, same sequence.
    std::optional<std::uint64_t> seed;
    // A keep-alive connection with no request for this long is closed.
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
    // Bound on the TLS handshake, on reading the first request of a connection and on each write.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(10);
    // Requests served per connection before it is closed (the last response carries
    // "Connection: close"); 0 = unlimited.
    std::size_t max_requests_per_connection = 0;
    // Print "code <authentication_uuid> <phone_number> <code>" to stdout for every code sent.
    bool print_codes = false;
    // Names in the generated server certificate: IP addresses become IP SANs, others DNS SANs.
    std::vector<std::string> certificate_names{"127.0.0.1", "localhost"};
};

// What an injected fault makes the sandbox do with a request it has read.
enum class sandbox_fault_kind {
    status_429,             // 429 with Retry-After: retry_after seconds, JSON body
    status_500,             // 500 with a JSON body
    status_502,             // 502 with an HTML body (like a proxy)
    status_503,             // 503 with Retry-After and a text body
    status_504,             // 504 with an empty body
    delay,                  // wait `delay`, then answer normally (the request does take effect)
    close_before_response,  // close the connection without answering
    close_after_headers,    // send a 200's headers (with Content-Length), then close
    close_mid_body,         // send the headers and half of the body, then close
    malformed_json,         // 200, application/json, but the body is not valid JSON
    wrong_types,            // 200, valid JSON with the route's property names but wrong value types
    huge_body,              // 200, application/json body of huge_body_bytes bytes
    stall,                  // never answer (until the client closes or stop())
};

// A fault applies to the next `count` requests that match `path` (exact request path without
// query, e.g. "/v1/check", or a route template such as "/v1/authentication/{auth_uuid}" or
// "/v1/lookup/{phone_number}"; nullopt = any). Faults are queued: a request consumes one count
// of the oldest matching fault. Apart from `delay`, a faulted request changes no state.
struct sandbox_fault {
    sandbox_fault() = default;
    sandbox_fault(sandbox_fault_kind k, int n = 1, std::optional<std::string> only_path = std::nullopt)
        : kind(k), count(n), path(std::move(only_path)) {}

    sandbox_fault_kind kind = sandbox_fault_kind::status_500;
    int count = 1;
    std::optional<std::string> path;
    std::chrono::milliseconds delay{0};               // for delay
    std::chrono::seconds retry_after{1};              // Retry-After of 429 and 503
    std::size_t huge_body_bytes = 8 * 1024 * 1024;    // for huge_body
};

struct sandbox_path_count {
    std::string path;
    std::uint64_t requests = 0;
};

struct sandbox_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t tls_handshakes = 0;        // completed handshakes
    std::uint64_t requests_total = 0;        // requests read, faulted ones included
    std::vector<sandbox_path_count> paths;   // per request path (without query), in first-seen order
    std::vector<sandbox_path_count> routes;  // per matched route template, e.g. "/v1/lookup/{phone_number}"
    // Requests seen for an exact path, or for a route template (when `path` contains '{').
    std::uint64_t requests_for(std::string_view path) const noexcept;
};

class sandbox {
public:
    // Listens on 127.0.0.1 right away and serves on `ex` (which the caller runs).
    explicit sandbox(boost::asio::any_io_executor ex, sandbox_options options = {});
    // Listens right away and serves on its own io_context and thread; the destructor stops and joins.
    explicit sandbox(sandbox_options options = {});
    // Stops (as stop()); with the own-thread constructor also joins the thread.
    ~sandbox();

    sandbox(const sandbox&) = delete;
    sandbox& operator=(const sandbox&) = delete;

    // "https://127.0.0.1:PORT/v1" (or "http://..." without TLS).
    std::string base_url() const;
    const std::string& api_key() const noexcept;
    // PEM of the CA that signed the server certificate; empty without TLS.
    const std::string& ca_pem() const noexcept;
    std::uint16_t port() const noexcept;
    const sandbox_options& options() const noexcept;

    // The code most recently sent for this authentication; nullopt if unknown or none was sent
    // (spam_detected / rate_limited at creation).
    std::optional<std::string> code_for(std::string_view authentication_uuid) const;

    // The virtual clock: system_clock::now() plus everything passed to advance_clock.
    std::chrono::system_clock::time_point now() const;
    void advance_clock(std::chrono::system_clock::duration by);

    // Closes the listener and every open connection (in-flight and stalled requests too).
    // Idempotent; safe from any thread. The closing runs on the sandbox's executor.
    void stop() noexcept;
    bool stopped() const noexcept;

    sandbox_stats stats() const;
    std::uint64_t requests_for(std::string_view path) const;

    void inject(sandbox_fault fault);
    void clear_faults();
    // Fault counts not yet consumed.
    std::size_t pending_faults() const;

    struct impl;

private:
    struct own_thread;
    std::unique_ptr<own_thread> thread_;  // only with the own-thread constructor
    std::shared_ptr<impl> impl_;
};

}  // namespace ding
