#include "transport/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <tuple>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

namespace ding::detail {
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// More interim (1xx) responses than this before the final one: the server is misbehaving.
constexpr int max_interim_responses = 16;

io_failure aborted(io_stage stage) { return io_failure{stage, asio::error::operation_aborted}; }
} // namespace

void call_control::stop(asio::cancellation_type type) noexcept {
    cancelled |= type;
    if (io != nullptr) io->abort();
    if (waiting != nullptr) waiting->cancel();
}

connection::connection(asio::any_io_executor ex, asio::ssl::context* tls_context)
    : buffer_(16 * 1024), watchdog_(ex), watch_(std::make_shared<watchdog_state>()) {
    // Allocated once, to its limit: Beast's read operation then never grows it, so it cannot
    // throw std::bad_alloc from inside a composed operation (and out of io_context::run).
    buffer_.reserve(buffer_.max_size());
    if (tls_context != nullptr) {
        tls_.emplace(ex, *tls_context);
        // Asio's engine asks OpenSSL to free its record buffers whenever they are empty: then every
        // SSL_read and SSL_write allocates and frees ~17 kB again (measured: 4.4 allocations and
        // ~2.4k instructions per call). A pooled connection exists to carry many requests: its
        // buffers are kept.
        SSL_clear_mode(tls_->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    } else
        plain_.emplace(ex);
    watch_->owner = this;
}

connection::~connection() {
    watch_->owner = nullptr;
    // Freeing an SSL that was not shut down makes OpenSSL mark its session as not resumable, and
    // that session is the one the pool offers to the next connection. Connections end here by the
    // client's choice (idle, discarded, cancelled), not because of a TLS failure, so mark the
    // shutdown as done and keep the session resumable.
    if (tls_ && SSL_is_init_finished(tls_->native_handle()))
        SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

void connection::abort() noexcept {
    boost::system::error_code ignored;
    tcp().socket().close(ignored);
}

void connection::arm_watchdog(steady_time deadline) {
    const std::uint64_t generation = ++watch_->generation;
    watch_->fired = false;
    watchdog_.expires_at(deadline);
    watchdog_.async_wait([state = watch_, generation](boost::system::error_code ec) {
        if (ec || state->generation != generation || state->owner == nullptr) return;
        state->fired = true;
        state->owner->abort();
    });
}

bool connection::disarm_watchdog() noexcept {
    ++watch_->generation; // a completion already queued is now stale
    watchdog_.cancel();
    return watch_->fired;
}

asio::awaitable<std::optional<io_failure>> connection::open(const asio::ip::tcp::resolver::results_type& endpoints,
                                                            const std::string& host, bool verify,
                                                            session_ref session, steady_time deadline,
                                                            call_control& control) {
    auto& socket = tcp().socket();
    std::optional<io_failure> last;
    std::size_t left = endpoints.size();
    for (const auto& entry : endpoints) {
        if (control.stopped()) co_return aborted(io_stage::connect);
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) co_return io_failure{io_stage::connect, beast::error::timeout};
        const steady_time until = now + (deadline - now) / static_cast<long>(left--);
        boost::system::error_code ec;
        socket.close(ec);
        socket.open(entry.endpoint().protocol(), ec);
        if (ec) {
            last = io_failure{io_stage::connect, ec};
            continue;
        }
        arm_watchdog(until);
        bool fired = false;
        boost::system::error_code cec;
        {
            step_guard<connection> in_io(control.io, this);
            std::tie(cec) = co_await socket.async_connect(entry.endpoint(), use_tuple);
            fired = disarm_watchdog();
        }
        if (!cec) {
            last.reset();
            break;
        }
        last = io_failure{io_stage::connect, fired ? boost::system::error_code(beast::error::timeout) : cec};
    }
    if (last) co_return last;
    if (control.stopped()) co_return aborted(io_stage::connect);
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
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
        if (SSL_SESSION* copy = SSL_SESSION_dup(session.get())) {
            SSL_set_session(ssl, copy);
            SSL_SESSION_free(copy);
        }
    }
    if (std::chrono::steady_clock::now() >= deadline) co_return io_failure{io_stage::handshake, beast::error::timeout};
    arm_watchdog(deadline);
    boost::system::error_code hec;
    bool fired = false;
    {
        step_guard<connection> in_io(control.io, this);
        std::tie(hec) = co_await tls_->async_handshake(asio::ssl::stream_base::client, use_tuple);
        fired = disarm_watchdog();
    }
    if (control.stopped()) co_return aborted(io_stage::handshake);
    if (fired) co_return io_failure{io_stage::handshake, beast::error::timeout};
    if (hec) co_return io_failure{io_stage::handshake, hec};
    co_return std::nullopt;
}

