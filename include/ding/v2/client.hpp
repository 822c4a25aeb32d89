#pragma once
/// \file
/// ding::v2::client and its services: Prelude's v2 API (Verify, Lookup, Watch, and in their own
/// headers Verify management, Notify with its pagers, Transactional), on the same version-neutral
/// core as ding::client (transport, pool, retries, deadlines, error model).
///
/// Every operation has the same contract as v1's (ding/client.hpp):
/// - Completion signature: void(ding::outcome<T>). Failures never throw; they complete with a
///   ding::error. Any completion token: use_awaitable (the default), the awaitable operators,
///   deferred, use_future, plain callbacks.
/// - Arguments are copied before the function returns; the caller's objects may die right away.
/// - Validation happens before any I/O: bad input (a target that is not E.164, a dispatch_id that
///   is not 36 characters, code_size outside 4..8, channels with preferred_channel, custom_code
///   with code_size, an `unknown` enum value, more than 100 events or feedbacks, ...) completes
///   with errc::invalid_argument and a message naming the field.
/// - Errors: a 2xx body is decoded (errc::decode if it is not the contract's JSON). Any other
///   status whose body is the contract's error object is errc::api_error with http_status(),
///   api_code_string(), api_message() and api_param(); otherwise errc::http_status with
///   http_status() and body(). The API key appears in no error.
/// - Retries (docs/retries.md, "Prelude v2"): every v2 POST and DELETE sends a code or a message, feeds a
///   counter or changes account state, so it is retried only when the server cannot have acted on
///   it: a failure before the request was completely written, 429, 502, 503, 504 (waiting for
///   `retry-after-ms` or `Retry-After` when sent). Every GET is a read: also retried on any other
///   5xx and on a connection lost after the request was written. retry_policy (client-wide or per
///   call) bounds attempts and backoff.
/// - Executor: the work runs on the client's executor (on a strand of its own with
///   client_options::thread_safe); the completion runs on the token's associated executor (the
///   client's by default), never inside the initiating call. That executor counts as having work
///   until the completion ran.
/// - Cancellation: per-operation cancellation of any type (terminal, partial, total) is honoured at
///   every stage; the operation completes promptly with errc::cancelled. A connection that was
///   mid-request is closed; a cancelled wait has no other effect. client::cancel() cancels every call.
/// - Lifetime: an operation keeps what it needs alive; the client may be destroyed at any time.
///   Destroying it ends the calls in flight with errc::cancelled, and an operation launched
///   afterwards (a stored `deferred` operation) completes with errc::cancelled.

#include <ding/detail/operation.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>
#include <ding/v2/models.hpp>
#include <ding/v2/notify.hpp>
#include <ding/v2/pager.hpp>
#include <ding/v2/transactional.hpp>
#include <ding/v2/verification_management.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace ding::v2 {

/// Options of a ding::v2::client: every field of ding::client_options, with these differences:
/// - `api_key` is a v2 key from the Prelude dashboard, sent as `Authorization: Bearer <key>`
///   (never as `x-api-key`); never logged, never part of an error.
/// - `base_url` defaults to "https://api.prelude.dev" (paths start with /v2; give the host and
///   an optional base path, without /v2).
struct client_options : ding::client_options {
    client_options() { base_url = "https://api.prelude.dev"; }
};

namespace detail {
using ding::detail::client_core;
using ding::detail::handler;
void start_create_verification(std::shared_ptr<client_core>, const create_verification_request&,
                               const call_options&, handler<create_verification_response>);
void start_check_verification(std::shared_ptr<client_core>, const check_verification_request&,
                              const call_options&, handler<check_verification_response>);
void start_lookup(std::shared_ptr<client_core>, const lookup_request&, const call_options&,
                  handler<lookup_response>);
void start_predict(std::shared_ptr<client_core>, const predict_request&, const call_options&,
                   handler<predict_response>);
void start_send_events(std::shared_ptr<client_core>, const send_events_request&, const call_options&,
                       handler<send_events_response>);
void start_send_feedbacks(std::shared_ptr<client_core>, const send_feedbacks_request&, const call_options&,
                          handler<send_feedbacks_response>);
} // namespace detail

