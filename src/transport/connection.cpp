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
#include <boost/beast/http/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ding::detail {
namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// More interim (1xx) responses than this before the final one: the server is misbehaving.
constexpr int max_interim_responses = 16;

io_failure aborted(io_stage stage) { return io_failure{stage, asio::error::operation_aborted}; }
} // namespace

void call_control::stop(asio::cancellation_type type) noexcept {
    cancelled |= type;
    interrupt();
}

void call_control::interrupt() noexcept {
    if (io != nullptr) io->abort();
    if (waiting != nullptr) waiting->cancel();
}

// The BIO between OpenSSL and the connection's ciphertext buffers: reads take what the socket
// delivered into tls_in_ (or ask to retry), writes append to tls_out_. No copy through a BIO
// pair, no locking, nothing allocated per call.
struct tls_io {
    static connection& of(BIO* b) noexcept { return *static_cast<connection*>(BIO_get_data(b)); }

    static int write(BIO* b, const char* data, int size) noexcept {
        BIO_clear_retry_flags(b);
        try {
            of(b).tls_out_.append(data, static_cast<std::size_t>(size));
        } catch (...) {
            return -1; // out of memory: OpenSSL reports a failed write
        }
        return size;
    }

    static int read(BIO* b, char* data, int size) noexcept {
        BIO_clear_retry_flags(b);
        connection& c = of(b);
        const std::size_t available = c.tls_in_end_ - c.tls_in_begin_;
        if (available == 0) {
            BIO_set_retry_read(b); // the connection reads the socket and OpenSSL is called again
            return -1;
        }
        const std::size_t n = std::min(available, static_cast<std::size_t>(size));
        std::memcpy(data, c.tls_in_.get() + c.tls_in_begin_, n);
        c.tls_in_begin_ += n;
        return static_cast<int>(n);
    }

    static long control(BIO* b, int command, long, void*) noexcept {
        switch (command) {
        case BIO_CTRL_FLUSH: return 1;
        case BIO_CTRL_PENDING: {
            connection& c = of(b);
            return static_cast<long>(c.tls_in_end_ - c.tls_in_begin_);
        }
        case BIO_CTRL_WPENDING: return static_cast<long>(of(b).tls_out_.size());
        default: return 0;
        }
    }

    static int create(BIO* b) noexcept {
        BIO_set_init(b, 1);
        return 1;
    }

    // OpenSSL calls this at state changes and alerts, never per application data record. A
    // handshake that starts once the first one completed is a renegotiation (TLS 1.2 only:
    // OpenSSL does not report TLS 1.3's post-handshake messages, tickets and KeyUpdate, here).
    static void info(const SSL* ssl, int where, int) noexcept {
        if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
        connection& c = of(SSL_get_rbio(ssl));
        if (c.established_) c.renegotiation_requested_ = true;
    }

    /// Made once for the process; null only if OpenSSL is out of memory then.
    static BIO_METHOD* method() noexcept {
        static BIO_METHOD* const m = [] {
            BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ding-tls-io");
            if (made == nullptr) return made;
            BIO_meth_set_write(made, &write);
            BIO_meth_set_read(made, &read);
            BIO_meth_set_ctrl(made, &control);
            BIO_meth_set_create(made, &create);
            return made;
        }();
        return m;
    }
};

exchange_deadlines::exchange_deadlines(const asio::any_io_executor& ex) : shared_(std::make_shared<shared>()) {
    timer_.emplace(ex);
    shared_->owner = this;
}

exchange_deadlines::~exchange_deadlines() { shared_->owner = nullptr; }

void exchange_deadlines::arm(steady_time at) {
    timer_->expires_at(at); // a wait already pending completes as cancelled: stale by generation
    const std::uint64_t generation = ++generation_;
    timer_->async_wait([state = shared_, generation](boost::system::error_code ec) {
        if (ec || state->owner == nullptr || state->owner->generation_ != generation) return;
        state->owner->fire();
    });
    armed_ = at;
}

void exchange_deadlines::watch(connection& c, steady_time deadline) {
    if (timer_ && deadline < armed_) arm(deadline); // may throw: nothing changed yet
    c.deadline_ = deadline;
    c.deadline_passed_ = false;
    c.watched_ = true;
    c.watched_prev_ = nullptr;
    c.watched_next_ = first_;
    if (first_ != nullptr) first_->watched_prev_ = &c;
    first_ = &c;
}