// The steps of one exchange: the write's completion, then each response's. Moved from one I/O
// operation to the next; holds the exchange's owner, never a handler, so that an operation that
// fails to start (std::bad_alloc after the step was moved into it) loses nothing the exchange
// needs to complete.
struct connection::exchange_op {
    connection* conn;
    exchange_args* args;
    std::shared_ptr<void> owner;
    bool reading = false;
    int interim = 0;

    void operator()(boost::system::error_code ec, std::size_t = 0) {
        io_stage stage = reading ? io_stage::read : io_stage::write;
        std::optional<io_failure> failure;
        std::shared_ptr<void> keep = owner; // the step below moves *this
        try {
            if (!reading) {
                if (ec) {
                    failure = io_failure{io_stage::write, ec};
                } else if (args->control->stopped() || conn->watch_->fired) {
                    // A stop or a deadline between the write and the read: the watchdog may have
                    // fired while no I/O was pending, which closed the socket.
                    stage = io_stage::read;
                    failure = io_failure{io_stage::read, asio::error::operation_aborted};
                } else {
                    reading = true;
                    return read_next();
                }
            } else if (ec) {
                failure = io_failure{io_stage::read, ec, interim > 0 || args->reader->got_some()};
            } else if (auto end = conn->after_response(*args, interim)) {
                failure = std::move(*end);
            } else {
                ++interim;
                return read_next();
            }
        } catch (...) {
            // Out of memory starting the next read: nothing is pending, the exchange ends here.
            failure = io_failure{stage, boost::system::errc::make_error_code(boost::system::errc::not_enough_memory)};
        }
        failure = conn->end_exchange(*args, std::move(failure), stage);
        args->done(*args, std::move(failure), std::move(keep));
    }

    void read_next() {
        conn->next_response(*args);
        connection& c = *conn;
        if (c.tls_)
            http::async_read(*c.tls_, c.buffer_, *args->reader, std::move(*this));
        else
            http::async_read(*c.plain_, c.buffer_, *args->reader, std::move(*this));
    }
};

std::optional<io_failure> connection::async_exchange(exchange_args& args, std::shared_ptr<void> owner) {
    if (auto refused = begin_exchange(args)) return refused;
    exchange_op op{this, &args, std::move(owner)};
    try {
        if (tls_)
            asio::async_write(*tls_, asio::buffer(request_), std::move(op));
        else
            asio::async_write(*plain_, asio::buffer(request_), std::move(op));
    } catch (...) {
        end_exchange(args, std::nullopt, io_stage::write);
        throw;
    }
    return std::nullopt;
}

std::optional<io_failure> connection::begin_exchange(exchange_args& args) {
    if (args.control->stopped()) return aborted(io_stage::write);
    if (std::chrono::steady_clock::now() >= args.deadline) return io_failure{io_stage::write, beast::error::timeout};
    tcp().expires_never();
    arm_watchdog(args.deadline);
    args.control->io = this; // cleared by end_exchange
    return std::nullopt;
}

void connection::next_response(exchange_args& args) {
    // An interim response's body is empty; its capacity is kept for the next one.
    if (args.reader) args.spare_body = std::move(args.reader->body());
    args.reader.emplace(args.max_body);
    args.reader->reuse_body(std::move(args.spare_body));
}