/// Verify: send and check one-time codes. Obtained from client::verification(); the reference is
/// valid as long as the client. Every operation has the contract of this file's documentation.
class verification_service {
public:
    /// POST /v2/verification: creates a verification for `request.target` and sends a code, or,
    /// when the target already has an open verification, makes a new attempt in it (status
    /// `retry`; this is how v2 retries). Anti-fraud outcomes (`challenged`, `blocked`,
    /// `shadow_blocked`) are values, not errors.
    /// Completion: void(outcome<create_verification_response>).
    /// Not retried once it may have reached the server: a repeat would send another code.
    template <completion_token_for<create_verification_response> Token = default_token>
    auto create_async(const create_verification_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<create_verification_response>)>(
            [core = core_](auto handler, const create_verification_request& r, const call_options& o) {
                detail::start_create_verification(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<create_verification_response> Token = default_token>
    auto create_async(const create_verification_request& request, Token&& token = {}) {
        return create_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/verification/check: compares `request.code` with the open verification of
    /// `request.target`. A wrong code is a value with check_status::failure; an expired window or
    /// a target without verification is check_status::expired_or_not_found.
    /// Completion: void(outcome<check_verification_response>). `code` must not be empty and is
    /// never echoed in an error. Retried like create_async (a check counts as an attempt).
    template <completion_token_for<check_verification_response> Token = default_token>
    auto check_async(const check_verification_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<check_verification_response>)>(
            [core = core_](auto handler, const check_verification_request& r, const call_options& o) {
                detail::start_check_verification(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<check_verification_response> Token = default_token>
    auto check_async(const check_verification_request& request, Token&& token = {}) {
        return check_async(request, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit verification_service(std::shared_ptr<ding::detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<ding::detail::client_core> core_;
};

/// Lookup: carrier, line type and flags of a phone number. Obtained from client::lookup(); the
/// reference is valid as long as the client. The operation has the contract of this file's
/// documentation.
class lookup_service {
public:
    /// GET /v2/lookup/{phone_number}[?type=cnam]. `phone_number` must be E.164 (so it can never
    /// change the request path); the leading `+` is sent percent-encoded (`%2B`), which the
    /// contract allows. Completion: void(outcome<lookup_response>).
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
    /// Shorthand for lookup_async(lookup_request{phone_number, {}}, ...).
    template <completion_token_for<lookup_response> Token = default_token>
    auto lookup_async(std::string_view phone_number, Token&& token = {}) {
        return lookup_async(lookup_request{std::string(phone_number), {}}, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit lookup_service(std::shared_ptr<ding::detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<ding::detail::client_core> core_;
};

/// Watch: anti-fraud scoring, product events and funnel feedback. Obtained from client::watch();
/// the reference is valid as long as the client. Every operation has the contract of this file's
/// documentation.
/// The Watch calls feed counters at Prelude, so none of them is repeated once it may have reached
/// the server.
class watch_service {
public:
    /// POST /v2/watch/predict: `legitimate` or `suspicious` for a signup target.
    /// Completion: void(outcome<predict_response>). Retried like verification create_async.
    template <completion_token_for<predict_response> Token = default_token>
    auto predict_async(const predict_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<predict_response>)>(
            [core = core_](auto handler, const predict_request& r, const call_options& o) {
                detail::start_predict(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<predict_response> Token = default_token>
    auto predict_async(const predict_request& request, Token&& token = {}) {
        return predict_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/watch/event: reports up to 100 product events (label + confidence).
    /// Completion: void(outcome<send_events_response>). Retried like verification create_async.
    template <completion_token_for<send_events_response> Token = default_token>
    auto send_events_async(const send_events_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<send_events_response>)>(
            [core = core_](auto handler, const send_events_request& r, const call_options& o) {
                detail::start_send_events(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<send_events_response> Token = default_token>
    auto send_events_async(const send_events_request& request, Token&& token = {}) {
        return send_events_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/watch/feedback: reports up to 100 verification-funnel steps (v1's feedback).
    /// Completion: void(outcome<send_feedbacks_response>). Retried like verification create_async.
    template <completion_token_for<send_feedbacks_response> Token = default_token>
    auto send_feedbacks_async(const send_feedbacks_request& request, const call_options& options,
                              Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<send_feedbacks_response>)>(
            [core = core_](auto handler, const send_feedbacks_request& r, const call_options& o) {
                detail::start_send_feedbacks(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<send_feedbacks_response> Token = default_token>
    auto send_feedbacks_async(const send_feedbacks_request& request, Token&& token = {}) {
        return send_feedbacks_async(request, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit watch_service(std::shared_ptr<ding::detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<ding::detail::client_core> core_;
};

/// A Prelude v2 API client: one connection pool to the base URL's host, shared by all operations.
/// A v1 ding::client and a v2 client may live side by side (they share nothing but the code).
///
/// Threads: with client_options::thread_safe, every member may be called from any thread.
/// Without it, use the client only from the thread running its executor.
class client {
public:
    /// Checks `options` (base URL, API key characters, limits); invalid options do not throw:
    /// every operation then completes with errc::invalid_argument naming the bad option.
    /// v1's ding::client_options do not convert to these options, so they are refused at compile
    /// time (and ding::client refuses these; test/unit/options_version_test.cpp).
    client(boost::asio::any_io_executor executor, const client_options& options);
    /// Ends every call in flight with errc::cancelled and closes the idle connections.
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Verify: create and check verifications (verification_service); valid as long as the client.
    verification_service& verification() noexcept { return verification_; }
    /// Lookup: carrier, line type and flags of a number (lookup_service); valid as long as the client.
    lookup_service& lookup() noexcept { return lookup_; }
    /// Watch: predict, events and feedback (watch_service); valid as long as the client.
    watch_service& watch() noexcept { return watch_; }
    /// Verify management: allow and block lists, sender IDs (ding/v2/verification_management.hpp).
    verification_management_service& verification_management() noexcept { return verification_management_; }
    /// Notify: sends, batches, subscriptions and their pagers (ding/v2/notify.hpp).
    notify_service& notify() noexcept { return notify_; }
    /// Transactional: the deprecated send (ding/v2/transactional.hpp).
    transactional_service& transactional() noexcept { return transactional_; }

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

private:
    std::shared_ptr<ding::detail::client_core> core_;
    verification_service verification_;
    lookup_service lookup_;
    watch_service watch_;
    verification_management_service verification_management_;
    notify_service notify_;
    transactional_service transactional_;
};

} // namespace ding::v2