bool exchange_deadlines::unwatch(connection& c) noexcept {
    if (!c.watched_) return c.deadline_passed_;
    (c.watched_prev_ != nullptr ? c.watched_prev_->watched_next_ : first_) = c.watched_next_;
    if (c.watched_next_ != nullptr) c.watched_next_->watched_prev_ = c.watched_prev_;
    c.watched_prev_ = c.watched_next_ = nullptr;
    c.watched_ = false;
    if (first_ == nullptr && armed_ != steady_time::max() && timer_) {
        ++generation_;
        armed_ = steady_time::max();
        timer_->cancel();
    }
    return c.deadline_passed_;
}

void exchange_deadlines::fire() noexcept {
    armed_ = steady_time::max();
    const auto now = std::chrono::steady_clock::now();
    steady_time next = steady_time::max();
    for (connection* c = first_; c != nullptr; c = c->watched_next_) {
        if (c->deadline_ <= now) {
            if (!c->deadline_passed_) {
                c->deadline_passed_ = true;
                c->abort(); // its exchange ends with operation_aborted, reported as a timeout
            }
        } else if (c->deadline_ < next) {
            next = c->deadline_;
        }
    }
    if (next == steady_time::max() || !timer_) return;
    try {
        arm(next);
    } catch (...) {
        // Out of memory: no exchange may go on without a deadline; they end now as timeouts.
        for (connection* c = first_; c != nullptr; c = c->watched_next_) {
            c->deadline_passed_ = true;
            c->abort();
        }
    }
}

void exchange_deadlines::abandon() noexcept {
    ++generation_;
    armed_ = steady_time::max();
    timer_.reset();
}

connection::connection(asio::any_io_executor ex, asio::ssl::context* tls_context, exchange_deadlines& deadlines)
    : socket_(ex), buffer_(16 * 1024), watchdog_(ex), watch_(std::make_shared<watchdog_state>()), deadlines_(deadlines) {
    // Allocated once, to its limit: reading a response never grows it.
    buffer_.reserve(buffer_.max_size());
    if (tls_context != nullptr) {
        tls_in_ = std::make_unique<char[]>(tls_in_capacity);
        tls_out_.reserve(2048);
        BIO_METHOD* method = tls_io::method();
        ssl_ = SSL_new(tls_context->native_handle());
        BIO* bio = (method != nullptr && ssl_ != nullptr) ? BIO_new(method) : nullptr;
        if (bio == nullptr) {
            if (ssl_ != nullptr) SSL_free(ssl_);
            ssl_ = nullptr;
            throw std::bad_alloc();
        }
        BIO_set_data(bio, this);
        SSL_set_bio(ssl_, bio, bio); // one BIO both ways: SSL_free frees it
        // A pooled connection carries many requests: OpenSSL keeps its record buffers.
        SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        // As rustls and Go's crypto/tls: a TLS 1.2 server's HelloRequest is refused (OpenSSL
        // answers it with a no_renegotiation warning); tls_io::info notices it, and the exchange
        // in progress ends with a TLS failure (the connection is then discarded).
        SSL_set_options(ssl_, SSL_OP_NO_RENEGOTIATION);
        SSL_set_info_callback(ssl_, &tls_io::info);
    }
    watch_->owner = this;
}

connection::~connection() {
    watch_->owner = nullptr;
    deadlines_.unwatch(*this); // destroyed mid-exchange (its call destroyed with its io_context)
    if (ssl_ == nullptr) return;
    // Freeing an SSL that was not shut down makes OpenSSL mark its session as not resumable, and
    // that session is the one the pool offers to the next connection. Connections end here by the
    // client's choice (idle, discarded, cancelled), not because of a TLS failure, so mark the
    // shutdown as done and keep the session resumable.
    if (SSL_is_init_finished(ssl_)) SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
}

