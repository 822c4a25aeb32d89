#pragma once
// A purpose-built loopback HTTP(S) server for integration tests.
//
// - Runs on the caller's io_context (the same one as the client under test, one thread).
// - Listens on 127.0.0.1, ephemeral port; TLS with a certificate generated at construction
//   (valid for 127.0.0.1 and localhost), plain HTTP, or deliberately broken TLS set-ups.
// - Records every request (method, target, headers, body, connection index).
// - Answers from a queue of scripted replies, then from a responder function, then with
//   `200 {}`. A reply may misbehave (close, reset, truncate, stall, ...).
// - stop() (also run by the destructor) closes the acceptor and every connection and cancels
//   every timer: after it, all of the server's coroutines finish as soon as the io_context runs.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ding::test {

namespace asio = boost::asio;

/// How the server answers one request.
enum class behaviour {
    normal,                           ///< a complete response
    delay,                            ///< a complete response after reply::delay
    close_before_response,            ///< read the request, then close (FIN) without answering
    reset_before_response,            ///< read the request, then reset (SO_LINGER 0, close)
    close_after_headers,              ///< send the status line and headers (with Content-Length), then close
    close_mid_body,                   ///< send the headers and half of the body, then close
    reset_mid_body,                   ///< send the headers and half of the body, then reset
    content_length_longer_then_close, ///< announce body.size() + 100 bytes, send the body, close
    headers_never_finish,             ///< send a partial status line and header, then stall
    stall,                            ///< read the request, never answer (until the client closes or stop())

    // Issue 9: HTTP/1.1 conformance. The bytes are written as documented, verbatim (raw writes,
    // not beast's serializer); "the final response" is `HTTP/1.1 <status>`, Content-Type (if
    // any), the extra headers, `Content-Length`, then the body.
    continue_then_response,           ///< `HTTP/1.1 100 Continue` and the final response in one write
    early_hints_then_response,        ///< `103 Early Hints` (with a Link header), then the final response after reply::delay
    switching_protocols,              ///< `101 Switching Protocols` (no upgrade was asked) and the final response in one
                                      ///< write, then read and discard until the client closes
    http10_keep_alive_chunked,        ///< `HTTP/1.0 200` with `Connection: keep-alive` and `Transfer-Encoding: chunked`
                                      ///< (one chunk); the connection stays open and serves the next request
    http10_keep_alive,                ///< `HTTP/1.0` with `Connection: keep-alive` and Content-Length; stays open
    unsolicited_after,                ///< the final response, then after reply::delay an unsolicited
                                      ///< `HTTP/1.1 200` with reply::unsolicited_body; stays open
    unsolicited_408_after,            ///< the final response, then after reply::delay an unsolicited
                                      ///< `408 Request Timeout` with `Connection: close`, then close
    huge_header,                      ///< the final response with a 100 KiB header line (`X-Huge: hhh...`)
    body_until_close,                 ///< the final response without Content-Length (nor chunked), then close
};

using header_list = std::vector<std::pair<std::string, std::string>>;

/// One scripted answer.
struct reply {
    unsigned status = 200;
    std::string body = "{}";
    std::string content_type = "application/json"; ///< empty: no Content-Type header
    header_list headers;                            ///< extra header lines (e.g. Retry-After)
    behaviour how = behaviour::normal;
    std::chrono::milliseconds delay{0};             ///< for behaviour::delay
    bool keep_alive = true;                         ///< false: "Connection: close" and close after the response
    std::string unsolicited_body = "{}";            ///< for behaviour::unsolicited_after

    static reply json(unsigned status, std::string body) {
        reply r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
    static reply fault(behaviour how, unsigned status = 200, std::string body = "{}") {
        reply r;
        r.status = status;
        r.body = std::move(body);
        r.how = how;
        return r;
    }
    static reply delayed(std::chrono::milliseconds d, unsigned status = 200, std::string body = "{}") {
        reply r = fault(behaviour::delay, status, std::move(body));
        r.delay = d;
        return r;
    }
    /// A conformance fault (the behaviours of issue 9) with the wait it uses (reply::delay).
    static reply hostile(behaviour how, std::string body, std::chrono::milliseconds d = std::chrono::milliseconds(0)) {
        reply r = fault(how, 200, std::move(body));
        r.delay = d;
        return r;
    }
    reply& with_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

/// A request as the server saw it.
struct recorded_request {
    std::string method;
    std::string target;
    header_list headers;       ///< in the order received, names as sent
    std::string body;
    std::size_t connection = 0; ///< 0-based index of the connection (accept order) that carried it
    std::chrono::steady_clock::time_point received{};

    /// Value of the first header with this name (case-insensitive); empty if absent.
    std::string header(std::string_view name) const;
    /// How many header lines have this name (case-insensitive).
    std::size_t header_count(std::string_view name) const;
    /// The body parsed as JSON (throws on a malformed body: tests only send JSON).
    boost::json::value json() const;
};

enum class tls_mode {
    none,          ///< plain HTTP
    trusted,       ///< certificate for 127.0.0.1 and localhost, ca_pem() is its CA
    untrusted_ca,  ///< certificate for 127.0.0.1 and localhost, ca_pem() is an unrelated CA
    wrong_host,    ///< certificate only for "example.invalid", ca_pem() is its CA
    silent,        ///< accepts TCP, never answers the TLS handshake (reads and discards)
};

struct server_options {
    tls_mode tls = tls_mode::trusted;
};

class test_server {
public:
    explicit test_server(asio::io_context& ioc, server_options options = {});
    ~test_server();
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    unsigned short port() const noexcept;
    /// "https://127.0.0.1:PORT/v1" (or http:// for tls_mode::none).
    std::string base_url() const;
    /// The CA the client should trust (see tls_mode); empty for plain HTTP.
    const std::string& ca_pem() const noexcept;

    /// Replies used in order, one per request, before the responder.
    void push(reply r);
    void push(std::vector<reply> rs);
    /// Answers every request once the queue is empty (default: 200 "{}").
    void set_responder(std::function<reply(const recorded_request&)> responder);

    const std::vector<recorded_request>& requests() const noexcept;
    std::size_t request_count() const noexcept;

    std::size_t connections_accepted() const noexcept;
    std::size_t tls_handshakes() const noexcept;
    std::size_t open_connections() const noexcept;
    /// Most connections open at the same time since the start.
    std::size_t max_open_connections() const noexcept;
    /// Most requests being answered at the same time (read, not yet fully answered).
    std::size_t max_requests_in_progress() const noexcept;
    /// Server coroutines still running (the accept loop counts as one until stop()).
    std::size_t live_coroutines() const noexcept;

    /// Closes (server side, FIN) every keep-alive connection that waits for its next request.
    /// Returns how many were closed.
    std::size_t close_idle_connections();
    /// Closes the acceptor and every connection, cancels every timer. Idempotent.
    void stop();

    struct state;

private:
    std::shared_ptr<state> state_;
};

/// A 127.0.0.1 port on which nothing listens (bound, then closed again).
unsigned short unused_port(asio::io_context& ioc);

} // namespace ding::test
