#pragma once
/// \file
/// ding::v2::notify_service: template messages to one number or to many, and the subscription
/// (opt-in/opt-out) state of numbers, with pagers over the three subscription lists.
/// Obtained from client::notify(); the reference is valid as long as the client.
///
/// Every operation has the contract written at the top of ding/v2/client.hpp (completion
/// signature void(outcome<T>), any completion token, validation before any I/O, the v2 error
/// model, executor, cancellation, lifetime). What differs per operation is written above it.
/// Path values: a config_id must be non-empty, not "." or "..", without '/', '?', '#', '%' or a
/// control character (errc::invalid_argument otherwise; other bytes are percent-encoded), and a
/// phone number in the path must be E.164 (its '+' is sent as `%2B`). Query values are
/// percent-encoded.

#include <ding/detail/operation.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>
#include <ding/v2/models.hpp>
#include <ding/v2/pager.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace ding::v2 {

class client;

namespace detail {
using ding::detail::client_core;
using ding::detail::handler;
void start_notify_send(std::shared_ptr<client_core>, const notify_send_request&, const call_options&,
                       handler<notify_send_response>);
void start_notify_send_batch(std::shared_ptr<client_core>, const notify_send_batch_request&, const call_options&,
                             handler<notify_send_batch_response>);
void start_list_subscription_configs(std::shared_ptr<client_core>, const list_subscription_configs_request&,
                                     const call_options&, handler<list_subscription_configs_response>);
void start_get_subscription_config(std::shared_ptr<client_core>, std::string_view config_id, const call_options&,
                                   handler<subscription_config>);
void start_list_subscription_phone_numbers(std::shared_ptr<client_core>,
                                           const list_subscription_phone_numbers_request&, const call_options&,
                                           handler<list_subscription_phone_numbers_response>);
void start_get_subscription_phone_number(std::shared_ptr<client_core>, std::string_view config_id,
                                         std::string_view phone_number, const call_options&,
                                         handler<subscription_phone_number>);
void start_list_subscription_phone_number_events(std::shared_ptr<client_core>,
                                                 const list_subscription_phone_number_events_request&,
                                                 const call_options&,
                                                 handler<list_subscription_phone_number_events_response>);
std::shared_ptr<pager_state<list_subscription_configs_response>>
make_pager(std::shared_ptr<client_core>, const list_subscription_configs_request&, std::size_t max_pages);
std::shared_ptr<pager_state<list_subscription_phone_numbers_response>>
make_pager(std::shared_ptr<client_core>, const list_subscription_phone_numbers_request&, std::size_t max_pages);
std::shared_ptr<pager_state<list_subscription_phone_number_events_response>>
make_pager(std::shared_ptr<client_core>, const list_subscription_phone_number_events_request&, std::size_t max_pages);
} // namespace detail