void connection::abort() noexcept {
    boost::system::error_code ignored;
    socket_.close(ignored);
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

boost::system::error_code connection::tls_error(int reason) noexcept {
    // As Asio's SSL stream maps them, so that what callers see does not depend on the driver.
    if (const unsigned long e = ERR_get_error(); e != 0) {
        ERR_clear_error();
        return {static_cast<int>(e), asio::error::get_ssl_category()};
    }
    if (reason == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
    return asio::ssl::error::stream_truncated;
}

io_failure connection::tls_failure(io_stage stage, boost::system::error_code ec, bool started) const noexcept {
    io_failure f{stage, ec, started};
    if (ec.category() == asio::error::get_ssl_category()) {
        f.tls = true;
        f.verify_result = SSL_get_verify_result(ssl_);
    }
    return f;
}

io_failure connection::renegotiation_refused(bool started) noexcept {
    io_failure f{io_stage::read, boost::system::errc::make_error_code(boost::system::errc::protocol_error), started,
                 "the server asked to renegotiate; renegotiation is refused"};
    f.tls = true;
    return f;
}

std::string tls_failure_text(const io_failure& f) {
    std::string text = f.what != nullptr ? std::string(f.what) : f.ec.message();
    if (f.verify_result != X509_V_OK) text += " (" + std::string(X509_verify_cert_error_string(f.verify_result)) + ")";
    return text;
}

asio::mutable_buffer connection::tls_input_space() noexcept {
    if (tls_in_begin_ == tls_in_end_) {
        tls_in_begin_ = tls_in_end_ = 0;
    } else if (tls_in_end_ == tls_in_capacity) {
        std::memmove(tls_in_.get(), tls_in_.get() + tls_in_begin_, tls_in_end_ - tls_in_begin_);
        tls_in_end_ -= tls_in_begin_;
        tls_in_begin_ = 0;
    }
    return asio::buffer(tls_in_.get() + tls_in_end_, tls_in_capacity - tls_in_end_);
}

asio::awaitable<boost::system::error_code> connection::handshake() {
    SSL_set_connect_state(ssl_);
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl_);
        const int reason = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, r);
        boost::system::error_code ec;
        if (reason != SSL_ERROR_NONE && reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE)
            ec = tls_error(reason);
        if (!tls_out_.empty()) { // what OpenSSL wrote, an alert included
            auto [wec, n] = co_await asio::async_write(socket_, asio::buffer(tls_out_), use_tuple);
            tls_out_.clear();
            if (wec && !ec) ec = wec;
        }
        if (ec) co_return ec;
        if (reason == SSL_ERROR_NONE) co_return ec;
        if (reason == SSL_ERROR_WANT_READ) {
            auto [rec, n] = co_await socket_.async_read_some(tls_input_space(), use_tuple);
            if (rec == asio::error::eof) co_return asio::ssl::error::stream_truncated; // closed mid-handshake
            if (rec) co_return rec;
            tls_in_end_ += n;
        }
    }
}

asio::awaitable<std::optional<io_failure>> connection::open(const asio::ip::tcp::resolver::results_type& endpoints,
                                                            const std::string& host, bool verify,
                                                            session_ref session, steady_time deadline,
                                                            call_control& control) {
    auto& socket = socket_;
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
    // Writes are tried at once, without waiting (connection::async_exchange); Asio's own
    // operations work the same on a non-blocking socket.
    socket.non_blocking(true, ignored);
    if (!ssl_) co_return std::nullopt;

    SSL* ssl = ssl_;
    boost::system::error_code addr_ec;
    asio::ip::make_address(host, addr_ec);
    const bool is_ip = !addr_ec;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) // SNI is for names only (RFC 6066)
        co_return io_failure{io_stage::handshake, {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()}};
    if (verify) {
        // OpenSSL checks the name (or IP) against the certificate during the handshake.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        // Names are matched against the subjectAltName only, never the subject's common name
        // (as browsers, rustls and Go's crypto/tls do). IP addresses are never matched with the
        // common name by OpenSSL.
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
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
    const auto handshake_start = std::chrono::steady_clock::now();
    {
        step_guard<connection> in_io(control.io, this);
        hec = co_await handshake();
        fired = disarm_watchdog();
    }
    handshake_took_ = std::chrono::steady_clock::now() - handshake_start;
    if (control.stopped()) co_return aborted(io_stage::handshake);
    if (fired) co_return io_failure{io_stage::handshake, beast::error::timeout};
    if (hec) co_return io_failure{io_stage::handshake, hec};
    established_ = true;
    co_return std::nullopt;
}

