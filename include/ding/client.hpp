#pragma once
/// \file
/// ding::client and its services (Ding API v1, retired by the vendor: support ended 2025-11-01,
/// removal in April 2026; new code uses ding::v2::client). The operation contract below applies
/// to every operation of both clients.
//
// ding::client and its services (Ding API v1).
//
// Every operation has the same contract:
// - Completion signature: void(ding::outcome<T>). Failures never throw; they complete with a
//   ding::error (see error.hpp). Any completion token: use_awaitable (the default), the awaitable
//   operators, deferred, use_future, plain callbacks.
// - The request is validated and encoded before the function returns (the operation keeps the
//   encoded body, not a copy of the request); the caller's objects may die right away.
// - Validation happens before any I/O: bad input completes with errc::invalid_argument.
// - Executor: the work runs on the client's executor (on a strand of its own with
//   client_options::thread_safe); the completion runs on the token's associated executor (the
//   client's by default), never inside the initiating call. That executor counts as having work
//   until the completion ran. A completion handler must not throw: the SDK's completion path is
//   noexcept, so an exception from a handler ends the program (std::terminate).
// - Cancellation: per-operation cancellation of any type (terminal, partial, total), emitted on
//   the caller's executor, is honoured at every stage and between stages; the operation completes
//   promptly with errc::cancelled. A connection that was mid-request is closed; a cancelled wait
//   (for a pooled connection, a backoff) has no other effect. client::cancel() cancels every call.
// - Lifetime: an operation keeps what it needs alive; the client may be destroyed at any time.
//   Destroying it ends the calls in flight with errc::cancelled (no retry, no hook, no new I/O
//   after that), and an operation launched afterwards (a stored `deferred` operation) completes
//   with errc::cancelled. Destroy the client before its execution context when you can; if the
//   context is destroyed first, the calls in flight are destroyed with it (their handlers are
//   never called, as with Asio's own operations), the client releases its connections, timers
//   and strand at that moment, and operations launched on it later are dropped uncalled (their handlers destroyed).

#include <ding/detail/operation.hpp>
#include <ding/models.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ding {

namespace detail {
/// A POST request's JSON body, or why the request is invalid: made by prepare() in the initiating
/// function, so that an operation holds no copy of the caller's request.
using encoded_body = outcome<std::string>;
encoded_body prepare(const create_authentication_request&) noexcept;
encoded_body prepare(const create_check_request&) noexcept;
encoded_body prepare(const retry_authentication_request&) noexcept;
encoded_body prepare(const feedback_request&) noexcept;

void start_create_authentication(std::shared_ptr<client_core>, encoded_body, const call_options&,
                                 handler<create_authentication_response>);
void start_check(std::shared_ptr<client_core>, encoded_body, const call_options&, handler<create_check_response>);
void start_retry(std::shared_ptr<client_core>, encoded_body, const call_options&,
                 handler<retry_authentication_response>);
void start_feedback(std::shared_ptr<client_core>, encoded_body, const call_options&, handler<feedback_response>);
void start_warm_up(std::shared_ptr<client_core>, std::size_t, handler<std::size_t>);
void start_get_authentication_status(std::shared_ptr<client_core>, const std::string&, const call_options&,
                                     handler<authentication_status_response>);
void start_lookup(std::shared_ptr<client_core>, const lookup_request&, const call_options&,
                  handler<lookup_response>);
} // namespace detail

