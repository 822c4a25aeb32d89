#pragma once
/// \file
/// ding::v2::verification_management_service: the verification allow and block lists and the
/// account's sender IDs (Prelude opens these endpoints per account on request).
/// Obtained from client::verification_management(); the reference is valid as long as the client.
///
/// Every operation has the contract written at the top of ding/v2/client.hpp (completion
/// signature void(outcome<T>), any completion token, validation before any I/O, the v2 error
/// model, executor, cancellation, lifetime). What differs per operation is written above it.

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
void start_list_phone_numbers(std::shared_ptr<client_core>, phone_list, const call_options&,
                              handler<list_phone_numbers_response>);
void start_set_phone_number(std::shared_ptr<client_core>, phone_list, const set_phone_number_request&,
                            const call_options&, handler<set_phone_number_response>);
void start_delete_phone_number(std::shared_ptr<client_core>, phone_list, const delete_phone_number_request&,
                               const call_options&, handler<delete_phone_number_response>);
void start_list_sender_ids(std::shared_ptr<client_core>, const call_options&, handler<list_sender_ids_response>);
void start_submit_sender_id(std::shared_ptr<client_core>, const submit_sender_id_request&, const call_options&,
                            handler<submit_sender_id_response>);
} // namespace detail

/// Verify management: the verification allow and block lists and the account's sender IDs.
/// Obtained from client::verification_management(); the reference is valid as long as the
/// client. Every operation has the contract of ding/v2/client.hpp; what differs is written above
/// each operation.
class verification_management_service {
public:
    /// GET /v2/verification/management/phone-numbers/{action}: the numbers on the allow list
    /// (phone_list::allow) or the block list (phone_list::block). Not paginated.
    /// Completion: void(outcome<list_phone_numbers_response>). `list` must not be
    /// phone_list::unknown (errc::invalid_argument). A read: retried on any connection failure,
    /// any 5xx and 429.
    template <completion_token_for<list_phone_numbers_response> Token = default_token>
    auto list_phone_numbers_async(phone_list list, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<list_phone_numbers_response>)>(
            [core = core_](auto handler, phone_list l, const call_options& o) {
                detail::start_list_phone_numbers(core, l, o, std::move(handler));
            },
            token, list, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<list_phone_numbers_response> Token = default_token>
    auto list_phone_numbers_async(phone_list list, Token&& token = {}) {
        return list_phone_numbers_async(list, call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/verification/management/phone-numbers/{action}: adds `request.phone_number`
    /// (E.164) to the list; adding a number already there succeeds without change (the vendor
    /// says so). A blocked number makes verification().create_async answer `blocked`.
    /// Completion: void(outcome<set_phone_number_response>).
    /// Changes account state: not retried once it may have reached the server (the POST rule).
    template <completion_token_for<set_phone_number_response> Token = default_token>
    auto set_phone_number_async(phone_list list, const set_phone_number_request& request, const call_options& options,
                                Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<set_phone_number_response>)>(
            [core = core_](auto handler, phone_list l, const set_phone_number_request& r, const call_options& o) {
                detail::start_set_phone_number(core, l, r, o, std::move(handler));
            },
            token, list, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<set_phone_number_response> Token = default_token>
    auto set_phone_number_async(phone_list list, const set_phone_number_request& request, Token&& token = {}) {
        return set_phone_number_async(list, request, call_options{}, std::forward<Token>(token));
    }

    /// DELETE /v2/verification/management/phone-numbers/{action} with a JSON body (sent with
    /// Content-Type and Content-Length, as the contract says): removes `request.phone_number`
    /// (E.164) from the list; removing a number that is not there succeeds without change.
    /// Completion: void(outcome<delete_phone_number_response>).
    /// Changes account state: not retried once it may have reached the server (the POST rule).
    template <completion_token_for<delete_phone_number_response> Token = default_token>
    auto delete_phone_number_async(phone_list list, const delete_phone_number_request& request,
                                   const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<delete_phone_number_response>)>(
            [core = core_](auto handler, phone_list l, const delete_phone_number_request& r, const call_options& o) {
                detail::start_delete_phone_number(core, l, r, o, std::move(handler));
            },
            token, list, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<delete_phone_number_response> Token = default_token>
    auto delete_phone_number_async(phone_list list, const delete_phone_number_request& request, Token&& token = {}) {
        return delete_phone_number_async(list, request, call_options{}, std::forward<Token>(token));
    }

    /// GET /v2/verification/management/sender-id: the account's sender IDs with their approval
    /// status. Not paginated. Completion: void(outcome<list_sender_ids_response>). A read.
    template <completion_token_for<list_sender_ids_response> Token = default_token>
    auto list_sender_ids_async(const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<list_sender_ids_response>)>(
            [core = core_](auto handler, const call_options& o) {
                detail::start_list_sender_ids(core, o, std::move(handler));
            },
            token, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<list_sender_ids_response> Token = default_token>
    auto list_sender_ids_async(Token&& token = {}) {
        return list_sender_ids_async(call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/verification/management/sender-id: submits `request.sender_id` (non-empty) for
    /// approval; the answer carries its status (`pending` at first) and a `reason` when rejected.
    /// Completion: void(outcome<submit_sender_id_response>).
    /// Changes account state: not retried once it may have reached the server (the POST rule).
    template <completion_token_for<submit_sender_id_response> Token = default_token>
    auto submit_sender_id_async(const submit_sender_id_request& request, const call_options& options,
                                Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<submit_sender_id_response>)>(
            [core = core_](auto handler, const submit_sender_id_request& r, const call_options& o) {
                detail::start_submit_sender_id(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<submit_sender_id_response> Token = default_token>
    auto submit_sender_id_async(const submit_sender_id_request& request, Token&& token = {}) {
        return submit_sender_id_async(request, call_options{}, std::forward<Token>(token));
    }

private:
    friend class client;
    explicit verification_management_service(std::shared_ptr<ding::detail::client_core> core) noexcept
        : core_(std::move(core)) {}
    std::shared_ptr<ding::detail::client_core> core_;
};

} // namespace ding::v2