// The steps of one exchange, each an I/O completion: the rest of the request's write (when the
// socket did not take it at once), then reads until the final response is parsed. Moved from one
// I/O operation to the next; holds the exchange's owner, never a handler, so that an operation
// that fails to start (std::bad_alloc after the step was moved into it) loses nothing the
// exchange needs to complete.
struct connection::exchange_op {
    connection* conn;
    exchange_args* args;
    std::shared_ptr<void> owner;
    bool reading = false;
    bool flushing = false; ///< writing what OpenSSL produced while reading
    int interim = 0;

    void operator()(boost::system::error_code ec, std::size_t n = 0) {
        std::shared_ptr<void> keep = owner; // a step below may move *this
        std::optional<io_failure> failure;
        io_stage stage = reading ? io_stage::read : io_stage::write;
        try {
            if (!reading) {
                conn->tls_out_.clear(); // sent, or the connection is not used again
                if (ec) {
                    failure = io_failure{io_stage::write, ec};
                } else {
                    reading = true;
                    stage = io_stage::read;
                    if (!read_on(failure)) return;
                }
            } else if (flushing) {
                flushing = false;
                conn->tls_out_.clear();
                if (ec) failure = io_failure{io_stage::read, ec, started()};
                else if (!read_on(failure)) return;
            } else if (!received(ec, n, failure)) {
                return;
            }
        } catch (...) {
            // Out of memory starting the next read: nothing is pending, the exchange ends here.
            failure = io_failure{stage, boost::system::errc::make_error_code(boost::system::errc::not_enough_memory)};
        }
        failure = conn->end_exchange(*args, std::move(failure), stage);
        args->done(*args, std::move(failure), std::move(keep));
    }

    // Bytes arrived (ciphertext for TLS, plaintext otherwise), or the read failed. Like read_on.
    bool received(boost::system::error_code ec, std::size_t n, std::optional<io_failure>& end) {
        connection& c = *conn;
        if (ec == asio::error::eof) {
            // TLS: a close without close_notify truncates the stream (as Asio's stream says).
            if (c.ssl_ != nullptr && (SSL_get_shutdown(c.ssl_) & SSL_RECEIVED_SHUTDOWN) == 0) {
                end = io_failure{io_stage::read, asio::ssl::error::stream_truncated, started()};
                return true;
            }
            end = end_of_stream();
            return true;
        }
        if (ec) {
            end = io_failure{io_stage::read, ec, started()};
            return true;
        }
        if (c.ssl_ != nullptr)
            c.tls_in_end_ += n;
        else
            c.buffer_.commit(n);
        return read_on(end);
    }

    bool started() const noexcept { return interim > 0 || conn->response_->got_some(); }

    // Parses what is buffered, decrypts what arrived, and starts a read when more is needed.
    // True when the exchange ended (`end`: nullopt for the final response, or the failure);
    // false when a read was started (*this moved into it).
    bool read_on(std::optional<io_failure>& end) {
        connection& c = *conn;
        for (;;) {
            if (c.buffer_.size() != 0) {
                boost::system::error_code pec;
                const std::size_t used = c.response_->put(c.buffer_.data(), pec);
               
                c.buffer_.consume(used);
                if (pec == http::error::need_more) pec = {};
                if (pec) {
                    end = io_failure{io_stage::read, pec, true};
                    return true;
                }
                if (c.response_->is_done()) {
                    if (auto after = c.after_response(*args, interim)) {
                        end = std::move(*after);
                        return true;
                    }
                    ++interim; // an interim response: the next one follows in the same buffer
                    c.next_response(*args, true);
                    continue;
                }
                if (used != 0) continue;
            }
            if (c.buffer_.size() == c.buffer_.max_size()) {
                end = io_failure{io_stage::read, http::error::buffer_overflow, true};
                return true;
            }
            const asio::mutable_buffer room = c.buffer_.prepare(c.buffer_.max_size() - c.buffer_.size());
            if (c.ssl_ == nullptr) {
                c.socket_.async_read_some(room, std::move(*this));
                return false;
            }
            // Other code on this thread may have left errors in OpenSSL's queue since the
            // exchange started: SSL_get_error would take them for this connection's.
            if (ERR_peek_error() != 0) ERR_clear_error();
            const int r = SSL_read(c.ssl_, room.data(), static_cast<int>(room.size()));
            if (r > 0) {
                c.buffer_.commit(static_cast<std::size_t>(r));
                continue;
            }
            const int reason = SSL_get_error(c.ssl_, r);
            if (reason == SSL_ERROR_WANT_READ) {
                if (!c.tls_out_.empty()) {
                    // A HelloRequest is answered with a no_renegotiation warning: the exchange
                    // ends here. Checked only when OpenSSL wrote, not per record.
                    if (c.renegotiation_requested_) {
                        end = renegotiation_refused(started());
                        return true;
                    }
                    // OpenSSL wrote while reading (a KeyUpdate's answer, an alert): the peer may
                    // wait for it. Sent first; the write's completion reads on.
                    flushing = true;
                    asio::async_write(c.socket_, asio::buffer(c.tls_out_), std::move(*this));
                    return false;
                }
                c.socket_.async_read_some(c.tls_input_space(), std::move(*this));
                return false;
            }
            const boost::system::error_code tec = c.tls_error(reason);
            end = tec == asio::error::eof ? end_of_stream() // close_notify
                                          : std::optional<io_failure>(c.tls_failure(io_stage::read, tec, started()));
            return true;
        }
    }

