#pragma once
// One keep-alive HTTP/1.1 connection, over TLS or plain TCP. Owned by exactly one caller at a time
// (the pool or a request in flight), so it never carries two requests at once.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ding::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using steady_time = std::chrono::steady_clock::time_point;

/// Where an exchange failed, which decides whether it may be retried.
enum class io_stage { resolve, connect, handshake, write, read };

struct io_failure {
    io_stage stage = io_stage::connect;
    boost::system::error_code ec;
    bool response_started = false; ///< at least one response byte arrived
};

class connection {
public:
    /// `tls_context` null means plain TCP.
    connection(asio::any_io_executor ex, asio::ssl::context* tls_context);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Connects to one of `endpoints` and, for TLS, handshakes with host-name verification and SNI.
    /// A copy of `session` (may be null) is offered for resumption. Uses the stream's expiry as deadline.
    asio::awaitable<std::optional<io_failure>> open(const asio::ip::tcp::resolver::results_type& endpoints,
                                                    const std::string& host, bool verify, SSL_SESSION* session,
                                                    steady_time deadline);

    /// The serialized request to send next. Kept per connection so that its capacity is reused:
    /// building a request allocates nothing once the connection is warm.
    std::string& request_buffer() noexcept { return request_; }

    /// Writes request_buffer() and reads the response into `parser`, all before `deadline`.
    asio::awaitable<std::optional<io_failure>> exchange(http::basic_parser<false>& parser, steady_time deadline);

    /// True if the peer has closed the connection or sent unsolicited bytes while it was idle.
    /// A connection idle for less than `recent` is trusted without the non-blocking peek (one
    /// syscall saved per call): if it was closed after all, the request fails before any response
    /// byte and the http_client sends it once more on a new connection.
    bool peer_closed_or_dirty(steady_time now, std::chrono::milliseconds recent) noexcept;

    bool tls() const noexcept { return tls_.has_value(); }
    bool session_resumed() noexcept;
    SSL* native_ssl() noexcept { return tls_ ? tls_->native_handle() : nullptr; }

    steady_time idle_since{};
    std::size_t requests = 0;

private:
    beast::tcp_stream& tcp() noexcept { return tls_ ? tls_->next_layer() : *plain_; }

    /// Shared with the watchdog's pending wait, so that a wait completing after its exchange (or
    /// after the connection) is gone can tell it is stale and do nothing.
    struct watchdog_state {
        std::uint64_t generation = 0; ///< bumped when an exchange starts and when it ends
        bool fired = false;
        beast::tcp_stream* stream = nullptr; ///< null once the connection is destroyed
    };

    std::optional<beast::tcp_stream> plain_;
    std::optional<asio::ssl::stream<beast::tcp_stream>> tls_;
    beast::flat_buffer buffer_;
    std::string request_;
    // One timer per exchange instead of beast::tcp_stream's per-operation expiry, which arms and
    // cancels a timer for every underlying read and write (measured: 3.4k instructions and two
    // allocations per call).
    asio::steady_timer watchdog_;
    std::shared_ptr<watchdog_state> watch_;
};

} // namespace ding::detail
