#pragma once
// One keep-alive HTTP/1.1 connection, over TLS or plain TCP. Owned by exactly one caller at a time
// (the pool or a request in flight), so it never carries two requests at once.

#include "transport/response_reader.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <atomic>
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

class connection;

/// Set by ~client and client::cancel() (from any thread); read by every call of that client.
struct call_stop_flags {
    std::atomic<bool> closed{false};            ///< the client was destroyed
    std::atomic<std::uint64_t> generation{0};   ///< bumped by client::cancel()
};

/// How a call in flight is stopped. Lives in the call's state; written only on the client's
/// executor (or strand), except `requested`, which a caller's cancellation sets from any thread.
/// Every step of a call (resolve, connect, handshake, write, read, backoff, waiting for a
/// connection) checks stopped() before it starts, so a cancellation that arrives between two steps
/// ends the call before anything else is sent; a step in progress is ended by closing the
/// connection doing it (`io`) or by the cancellation signal of the wait.
struct call_control {
    asio::cancellation_type cancelled = asio::cancellation_type::none;
    std::atomic<bool> requested{false};
    const call_stop_flags* flags = nullptr;
    std::uint64_t generation = 0; ///< flags->generation when the call was launched
    /// The connection currently doing I/O for this call, if any.
    connection* io = nullptr;
    /// The timer the call is waiting on (a connection, a resolve, a backoff), if any.
    asio::steady_timer* waiting = nullptr;

    bool stopped() const noexcept {
        if (cancelled != asio::cancellation_type::none || requested.load(std::memory_order_acquire)) return true;
        return flags != nullptr && (flags->closed.load(std::memory_order_acquire) ||
                                    flags->generation.load(std::memory_order_acquire) != generation);
    }
    /// Marks the call stopped (`type`) and ends the step in progress (interrupt()).
    void stop(asio::cancellation_type type) noexcept;
    /// Ends the step in progress: closes the connection doing its I/O, cancels the timer it waits on.
    void interrupt() noexcept;
};

/// Points `slot` (call_control::io or ::waiting) at an object for one step, however the step
/// ends (a destroyed coroutine frame included), so stop() never reaches a dead object.
template <class T>
class step_guard {
public:
    step_guard(T*& slot, T* value) noexcept : slot_(slot) { slot_ = value; }
    ~step_guard() { slot_ = nullptr; }
    step_guard(const step_guard&) = delete;
    step_guard& operator=(const step_guard&) = delete;

private:
    T*& slot_;
};

/// Where an exchange failed, which decides whether it may be retried.
enum class io_stage { resolve, connect, handshake, write, read };

struct io_failure {
    io_stage stage = io_stage::connect;
    boost::system::error_code ec;
    bool response_started = false; ///< at least one response byte arrived
    const char* what = nullptr;    ///< a protocol violation's description, when ec is generic
    /// A TLS failure (OpenSSL reported an error, or the server asked to renegotiate): the call
    /// ends with errc::tls and is never retried, whatever the stage.
    bool tls = false;
    long verify_result = 0; ///< SSL_get_verify_result when a TLS failure happened (X509_V_OK: 0)
};

/// How a TLS failure reads: `what`, or OpenSSL's reason, and the certificate verification
/// reason when verification failed, e.g. "certificate verify failed (unable to get local issuer
/// certificate)".
std::string tls_failure_text(const io_failure& f);

/// An owned reference to a TLS session (SSL_SESSION_free on destruction).
struct session_free {
    void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};
using session_ref = std::unique_ptr<SSL_SESSION, session_free>;

/// The deadlines of the exchanges in flight on a pool's connections, kept by one timer armed at
/// the earliest of them. Starting and ending an exchange is a list operation; the timer is only
/// re-armed when a new deadline comes before the armed one, or cancelled when no exchange is left
/// (so that an idle client holds no pending wait: io_context::run() returns). Arming and
/// cancelling a timer per exchange cost ~900 instructions per call.
/// When the timer fires, every exchange past its deadline has its connection aborted (its I/O
/// ends with operation_aborted and the exchange with a timeout). All on the pool's executor.
class exchange_deadlines {
public:
    explicit exchange_deadlines(const asio::any_io_executor& ex);
    ~exchange_deadlines();
    exchange_deadlines(const exchange_deadlines&) = delete;
    exchange_deadlines& operator=(const exchange_deadlines&) = delete;

    /// Watches `c` until `deadline`. Throws only std::bad_alloc (then `c` is not watched).
    void watch(connection& c, steady_time deadline);
    /// Stops watching `c`; true if its deadline passed while watched.
    bool unwatch(connection& c) noexcept;
    /// The execution context is being destroyed: the timer goes now (it must not outlive it).
    void abandon() noexcept;

private:
    void arm(steady_time at);
    void fire() noexcept;