    // The stream ended: as Beast's read, a message read until close completes; anything else
    // was cut short.
    std::optional<io_failure> end_of_stream() {
        response_reader& reader = *conn->response_;
        if (!reader.got_some()) return io_failure{io_stage::read, http::error::end_of_stream, interim > 0};
        boost::system::error_code pec;
        reader.put_eof(pec);
        if (pec) return io_failure{io_stage::read, pec, true};
        if (auto end = conn->after_response(*args, interim)) return *end;
        // An interim response cannot be followed by anything now.
        return io_failure{io_stage::read, http::error::end_of_stream, true};
    }
};

std::optional<io_failure> connection::async_exchange(exchange_args& args, std::shared_ptr<void> owner) {
    if (auto refused = begin_exchange(args)) return refused;
    next_response(args, false); // the reader of the first response
    const char* data = request_.data();
    std::size_t size = request_.size();
    if (ssl_ != nullptr) {
        // Appended to what OpenSSL may have left to send since the last exchange (a KeyUpdate
        // answered while reading): all of it goes, in order.
        // SSL_get_error reads the thread's error queue: it must start empty. Looked at first,
        // cleared only when something is there (clearing costs ~870 instructions).
        if (ERR_peek_error() != 0) ERR_clear_error();
        const int r = SSL_write(ssl_, request_.data(), static_cast<int>(request_.size()));
        if (r <= 0)
            return end_exchange(args, tls_failure(io_stage::write, tls_error(SSL_get_error(ssl_, r)), false), io_stage::write);
        data = tls_out_.data();
        size = tls_out_.size();
    }
    // Tried at once: a request fits the socket's buffer, so the write usually needs no wait.
    boost::system::error_code ec;
    std::size_t sent = socket_.write_some(asio::buffer(data, size), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        sent = 0;
    }
    if (ec) return end_exchange(args, io_failure{io_stage::write, ec}, io_stage::write);
    if (ssl_ != nullptr && sent == size) tls_out_.clear();
    exchange_op op{this, &args, std::move(owner)};
    try {
        if (sent < size) {
            asio::async_write(socket_, asio::buffer(data + sent, size - sent), std::move(op));
            return std::nullopt;
        }
        op.reading = true;
        std::optional<io_failure> end;
        // Nothing is buffered yet (clean_for_reuse): this starts a read. Should it end the
        // exchange instead, the end is returned here and args.done is not called.
        if (op.read_on(end)) return end_exchange(args, end ? std::move(end) : std::optional<io_failure>(aborted(io_stage::read)), io_stage::read);
    } catch (...) {
        end_exchange(args, std::nullopt, io_stage::write);
        throw;
    }
    return std::nullopt;
}

std::optional<io_failure> connection::begin_exchange(exchange_args& args) {
    if (args.control->stopped()) return aborted(io_stage::write);
    if (std::chrono::steady_clock::now() >= args.deadline) return io_failure{io_stage::write, beast::error::timeout};
    deadlines_.watch(*this, args.deadline);
    args.control->io = this; // cleared by end_exchange
    idle_record_bytes_ = 0;  // the bound of records between responses starts again
    return std::nullopt;
}

