#pragma once
// ding::client and its services. Every operation has the same shape:
//
//   template <CompletionToken Token = boost::asio::use_awaitable_t<>>
//   auto op_async(args..., [const call_options&,] Token&& token = {});
//
// - Completion signature: void(ding::outcome<T>). Failures never throw; they complete with a
//   ding::error (see error.hpp). Works with use_awaitable (the default), the awaitable
//   operators, deferred, use_future and plain callbacks.
// - Arguments are copied before the function returns; the caller's objects may die right away.
// - Validation happens before any I/O: bad input completes with errc::invalid_argument.
// - Executor: the work runs on the client's executor; the completion runs on the token's
//   associated executor (the client's by default), never inside the initiating call.
// - Cancellation: per-operation cancellation (any type) is honoured at every stage; the operation
//   completes promptly with errc::cancelled. A connection that was mid-request is closed, a
//   cancelled wait (for a pooled connection, a backoff) has no other effect.
// - Lifetime: operations keep the client's internals alive; destroying the client closes idle
//   connections, and operations still in flight finish with their own result.

#include <ding/models.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ding {

namespace detail {
class client_impl;
template <class T>
using handler = boost::asio::any_completion_handler<void(outcome<T>)>;
} // namespace detail

/// The default completion token: `co_await op_async(...)` in a coroutine.
using default_token = boost::asio::use_awaitable_t<>;

template <class Token, class T>
concept completion_token_for = boost::asio::completion_token_for<Token, void(outcome<T>)>;

// Defines `name(args..., const call_options&, Token)` and `name(args..., Token)` that forward to
// the compiled `start_name`. A macro keeps the six operations' boilerplate in one place.
#define DING_DETAIL_ASYNC_OP(name, result_type, param_decl, param_name)                          \
    template <completion_token_for<result_type> Token = default_token>                         \
    auto name(param_decl, const call_options& options, Token&& token = {}) {                   \
        return boost::asio::async_initiate<Token, void(outcome<result_type>)>(                 \
            [this](auto handler, const auto& arg, const call_options& opts) {                  \
                start_##name(arg, opts, detail::handler<result_type>(std::move(handler)));     \
            },                                                                                 \
            token, param_name, options);                                                       \
    }                                                                                          \
    template <completion_token_for<result_type> Token = default_token>                         \
    auto name(param_decl, Token&& token = {}) {                                                \
        return name(param_name, call_options{}, std::forward<Token>(token));                   \
    }

/// The OTP operations: send, check and retry codes, report feedback, read an authentication.
/// Obtained from client::otp(); valid as long as the client.
class otp_service {
public:
    /// POST /authentication: sends a code to `request.phone_number`.
    /// Completes with create_authentication_response; `status` says whether a code went out.
    /// Not retried after it may have reached the server (a second SMS), unless the policy says so.
    DING_DETAIL_ASYNC_OP(create_authentication_async, create_authentication_response,
                         const create_authentication_request& request, request)

    /// POST /check: compares the code the user typed. A wrong code is a value with
    /// status check_status::invalid, not an error.
    DING_DETAIL_ASYNC_OP(check_async, create_check_response, const create_check_request& request, request)

    /// POST /retry: sends the code again. See status, remaining_retry and next_retry_at.
    DING_DETAIL_ASYNC_OP(retry_async, retry_authentication_response,
                         const retry_authentication_request& request, request)

    /// POST /authentication/feedback: reports whether the user completed onboarding.
    DING_DETAIL_ASYNC_OP(feedback_async, feedback_response, const feedback_request& request, request)

    /// GET /authentication/{uuid}: the authentication and its events, in order.
    /// `authentication_uuid` must be a UUID (so it can never change the request path).
    DING_DETAIL_ASYNC_OP(get_authentication_status_async, authentication_status_response,
                         const std::string& authentication_uuid, authentication_uuid)

private:
    friend class client;
    explicit otp_service(detail::client_impl* impl) noexcept : impl_(impl) {}
    void start_create_authentication_async(const create_authentication_request&, const call_options&,
                                           detail::handler<create_authentication_response>);
    void start_check_async(const create_check_request&, const call_options&,
                           detail::handler<create_check_response>);
    void start_retry_async(const retry_authentication_request&, const call_options&,
                           detail::handler<retry_authentication_response>);
    void start_feedback_async(const feedback_request&, const call_options&, detail::handler<feedback_response>);
    void start_get_authentication_status_async(const std::string&, const call_options&,
                                               detail::handler<authentication_status_response>);
    detail::client_impl* impl_;
};

/// Phone number lookup. Obtained from client::lookup(); valid as long as the client.
class lookup_service {
public:
    /// GET /lookup/{phone_number} with the `customer-uuid` header and `type` query values.
    DING_DETAIL_ASYNC_OP(lookup_async, lookup_response, const lookup_request& request, request)

    /// Shorthand for lookup_async(lookup_request{customer_uuid, phone_number, {}}, ...).
    template <completion_token_for<lookup_response> Token = default_token>
    auto lookup_async(std::string_view customer_uuid, std::string_view phone_number, Token&& token = {}) {
        return lookup_async(lookup_request{std::string(customer_uuid), std::string(phone_number), {}},
                            call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit lookup_service(detail::client_impl* impl) noexcept : impl_(impl) {}
    void start_lookup_async(const lookup_request&, const call_options&, detail::handler<lookup_response>);
    detail::client_impl* impl_;
};

#undef DING_DETAIL_ASYNC_OP

/// A Ding API client: one connection pool to the base URL's host, shared by all operations.
///
/// Not thread-safe: use it from the executor it was made with (one io_context thread, or a
/// strand you pass in). Many operations may be in flight at once.
class client {
public:
    /// Checks `options` (base URL, API key characters, limits); invalid options do not throw:
    /// every operation then completes with errc::invalid_argument naming the bad option.
    client(boost::asio::any_io_executor executor, client_options options);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    otp_service& otp() noexcept { return otp_; }
    lookup_service& lookup() noexcept { return lookup_; }

    boost::asio::any_io_executor get_executor() const noexcept;
    /// Why the options were refused, or nullptr if they are valid.
    const error* configuration_error() const noexcept;
    /// Pool counters; cheap, any time.
    pool_stats stats() const noexcept;
    /// Closes every idle connection now (in-flight requests are not affected).
    void close_idle_connections();

private:
    std::shared_ptr<detail::client_impl> impl_;
    otp_service otp_;
    lookup_service lookup_;
};

} // namespace ding