/// Notify: template messages (one recipient or a batch) and the subscription state of numbers,
/// single pages or whole lists through a pager. Obtained from client::notify(); the reference is
/// valid as long as the client. Every operation has the contract of this file's documentation
/// and of ding/v2/client.hpp; what differs is written above each operation.
class notify_service {
public:
    /// POST /v2/notify: one message from `request.template_id` to `request.to` (E.164).
    /// Completion: void(outcome<notify_send_response>) with the message id and expires_at.
    /// Sends a message that costs money and reaches a person: never resent once it may have
    /// reached the server (only a failure before the request was completely written, 429, 502,
    /// 503 and 504 are retried).
    template <completion_token_for<notify_send_response> Token = default_token>
    auto send_async(const notify_send_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<notify_send_response>)>(
            [core = core_](auto handler, const notify_send_request& r, const call_options& o) {
                detail::start_notify_send(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<notify_send_response> Token = default_token>
    auto send_async(const notify_send_request& request, Token&& token = {}) {
        return send_async(request, call_options{}, std::forward<Token>(token));
    }

    /// POST /v2/notify/batch: the same message to every number of `request.to` (at least one,
    /// each E.164; a malformed one refuses the whole batch before anything is sent).
    /// Completion: void(outcome<notify_send_batch_response>): one result per recipient; a
    /// recipient the API refuses is a result with success == false and its `error`, not an error
    /// of the call. Retried like send_async (never resent once it may have reached the server).
    template <completion_token_for<notify_send_batch_response> Token = default_token>
    auto send_batch_async(const notify_send_batch_request& request, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<notify_send_batch_response>)>(
            [core = core_](auto handler, const notify_send_batch_request& r, const call_options& o) {
                detail::start_notify_send_batch(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<notify_send_batch_response> Token = default_token>
    auto send_batch_async(const notify_send_batch_request& request, Token&& token = {}) {
        return send_batch_async(request, call_options{}, std::forward<Token>(token));
    }

    /// GET /v2/notify/management/subscriptions[?cursor=..&limit=..]: ONE page of subscription
    /// configurations; pass the response's next_cursor as request.cursor for the next page (or
    /// use subscription_configs()). `limit`, when set, at least 1.
    /// Completion: void(outcome<list_subscription_configs_response>). A read.
    template <completion_token_for<list_subscription_configs_response> Token = default_token>
    auto list_subscription_configs_async(const list_subscription_configs_request& request, const call_options& options,
                                         Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<list_subscription_configs_response>)>(
            [core = core_](auto handler, const list_subscription_configs_request& r, const call_options& o) {
                detail::start_list_subscription_configs(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<list_subscription_configs_response> Token = default_token>
    auto list_subscription_configs_async(const list_subscription_configs_request& request, Token&& token = {}) {
        return list_subscription_configs_async(request, call_options{}, std::forward<Token>(token));
    }

    /// GET /v2/notify/management/subscriptions/{config_id}: one configuration.
    /// Completion: void(outcome<subscription_config>). A read.
    template <completion_token_for<subscription_config> Token = default_token>
    auto get_subscription_config_async(std::string_view config_id, const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<subscription_config>)>(
            [core = core_](auto handler, const std::string& id, const call_options& o) {
                detail::start_get_subscription_config(core, id, o, std::move(handler));
            },
            token, std::string(config_id), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<subscription_config> Token = default_token>
    auto get_subscription_config_async(std::string_view config_id, Token&& token = {}) {
        return get_subscription_config_async(config_id, call_options{}, std::forward<Token>(token));
    }

    /// GET /v2/notify/management/subscriptions/{config_id}/phone_numbers[?cursor&limit&state]:
    /// ONE page of the numbers of a configuration with their state (`state` filters; both states
    /// when unset). Completion: void(outcome<list_subscription_phone_numbers_response>). A read.
    template <completion_token_for<list_subscription_phone_numbers_response> Token = default_token>
    auto list_subscription_phone_numbers_async(const list_subscription_phone_numbers_request& request,
                                               const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<list_subscription_phone_numbers_response>)>(
            [core = core_](auto handler, const list_subscription_phone_numbers_request& r, const call_options& o) {
                detail::start_list_subscription_phone_numbers(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<list_subscription_phone_numbers_response> Token = default_token>
    auto list_subscription_phone_numbers_async(const list_subscription_phone_numbers_request& request,
                                               Token&& token = {}) {
        return list_subscription_phone_numbers_async(request, call_options{}, std::forward<Token>(token));
    }

    /// GET /v2/notify/management/subscriptions/{config_id}/phone_numbers/{phone_number}: the
    /// current subscription state of one number (E.164). Completion:
    /// void(outcome<subscription_phone_number>). A read.
    template <completion_token_for<subscription_phone_number> Token = default_token>
    auto get_subscription_phone_number_async(std::string_view config_id, std::string_view phone_number,
                                             const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<subscription_phone_number>)>(
            [core = core_](auto handler, const std::string& id, const std::string& number, const call_options& o) {
                detail::start_get_subscription_phone_number(core, id, number, o, std::move(handler));
            },
            token, std::string(config_id), std::string(phone_number), options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<subscription_phone_number> Token = default_token>
    auto get_subscription_phone_number_async(std::string_view config_id, std::string_view phone_number,
                                             Token&& token = {}) {
        return get_subscription_phone_number_async(config_id, phone_number, call_options{},
                                                   std::forward<Token>(token));
    }

    /// GET /v2/notify/management/subscriptions/{config_id}/phone_numbers/{phone_number}/events
    /// [?cursor&limit]: ONE page of a number's subscription changes, most recent first.
    /// Completion: void(outcome<list_subscription_phone_number_events_response>). A read.
    template <completion_token_for<list_subscription_phone_number_events_response> Token = default_token>
    auto list_subscription_phone_number_events_async(const list_subscription_phone_number_events_request& request,
                                                     const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<list_subscription_phone_number_events_response>)>(
            [core = core_](auto handler, const list_subscription_phone_number_events_request& r,
                           const call_options& o) {
                detail::start_list_subscription_phone_number_events(core, r, o, std::move(handler));
            },
            token, request, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<list_subscription_phone_number_events_response> Token = default_token>
    auto list_subscription_phone_number_events_async(const list_subscription_phone_number_events_request& request,
                                                     Token&& token = {}) {
        return list_subscription_phone_number_events_async(request, call_options{}, std::forward<Token>(token));
    }

    /// Every page of GET /v2/notify/management/subscriptions (see ding/v2/pager.hpp): starts at
    /// request.cursor (none: the first page) with request.limit on every page, and stops with an
    /// error after `max_pages` pages. Nothing is sent before the first next_async; the request is
    /// copied and checked then.
    pager<list_subscription_configs_response>
    subscription_configs(const list_subscription_configs_request& request, std::size_t max_pages = default_max_pages) {
        return pager<list_subscription_configs_response>(detail::make_pager(core_, request, max_pages));
    }
    /// Every page of GET .../subscriptions/{config_id}/phone_numbers (see ding/v2/pager.hpp).
    pager<list_subscription_phone_numbers_response>
    subscription_phone_numbers(const list_subscription_phone_numbers_request& request,
                               std::size_t max_pages = default_max_pages) {
        return pager<list_subscription_phone_numbers_response>(detail::make_pager(core_, request, max_pages));
    }
    /// Every page of GET .../phone_numbers/{phone_number}/events (see ding/v2/pager.hpp).
    pager<list_subscription_phone_number_events_response>
    subscription_phone_number_events(const list_subscription_phone_number_events_request& request,
                                     std::size_t max_pages = default_max_pages) {
        return pager<list_subscription_phone_number_events_response>(detail::make_pager(core_, request, max_pages));
    }

private:
    friend class client;
    explicit notify_service(std::shared_ptr<ding::detail::client_core> core) noexcept : core_(std::move(core)) {}
    std::shared_ptr<ding::detail::client_core> core_;
};

} // namespace ding::v2