std::optional<std::optional<io_failure>> connection::after_response(exchange_args& args, int interim) {
    const unsigned status = args.reader->status();
    if (status >= 200) return std::optional<io_failure>();
    const auto protocol_error = boost::system::errc::make_error_code(boost::system::errc::protocol_error);
    // RFC 9110 §15.2: interim responses precede the final one and are skipped. A 101 switches
    // protocols, which this client never asks for.
    if (status == 101)
        return io_failure{io_stage::read, protocol_error, true,
                          "the server switched protocols (101) without an upgrade request"};
    if (interim + 1 >= max_interim_responses)
        return io_failure{io_stage::read, protocol_error, true, "too many interim (1xx) responses"};
    if (args.control->stopped() || watch_->fired) return aborted(io_stage::read);
    return std::nullopt;
}

std::optional<io_failure> connection::end_exchange(exchange_args& args, std::optional<io_failure> failure,
                                                   io_stage stage) noexcept {
    args.control->io = nullptr;
    const bool fired = disarm_watchdog();
    // A stop or a deadline that came while the I/O was pending (even after it completed) turns
    // into the failure.
    if (args.control->stopped()) {
        io_failure f = aborted(stage);
        if (failure) f.response_started = failure->response_started;
        return f;
    }
    if (failure && fired) failure->ec = beast::error::timeout;
    return failure;
}

bool connection::clean_for_reuse() noexcept {
    if (buffer_.size() != 0) return false; // bytes beyond the last response: the stream is out of sync
    auto& socket = tcp().socket();
    if (!socket.is_open()) return false;
    if (tls_) {
        // Bytes that came with the last response's TLS records but were not asked for: decrypted
        // or not yet processed by OpenSSL, or still in the BIO between Asio and OpenSSL.
        SSL* ssl = tls_->native_handle();
        if (SSL_has_pending(ssl) == 1) return false;
        if (BIO* rbio = SSL_get_rbio(ssl); rbio != nullptr && BIO_ctrl_pending(rbio) != 0) return false;
    }
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0 || !tls_) return false; // closed by the peer, or unsolicited bytes (a stray response)
    return drain_tls_records();
}

// TLS 1.3 servers send session tickets after the handshake (and may send other records that carry
// no application data) outside any response. A connection that went idle right after its handshake
// (client::warm_up_async) has them pending: they are processed here, without blocking, which also
// hands the session to the pool for resumption. Application data, an alert or a close means the
// stream is out of step: the connection is not reused.
bool connection::drain_tls_records() noexcept {
    auto& socket = tcp().socket();
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    if (ec) return false;
    std::size_t n = 0;
    try {
        char byte;
        n = tls_->read_some(asio::buffer(&byte, 1), ec);
    } catch (...) {
        ec = asio::error::no_memory;
    }
    boost::system::error_code ignored;
    socket.non_blocking(false, ignored);
    if (n != 0 || ec != asio::error::would_block) return false;
    // Part of a record may have arrived (half of a stray response): it would complete under the
    // next request's read and be taken for its answer. Only a stream with nothing left over is clean.
    SSL* ssl = tls_->native_handle();
    if (SSL_has_pending(ssl) == 1) return false;
    BIO* rbio = SSL_get_rbio(ssl);
    return rbio == nullptr || BIO_ctrl_pending(rbio) == 0;
}

void connection::acknowledge_now() noexcept {
    // Linux delays the ACK of a response for up to 40-200 ms, expecting to piggyback it on the next
    // request. A server with Nagle's algorithm holds any further bytes until that ACK: bytes sent
    // on an idle connection (a stray response, a 408) would only leave the server when our next
    // request goes out, after the reuse probe looked. Acknowledging now lets them arrive first.
#ifdef TCP_QUICKACK
    const int on = 1;
    ::setsockopt(tcp().socket().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
}

bool connection::session_resumed() noexcept {
    return tls_ && SSL_session_reused(tls_->native_handle()) == 1;
}

} // namespace ding::detail