    struct shared {
        exchange_deadlines* owner = nullptr;
    };
    std::optional<asio::steady_timer> timer_;
    steady_time armed_ = steady_time::max(); ///< the timer's expiry, max() when not waiting
    std::uint64_t generation_ = 0;           ///< bumped at every arm and cancel: older waits are stale
    connection* first_ = nullptr;            ///< the watched connections (intrusive list)
    std::shared_ptr<shared> shared_;
};

class connection {
public:
    /// `tls_context` null means plain TCP. `deadlines` (the pool's) enforces exchange deadlines.
    connection(asio::any_io_executor ex, asio::ssl::context* tls_context, exchange_deadlines& deadlines);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Connects to the endpoints in order, giving each an equal share of the time left (an
    /// address that drops SYNs cannot eat the whole connect timeout), then, for TLS, handshakes
    /// with host-name verification and SNI. A copy of `session` (may be null) is offered for
    /// resumption. Everything ends by `deadline` or when `control` is stopped.
    /// `session` is a reference of the caller's own: the pool's session may be replaced (and
    /// freed) by another connection's handshake while this one connects.
    asio::awaitable<std::optional<io_failure>> open(const asio::ip::tcp::resolver::results_type& endpoints,
                                                    const std::string& host, bool verify, session_ref session,
                                                    steady_time deadline, call_control& control);

    /// The serialized request to send next. Kept per connection so that its capacity is reused:
    /// building a request allocates nothing once the connection is warm.
    std::string& request_buffer() noexcept { return request_; }
    /// Before the next exchange: forgets the last response and reads the next one's body into
    /// `buffer` (its capacity is reused).
    void set_body_buffer(std::string buffer) noexcept {
        response_.reset();
        spare_body_ = std::move(buffer);
    }
    /// The response the last exchange read (the final one once it succeeded; the one in progress
    /// when it failed), or null if none was started. Valid until the next set_body_buffer().
    /// Kept per connection, not per call: a call waiting for a connection holds no reader.
    response_reader* response() noexcept { return response_ ? &*response_ : nullptr; }

    struct exchange_args;
    /// Called once when an exchange ends, with the failure (nullopt: a final response was read)
    /// and the owner given to async_exchange.
    using exchange_done = void (*)(exchange_args&, std::optional<io_failure>, std::shared_ptr<void> owner) noexcept;

    /// What one exchange works on; owned by the caller (by `owner` below) until it completed.
    struct exchange_args {
        std::size_t max_body = 0;
        steady_time deadline{};
        call_control* control = nullptr;
        exchange_done done = nullptr;
    };

    /// Writes request_buffer() and reads the final response into response() (interim 1xx
    /// responses are read and skipped, a 101 is an error), all before `args.deadline`.
    /// A plain hand-written operation: no coroutine frame, and the only allocations are Asio's
    /// (recycled) operation objects. `owner` keeps `args` alive while the exchange is pending: the
    /// pending operation holds it, so it is released if the operation is destroyed uncalled (its
    /// io_context destroyed). If the exchange cannot start (stopped, deadline passed) this returns
    /// the failure and `args.done` is not called; otherwise `args.done` runs exactly once, from one
    /// of the exchange's I/O completions, on the connection's executor. Throws only if the first
    /// write cannot be started (std::bad_alloc); `args.done` is then not called.
    std::optional<io_failure> async_exchange(exchange_args& args, std::shared_ptr<void> owner);

    /// True if nothing arrived while the connection was idle: no byte beyond the last response
    /// (buffered or in the kernel) and no close by the peer. One non-blocking peek (a syscall);
    /// TLS records without application data (session tickets) are processed and do not count.
    bool clean_for_reuse() noexcept;
    /// For a connection opened ahead of any call (client::warm_up_async). A TLS 1.3 server sends
    /// its session tickets just after the handshake; processing them costs about 200k instructions
    /// (key derivation, a session copy), which the first call on the connection would otherwise
    /// pay. Waits for them, at most twice as long as the handshake took and not past `deadline`
    /// or a stop of `control`, and processes them now. Nothing arriving is not a failure (the
    /// server may send no ticket). False if the connection must not be reused: the server sent
    /// application data or an alert, or closed it.
    asio::awaitable<bool> take_session_tickets(steady_time deadline, call_control& control);
    /// For an idle connection: processes the TLS records without application data that arrived
    /// (session tickets). False only if it must be closed: it was closed, or received anything
    /// else. Unlike clean_for_reuse(), a record still arriving is not a reason to close it (the
    /// next clean_for_reuse() decides).
    bool process_arrived_records() noexcept;
    /// Sends the ACK of what was received right away (TCP_QUICKACK) instead of delaying it.
    void acknowledge_now() noexcept;

    /// Closes the socket: the I/O in progress ends now with operation_aborted, later I/O fails.
    void abort() noexcept;

    bool tls() const noexcept { return ssl_ != nullptr; }
    bool session_resumed() noexcept;
    SSL* native_ssl() noexcept { return ssl_; }

private:
    struct exchange_op;
    /// Checks and arms one exchange; the failure if it must not start.
    std::optional<io_failure> begin_exchange(exchange_args& args);
    /// Prepares response_ for the next response (interim ones included).
    void next_response(const exchange_args& args, bool after_interim);
    /// Ends an exchange: disarms the watchdog and turns a stop or a deadline into the failure.
    std::optional<io_failure> end_exchange(exchange_args& args, std::optional<io_failure> failure, io_stage stage) noexcept;
    /// What a complete response's status means for the exchange: nullopt to read on (interim).
    std::optional<std::optional<io_failure>> after_response(const exchange_args& args, int interim);

    /// What drain_tls_records() found after reading what the socket holds.
    enum class tls_leftover {
        none,              ///< only records without application data, all processed
        incomplete_record, ///< a record has not fully arrived (not processed)
        unusable,          ///< application data, an alert, a close, or an error
    };
    tls_leftover drain_tls_records() noexcept;
    /// The TLS handshake, on the socket (see tls_io below).
    asio::awaitable<boost::system::error_code> handshake();
    /// The error an OpenSSL call ended with (SSL_get_error's `reason`), as Asio's SSL stream
    /// reports it: the OpenSSL error, or eof for a close_notify, or stream_truncated.
    boost::system::error_code tls_error(int reason) noexcept;
    /// Room at the end of the ciphertext buffer (moves unread bytes to its front first).
    asio::mutable_buffer tls_input_space() noexcept;
    /// The failure for an OpenSSL error (`ec` from tls_error) at `stage`: marked as TLS when
    /// OpenSSL reported it (a truncation or a close is not), with the verification result.
    io_failure tls_failure(io_stage stage, boost::system::error_code ec, bool started) const noexcept;
    /// The server sent a HelloRequest (TLS 1.2): the exchange ends with this failure.
    static io_failure renegotiation_refused(bool started) noexcept;

    friend struct tls_io;
    friend class exchange_deadlines;
    void arm_watchdog(steady_time deadline);
    bool disarm_watchdog() noexcept; ///< true if it fired

    /// Shared with the watchdog's pending wait, so that a wait completing after its step (or
    /// after the connection) is gone can tell it is stale and do nothing.
    struct watchdog_state {
        std::uint64_t generation = 0; ///< bumped when a step is armed and when it is disarmed
        bool fired = false;
        connection* owner = nullptr;  ///< null once the connection is destroyed
    };

    asio::ip::tcp::socket socket_;
    // TLS is driven on the socket directly (as nginx and wrk do), not through Asio's SSL stream,
    // whose engine clears OpenSSL's error queue before every operation (~870 instructions each,
    // three times per call), moves every byte through a BIO pair, and wraps each read and write
    // in layers of composed operations. OpenSSL reads ciphertext from `tls_in_` and writes it to
    // `tls_out_` through a minimal BIO (tls_io); this class moves those bytes to and from the
    // socket.
    SSL* ssl_ = nullptr; ///< owned; null for plain TCP
    static constexpr std::size_t tls_in_capacity = 18 * 1024; ///< a whole TLS record and then some
    /// Bound of the TLS records without application data (session tickets, KeyUpdate) processed
    /// outside an exchange: after the handshake and while idle, until the next exchange starts.
    /// 64 KiB is about 250 OpenSSL tickets (a server sends 1 or 2); beyond it the connection is
    /// not reused. Read in rounds of at most tls_in_capacity.
    static constexpr std::size_t max_idle_record_bytes = 64 * 1024;
    std::size_t idle_record_bytes_ = 0; ///< processed outside an exchange since the last one started
    bool established_ = false;          ///< the first handshake completed
    /// The server started a new handshake (a TLS 1.2 HelloRequest) after the first one. OpenSSL
    /// refuses it (SSL_OP_NO_RENEGOTIATION: a no_renegotiation warning); this ends the exchange.
    bool renegotiation_requested_ = false;
    std::unique_ptr<char[]> tls_in_;
    std::size_t tls_in_begin_ = 0; ///< [begin, end): received, not yet taken by OpenSSL
    std::size_t tls_in_end_ = 0;
    std::string tls_out_;          ///< produced by OpenSSL, not yet sent
    beast::flat_buffer buffer_;    ///< plaintext of the response being read
    std::string request_;
    std::optional<response_reader> response_; ///< see response()
    std::string spare_body_;                  ///< the buffer the next response's body is read into
    std::chrono::steady_clock::duration handshake_took_{}; ///< about one round trip (take_session_tickets)
    // One timer per step of open() (each connect, the handshake); exchanges are watched by the
    // pool's exchange_deadlines instead. When it fires it closes the socket, which ends whatever
    // I/O is in progress.
    asio::steady_timer watchdog_;
    std::shared_ptr<watchdog_state> watch_;

    // Kept by exchange_deadlines while an exchange is in flight.
    exchange_deadlines& deadlines_;
    steady_time deadline_{};
    bool watched_ = false;
    bool deadline_passed_ = false;
    connection* watched_prev_ = nullptr;
    connection* watched_next_ = nullptr;
};

} // namespace ding::detail
