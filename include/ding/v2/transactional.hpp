#pragma once
/// \file
/// ding::v2::transactional_service: the deprecated predecessor of notify_service::send_async, kept
/// because the vendor's SDKs still offer it. Obtained from client::transactional().
///
/// The operation has the contract written at the top of ding/v2/client.hpp (completion signature
/// void(outcome<T>), any completion token, validation before any I/O, the v2 error model,
/// executor, cancellation, lifetime).

#include <ding/detail/operation.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>
#include <ding/v2/models.hpp>

#include <memory>
#include <utility>

namespace ding::v2 {

class client;

namespace detail {
using ding::detail::client_core;
using ding::detail::handler;
void start_transactional_send(std::shared_ptr<client_core>, const transactional_send_request&, const call_options&,
                              handler<transactional_send_response>);
} // namespace detail

/// Transactional: the vendor's deprecated send, kept for code ported from the vendor's SDKs
/// (new code uses notify_service::send_async). Obtained from client::transactional(); the
/// reference is valid as long as the client. The operation has the contract of ding/v2/client.hpp.
class transactional_service {
public:
    /// POST /v2/transactional: one message from `request.template_id` to `request.to` (E.164).
    /// Completion: void(outcome<transactional_send_response>).
    /// Sends a message: never resent once it may have reached the server (the POST rule).
    /// Deprecated by the vendor ("Legacy route maintained for backward compatibility"): use
    /// notify().send_async, which takes the same fields plus schedule_at.
    template <completion_token_for<transactional_send_response> Token = default_token>
    [[deprecated("the vendor deprecates POST /v2/transactional: use notify().send_async")]]
    auto send_async(const transactional_send_request& request, const call_options& options, Token&& token = {}) {
        return send_impl(request, options, std::forward<Token>(token));
    }
    /// Same, with the client's call options.
    template <completion_token_for<transactional_send_response> Token = default_token>
    [[deprecated("the vendor deprecates POST /v2/transactional: use notify().send_async")]]
    auto send_async(const transactional_send_request& request, Token&& token = {}) {
        return send_impl(request, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit transactional_service(std::shared_ptr<ding::detail::client_core> core) noexcept : core_(std::move(core)) {}

    // The body of both overloads, so that the one calling the other warns only at the caller's site.
    template <class Token>
    auto send_impl(const transactional_send_request& request, const call_options& options, Token&& token) {
        return boost::asio::async_initiate<Token, void(outcome<transactional_send_response>)>(
            [core = core_](auto handler, const transactional_send_request& r, const call_options& o) {
                detail::start_transactional_send(core, r, o, std::move(handler));
            },
            token, request, options);
    }

    std::shared_ptr<ding::detail::client_core> core_;
};

} // namespace ding::v2