void connection::next_response(const exchange_args& args, bool after_interim) {
    // An interim response's body is empty; its capacity is kept for the next one. Its header
    // bytes count toward the final response's header bound (one budget per exchange).
    const std::size_t header_bytes_before = after_interim && response_ ? response_->header_bytes() : 0;
    if (response_) spare_body_ = std::move(response_->body());
    response_.emplace(args.max_body, header_bytes_before);
    response_->reuse_body(std::move(spare_body_));
}

std::optional<std::optional<io_failure>> connection::after_response(const exchange_args& args, int interim) {
    // A HelloRequest that came with the response's records (OpenSSL answered it, and read on).
    if (renegotiation_requested_) return renegotiation_refused(true);
    const unsigned status = response_->status();
    if (status >= 200) return std::optional<io_failure>();
    const auto protocol_error = boost::system::errc::make_error_code(boost::system::errc::protocol_error);
    // RFC 9110 §15.2: interim responses precede the final one and are skipped. A 101 switches
    // protocols, which this client never asks for.
    if (status == 101)
        return io_failure{io_stage::read, protocol_error, true,
                          "the server switched protocols (101) without an upgrade request"};
    if (interim + 1 >= max_interim_responses)
        return io_failure{io_stage::read, protocol_error, true, "too many interim (1xx) responses"};
    if (args.control->stopped() || deadline_passed_) return aborted(io_stage::read);
    return std::nullopt;
}

std::optional<io_failure> connection::end_exchange(exchange_args& args, std::optional<io_failure> failure,
                                                   io_stage stage) noexcept {
    args.control->io = nullptr;
    const bool fired = deadlines_.unwatch(*this);
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
    if (!socket_.is_open()) return false;
    if (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) return false; // bytes OpenSSL decrypted and holds
    // Ciphertext received and not yet processed: session tickets that came with the handshake's
    // last flight (Go and BoringSSL servers send them with their Finished), the rest of a ticket
    // record cut when warm-up stopped waiting, or records of a stray response. Examined with what
    // the socket holds: records without application data are processed, anything else refuses.
    if (ssl_ != nullptr && tls_in_begin_ != tls_in_end_) return drain_tls_records() == tls_leftover::none;
    char byte;
    const auto n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0 || ssl_ == nullptr) return false; // closed by the peer, or unsolicited bytes (a stray response)
    // A record that has not fully arrived would complete under the next request's read: it could be
    // the start of a stray response, taken for that request's answer.
    return drain_tls_records() == tls_leftover::none;
}

bool connection::process_arrived_records() noexcept {
    if (ssl_ == nullptr) return clean_for_reuse();
    if (buffer_.size() != 0 || !socket_.is_open() || SSL_has_pending(ssl_) == 1) return false;
    return drain_tls_records() != tls_leftover::unusable;
}

asio::awaitable<bool> connection::take_session_tickets(steady_time deadline, call_control& control) {
    if (ssl_ == nullptr || SSL_version(ssl_) != TLS1_3_VERSION) co_return true; // TLS 1.2 sends them in the handshake
    if (tls_in_begin_ != tls_in_end_) {
        // They came with the handshake's last flight (Go and BoringSSL servers send them with their
        // Finished): nothing to wait for unless a record is cut.
        switch (drain_tls_records()) {
        case tls_leftover::none: co_return true;
        case tls_leftover::incomplete_record: break;
        case tls_leftover::unusable: co_return false;
        }
    }
    const auto wait = std::max<std::chrono::steady_clock::duration>(2 * handshake_took_, std::chrono::milliseconds(1));
    const steady_time until = std::min(deadline, std::chrono::steady_clock::now() + wait);
    // Ends by `until`: each round ends when the socket turns readable (bytes arrived, or the peer
    // closed), at `until`, or on a stop.
    for (;;) {
        if (control.stopped() || std::chrono::steady_clock::now() >= until) co_return true;
        // Waits for the socket to turn readable or for `until`, whichever comes first: the socket's
        // wait cancels the timer. Each round has its own timer, so that a wait of an earlier round
        // completing late cannot cut this one short.
        auto timer = std::make_shared<asio::steady_timer>(socket_.get_executor(), until);
        socket_.async_wait(asio::socket_base::wait_read, [timer](boost::system::error_code) { timer->cancel(); });
        {
            step_guard<asio::steady_timer> waiting(control.waiting, timer.get());
            co_await timer->async_wait(use_tuple);
        }
        boost::system::error_code ignored;
        socket_.cancel(ignored); // the socket's wait, if the timer ended the round
        char byte;
        const auto n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n <= 0) co_return false;
        switch (drain_tls_records()) {
        case tls_leftover::none: co_return true;
        case tls_leftover::incomplete_record: continue; // the rest is on its way
        case tls_leftover::unusable: co_return false;
        }
    }
}

