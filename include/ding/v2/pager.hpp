#pragma once
/// \file
/// ding::v2::pager: every page of a cursor-paginated list (Notify's subscription lists), without
/// handling cursors. Obtained from notify_service::subscription_configs(),
/// subscription_phone_numbers() and subscription_phone_number_events().
///
/// Walk:
/// \code
///     auto pages = client.notify().subscription_configs(request);
///     while (true) {
///         auto page = co_await pages.next_async();  // outcome<std::optional<Response>>
///         if (!page) { /* page.error(); calling next_async again retries the same page */ break; }
///         if (!*page) break;                        // the last page was already returned
///         for (auto& item : (*page)->configs) ...
///     }
/// \endcode
///
/// Rules (the position is the pure page_walk of src/v2/page_walk.hpp):
/// - Each page is returned once, in the server's order; after the last page (the one without
///   next_cursor), next_async completes with an empty optional, again and again.
/// - The first page is asked for with the request's own `cursor` (none: the first page of the
///   list), each later one with the previous page's `next_cursor`; the request's other values
///   (config_id, limit, state, ...) go with every page.
/// - A page that fails completes next_async with its error (every error of the single-page call:
///   invalid_argument, api_error, http_status, transport, timeout, cancelled, ...); the position
///   does not move, so the next next_async asks for the same page again. Each page is one call of
///   the single-page operation, with its retries (a GET: a read).
/// - A server that sends a next_cursor already seen in this walk, or a list longer than
///   `max_pages` pages (default_max_pages unless given), ends the walk: next_async completes with
///   errc::decode (repeated cursor) or errc::response_too_large (page bound), the message says
///   which, and every later next_async repeats that error. The page that carried the repeated
///   cursor is still returned first (it was new).
/// - One next_async at a time per pager: a second one while the first is pending completes with
///   errc::invalid_argument (the first is not disturbed). Pagers are independent: several pagers
///   of one client may be walked concurrently, from any thread when the client is thread_safe.
/// - Copies share one position (one walk).
///
/// next_async has the contract of every operation (ding/v2/client.hpp): completion signature
/// void(outcome<std::optional<Response>>), any completion token, never an exception, never
/// completed inside the initiating call, per-operation cancellation honoured at every stage
/// (errc::cancelled, the position unchanged), the completion on the token's associated executor.
/// Lifetime: the pager keeps what it needs alive and may outlive its client, but destroying the
/// client ends a pending next_async with errc::cancelled, and a next_async started afterwards
// completes with errc::cancelled too.

#include <ding/detail/operation.hpp>
#include <ding/options.hpp>
#include <ding/outcome.hpp>
#include <ding/v2/models.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace ding::v2 {

namespace detail {
/// The shared state of one walk (src/v2/pager.cpp).
template <class Response>
struct pager_state;
/// Starts one next_async (src/v2/pager.cpp; instantiated for the three list responses).
template <class Response>
void pager_next(const std::shared_ptr<pager_state<Response>>& state, const call_options& options,
                ding::detail::handler<std::optional<Response>> handler);
} // namespace detail

/// The bound of a walk when none is given: at 100 items a page, a million items.
inline constexpr std::size_t default_max_pages = 10'000;

/// Every page of a cursor-paginated Notify list, one next_async at a time; the walk's rules and
/// next_async's contract are in this file's documentation (ding/v2/pager.hpp). `Response` is
/// list_subscription_configs_response, list_subscription_phone_numbers_response or
/// list_subscription_phone_number_events_response. Made by notify_service's pager functions.
template <class Response>
class pager {
public:
    /// The type of one page: the list operation's response (items and next_cursor).
    using page_type = Response;

    /// The next page, or an empty optional after the last one; see the rules of the file's
    /// documentation (ding/v2/pager.hpp).
    /// Completion: void(outcome<std::optional<Response>>).
    template <completion_token_for<std::optional<Response>> Token = default_token>
    auto next_async(const call_options& options, Token&& token = {}) {
        return boost::asio::async_initiate<Token, void(outcome<std::optional<Response>>)>(
            [state = state_](auto handler, const call_options& o) {
                detail::pager_next<Response>(state, o, std::move(handler));
            },
            token, options);
    }
    /// Same, with the client's call options.
    template <completion_token_for<std::optional<Response>> Token = default_token>
    auto next_async(Token&& token = {}) {
        return next_async(call_options{}, std::forward<Token>(token));
    }

    /// Made by notify_service; not for direct use.
    explicit pager(std::shared_ptr<detail::pager_state<Response>> state) noexcept : state_(std::move(state)) {}
    /// The copy shares the walk: both pagers advance one position (and one pending next_async).
    pager(const pager&) = default;            // copies share one walk
    /// Makes this pager share the walk (the position) of the other one, as a copy does.
    pager& operator=(const pager&) = default;

private:
    std::shared_ptr<detail::pager_state<Response>> state_;
};

} // namespace ding::v2
