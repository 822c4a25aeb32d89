#include "transport/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

namespace ding::detail {
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
} // namespace

connection::connection(asio::any_io_executor ex, asio::ssl::context* tls_context)
    : buffer_(16 * 1024), watchdog_(ex), watch_(std::make_shared<watchdog_state>()) {
    if (tls_context != nullptr)
        tls_.emplace(ex, *tls_context);
    else
        plain_.emplace(ex);
    watch_->stream = &tcp();
}

connection::~connection() {
    watch_->stream = nullptr;
    // Freeing an SSL that was not shut down makes OpenSSL mark its session as not resumable, and
    // that session is the one the pool offers to the next connection. Connections end here by the
    // client's choice (idle, discarded, cancelled), not because of a TLS failure, so mark the
    // shutdown as done and keep the session resumable.
    if (tls_ && SSL_is_init_finished(tls_->native_handle()))
        SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

asio::awaitable<std::optional<io_failure>> connection::open(const asio::ip::tcp::resolver::results_type& endpoints,
                                                            const std::string& host, bool verify,
                                                            SSL_SESSION* session, steady_time deadline) {
    tcp().expires_at(deadline);
    auto [cec, endpoint] = co_await tcp().async_connect(endpoints, use_tuple);
    if (cec) co_return io_failure{io_stage::connect, cec};
    tcp().socket().set_option(asio::ip::tcp::no_delay(true));
    if (!tls_) co_return std::nullopt;

    SSL* ssl = tls_->native_handle();
    boost::system::error_code addr_ec;
    asio::ip::make_address(host, addr_ec);
    const bool is_ip = !addr_ec;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) // SNI is for names only (RFC 6066)
        co_return io_failure{io_stage::handshake, {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()}};
    if (verify) {
        // OpenSSL checks the name (or IP) against the certificate during the handshake.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
        if (ok != 1)
            co_return io_failure{io_stage::handshake, {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()}};
    }
    if (session != nullptr) {
        // TLS 1.3 handshakes modify the session they resume, so concurrent connections must not
        // share one object (OpenSSL: use an SSL_SESSION for one connection only). Each connection
        // resumes from its own copy; SSL_set_session takes its own reference.
        if (SSL_SESSION* copy = SSL_SESSION_dup(session)) {
            SSL_set_session(ssl, copy);
            SSL_SESSION_free(copy);
        }
    }
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) co_return io_failure{io_stage::handshake, hec};
    co_return std::nullopt;
}

asio::awaitable<std::optional<io_failure>> connection::exchange(http::basic_parser<false>& parser,
                                                                steady_time deadline) {
    tcp().expires_never();
    ++requests;
    const std::uint64_t generation = ++watch_->generation;
    watch_->fired = false;
    watchdog_.expires_at(deadline);
    watchdog_.async_wait([state = watch_, generation](boost::system::error_code ec) {
        if (ec || state->generation != generation || state->stream == nullptr) return;
        state->fired = true;
        boost::system::error_code ignored;
        state->stream->socket().cancel(ignored); // the pending write or read ends with operation_aborted
    });
    auto finish = [&](std::optional<io_failure> failure) {
        ++watch_->generation; // disarmed: a completion already queued is now stale
        watchdog_.cancel();
        if (failure && watch_->fired) failure->ec = beast::error::timeout;
        return failure;
    };
    // Both branches inline (rather than one generic lambda coroutine): one coroutine frame per call.
    auto [wec, written] = tls_ ? co_await asio::async_write(*tls_, asio::buffer(request_), use_tuple)
                               : co_await asio::async_write(*plain_, asio::buffer(request_), use_tuple);
    if (wec) co_return finish(io_failure{io_stage::write, wec});
    auto [rec, read] = tls_ ? co_await http::async_read(*tls_, buffer_, parser, use_tuple)
                            : co_await http::async_read(*plain_, buffer_, parser, use_tuple);
    if (rec) co_return finish(io_failure{io_stage::read, rec, parser.got_some()});
    co_return finish(std::nullopt);
}

bool connection::peer_closed_or_dirty(steady_time now, std::chrono::milliseconds recent) noexcept {
    if (buffer_.size() != 0) return true; // bytes beyond the last response: the stream is out of sync
    auto& socket = tcp().socket();
    if (!socket.is_open()) return true;
    if (now - idle_since < recent) return false;
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;  // orderly close by the peer
    if (n > 0) return true;   // e.g. a TLS close_notify or alert
    return !(errno == EAGAIN || errno == EWOULDBLOCK);
}

bool connection::session_resumed() noexcept {
    return tls_ && SSL_session_reused(tls_->native_handle()) == 1;
}

} // namespace ding::detail