/// The OTP operations: send, check and retry codes, report feedback, read an authentication.
/// Obtained from client::otp(); the reference is valid as long as the client.
class otp_service {
public:
    /// POST /authentication: sends a code to `request.phone_number`.
    /// Completes with create_authentication_response; `status` says whether a code went out.
    /// Not retried once it may have reached the server (that would send a second SMS), unless
    /// retry_policy::retry_requests_that_may_have_reached_the_server says so.
    template <completion_token_for<create_authentication_response> Token = default_token>
    auto create_authentication_async(const create_authentication_request& request, const call_options& options,
                                     Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<create_authentication_response>)>(
            [core = core_](auto handler, detail::encoded_body body, const call_options& o) {
                detail::start_create_authentication(core, std::move(body), o, std::move(handler));
            },
            token, detail::prepare(request), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<create_authentication_response> Token = default_token>
    auto create_authentication_async(const create_authentication_request& request, Token&& token = {}) {
        return create_authentication_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /check: compares the code the user typed. A wrong code is a value with
    /// status check_status::invalid, not an error. Retried like create_authentication_async.
    template <completion_token_for<create_check_response> Token = default_token>
    auto check_async(const create_check_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<create_check_response>)>(
            [core = core_](auto handler, detail::encoded_body body, const call_options& o) {
                detail::start_check(core, std::move(body), o, std::move(handler));
            },
            token, detail::prepare(request), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<create_check_response> Token = default_token>
    auto check_async(const create_check_request& request, Token&& token = {}) {
        return check_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /retry: sends the code again. See status, remaining_retry and next_retry_at.
    /// Retried like create_authentication_async.
    template <completion_token_for<retry_authentication_response> Token = default_token>
    auto retry_async(const retry_authentication_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<retry_authentication_response>)>(
            [core = core_](auto handler, detail::encoded_body body, const call_options& o) {
                detail::start_retry(core, std::move(body), o, std::move(handler));
            },
            token, detail::prepare(request), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<retry_authentication_response> Token = default_token>
    auto retry_async(const retry_authentication_request& request, Token&& token = {}) {
        return retry_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /authentication/feedback: reports whether the user completed onboarding.
    /// Retried like create_authentication_async.
    template <completion_token_for<feedback_response> Token = default_token>
    auto feedback_async(const feedback_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<feedback_response>)>(
            [core = core_](auto handler, detail::encoded_body body, const call_options& o) {
                detail::start_feedback(core, std::move(body), o, std::move(handler));
            },
            token, detail::prepare(request), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<feedback_response> Token = default_token>
    auto feedback_async(const feedback_request& request, Token&& token = {}) {
        return feedback_async(request, call_options{}, std::forward<Token>(token));
    }

    /// GET /authentication/{uuid}: the authentication and its events, in order.
    /// `authentication_uuid` must be a UUID (so it can never change the request path).
    /// A read: retried on any connection failure, any 5xx and 429.
    template <completion_token_for<authentication_status_response> Token = default_token>
    auto get_authentication_status_async(const std::string& authentication_uuid, const call_options& options,
                                         Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<authentication_status_response>)>(
            [core = core_](auto handler, const std::string& uuid, const call_options& o) {
                detail::start_get_authentication_status(core, uuid, o, std::move(handler));
            },
            token, authentication_uuid, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<authentication_status_response> Token = default_token>
    auto get_authentication_status_async(const std::string& authentication_uuid, Token&& token = {}) {
        return get_authentication_status_async(authentication_uuid, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit otp_service(std::shared_ptr<detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<detail::client_core> core_;
};

/// Phone number lookup. Obtained from client::lookup(); the reference is valid as long as the client.
class lookup_service {
public:
    /// GET /lookup/{phone_number} with the `customer-uuid` header and `type` query values.
    /// A read: retried on any connection failure, any 5xx and 429.
    template <completion_token_for<lookup_response> Token = default_token>
    auto lookup_async(const lookup_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<lookup_response>)>(
            [core = core_](auto handler, const lookup_request& r, const call_options& o) {
                detail::start_lookup(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<lookup_response> Token = default_token>
    auto lookup_async(const lookup_request& request, Token&& token = {}) {
        return lookup_async(request, call_options{}, std::forward<Token>(token));
    }
    /// Shorthand for lookup_async(lookup_request{customer_uuid, phone_number, {}}, ...).
    template <completion_token_for<lookup_response> Token = default_token>
    auto lookup_async(std::string_view customer_uuid, std::string_view phone_number, Token&& token = {}) {
        return lookup_async(lookup_request{std::string(customer_uuid), std::string(phone_number), {}},
                            call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit lookup_service(std::shared_ptr<detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<detail::client_core> core_;
};

/// A Ding API client: one connection pool to the base URL's host, shared by all operations.
///
/// Threads: with client_options::thread_safe, every member (operations, stats(),
/// close_idle_connections(), cancel(), the destructor) may be called from any thread. Without it,
/// use the client only from the thread running its executor (see client_options::thread_safe).
/// Many operations may be in flight at once either way.
class client {
public:
    /// Checks `options` (base URL, API key characters, limits); invalid options do not throw:
    /// every operation then completes with errc::invalid_argument naming the bad option.
    client(boost::asio::any_io_executor executor, const client_options& options);
    /// Refused at compile time: ding::v2::client_options (or a type derived from it) belongs to
    /// ding::v2::client. Without this overload the v2 options would convert to their base,
    /// client_options, and this v1 client would send the v2 key as x-api-key to the v2 host.
    /// A template, so that a braced list (`client(ex, {...})`) still picks the overload above.
    template <class V2ClientOptions,
              std::enable_if_t<std::is_base_of_v<v2::client_options, V2ClientOptions>, int> = 0>
    client(boost::asio::any_io_executor executor, const V2ClientOptions& options) = delete;
    /// Ends every call in flight with errc::cancelled and closes the idle connections.
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// The OTP operations (send, check, retry, feedback, status); valid as long as the client.
    otp_service& otp() noexcept { return otp_; }
    /// The phone number lookup; valid as long as the client.
    lookup_service& lookup() noexcept { return lookup_; }

    /// The executor given to the constructor.
    boost::asio::any_io_executor get_executor() const noexcept;
    /// Why the options were refused, or nullptr if they are valid.
    const error* configuration_error() const noexcept;
    /// Pool counters; cheap, any time, from any thread.
    pool_stats stats() const noexcept;
    /// Closes every idle connection now (in-flight requests are not affected).
    void close_idle_connections();
    /// Ends every call in flight, and every call started before this, with errc::cancelled.
    /// Calls started afterwards run normally.
    void cancel();

    /// Opens and handshakes connections ahead of the first call, so that the first call does not
    /// pay for DNS, TCP and TLS: until min(n, client_options::max_connections) connections are
    /// open (those already open or opening count), one after another, each left idle in the pool
    /// (and closed after client_options::idle_timeout like any idle connection). Over TLS 1.3 it
    /// also processes the session tickets the server sends after each handshake, a cost the first
    /// call would pay otherwise: for the last connection it waits for them, at most twice as long
    /// as its handshake took, and not if a call is queued for a connection when it would start.
    /// - Completion: void(ding::outcome<std::size_t>): the number of connections open when it
    ///   completes (idle or in use). Errors: the first connection that could not be opened
    ///   (errc::transport, errc::tls, errc::timeout after client_options::connect_timeout for one
    ///   connection or client_options::timeout for the whole warm-up; errc::invalid_argument for
    ///   invalid options; errc::transport when the server sends data, an alert or a close right
    ///   after the last connection's handshake); the connections opened before it stay idle in the
    ///   pool. A connection that received anything but session tickets is closed, not counted.
    /// - Executor, cancellation and lifetime as for every operation (top of this file): a
    ///   cancellation closes the connection being opened and completes with errc::cancelled.
    /// - It never takes a connection slot a queued call is waiting for.
    template <completion_token_for<std::size_t> Token = default_token>
    auto warm_up_async(std::size_t n, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<std::size_t>)>(
            [core = core_](auto handler, std::size_t count) { detail::start_warm_up(core, count, std::move(handler)); },
            token, n);
    }

private:
    std::shared_ptr<detail::client_core> core_;
    otp_service otp_;
    lookup_service lookup_;
};

} // namespace ding