// TLS 1.3 servers send session tickets after the handshake (and may send other records that carry
// no application data) outside any response. A connection given back before they arrived has them
// pending (take_session_tickets waits for them): they are processed here, without blocking, which
// also hands the session to the pool for resumption. Application data, an alert or a close means the
// stream is out of step: the connection is not reused.
connection::tls_leftover connection::drain_tls_records() noexcept {
    // In rounds: read what the socket holds (as much as the buffer takes), hand the whole records
    // to OpenSSL, and read on while the buffer was full. Bounded by max_idle_record_bytes (each
    // round but the last processes at least one record) and, in case, by a number of rounds.
    for (int round = 0; round < 64; ++round) {
        bool full = false;
        for (;;) {
            const asio::mutable_buffer room = tls_input_space();
            if (room.size() == 0) {
                full = true;
                break;
            }
            const auto n = ::recv(socket_.native_handle(), room.data(), room.size(), MSG_DONTWAIT);
            if (n > 0) {
                tls_in_end_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return tls_leftover::unusable;
            break;
        }
        // Whole records only: OpenSSL takes a lone record header (5 bytes) and then holds nothing
        // SSL_has_pending() reports, so a record cut after its header would look clean.
        std::size_t whole = tls_in_begin_;
        bool cut = false;
        while (whole < tls_in_end_) {
            if (tls_in_end_ - whole < 5) {
                cut = true;
                break;
            }
            const auto* h = reinterpret_cast<const unsigned char*>(tls_in_.get() + whole);
            const std::size_t record = 5 + ((std::size_t{h[3]} << 8) | h[4]);
            if (record > tls_in_capacity) return tls_leftover::unusable; // larger than any valid record
            if (tls_in_end_ - whole < record) {
                cut = true;
                break;
            }
            whole += record;
        }
        if (whole != tls_in_begin_) {
            idle_record_bytes_ += whole - tls_in_begin_;
            if (idle_record_bytes_ > max_idle_record_bytes) return tls_leftover::unusable;
            const std::size_t received = tls_in_end_;
            tls_in_end_ = whole; // OpenSSL sees the whole records, not the cut one after them
            ERR_clear_error();
            char byte;
            const int r = SSL_read(ssl_, &byte, 1);
            const bool want_read = r <= 0 && SSL_get_error(ssl_, r) == SSL_ERROR_WANT_READ;
            const bool all_taken = tls_in_begin_ == whole;
            tls_in_end_ = received;
            if (!want_read) {
                ERR_clear_error();
                return tls_leftover::unusable; // application data, an alert, a close, an error
            }
            // Only whole records were handed over, so OpenSSL took them all and holds nothing.
            if (!all_taken || SSL_has_pending(ssl_) == 1 || renegotiation_requested_) return tls_leftover::unusable;
        }
        if (!full) return cut ? tls_leftover::incomplete_record : tls_leftover::none;
    }
    return tls_leftover::unusable;
}

void connection::acknowledge_now() noexcept {
    // Linux delays the ACK of a response for up to 40-200 ms, expecting to piggyback it on the next
    // request. A server with Nagle's algorithm holds any further bytes until that ACK: bytes sent
    // on an idle connection (a stray response, a 408) would only leave the server when our next
    // request goes out, after the reuse probe looked. Acknowledging now lets them arrive first.
#ifdef TCP_QUICKACK
    const int on = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
}

bool connection::session_resumed() noexcept { return ssl_ != nullptr && SSL_session_reused(ssl_) == 1; }

} // namespace ding::detail
